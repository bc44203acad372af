import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { brand, claim, epochOn, expectRefused, newBackend, offer, requestQuote, say, SERVICE_KEY, snapshot, terms, type Backend } from "./helpers";

// ingest.finishOfferMessage: recordOffer + finishMessage in one transaction,
// with the same idempotency as the two (seq; round and offeredBy).

async function started(maxRounds = 6) {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t, { maxRounds });
  await claim(t, quoteId);
  return { t, quoteId, negotiationId: negotiations[0]._id as Id<"negotiations"> };
}

const start = async (t: Backend, negotiationId: Id<"negotiations">, seq: number, sender: "brand" | "supplier", content = "Our quote:") =>
  await t.mutation(api.ingest.startMessage, {
    serviceKey: SERVICE_KEY,
    leaseEpoch: await epochOn(t, negotiationId),
    negotiationId,
    seq,
    sender,
    kind: "offer",
    content,
  });

const finishOffer = async (
  t: Backend,
  negotiationId: Id<"negotiations">,
  seq: number,
  round: number,
  offeredBy: "brand" | "supplier",
  offerTerms = terms(7, 1, 40, 15),
  serviceKey = SERVICE_KEY,
) =>
  await t.mutation(api.ingest.finishOfferMessage, {
    serviceKey,
    leaseEpoch: await epochOn(t, negotiationId),
    negotiationId,
    seq,
    round,
    offeredBy,
    terms: offerTerms,
    content: `Round ${round}: here are our terms.`,
    metadata: { model: "scripted", latencyMs: 12 },
    ai: { generated: true, confidence: 0.5 },
  });

const rows = (t: Backend, negotiationId: Id<"negotiations">) =>
  t.run(async (ctx) => ({
    offers: await ctx.db.query("offers").withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiationId)).collect(),
    messages: await ctx.db.query("messages").withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId)).collect(),
    negotiation: (await ctx.db.get(negotiationId))!,
  }));

describe("ingest.finishOfferMessage", () => {
  test("records the offer and finishes its message linked to it, and returns the negotiation as getQuoteState shows it", async () => {
    const { t, quoteId, negotiationId } = await started();
    await start(t, negotiationId, 0, "supplier");
    const first = await finishOffer(t, negotiationId, 0, 1, "supplier");
    await start(t, negotiationId, 1, "brand");
    const second = await finishOffer(t, negotiationId, 1, 2, "brand", terms(6, 0.8, 30, 30));

    const { offers, messages, negotiation } = await rows(t, negotiationId);
    expect(offers.map((o) => [o._id, o.round, o.offeredBy, o.status, o.ai?.generated])).toEqual([
      [first.offerId, 1, "supplier", "countered", true],
      [second.offerId, 2, "brand", "pending", true],
    ]);
    expect(messages.map((m) => [m.seq, m.sender, m.kind, m.state, m.offerId, m.content, m.metadata?.model])).toEqual([
      [0, "supplier", "offer", "complete", first.offerId, "Round 1: here are our terms.", "scripted"],
      [1, "brand", "offer", "complete", second.offerId, "Round 2: here are our terms.", "scripted"],
    ]);
    expect(second.messageId).toBe(messages[1]._id);
    expect(negotiation).toMatchObject({ status: "active", currentOfferId: second.offerId, currentRound: 2, lastOfferBy: "brand", nextSeq: 2 });
    const state = (await t.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    expect(second.negotiation).toEqual(state.negotiations.find((n) => n._id === negotiationId));
  });

  test("a replay (a lost acknowledgement) returns the same ids and writes nothing", async () => {
    const { t, negotiationId } = await started();
    await start(t, negotiationId, 0, "supplier");
    const first = await finishOffer(t, negotiationId, 0, 1, "supplier");
    const before = await snapshot(t);
    const again = await finishOffer(t, negotiationId, 0, 1, "supplier");
    expect([again.offerId, again.messageId]).toEqual([first.offerId, first.messageId]);
    expect(await snapshot(t)).toEqual(before);
    // Also after the other party moved on: the replay still lands on its own rows.
    await start(t, negotiationId, 1, "brand");
    await finishOffer(t, negotiationId, 1, 2, "brand", terms(6, 0.8, 30, 30));
    const late = await finishOffer(t, negotiationId, 0, 1, "supplier");
    expect(late.offerId).toBe(first.offerId);
    const { offers, messages } = await rows(t, negotiationId);
    expect(offers).toHaveLength(2);
    expect(messages.map((m) => m.seq)).toEqual([0, 1]);
  });

  test("a message never started (its text came all at once) is created complete with its offer, in the same one write", async () => {
    const { t, negotiationId } = await started(2);
    const first = await finishOffer(t, negotiationId, 0, 1, "supplier");
    const before = await snapshot(t);
    expect(await finishOffer(t, negotiationId, 0, 1, "supplier")).toMatchObject({ offerId: first.offerId, messageId: first.messageId });
    expect(await snapshot(t)).toEqual(before); // a replay
    // Under the same rules as a started one: the brand user took over, so the brand's AI writes nothing.
    await brand(t).mutation(api.negotiations.pause, { negotiationId });
    const paused = await snapshot(t);
    const nextSeq = async () => (await rows(t, negotiationId)).negotiation.nextSeq;
    await expectRefused(t, async () => finishOffer(t, negotiationId, await nextSeq(), 2, "brand", terms(6, 0.8, 30, 30)), "CONFLICT", "negotiationId");
    expect(await snapshot(t)).toEqual(paused);
    await brand(t).mutation(api.negotiations.resume, { negotiationId });
    await finishOffer(t, negotiationId, await nextSeq(), 2, "brand", terms(6, 0.8, 30, 30));
    // Past maxRounds: no offer, and the message that says so closes the negotiation finished.
    const last = await finishOffer(t, negotiationId, await nextSeq(), 3, "supplier");
    expect(last.offerId).toBeNull();
    const { offers, messages, negotiation } = await rows(t, negotiationId);
    expect(negotiation.status).toBe("impasse");
    expect(offers.map((o) => [o.round, o.offeredBy])).toEqual([
      [1, "supplier"],
      [2, "brand"],
    ]);
    const ai = messages.filter((m) => m.sender !== "system");
    expect(ai.map((m) => [m.sender, m.state, m.offerId ?? null, m.content])).toEqual([
      ["supplier", "complete", first.offerId, "Round 1: here are our terms."],
      ["brand", "complete", offers[1]._id, "Round 2: here are our terms."],
      ["supplier", "complete", null, "Round 3: here are our terms."],
    ]);
  });

  test("refuses what recordOffer or finishMessage would refuse, and changes nothing", async () => {
    const { t, negotiationId } = await started();
    await start(t, negotiationId, 0, "supplier");
    await expectRefused(t, () => finishOffer(t, negotiationId, 0, 1, "supplier", terms(7, 1), "wrong-key"), "UNAUTHENTICATED");
    await expectRefused(t, () => finishOffer(t, negotiationId, 0, 1, "brand", terms(6, 0.8)), "CONFLICT", "seq");
    await expectRefused(t, () => finishOffer(t, negotiationId, 0, 2, "supplier"), "CONFLICT", "round");
    await expectRefused(t, () => finishOffer(t, negotiationId, 0, 1, "supplier", terms(-1, 1)), "INVALID_ARGUMENT");
    await finishOffer(t, negotiationId, 0, 1, "supplier");
    // A different offer for a round already recorded is a conflict, not a replay.
    await expectRefused(t, () => finishOffer(t, negotiationId, 0, 1, "supplier", terms(8, 1)), "CONFLICT", "round");

    // The brand user took over: the brand's AI may not offer; its message stays streaming.
    await start(t, negotiationId, 1, "brand");
    await brand(t).mutation(api.negotiations.pause, { negotiationId });
    await expectRefused(t, () => finishOffer(t, negotiationId, 1, 2, "brand", terms(6, 0.8, 30, 30)), "CONFLICT", "negotiationId");
    await brand(t).mutation(api.negotiations.resume, { negotiationId });
    // Brand offers stay inside the guardrails (lead time at most 45 days).
    await expectRefused(t, () => finishOffer(t, negotiationId, 1, 2, "brand", terms(6, 0.8, 60, 30)), "INVALID_ARGUMENT");
    const { messages } = await rows(t, negotiationId);
    expect(messages.find((m) => m.seq === 1)!.state).toBe("streaming");
  });

  test("past maxRounds: no offer, the negotiation ends in impasse, the message is finished without an offer", async () => {
    const { t, negotiationId } = await started(2);
    await say(t, negotiationId, 0, "supplier", "Opening.", "offer");
    await offer(t, negotiationId, 1, "supplier", terms(7, 1, 40, 15));
    await say(t, negotiationId, 1, "brand", "Counter.", "offer");
    await offer(t, negotiationId, 2, "brand", terms(6, 0.8, 30, 30));
    await start(t, negotiationId, 2, "supplier");
    const result = await finishOffer(t, negotiationId, 2, 3, "supplier");
    expect(result.offerId).toBeNull();
    expect(result.negotiation.status).toBe("impasse");
    const { offers, messages, negotiation } = await rows(t, negotiationId);
    expect(offers).toHaveLength(2);
    expect(negotiation.status).toBe("impasse");
    const last = messages.find((m) => m.seq === 2)!;
    expect(last).toMatchObject({ state: "complete", content: "Round 3: here are our terms." });
    expect(last.offerId).toBeUndefined();
    // The impasse withdraws what is streaming, this message included; it is the
    // message that closes the negotiation, so it ends finished, not withdrawn.
    expect(last.withdrawn).toBeUndefined();
    // Replayed after the impasse: the same answer, nothing new.
    const before = await snapshot(t);
    expect((await finishOffer(t, negotiationId, 2, 3, "supplier")).offerId).toBeNull();
    expect(await snapshot(t)).toEqual(before);
  });
});
