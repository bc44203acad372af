import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { brand, claim, expectRefused, newBackend, requestQuote, SERVICE_KEY, snapshot, terms, type Backend } from "./helpers";

// One writer per quote: every claim takes the next lease epoch, and the
// workflow's writes are taken only under the quote's current one. A worker
// whose lease lapsed and was claimed by another (it froze, or lost the network)
// is refused with CONFLICT on leaseEpoch and changes nothing.

afterEach(() => {
  vi.useRealTimers();
});

const serviceKey = SERVICE_KEY;

/** Every workflow write on the quote, under `leaseEpoch`, each valid for the state the lease test builds. */
function writes(t: Backend, quoteId: Id<"quotes">, ids: { n: Id<"negotiations">; other: Id<"negotiations">; offerId: Id<"offers"> }, leaseEpoch: number) {
  const { n, other, offerId } = ids;
  return {
    appendText: () => t.mutation(api.ingest.appendMessageText, { serviceKey, leaseEpoch, negotiationId: n, seq: 1, start: 2, text: " offer" }),
    finishOffer: () =>
      t.mutation(api.ingest.finishOfferMessage, {
        serviceKey,
        leaseEpoch,
        negotiationId: n,
        seq: 1,
        content: "We offer 6.00 and 0.80.",
        round: 2,
        offeredBy: "brand",
        terms: terms(6, 0.8),
      }),
    start: () => t.mutation(api.ingest.startMessage, { serviceKey, leaseEpoch, negotiationId: n, seq: 2, sender: "supplier", kind: "text", content: "Hm" }),
    withdraw: () => t.mutation(api.ingest.withdrawMessage, { serviceKey, leaseEpoch, negotiationId: n, seq: 2, reason: "take_over" }),
    append: () =>
      t.mutation(api.ingest.appendMessage, { serviceKey, leaseEpoch, negotiationId: n, seq: 3, sender: "supplier", kind: "offer", content: "6.20 and 0.84." }),
    recordOffer: () =>
      t.mutation(api.ingest.recordOffer, { serviceKey, leaseEpoch, negotiationId: n, round: 3, offeredBy: "supplier", terms: terms(6.2, 0.84) }),
    startFinal: () => t.mutation(api.ingest.startMessage, { serviceKey, leaseEpoch, negotiationId: n, seq: 4, sender: "brand", kind: "acceptance", content: "" }),
    finish: () => t.mutation(api.ingest.finishMessage, { serviceKey, leaseEpoch, negotiationId: n, seq: 4, content: "Agreed." }),
    accept: () => t.mutation(api.ingest.acceptOffer, { serviceKey, leaseEpoch, negotiationId: n, offerId, by: "brand" }),
    status: () => t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch, negotiationId: other, status: "active" }),
    recommend: () =>
      t.mutation(api.ingest.setRecommendation, { serviceKey, leaseEpoch, quoteId, recommendation: { negotiationId: n, explanation: "Agreed at 6.20", ranking: [] } }),
    fail: () => t.mutation(api.worker.failQuote, { serviceKey, leaseEpoch, quoteId, reason: "model server down" }),
  };
}
type Write = keyof ReturnType<typeof writes>;

/** A quote claimed by w1 (leaseMs 1000) with a supplier offer and a brand message streaming, then claimed by w2 after w1's lease lapsed. */
async function takenOver() {
  vi.useFakeTimers();
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const [n, other] = negotiations.map((x) => x._id);
  expect(await claim(t, quoteId, "w1", 1000)).toBe(1);
  expect(await claim(t, quoteId, "w2", 1000)).toBeNull(); // w1's lease is live
  await t.mutation(api.ingest.appendMessage, { serviceKey, leaseEpoch: 1, negotiationId: n, seq: 0, sender: "supplier", kind: "offer", content: "7.00 and 1.00." });
  const offerId = (await t.mutation(api.ingest.recordOffer, {
    serviceKey,
    leaseEpoch: 1,
    negotiationId: n,
    round: 1,
    offeredBy: "supplier",
    terms: terms(7, 1),
  }))!;
  await t.mutation(api.ingest.startMessage, { serviceKey, leaseEpoch: 1, negotiationId: n, seq: 1, sender: "brand", kind: "offer", content: "We" });
  vi.advanceTimersByTime(1000); // w1 froze past its lease
  expect(await claim(t, quoteId, "w2", 60_000)).toBe(2);
  return { t, quoteId, n, other, offerId };
}

describe("the lease epoch", () => {
  test("grows by one with every claim and stays on the quote; a live lease is not claimed by another worker", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const { quoteId } = await requestQuote(t);
    const epoch = async () => (await t.run(async (ctx) => ctx.db.get(quoteId)))!.leaseEpoch;
    expect(await epoch()).toBeUndefined();
    expect(await claim(t, quoteId, "w1", 1000)).toBe(1);
    const before = await snapshot(t);
    expect(await claim(t, quoteId, "w2", 1000)).toBeNull();
    expect(await snapshot(t)).toEqual(before); // a refused claim writes nothing
    vi.advanceTimersByTime(999);
    expect(await claim(t, quoteId, "w2", 1000)).toBeNull();
    vi.advanceTimersByTime(1);
    expect(await claim(t, quoteId, "w2", 1000)).toBe(2);
    expect(await epoch()).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(await claim(t, quoteId, "w3", 1000)).toBe(3);
    expect(await t.run(async (ctx) => ctx.db.get(quoteId))).toMatchObject({ status: "negotiating", claimedBy: "w3", leaseEpoch: 3 });
    const reclaimed = await t.run(async (ctx) => (await ctx.db.query("events").collect()).filter((e) => e.type === "quote.reclaimed"));
    expect(reclaimed.map((e) => e.data)).toEqual([
      { workerId: "w2", leaseEpoch: 2 },
      { workerId: "w3", leaseEpoch: 3 },
    ]);
  });

  test("renewLease: only the holder, under its epoch", async () => {
    const { t, quoteId } = await takenOver();
    const renew = (workerId: string, leaseEpoch: number) =>
      t.mutation(api.worker.renewLease, { serviceKey, quoteId, workerId, leaseEpoch, leaseMs: 60_000 });
    const before = await snapshot(t);
    expect(await renew("w1", 1)).toBe("lost"); // the old holder, its old epoch
    expect(await renew("w1", 2)).toBe("lost"); // the old holder cannot borrow the new epoch
    expect(await renew("w2", 1)).toBe("lost"); // the new holder, a stale epoch
    expect(await renew("w2", 3)).toBe("lost");
    expect(await snapshot(t)).toEqual(before);
    vi.advanceTimersByTime(10_000);
    expect(await renew("w2", 2)).toBe("held");
    expect((await t.run(async (ctx) => ctx.db.get(quoteId)))!.leaseExpiresAt).toBe(Date.now() + 60_000);
  });

  test("renewLease: a quote that ended under the lease is `ended`, not lost, and the renewal changes nothing", async () => {
    vi.useFakeTimers();
    for (const end of ["completed", "cancelled"] as const) {
      const t = newBackend();
      const { quoteId, negotiations } = await requestQuote(t);
      expect(await claim(t, quoteId, "w1", 60_000)).toBe(1);
      if (end === "completed") {
        for (const n of negotiations) {
          await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch: 1, negotiationId: n._id, status: "failed", failureReason: "model server down" });
        }
        await t.mutation(api.ingest.setRecommendation, { serviceKey, leaseEpoch: 1, quoteId, recommendation: { explanation: "No agreement", ranking: [] } });
      } else {
        await brand(t).mutation(api.quotes.cancel, { quoteId });
      }
      const before = await snapshot(t);
      expect((await t.run(async (ctx) => ctx.db.get(quoteId)))!.status, end).toBe(end);
      expect(await t.mutation(api.worker.renewLease, { serviceKey, quoteId, workerId: "w1", leaseEpoch: 1, leaseMs: 60_000 }), end).toBe("ended");
      expect(await t.mutation(api.worker.renewLease, { serviceKey, quoteId, workerId: "w1", leaseEpoch: 0, leaseMs: 60_000 }), end).toBe("lost");
      expect(await snapshot(t)).toEqual(before);
    }
  });

  const ORDER: Write[] = ["appendText", "finishOffer", "start", "withdraw", "append", "recordOffer", "startFinal", "finish", "accept", "status", "recommend"];

  test("after another worker claimed, every write under the old epoch is refused and changes nothing; under the new one it lands", async () => {
    const { t, quoteId, n, other, offerId } = await takenOver();
    const ids = { n, other, offerId };
    const stale = writes(t, quoteId, ids, 1);
    const future = writes(t, quoteId, ids, 3);
    const current = writes(t, quoteId, ids, 2);
    for (const name of [...ORDER, "fail"] as Write[]) {
      const data = await expectRefused(t, stale[name], "CONFLICT", "leaseEpoch");
      expect(data.message, name).toMatch(/epoch 1/);
      await expectRefused(t, future[name], "CONFLICT", "leaseEpoch");
    }
    // The same writes under epoch 2, in the workflow's order: each lands.
    await current.appendText();
    expect(await brand(t).query(api.messages.streaming, { negotiationId: n })).toEqual([{ messageId: expect.any(String), content: "We offer" }]);
    const finished = await current.finishOffer();
    expect(finished.offerId).not.toBeNull();
    await current.start();
    await current.withdraw();
    await current.append();
    const final = (await current.recordOffer())!;
    await current.startFinal();
    await current.finish();
    // acceptOffer: the brand accepts the standing offer, which is now round 3.
    await t.mutation(api.ingest.acceptOffer, { serviceKey, leaseEpoch: 2, negotiationId: n, offerId: final, by: "brand" });
    await current.status();
    await current.recommend();

    const db = await t.run(async (ctx) => ({
      quote: (await ctx.db.get(quoteId))!,
      n: (await ctx.db.get(n))!,
      other: (await ctx.db.get(other))!,
      messages: await ctx.db.query("messages").withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", n)).collect(),
      offers: await ctx.db.query("offers").withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", n)).collect(),
      deltas: await ctx.db.query("messageDeltas").collect(),
    }));
    expect(db.quote).toMatchObject({ status: "completed", leaseEpoch: 2, recommendation: { explanation: "Agreed at 6.20" } });
    expect(db.n).toMatchObject({ status: "accepted", currentOfferId: final });
    expect(db.other.status).toBe("active");
    expect(db.messages.map((m) => [m.seq, m.sender, m.state, m.content, m.withdrawn ?? null])).toEqual([
      [0, "supplier", "complete", "7.00 and 1.00.", null],
      [1, "brand", "complete", "We offer 6.00 and 0.80.", null],
      [2, "supplier", "complete", "(Withdrawn: the brand user took over before this message was sent.)", "take_over"],
      [3, "supplier", "complete", "6.20 and 0.84.", null],
      [4, "brand", "complete", "Agreed.", null],
    ]);
    expect(db.offers.map((o) => [o.round, o.offeredBy, o.status])).toEqual([
      [1, "supplier", "countered"],
      [2, "brand", "countered"],
      [3, "supplier", "accepted"],
    ]);
    expect(db.deltas).toEqual([]);
  });

  test("once setRecommendation completed the quote, its epoch stays: a replay under it still lands, the old epoch is still refused", async () => {
    const { t, quoteId, n, other, offerId } = await takenOver();
    const current = writes(t, quoteId, { n, other, offerId }, 2);
    const first = await current.finishOffer();
    await current.recommend();
    expect(await claim(t, quoteId, "w3", 60_000)).toBeNull(); // a completed quote is not claimable
    const quote = async () => (await t.run(async (ctx) => ctx.db.get(quoteId)))!;
    expect(await quote()).toMatchObject({ status: "completed", leaseEpoch: 2 });
    // The acknowledgement of the last writes was lost: the worker retries them.
    await current.recommend();
    expect(await quote()).toMatchObject({ status: "completed", leaseEpoch: 2, recommendation: { explanation: "Agreed at 6.20" } });
    const again = await current.finishOffer();
    expect([again.offerId, again.messageId]).toEqual([first.offerId, first.messageId]);
    await expectRefused(t, writes(t, quoteId, { n, other, offerId }, 1).recommend, "CONFLICT", "leaseEpoch");
  });

  test("failQuote under the old epoch is refused; under the new one it fails the quote", async () => {
    const { t, quoteId, n, other, offerId } = await takenOver();
    await expectRefused(t, writes(t, quoteId, { n, other, offerId }, 1).fail, "CONFLICT", "leaseEpoch");
    await writes(t, quoteId, { n, other, offerId }, 2).fail();
    const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(detail.quote).toMatchObject({ status: "failed", failureReason: "model server down" });
    expect(detail.negotiations.map((x) => x.status)).toEqual(["failed", "failed", "failed"]);
  });

  test("a quote never claimed (queued) takes no workflow write, under any epoch", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    const [n, other] = negotiations.map((x) => x._id);
    // An offer id from another, claimed quote: the refusal comes before the id is looked at.
    const claimed = await requestQuote(t);
    await claim(t, claimed.quoteId);
    const offerId = (await t.mutation(api.ingest.recordOffer, {
      serviceKey,
      leaseEpoch: 1,
      negotiationId: claimed.negotiations[0]._id,
      round: 1,
      offeredBy: "supplier",
      terms: terms(7, 1),
    }))!;
    for (const leaseEpoch of [0, 1]) {
      const all = writes(t, quoteId, { n, other, offerId }, leaseEpoch);
      for (const name of Object.keys(all) as Write[]) {
        const data = await expectRefused(t, all[name], "CONFLICT", "leaseEpoch");
        expect(data.message, name).toMatch(/not been claimed/);
      }
    }
    expect((await t.run(async (ctx) => ctx.db.get(quoteId)))!).toMatchObject({ status: "queued" });
    expect((await t.run(async (ctx) => ctx.db.get(quoteId)))!.leaseEpoch).toBeUndefined();
  });
});
