import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { WITHDRAWN_TEXT } from "../../convex/model/messages";
import { brand, claim, epochOn, expectRefused, newBackend, requestQuote, say, SERVICE_KEY, type Backend } from "./helpers";

async function started() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  return { t, quoteId, leaseEpoch, negotiationId: negotiations[0]._id };
}

async function allMessages(t: Backend, negotiationId: Id<"negotiations">) {
  return (await brand(t).query(api.messages.list, { negotiationId, paginationOpts: { numItems: 100, cursor: null } })).page;
}

/** A seeded shuffle, so a failure replays the same order. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const transcript = Array.from({ length: 10 }, (_, seq) => ({
  seq,
  sender: (seq % 2 === 0 ? "supplier" : "brand") as "supplier" | "brand",
  content: `message ${seq}`,
}));

describe("idempotent ingest", () => {
  test.each([1, 2, 3, 4, 5])("a shuffled batch with duplicates stores each seq once, in order (seed %i)", async (seed) => {
    const { t, negotiationId } = await started();
    const batch = shuffle([...transcript, ...transcript, ...transcript.slice(0, 4)], seed);
    const ids = new Map<number, string>();
    for (const message of batch) {
      const id = await say(t, negotiationId, message.seq, message.sender, message.content);
      if (ids.has(message.seq)) expect(id).toBe(ids.get(message.seq));
      ids.set(message.seq, id);
    }
    const stored = await allMessages(t, negotiationId);
    expect(stored.map((m) => [m.seq, m.sender, m.content, m.state])).toEqual(
      transcript.map((m) => [m.seq, m.sender, m.content, "complete"]),
    );
    const after = await t.run(async (ctx) => (await ctx.db.get(negotiationId))!);
    expect(after.nextSeq).toBe(10);
    const sent = await t.run(async (ctx) => (await ctx.db.query("events").collect()).filter((e) => e.type === "message_sent"));
    expect(sent).toHaveLength(10);
  });

  test("the same seq with another sender or kind is a CONFLICT", async () => {
    const { t, negotiationId } = await started();
    await say(t, negotiationId, 0, "supplier", "hello");
    await expectRefused(t, () => say(t, negotiationId, 0, "brand", "hello"), "CONFLICT", "seq");
    await expectRefused(t, () => say(t, negotiationId, 0, "supplier", "hello", "offer"), "CONFLICT", "seq");
  });

  test("nextSeq is max(nextSeq, seq + 1): a gap is kept, an earlier seq does not lower it", async () => {
    const { t, negotiationId } = await started();
    await say(t, negotiationId, 4, "supplier", "four");
    await say(t, negotiationId, 1, "brand", "one");
    expect((await t.run(async (ctx) => ctx.db.get(negotiationId)))!.nextSeq).toBe(5);
  });

  test("bad seqs and contents are refused", async () => {
    const { t, leaseEpoch, negotiationId } = await started();
    await expectRefused(t, () => say(t, negotiationId, -1, "supplier", "x"), "INVALID_ARGUMENT", "seq");
    await expectRefused(t, () => say(t, negotiationId, 1.5, "supplier", "x"), "INVALID_ARGUMENT", "seq");
    await expectRefused(t, () => say(t, negotiationId, 0, "supplier", ""), "INVALID_ARGUMENT", "content");
    await expectRefused(t, () => say(t, negotiationId, 0, "supplier", "x".repeat(4001)), "INVALID_ARGUMENT", "content");
    await expectRefused(
      t,
      () =>
        t.mutation(api.ingest.appendMessage, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, seq: 0, sender: "user", kind: "text", content: "x" }),
      "INVALID_ARGUMENT",
      "sender",
    );
  });

  test("an offer link must belong to the negotiation", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    const leaseEpoch = (await claim(t, quoteId))!;
    const other = await t.mutation(api.ingest.recordOffer, {
      serviceKey: SERVICE_KEY,
      leaseEpoch,
      negotiationId: negotiations[1]._id,
      round: 1,
      offeredBy: "supplier",
      terms: {
        lines: [
          { sku: "APP-TEE-240-BLK", quantity: 2000, unitPrice: 7 },
          { sku: "PKG-MAILER-1084", quantity: 5000, unitPrice: 1 },
        ],
        leadTimeDays: 30,
        paymentTermsDays: 30,
      },
    });
    await expectRefused(
      t,
      () =>
        t.mutation(api.ingest.appendMessage, {
          serviceKey: SERVICE_KEY,
          leaseEpoch,
          negotiationId: negotiations[0]._id,
          seq: 0,
          sender: "supplier",
          kind: "offer",
          content: "x",
          offerId: other!,
        }),
      "NOT_FOUND",
      "offerId",
    );
  });
});

describe("streaming messages", () => {
  const start = async (t: Backend, negotiationId: Id<"negotiations">, seq = 0) =>
    await t.mutation(api.ingest.startMessage, {
      serviceKey: SERVICE_KEY,
      leaseEpoch: await epochOn(t, negotiationId),
      negotiationId,
      seq,
      sender: "brand",
      kind: "text",
      content: "",
    });
  const append = async (t: Backend, negotiationId: Id<"negotiations">, start: number, text: string, seq = 0) =>
    await t.mutation(api.ingest.appendMessageText, { serviceKey: SERVICE_KEY, leaseEpoch: await epochOn(t, negotiationId), negotiationId, seq, start, text });
  const finish = async (t: Backend, negotiationId: Id<"negotiations">, content: string, seq = 0) =>
    await t.mutation(api.ingest.finishMessage, {
      serviceKey: SERVICE_KEY,
      leaseEpoch: await epochOn(t, negotiationId),
      negotiationId,
      seq,
      content,
      metadata: { model: "scripted", latencyMs: 12, tokenUsage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } },
    });
  const withdraw = async (t: Backend, negotiationId: Id<"negotiations">, seq = 0) =>
    await t.mutation(api.ingest.withdrawMessage, { serviceKey: SERVICE_KEY, leaseEpoch: await epochOn(t, negotiationId), negotiationId, seq, reason: "take_over" });
  const streaming = (t: Backend, negotiationId: Id<"negotiations">) => brand(t).query(api.messages.streaming, { negotiationId });

  test("start, grow, ignore a late replayed piece, finish, ignore pieces after finish", async () => {
    const { t, negotiationId } = await started();
    const id = await start(t, negotiationId);
    expect(await start(t, negotiationId)).toBe(id);
    await append(t, negotiationId, 0, "Thanks for");
    await append(t, negotiationId, 10, " the quote");
    await append(t, negotiationId, 0, "Thanks"); // a late replay
    let [message] = await allMessages(t, negotiationId);
    expect(message).toMatchObject({ _id: id, state: "streaming", content: "" });
    expect(await streaming(t, negotiationId)).toEqual([{ messageId: id, content: "Thanks for the quote" }]);
    expect(await finish(t, negotiationId, "Thanks for the quote, we can do better.")).toBe(id);
    await append(t, negotiationId, 20, ", we can do better. And more");
    await finish(t, negotiationId, "replayed finish is a no-op");
    [message] = await allMessages(t, negotiationId);
    expect(message).toMatchObject({
      _id: id,
      seq: 0,
      state: "complete",
      content: "Thanks for the quote, we can do better.",
      metadata: { model: "scripted", latencyMs: 12 },
    });
    expect(message.withdrawn).toBeUndefined();
    expect(await streaming(t, negotiationId)).toEqual([]);
  });

  test("appending to, finishing or withdrawing a message never started is NOT_FOUND", async () => {
    const { t, negotiationId } = await started();
    await expectRefused(t, () => append(t, negotiationId, 0, "x"), "NOT_FOUND", "seq");
    await expectRefused(t, () => finish(t, negotiationId, "x"), "NOT_FOUND", "seq");
    await expectRefused(t, () => withdraw(t, negotiationId), "NOT_FOUND", "seq");
  });

  test("a message streaming when the brand user walks away is withdrawn; a late finish leaves it so", async () => {
    const { t, negotiationId } = await started();
    const id = await start(t, negotiationId);
    await append(t, negotiationId, 0, "Our best");
    await brand(t).mutation(api.negotiations.walkAway, { negotiationId });
    await finish(t, negotiationId, "Our best offer stands.");
    await append(t, negotiationId, 8, " offer");
    const messages = await allMessages(t, negotiationId);
    expect(messages.map((m) => [m.seq, m.sender, m.kind, m.state, m.withdrawn ?? null])).toEqual([
      [0, "brand", "text", "complete", "closed"],
      [1, "user", "rejection", "complete", null],
    ]);
    expect(messages[0]).toMatchObject({ _id: id, content: WITHDRAWN_TEXT.closed });
    expect(await streaming(t, negotiationId)).toEqual([]);
    expect(await t.run(async (ctx) => ctx.db.query("messageDeltas").collect())).toEqual([]);
  });
});

describe("while the brand user has taken over", () => {
  test("the workflow may write supplier messages and offers, not brand ones, and may not accept for the brand", async () => {
    const { t, leaseEpoch, negotiationId } = await started();
    await say(t, negotiationId, 0, "supplier", "Opening");
    await brand(t).mutation(api.negotiations.pause, { negotiationId });
    await expectRefused(t, () => say(t, negotiationId, 2, "brand", "AI speaking"), "CONFLICT", "negotiationId");
    await say(t, negotiationId, 2, "supplier", "Still here");
    const offerId = (await t.mutation(api.ingest.recordOffer, {
      serviceKey: SERVICE_KEY,
      leaseEpoch,
      negotiationId,
      round: 1,
      offeredBy: "supplier",
      terms: {
        lines: [
          { sku: "APP-TEE-240-BLK", quantity: 2000, unitPrice: 6.4 },
          { sku: "PKG-MAILER-1084", quantity: 5000, unitPrice: 0.88 },
        ],
        leadTimeDays: 30,
        paymentTermsDays: 30,
      },
    }))!;
    await expectRefused(
      t,
      () => t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, offerId, by: "brand" }),
      "CONFLICT",
      "negotiationId",
    );
  });
});
