import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { WITHDRAWN_TEXT } from "../../convex/model/messages";
import { brand, claim, expectRefused, newBackend, offer, requestQuote, say, SERVICE_KEY, snapshot, terms, type Backend } from "./helpers";

// A streaming message's text grows by append-only pieces (messageDeltas), each
// at its offset in the text, so a retried piece is recognised; the pieces are
// reassembled for the chat (messages.streaming) and the worker
// (worker.getQuoteState) and deleted when the message ends. Every message ends:
// finished, withdrawn by the workflow, or withdrawn when its negotiation closes.

afterEach(() => {
  vi.useRealTimers();
});

const serviceKey = SERVICE_KEY;

async function started() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  const [n, n2] = negotiations.map((x) => x._id);
  const lease = { serviceKey, leaseEpoch };
  const start = (negotiationId: Id<"negotiations">, seq: number, content: string, sender: "brand" | "supplier" = "brand") =>
    t.mutation(api.ingest.startMessage, { ...lease, negotiationId, seq, sender, kind: "text", content });
  const piece = (negotiationId: Id<"negotiations">, seq: number, start: number, text: string) =>
    t.mutation(api.ingest.appendMessageText, { ...lease, negotiationId, seq, start, text });
  const finish = (negotiationId: Id<"negotiations">, seq: number, content: string) =>
    t.mutation(api.ingest.finishMessage, { ...lease, negotiationId, seq, content });
  const withdraw = (negotiationId: Id<"negotiations">, seq: number, reason: "take_over" | "closed" | "failed") =>
    t.mutation(api.ingest.withdrawMessage, { ...lease, negotiationId, seq, reason });
  const streaming = (negotiationId: Id<"negotiations">) => brand(t).query(api.messages.streaming, { negotiationId });
  /** The message at seq as worker.getQuoteState shows it. */
  const stateOf = async (negotiationId: Id<"negotiations">, seq: number) => {
    const state = await t.query(api.worker.getQuoteState, { serviceKey, quoteId });
    return state.negotiations.find((x) => x._id === negotiationId)!.messages.find((m) => m.seq === seq)!;
  };
  const message = (negotiationId: Id<"negotiations">, seq: number) =>
    t.run(async (ctx) =>
      (await ctx.db
        .query("messages")
        .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId).eq("seq", seq))
        .unique())!,
    );
  const deltas = (messageId?: Id<"messages">) =>
    t.run(async (ctx) => (await ctx.db.query("messageDeltas").collect()).filter((d) => messageId === undefined || d.messageId === messageId));
  return { t, quoteId, leaseEpoch, n, n2, start, piece, finish, withdraw, streaming, stateOf, message, deltas };
}

describe("pieces", () => {
  test("start, then pieces at increasing offsets: messages.streaming and getQuoteState reassemble the text", async () => {
    const s = await started();
    const id = await s.start(s.n, 0, "Thanks");
    await s.piece(s.n, 0, 6, " for");
    await s.piece(s.n, 0, 10, " the quote");
    expect(await s.streaming(s.n)).toEqual([{ messageId: id, content: "Thanks for the quote" }]);
    expect(await s.stateOf(s.n, 0)).toMatchObject({ _id: id, state: "streaming", content: "Thanks for the quote" });
    // The message row keeps its first words; the pieces are rows of their own.
    expect(await s.message(s.n, 0)).toMatchObject({ state: "streaming", content: "Thanks" });
    expect((await s.deltas(id)).map((d) => [d.start, d.text])).toEqual([
      [6, " for"],
      [10, " the quote"],
    ]);
    // Another negotiation's stream is its own.
    expect(await s.streaming(s.n2)).toEqual([]);
  });

  test("a replayed piece is ignored; an overlapping piece keeps only what is new", async () => {
    const s = await started();
    const id = await s.start(s.n, 0, "Thanks");
    await s.piece(s.n, 0, 6, " for");
    const before = await snapshot(s.t);
    await s.piece(s.n, 0, 6, " for"); // the same piece again (a lost acknowledgement)
    await s.piece(s.n, 0, 0, "Tha"); // inside the first words
    await s.piece(s.n, 0, 8, "or"); // the tail of a stored piece
    expect(await snapshot(s.t)).toEqual(before);
    await s.piece(s.n, 0, 6, " for the quote"); // half stored, half new
    await s.piece(s.n, 0, 20, ", and more");
    expect((await s.deltas(id)).map((d) => [d.start, d.text])).toEqual([
      [6, " for"],
      [10, " the quote"],
      [20, ", and more"],
    ]);
    expect(await s.streaming(s.n)).toEqual([{ messageId: id, content: "Thanks for the quote, and more" }]);
  });

  test("a piece past the end would leave a gap: CONFLICT on start, nothing written", async () => {
    const s = await started();
    await s.start(s.n, 0, "Thanks");
    await expectRefused(s.t, () => s.piece(s.n, 0, 7, "for"), "CONFLICT", "start");
    await s.piece(s.n, 0, 6, " for");
    await expectRefused(s.t, () => s.piece(s.n, 0, 11, "the"), "CONFLICT", "start");
    await expectRefused(s.t, () => s.piece(s.n, 0, -1, "x"), "INVALID_ARGUMENT", "start");
    await expectRefused(s.t, () => s.piece(s.n, 0, 1.5, "x"), "INVALID_ARGUMENT", "start");
    expect((await s.streaming(s.n))[0].content).toBe("Thanks for");
  });

  test("finishing deletes the pieces; messages.streaming is then empty; a piece after finish is ignored", async () => {
    const s = await started();
    const id = await s.start(s.n, 0, "Thanks");
    await s.piece(s.n, 0, 6, " for the quote");
    await s.finish(s.n, 0, "Thanks for the quote, we can do better.");
    expect(await s.deltas(id)).toEqual([]);
    expect(await s.streaming(s.n)).toEqual([]);
    const before = await snapshot(s.t);
    expect(await s.piece(s.n, 0, 20, ", we can do better. More")).toBeNull();
    expect(await s.piece(s.n, 0, 999, "a gap is no longer a conflict: the message is finished")).toBeNull();
    expect(await snapshot(s.t)).toEqual(before);
    expect(await s.message(s.n, 0)).toMatchObject({ state: "complete", content: "Thanks for the quote, we can do better." });
    expect(await s.stateOf(s.n, 0)).toMatchObject({ content: "Thanks for the quote, we can do better." });
  });

  test("a message is at most 4,000 characters, pieces included: INVALID_ARGUMENT on text", async () => {
    const s = await started();
    const id = await s.start(s.n, 0, "x".repeat(3995));
    await expectRefused(s.t, () => s.piece(s.n, 0, 3995, "y".repeat(6)), "INVALID_ARGUMENT", "text");
    await expectRefused(s.t, () => s.piece(s.n, 0, 0, "y".repeat(4001)), "INVALID_ARGUMENT", "text");
    await s.piece(s.n, 0, 3995, "y".repeat(5));
    expect((await s.streaming(s.n))[0].content).toHaveLength(4000);
    await expectRefused(s.t, () => s.piece(s.n, 0, 4000, "z"), "INVALID_ARGUMENT", "text");
    await s.piece(s.n, 0, 3995, "yyyyy"); // a replay of the last piece is still fine
    expect(await s.deltas(id)).toHaveLength(1);
  });

  test("write volume is linear: a 2,000-character message in 200 pieces stores 2,000 characters of pieces", async () => {
    const s = await started();
    const words = Array.from({ length: 200 }, (_, i) => `word${String(i).padStart(5, "0")} `); // 10 characters each
    const text = words.join("");
    expect(text).toHaveLength(2000);
    const id = await s.start(s.n, 0, "");
    let at = 0;
    for (const [i, word] of words.entries()) {
      await s.piece(s.n, 0, at, word);
      if (i % 10 === 0) await s.piece(s.n, 0, at, word); // some pieces retried
      at += word.length;
    }
    const pieces = await s.deltas(id);
    expect(pieces).toHaveLength(200);
    expect(pieces.reduce((sum, d) => sum + d.text.length, 0)).toBe(text.length);
    expect((await s.streaming(s.n))[0].content).toBe(text);
    expect((await s.stateOf(s.n, 0)).content).toBe(text);
    // The message row itself is never rewritten while it streams.
    expect((await s.message(s.n, 0)).content).toBe("");
  });
});

describe("withdrawing a message", () => {
  test.each(["take_over", "closed", "failed"] as const)("ingest.withdrawMessage %s: the reason's text, complete, withdrawn, no pieces", async (reason) => {
    const s = await started();
    const id = await s.start(s.n, 0, "We can");
    await s.piece(s.n, 0, 6, " do 6.10");
    await s.withdraw(s.n, 0, reason);
    expect(await s.message(s.n, 0)).toMatchObject({ _id: id, state: "complete", content: WITHDRAWN_TEXT[reason], withdrawn: reason });
    expect(await s.deltas(id)).toEqual([]);
    expect(await s.streaming(s.n)).toEqual([]);
    // A replayed withdrawal, a late piece and a late finish leave it as it is.
    const before = await snapshot(s.t);
    await s.withdraw(s.n, 0, reason);
    await s.withdraw(s.n, 0, "failed");
    await s.piece(s.n, 0, 14, " and 0.82");
    await s.finish(s.n, 0, "We can do 6.10 and 0.82.");
    expect(await snapshot(s.t)).toEqual(before);
  });

  test("a finished message is not withdrawn", async () => {
    const s = await started();
    await s.start(s.n, 0, "Done");
    await s.finish(s.n, 0, "Done.");
    const before = await snapshot(s.t);
    await s.withdraw(s.n, 0, "take_over");
    expect(await snapshot(s.t)).toEqual(before);
    expect((await s.message(s.n, 0)).withdrawn).toBeUndefined();
  });

  test("the three reasons say why in words", () => {
    expect(WITHDRAWN_TEXT.take_over).toMatch(/^\(Withdrawn: the brand user took over/);
    expect(WITHDRAWN_TEXT.closed).toMatch(/^\(Withdrawn: the negotiation ended/);
    expect(WITHDRAWN_TEXT.failed).toMatch(/^\(Withdrawn: .*error/);
  });
});

/**
 * Both negotiations active with a supplier offer standing and a message
 * streaming: the brand's at seq 1 of n, the supplier's at seq 1 of n2.
 */
async function bothStreaming() {
  vi.useFakeTimers();
  const s = await started();
  const offers: Record<string, Id<"offers">> = {};
  for (const negotiationId of [s.n, s.n2]) {
    await say(s.t, negotiationId, 0, "supplier", "7.00 and 1.00.", "offer", s.leaseEpoch);
    offers[negotiationId] = (await offer(s.t, negotiationId, 1, "supplier", terms(6.4, 0.88), s.leaseEpoch))!;
  }
  const a = await s.start(s.n, 1, "We could", "brand");
  await s.piece(s.n, 1, 8, " go to 6.00");
  const b = await s.start(s.n2, 1, "Let me", "supplier");
  await s.piece(s.n2, 1, 6, " check");
  return { ...s, streams: { [s.n]: a, [s.n2]: b } as Record<string, Id<"messages">>, offers };
}

const endings: {
  name: string;
  reason: "closed" | "failed";
  closes: "n" | "both";
  run: (s: Awaited<ReturnType<typeof bothStreaming>>) => Promise<unknown>;
}[] = [
  { name: "the brand cancels the quote", reason: "closed", closes: "both", run: (s) => brand(s.t).mutation(api.quotes.cancel, { quoteId: s.quoteId }) },
  { name: "the brand walks away", reason: "closed", closes: "n", run: (s) => brand(s.t).mutation(api.negotiations.walkAway, { negotiationId: s.n, reason: "No" }) },
  {
    name: "the brand awards the quote to the other supplier",
    reason: "closed",
    closes: "both",
    run: (s) => brand(s.t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.n2 }),
  },
  {
    name: "the cron expires the negotiations",
    reason: "closed",
    closes: "both",
    run: async (s) => {
      vi.advanceTimersByTime(48 * 3600 * 1000 + 1);
      return await s.t.mutation(internal.expiry.expireDue, {});
    },
  },
  {
    name: "the workflow reaches an agreement",
    reason: "closed",
    closes: "n",
    run: (s) => s.t.mutation(api.ingest.acceptOffer, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.n, offerId: s.offers[s.n], by: "brand" }),
  },
  {
    name: "the workflow ends it in impasse",
    reason: "closed",
    closes: "n",
    run: (s) => s.t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.n, status: "impasse" }),
  },
  {
    name: "the workflow fails it (updateNegotiationStatus failed)",
    reason: "failed",
    closes: "n",
    run: (s) =>
      s.t.mutation(api.ingest.updateNegotiationStatus, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.n,
        status: "failed",
        failureReason: "model server down",
      }),
  },
  {
    name: "the worker fails the quote",
    reason: "failed",
    closes: "both",
    run: (s) => s.t.mutation(api.worker.failQuote, { serviceKey, leaseEpoch: s.leaseEpoch, quoteId: s.quoteId, reason: "model server down" }),
  },
];

describe("every message ends with its negotiation", () => {
  test.each(endings)("$name: its streaming messages are withdrawn ($reason), their pieces deleted", async ({ reason, closes, run }) => {
    const s = await bothStreaming();
    await run(s);
    const closed = closes === "both" ? [s.n, s.n2] : [s.n];
    const open = closes === "both" ? [] : [s.n2];
    for (const negotiationId of closed) {
      expect((await s.t.run(async (ctx) => ctx.db.get(negotiationId)))!.status).not.toMatch(/^(active|paused|pending)$/);
      const withdrawn = await s.message(negotiationId, 1);
      expect(withdrawn).toMatchObject({ _id: s.streams[negotiationId], state: "complete", content: WITHDRAWN_TEXT[reason], withdrawn: reason });
      expect(await s.streaming(negotiationId)).toEqual([]);
      expect(await s.deltas(withdrawn._id)).toEqual([]);
    }
    // A negotiation still open keeps streaming.
    for (const negotiationId of open) {
      expect(await s.streaming(negotiationId)).toEqual([{ messageId: s.streams[negotiationId], content: "Let me check" }]);
    }
    const all = await s.t.run(async (ctx) => ctx.db.query("messages").collect());
    const still = all.filter((m) => m.state === "streaming").map((m) => m.negotiationId);
    expect(still).toEqual(open);
    expect((await s.deltas()).map((d) => d.negotiationId)).toEqual(open);
  });

  test("the brand cancelling the quote: no message streaming, no pieces, the withdrawn one says the negotiation ended", async () => {
    const s = await bothStreaming();
    await brand(s.t).mutation(api.quotes.cancel, { quoteId: s.quoteId });
    const db = await snapshot(s.t);
    expect((db.messages as Doc<"messages">[]).filter((m) => m.state === "streaming")).toEqual([]);
    expect(db.messageDeltas).toEqual([]);
    const page = await brand(s.t).query(api.messages.list, { negotiationId: s.n, paginationOpts: { numItems: 10, cursor: null } });
    const withdrawn = page.page.find((m) => m._id === s.streams[s.n])!;
    expect(withdrawn.content).toMatch(/^\(Withdrawn: the negotiation ended /);
    expect(withdrawn.withdrawn).toBe("closed");
    // The cancel's own system message follows it.
    expect(page.page.at(-1)).toMatchObject({ sender: "system", kind: "system" });
  });

  test("failing it through ingest.updateNegotiationStatus withdraws with the failed text", async () => {
    const s = await bothStreaming();
    await s.t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.n, status: "failed" });
    expect(await s.message(s.n, 1)).toMatchObject({ content: WITHDRAWN_TEXT.failed, withdrawn: "failed", state: "complete" });
    expect(WITHDRAWN_TEXT.failed).toMatch(/because of an error/);
  });
});


// A brand AI message left streaming when the brand user takes over (the worker
// crashed mid-message) is followed by the takeover's system message and the
// user's own messages: streaming messages are found by their state, not by
// being the newest.
describe("a message still streaming behind newer messages", () => {
  async function streamingThenTakeover() {
    const s = await started();
    await say(s.t, s.n, 0, "supplier", "7.00 and 1.00.", "offer", s.leaseEpoch);
    await offer(s.t, s.n, 1, "supplier", terms(7, 1), s.leaseEpoch);
    const id = await s.start(s.n, 1, "We", "brand");
    await s.piece(s.n, 1, 2, " could");
    await brand(s.t).mutation(api.negotiations.pause, { negotiationId: s.n }); // system message at seq 2
    return { ...s, id };
  }

  test("worker.getQuoteState reassembles it though it is no longer the last message", async () => {
    const s = await streamingThenTakeover();
    expect(await s.streaming(s.n)).toEqual([{ messageId: s.id, content: "We could" }]);
    expect(await s.stateOf(s.n, 1)).toMatchObject({ state: "streaming", content: "We could" });
  });

  test("closing the negotiation withdraws it though four messages came after it", async () => {
    const s = await streamingThenTakeover();
    for (const content of ["Hello?", "Can you do 6.00?", "Let me know."]) {
      await brand(s.t).mutation(api.negotiations.sendMessage, { negotiationId: s.n, content });
    }
    await brand(s.t).mutation(api.negotiations.walkAway, { negotiationId: s.n, reason: "No answer." });
    expect(await s.message(s.n, 1)).toMatchObject({ state: "complete", withdrawn: "closed", content: WITHDRAWN_TEXT.closed });
    expect(await s.deltas(s.id)).toEqual([]);
  });
});
