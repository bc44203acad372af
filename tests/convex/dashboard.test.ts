import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { PRODUCTS, SUPPLIERS } from "../../convex/model/catalog";
import { brand, claim, expectRefused, newBackend, offer, requestQuote, say, seed, SERVICE_KEY, snapshot, terms, type Backend } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

async function started() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  return { t, quoteId, leaseEpoch, negotiationId: negotiations[0]._id, negotiations };
}

const messagesOf = async (t: Backend, negotiationId: Parameters<typeof say>[1]) =>
  (await brand(t).query(api.messages.list, { negotiationId, paginationOpts: { numItems: 100, cursor: null } })).page;

describe("the catalog", () => {
  test("seeding twice leaves one row per product and supplier", async () => {
    const t = newBackend();
    await seed(t);
    const once = await snapshot(t);
    await seed(t);
    const twice = await snapshot(t);
    expect(twice.products).toHaveLength(PRODUCTS.length);
    expect(twice.suppliers).toHaveLength(3);
    expect(twice).toEqual(once);
    expect(PRODUCTS.length).toBeGreaterThanOrEqual(12);
    expect(SUPPLIERS.map((s) => s.persona.concession).sort()).toEqual(["boulware", "conceder", "tit_for_tat"]);
    const products = await brand(t).query(api.products.list, {});
    const keys = products.map((p) => `${p.category}|${p.name}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });
});

describe("taking over a negotiation", () => {
  test("pause, write, counter, resume: each step and its messages", async () => {
    const { t, negotiationId } = await started();
    await say(t, negotiationId, 0, "supplier", "Our opening quote.", "offer");
    const opening = (await offer(t, negotiationId, 1, "supplier", terms(7, 1, 40, 15)))!;

    await expectRefused(t, () => brand(t).mutation(api.negotiations.sendMessage, { negotiationId, content: "hi" }), "CONFLICT");
    await expectRefused(t, () => brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6, 0.8) }), "CONFLICT");
    await expectRefused(t, () => brand(t).mutation(api.negotiations.resume, { negotiationId }), "CONFLICT");

    await brand(t).mutation(api.negotiations.pause, { negotiationId });
    await expectRefused(t, () => brand(t).mutation(api.negotiations.pause, { negotiationId }), "CONFLICT", "status");
    await brand(t).mutation(api.negotiations.sendMessage, { negotiationId, content: "Can you do better on price?" });
    const counterId = await brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6, 0.8, 30, 45), message: "6.00 and 0.80" });
    // The brand's offer now stands: no second counter until the supplier answers.
    await expectRefused(t, () => brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6.1, 0.8) }), "CONFLICT");
    await brand(t).mutation(api.negotiations.resume, { negotiationId });

    const messages = await messagesOf(t, negotiationId);
    expect(messages.map((m) => [m.seq, m.sender, m.kind, m.offerId ?? null])).toEqual([
      [0, "supplier", "offer", null],
      [1, "system", "system", null],
      [2, "user", "text", null],
      [3, "user", "offer", counterId],
      [4, "system", "system", null],
    ]);
    expect(messages[3].content).toBe("6.00 and 0.80");
    const offers = await brand(t).query(api.offers.list, { negotiationId });
    expect(offers.map((o) => [o._id, o.round, o.offeredBy, o.status])).toEqual([
      [opening, 1, "supplier", "countered"],
      [counterId, 2, "brand", "pending"],
    ]);
    const negotiation = await t.run(async (ctx) => ctx.db.get(negotiationId));
    expect(negotiation).toMatchObject({ status: "active", nextSeq: 5, currentRound: 2, lastOfferBy: "brand" });
    const events = await t.run(async (ctx) => (await ctx.db.query("events").collect()).map((e) => e.type));
    expect(events).toEqual(expect.arrayContaining(["negotiation.paused", "negotiation.resumed", "offer_made"]));
  });

  test("walking away closes the negotiation with the user's reason", async () => {
    const { t, negotiationId } = await started();
    const opening = (await offer(t, negotiationId, 1, "supplier", terms(7, 1)))!;
    await brand(t).mutation(api.negotiations.walkAway, { negotiationId, reason: "Too expensive." });
    const after = await t.run(async (ctx) => ({ n: await ctx.db.get(negotiationId), o: await ctx.db.get(opening) }));
    expect(after.n).toMatchObject({ status: "rejected", outcome: "walked_away", failureReason: "Too expensive." });
    expect(after.o).toMatchObject({ status: "rejected" });
    expect((await messagesOf(t, negotiationId)).map((m) => [m.sender, m.kind, m.content])).toEqual([
      ["user", "rejection", "Too expensive."],
    ]);
  });

  test("cancelling a quote closes every open negotiation", async () => {
    const { t, quoteId, negotiations } = await started();
    await brand(t).mutation(api.quotes.cancel, { quoteId });
    const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(detail.quote.status).toBe("cancelled");
    expect(detail.negotiations.map((n) => n.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const n of negotiations) expect((await messagesOf(t, n._id)).map((m) => m.kind)).toEqual(["system"]);
    await expectRefused(t, () => brand(t).mutation(api.quotes.cancel, { quoteId }), "CONFLICT");
  });
});

describe("reading", () => {
  test("quotes.get: a mistyped or foreign id from the URL is no quote (null), not an error", async () => {
    const { t, negotiationId } = await started();
    expect(await brand(t).query(api.quotes.get, { quoteId: "nonsense" })).toBeNull();
    expect(await brand(t).query(api.quotes.get, { quoteId: negotiationId })).toBeNull();
  });

  test("unread counts, markRead, and the quote row", async () => {
    const { t, quoteId, negotiationId, negotiations } = await started();
    await say(t, negotiationId, 0, "supplier", "one");
    await say(t, negotiationId, 1, "brand", "two");
    await say(t, negotiations[1]._id, 0, "supplier", "three");
    await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88));
    await offer(t, negotiations[1]._id, 1, "supplier", terms(6.2, 0.86));
    let page = await brand(t).query(api.quotes.list, { paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page[0]).toMatchObject({
      _id: quoteId,
      unreadCount: 3,
      bestOffer: { totalPrice: 6.2 * 2000 + 0.86 * 5000, terms: terms(6.2, 0.86) },
    });
    expect(page.page[0].negotiationStatuses.map((s) => s.status).sort()).toEqual(["active", "active", "pending"]);
    expect(await brand(t).mutation(api.messages.markRead, { negotiationId })).toBe(2);
    expect(await brand(t).mutation(api.messages.markRead, { negotiationId })).toBe(0);
    page = await brand(t).query(api.quotes.list, { paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page[0].unreadCount).toBe(1);
    const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(detail.negotiations.find((n) => n._id === negotiationId)).toMatchObject({ unreadCount: 0, latestOffer: { round: 1 } });
    expect(detail.negotiations[0].supplier?.name).toBeTypeOf("string");
  });

  test("quotes.list: newest first, filtered by status, paginated", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const { quoteArgs } = await import("./helpers");
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await brand(t).mutation(api.quotes.request, quoteArgs({ products })));
    await claim(t, ids[1]);
    const first = await brand(t).query(api.quotes.list, { paginationOpts: { numItems: 3, cursor: null } });
    expect(first.page.map((q) => q._id)).toEqual([ids[4], ids[3], ids[2]]);
    const second = await brand(t).query(api.quotes.list, { paginationOpts: { numItems: 3, cursor: first.continueCursor } });
    expect(second.page.map((q) => q._id)).toEqual([ids[1], ids[0]]);
    expect(second.isDone).toBe(true);
    const negotiating = await brand(t).query(api.quotes.list, { status: "negotiating", paginationOpts: { numItems: 10, cursor: null } });
    expect(negotiating.page.map((q) => q._id)).toEqual([ids[1]]);
  });

  test("messages.list pages through in seq order", async () => {
    const { t, negotiationId } = await started();
    for (const seq of [3, 0, 4, 1, 2]) await say(t, negotiationId, seq, seq % 2 ? "brand" : "supplier", `m${seq}`);
    const a = await brand(t).query(api.messages.list, { negotiationId, paginationOpts: { numItems: 2, cursor: null } });
    const b = await brand(t).query(api.messages.list, { negotiationId, paginationOpts: { numItems: 10, cursor: a.continueCursor } });
    expect([...a.page, ...b.page].map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("the quote worker", () => {
  test("claim, lease, reclaim after the lease lapses", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const { quoteId } = await requestQuote(t);
    expect(await t.query(api.worker.claimable, { serviceKey: SERVICE_KEY })).toEqual([quoteId]);
    const renew = (workerId: string, leaseEpoch: number) =>
      t.mutation(api.worker.renewLease, { serviceKey: SERVICE_KEY, quoteId, workerId, leaseEpoch, leaseMs: 30_000 });
    expect(await claim(t, quoteId, "w1", 30_000)).toBe(1);
    expect(await t.query(api.worker.claimable, { serviceKey: SERVICE_KEY })).toEqual([]);
    expect(await claim(t, quoteId, "w2", 30_000)).toBeNull();
    expect(await renew("w2", 1)).toBe("lost");
    vi.advanceTimersByTime(20_000);
    expect(await renew("w1", 1)).toBe("held");
    vi.advanceTimersByTime(20_000);
    expect(await claim(t, quoteId, "w2", 30_000)).toBeNull();
    vi.advanceTimersByTime(11_000);
    expect(await t.query(api.worker.claimable, { serviceKey: SERVICE_KEY })).toEqual([quoteId]);
    expect(await claim(t, quoteId, "w2", 30_000)).toBe(2);
    expect(await renew("w1", 1)).toBe("lost");
    expect(await renew("w2", 1)).toBe("lost");
    expect(await renew("w2", 2)).toBe("held");
    const quote = await t.run(async (ctx) => ctx.db.get(quoteId));
    expect(quote).toMatchObject({ status: "negotiating", claimedBy: "w2", leaseEpoch: 2 });
    await expectRefused(t, () => claim(t, quoteId, "w2", 10), "INVALID_ARGUMENT", "leaseMs");
    await expectRefused(t, () => claim(t, quoteId, "", 30_000), "INVALID_ARGUMENT", "workerId");
  });

  test("getQuoteState holds everything needed to resume", async () => {
    const { t, quoteId, negotiationId } = await started();
    await say(t, negotiationId, 0, "supplier", "hello");
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    const state = await t.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId });
    expect(state.quote._id).toBe(quoteId);
    const n = state.negotiations.find((x) => x._id === negotiationId)!;
    expect(n.supplier?.persona.concession).toBeTypeOf("string");
    expect(n.offers.map((o) => o.round)).toEqual([1]);
    expect(n.messages.map((m) => m.seq)).toEqual([0]);
    expect(n.nextSeq).toBe(1);
  });

  test("failQuote fails the quote and its open negotiations", async () => {
    const { t, quoteId, leaseEpoch } = await started();
    await t.mutation(api.worker.failQuote, { serviceKey: SERVICE_KEY, quoteId, leaseEpoch, reason: "model server down" });
    const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(detail.quote).toMatchObject({ status: "failed", failureReason: "model server down" });
    expect(detail.negotiations.map((n) => [n.status, n.failureReason])).toEqual(
      Array.from({ length: 3 }, () => ["failed", "model server down"]),
    );
  });
});

describe("insights", () => {
  test("deal rate, savings and payment terms vs the opening offer, rounds, time to agreement", async () => {
    vi.useFakeTimers();
    const { t, leaseEpoch, negotiations } = await started();
    const [a, b] = negotiations.map((n) => n._id);
    expect(await brand(t).query(api.insights.summary, {})).toMatchObject({ quotes: 1, openQuotes: 1, negotiations: 3, closedNegotiations: 0, dealRate: null });
    await offer(t, a, 1, "supplier", terms(7, 1, 30, 15)); // 19,000
    await offer(t, a, 2, "brand", terms(6, 0.8, 30, 45));
    vi.advanceTimersByTime(60_000);
    const final = (await offer(t, a, 3, "supplier", terms(6.5, 0.9, 30, 30)))!; // 17,500
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: final, by: "brand" });
    await offer(t, b, 1, "supplier", terms(8, 1.2));
    await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: b, status: "impasse" });
    const summary = await brand(t).query(api.insights.summary, {});
    // Still negotiating with the third supplier: no quote decided yet.
    expect(summary).toMatchObject({ quotes: 1, negotiations: 3, closedNegotiations: 2, agreements: 1, decidedQuotes: 0, dealRate: null });
    expect(summary.meanSavingsVsOpening).toBeCloseTo(1500 / 19000, 10);
    expect(summary.meanPaymentTermsGainDays).toBe(15);
    expect(summary.meanRounds).toBe(2);
    expect(summary.meanTimeToAgreementMs).toBe(60_000);
  });

  test("the deal rate counts quotes; cancelled quotes are their own line, not lost deals", async () => {
    const t = newBackend();
    const outcomes: ("deal" | "no deal" | "cancelled" | "open")[] = ["deal", "deal", "no deal", "cancelled", "cancelled", "open"];
    for (const outcome of outcomes) {
      const { quoteId, negotiations } = await requestQuote(t);
      if (outcome === "cancelled") {
        await brand(t).mutation(api.quotes.cancel, { quoteId });
        continue;
      }
      if (outcome === "open") continue;
      const leaseEpoch = (await claim(t, quoteId))!;
      const [first, ...rest] = negotiations.map((n) => n._id);
      if (outcome === "deal") {
        await offer(t, first, 1, "supplier", terms(6, 0.8));
        const standing = (await t.run(async (ctx) => ctx.db.get(first)))!.currentOfferId!;
        await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: first, offerId: standing, by: "brand" });
      } else {
        await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: first, status: "failed", failureReason: "model down" });
      }
      for (const n of rest) {
        await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: n, status: "failed", failureReason: "model down" });
      }
      await t.mutation(api.ingest.setRecommendation, { serviceKey: SERVICE_KEY, leaseEpoch, quoteId, recommendation: { explanation: "done", ranking: [] } });
    }
    const summary = await brand(t).query(api.insights.summary, {});
    expect(summary).toMatchObject({ quotes: 6, decidedQuotes: 3, quotesWithDeal: 2, cancelledQuotes: 2, openQuotes: 1 });
    expect(summary.dealRate).toBeCloseTo(2 / 3, 10);
    // The cancelled quotes' called-off negotiations are not in the negotiation figures.
    expect(summary.closedNegotiations).toBe(9);
  });
});

describe("AI assist", () => {
  test("null before the supplier quotes; then a counter inside the guardrails and a probability", async () => {
    const { t, negotiationId } = await started();
    expect(await brand(t).query(api.negotiations.suggestCounter, { negotiationId })).toBeNull();
    expect(await brand(t).query(api.negotiations.predictAcceptance, { negotiationId, terms: terms(6, 0.8) })).toBeNull();
    await offer(t, negotiationId, 1, "supplier", terms(7.2, 1.0, 40, 15));
    const suggestion = (await brand(t).query(api.negotiations.suggestCounter, { negotiationId }))!;
    expect(suggestion.terms.lines.map((l) => l.sku)).toEqual(["APP-TEE-240-BLK", "PKG-MAILER-1084"]);
    expect(suggestion.terms.lines[0].unitPrice).toBeLessThanOrEqual(6.5);
    expect(suggestion.terms.leadTimeDays).toBeLessThanOrEqual(45);
    expect(suggestion.terms.paymentTermsDays).toBeGreaterThanOrEqual(30);
    expect(suggestion.acceptanceProbability).toBeGreaterThanOrEqual(0);
    expect(suggestion.acceptanceProbability).toBeLessThanOrEqual(1);
    const prediction = (await brand(t).query(api.negotiations.predictAcceptance, { negotiationId, terms: terms(6, 0.8) }))!;
    expect(prediction.probability).toBeGreaterThanOrEqual(0);
    expect(prediction.probability).toBeLessThanOrEqual(1);
    expect(prediction.reason).toMatch(/supplier/);
    // The same inputs give the same answer.
    expect(await brand(t).query(api.negotiations.suggestCounter, { negotiationId })).toEqual(suggestion);
    await expect(
      brand(t).query(api.negotiations.predictAcceptance, { negotiationId, terms: terms(-1, 0.8) }),
    ).rejects.toThrow(/unitPrice/);
  });
});
