import { approvalReason, exceedsThreshold } from "../../convex/model/spendThreshold";
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { CURRENCY_MESSAGE, checkCurrency, currencyOf, DEFAULT_CURRENCY } from "../../convex/model/currency";
import { type QuoteRecord, report } from "../../convex/model/insights";
import { guardrailViolation } from "../../convex/model/validate";
import {
  brand,
  claim,
  expectRefused,
  GUARDRAILS,
  invite,
  memberOf,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
  requestQuote,
  SERVICE_KEY,
  signUp,
  terms,
} from "./helpers";

// A currency per workspace (ISO 4217): USD unless the owner chose another at
// creation or changed it since; a quote records the workspace's currency when
// it is requested and keeps it; the server's words state money in the quote's currency.

describe("the workspace's currency", () => {
  test("a new workspace is in USD unless its owner chose another; every member reads it", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    expect((await owner.query(api.workspaces.get, {})).currency).toBe(DEFAULT_CURRENCY);
    expect(DEFAULT_CURRENCY).toBe("USD");

    const other = await signUp(t, "eu@brand.test");
    const euId = await other.as.mutation(api.workspaces.create, { name: "Euro Goods", currency: "eur" });
    const eu = memberOf(other, euId);
    expect((await eu.query(api.workspaces.get, {})).currency).toBe("EUR");
    const viewer = await invite(t, eu, "viewer@eu.test", "viewer");
    expect((await viewer.query(api.workspaces.get, {})).currency).toBe("EUR");
  });

  test("a workspace created with an invalid code is refused in plain words, and nothing is created", async () => {
    const t = newBackend();
    const user = await signUp(t, "someone@brand.test");
    for (const currency of ["", "US", "DOLLARS", "XYZ", "€", "12A"]) {
      const data = await expectRefused(t, () => user.as.mutation(api.workspaces.create, { name: "Co", currency }), "INVALID_ARGUMENT", "currency");
      expect(data.message).toBe("Currency must be an ISO 4217 code such as USD or EUR");
    }
    expect(await t.run(async (ctx) => (await ctx.db.query("workspaces").collect()).length)).toBe(0);
  });

  test("only an owner changes it; buyers, approvers, viewers and other workspaces' owners are refused", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    const approver = await invite(t, owner, "approver@acme.test", "approver");
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    for (const member of [buyer, approver, viewer]) {
      await expectRefused(t, () => member.mutation(api.workspaces.setCurrency, { currency: "EUR" }), "FORBIDDEN");
    }
    // The owner of another workspace, naming this one.
    const stranger = await newWorkspace(t, "stranger@else.test", "Elsewhere");
    await expectRefused(t, () => memberOf(stranger, owner.workspaceId).mutation(api.workspaces.setCurrency, { currency: "EUR" }), "FORBIDDEN");
    // Signed out.
    await expect(t.mutation(api.workspaces.setCurrency, { workspaceId: owner.workspaceId, currency: "EUR" })).rejects.toThrow();
    expect((await owner.query(api.workspaces.get, {})).currency).toBe("USD");

    expect(await owner.mutation(api.workspaces.setCurrency, { currency: " gbp " })).toBe("GBP");
    expect((await viewer.query(api.workspaces.get, {})).currency).toBe("GBP");
    expect((await stranger.query(api.workspaces.get, {})).currency).toBe("USD");
    const timeline = await owner.query(api.events.exportPage, { paginationOpts: { numItems: 50, cursor: null } });
    expect(timeline.page.map((e) => e.what)).toContain("set the workspace's currency to GBP (it was USD)");
  });

  test("an owner's invalid code is refused in plain words at the currency field, and nothing changes", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "EUR" });
    for (const currency of ["", "EURO", "ABC", "usd1", "$"]) {
      const data = await expectRefused(t, () => owner.mutation(api.workspaces.setCurrency, { currency }), "INVALID_ARGUMENT", "currency");
      expect(data.message).toBe(CURRENCY_MESSAGE);
    }
    expect((await owner.query(api.workspaces.get, {})).currency).toBe("EUR");
  });

  test("the one rule: ISO 4217 codes Intl knows, upper-cased; an absent currency reads as USD", () => {
    expect(checkCurrency("jpy")).toBe("JPY");
    expect(checkCurrency("CHF")).toBe("CHF");
    expect(() => checkCurrency("QQQ")).toThrow();
    expect(currencyOf({})).toBe("USD");
    expect(currencyOf(undefined)).toBe("USD");
    expect(currencyOf({ currency: "EUR" })).toBe("EUR");
  });
});

describe("a quote's currency", () => {
  test("a quote records the workspace's currency when it is requested, and keeps it when the workspace changes", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "EUR" });
    const products = await owner.query(api.products.list, {});
    const euroQuote = await owner.mutation(api.quotes.request, quoteArgs({ products }));
    await owner.mutation(api.workspaces.setCurrency, { currency: "JPY" });
    const yenQuote = await owner.mutation(api.quotes.request, quoteArgs({ products }));

    expect((await owner.query(api.quotes.get, { quoteId: euroQuote }))!.quote.currency).toBe("EUR");
    expect((await owner.query(api.quotes.get, { quoteId: yenQuote }))!.quote.currency).toBe("JPY");
    // Edited while queued, the first quote keeps its own currency.
    await owner.mutation(api.quotes.update, { quoteId: euroQuote, ...quoteArgs({ products }), notes: "Edited" });
    expect((await owner.query(api.quotes.get, { quoteId: euroQuote }))!.quote.currency).toBe("EUR");
    // The list shows each quote with its own currency.
    const list = await owner.query(api.quotes.list, { paginationOpts: { numItems: 10, cursor: null } });
    expect(new Map(list.page.map((q) => [q._id, q.currency]))).toEqual(new Map([[euroQuote, "EUR"], [yenQuote, "JPY"]]));
  });

  test("a quote stored before currencies reads as USD", async () => {
    const t = newBackend();
    const { quoteId } = await requestQuote(t);
    await t.run(async (ctx) => ctx.db.patch(quoteId, { currency: undefined }));
    const quote = (await brand(t).query(api.quotes.get, { quoteId }))!.quote;
    expect(quote.currency).toBeUndefined();
    expect(currencyOf(quote)).toBe("USD");
  });
});

describe("money in the server's words is in the quote's currency", () => {
  async function euroQuote() {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "EUR" });
    const products = await owner.query(api.products.list, {});
    const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products }));
    // The workspace moves on: the quote's words stay in euros.
    await owner.mutation(api.workspaces.setCurrency, { currency: "GBP" });
    const negotiations = (await owner.query(api.quotes.get, { quoteId }))!.negotiations;
    return { t, owner, quoteId, negotiations };
  }

  test("the timeline states offers and awards in the quote's currency", async () => {
    const { t, owner, quoteId, negotiations } = await euroQuote();
    await claim(t, quoteId);
    await offer(t, negotiations[0]!._id, 1, "supplier", terms(6.25, 0.85));
    const { entries } = await owner.query(api.events.timeline, { quoteId });
    const words = entries.map((e) => e.what).join("\n");
    // 2000 × 6.25 + 5000 × 0.85 = 16,750
    expect(words).toContain("made an opening offer in round 1: €16,750.00 in total");
    expect(words).not.toContain("$");
    expect(words).not.toContain("£");
  });

  test("a counter-offer above the guardrail is refused with the prices in the quote's currency", async () => {
    const { t, owner, quoteId, negotiations } = await euroQuote();
    await claim(t, quoteId);
    const negotiationId = negotiations[0]!._id;
    await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88));
    await owner.mutation(api.negotiations.pause, { negotiationId });
    const data = await expectRefused(
      t,
      () => owner.mutation(api.negotiations.counter, { negotiationId, terms: terms(6.9, 0.88) }),
      "INVALID_ARGUMENT",
    );
    expect(data.message).toContain("€6.90");
    expect(data.message).toContain("€6.50");
    expect(data.message).not.toContain("$");
  });

  test("a counter-offer without words of the buyer's own is written in the quote's currency", async () => {
    const { t, owner, quoteId, negotiations } = await euroQuote();
    await claim(t, quoteId);
    const negotiationId = negotiations[0]!._id;
    await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88));
    await owner.mutation(api.negotiations.pause, { negotiationId });
    await owner.mutation(api.negotiations.counter, { negotiationId, terms: terms(6.2, 0.85) });
    const messages = await t.run(async (ctx) => await ctx.db.query("messages").collect());
    const text = messages.find((m) => m.sender === "user" && m.kind === "offer")!.content;
    expect(text).toMatch(/^Our counter-offer: 2,000 × \S+ at €6\.20(00)?; 5,000 × \S+ at €0\.85(00)?; delivery in \d+ days; payment in \d+ days\.$/);
  });

  test("a unit price over the limit is refused with the limit in the workspace's currency", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "JPY" });
    const products = await owner.query(api.products.list, {});
    const args = quoteArgs({ products });
    args.lineItems[0]!.maxUnitPrice = 1e12;
    const data = await expectRefused(t, () => owner.mutation(api.quotes.request, args), "INVALID_ARGUMENT", "lineItems[0].maxUnitPrice");
    expect(data.message).toMatch(/^Maximum unit price must be at most ¥[\d,]+$/);
  });

  test("an award above the threshold names the amount in the quote's currency and the threshold in the workspace's", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "EUR" });
    await owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 10_000 });
    const products = await owner.query(api.products.list, {});
    const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products }));
    const negotiationId = (await owner.query(api.quotes.get, { quoteId }))!.negotiations[0]!._id;
    const leaseEpoch = (await claim(t, quoteId))!;
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88)))!;
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, offerId, by: "brand" });
    const { awardNegotiation } = await import("../../convex/model/awards");
    const refusal = await t
      .run(async (ctx) => {
        const userId = (await ctx.db.query("users").first())!._id;
        await awardNegotiation(ctx, negotiationId, { userId, name: "Owner" });
      })
      .then(
        () => null,
        (error: { data?: { message: string } }) => error.data?.message ?? String(error),
      );
    // 2000 × 6.4 + 5000 × 0.88 = 17,200
    expect(refusal).toBe(
      "This award of €17,200.00 is above the workspace's approval threshold of €10,000.00: an approver must approve it",
    );
  });

  test("why an award needs an approver, in the words the server and the dashboard share", () => {
    expect(approvalReason(10_000, "EUR", "EUR")).toBe("above the workspace's approval threshold of €10,000.00");
    expect(approvalReason(10_000, "EUR", "GBP")).toBe("in EUR, not the GBP of the workspace's approval threshold");
    expect(exceedsThreshold(10_000, 5, false)).toBe(true);
    expect(exceedsThreshold(null, 5, false)).toBe(false);
  });

  test("a quote in another currency than the threshold's always asks for approval while a threshold is set", async () => {
    const { t, owner, quoteId, negotiations } = await euroQuote();
    // A GBP threshold far above this €17,200 award: euros cannot be compared with it.
    await owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 1_000_000 });
    const negotiationId = negotiations[0]!._id;
    await claim(t, quoteId);
    await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88));
    const result = await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId });
    expect(result).toMatchObject({ status: "approval_requested", amount: 17_200 });
  });

  test("guardrail words follow the quote's currency, and a quote without one reads as USD", () => {
    const lines = [{ sku: "A", maxUnitPrice: 1000 }];
    const over = { lines: [{ sku: "A", quantity: 1, unitPrice: 1250.5 }], leadTimeDays: 1, paymentTermsDays: 60 };
    expect(guardrailViolation(over, { lineItems: lines, guardrails: GUARDRAILS, currency: "JPY" })!.message).toBe(
      "Unit price ¥1,250.5 for A is above the guardrail of ¥1,000",
    );
    expect(guardrailViolation(over, { lineItems: lines, guardrails: GUARDRAILS })!.message).toBe(
      "Unit price $1,250.50 for A is above the guardrail of $1,000.00",
    );
  });
});

describe("insights never add up money in different currencies", () => {
  const deal = (currency: string | undefined, total: number, openingTotal: number, listTotal: number): QuoteRecord => ({
    requestedAt: Date.UTC(2026, 10, 2),
    status: "awarded",
    agreed: true,
    negotiations: 1,
    closed: [{ agreed: true, rounds: 2, supplierId: "s1", openingTotal, finalTotal: total }],
    deal: { supplierId: "s1", ...(currency ? { currency } : {}), total, openingTotal, listTotal },
  });

  test("the workspace's currency is the headline; each other currency is summed on its own", () => {
    const records = [deal("EUR", 900, 1000, 1100), deal("EUR", 450, 500, 520), deal("GBP", 80, 100, 90), deal(undefined, 10, 20, 30)];
    const result = report(records, {}, new Map([["s1", "S1"]]), "EUR");
    expect(result.currency).toBe("EUR");
    expect(result.savings).toEqual({ deals: 2, vsOpening: 150, openingTotal: 1500, vsList: 270, listTotal: 1620 });
    expect(result.savingsByCurrency).toEqual([
      { currency: "EUR", deals: 2, vsOpening: 150, openingTotal: 1500, vsList: 270, listTotal: 1620 },
      { currency: "GBP", deals: 1, vsOpening: 20, openingTotal: 100, vsList: 10, listTotal: 90 },
      // A deal of a quote from before currencies is in USD.
      { currency: "USD", deals: 1, vsOpening: 10, openingTotal: 20, vsList: 20, listTotal: 30 },
    ]);
    // The chart's buckets count only the workspace's currency too.
    expect(result.buckets.reduce((n, b) => n + b.savings.vsOpening, 0)).toBe(150);
  });

  test("the report of a workspace names its currency and groups its quotes' deals by theirs", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    await owner.mutation(api.workspaces.setCurrency, { currency: "EUR" });
    const products = await owner.query(api.products.list, {});
    const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products }));
    const negotiationId = (await owner.query(api.quotes.get, { quoteId }))!.negotiations[0]!._id;
    const leaseEpoch = (await claim(t, quoteId))!;
    await offer(t, negotiationId, 1, "supplier", terms(6.5, 0.9));
    await offer(t, negotiationId, 2, "brand", terms(6, 0.8));
    const offerId = (await offer(t, negotiationId, 3, "supplier", terms(6.4, 0.88)))!;
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, offerId, by: "brand" });
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId });
    await owner.mutation(api.workspaces.setCurrency, { currency: "USD" });

    const insights = await owner.query(api.insights.summary, {});
    expect(insights.currency).toBe("USD");
    expect(insights.savings.deals).toBe(0);
    // 2000 × (6.5 − 6.4) + 5000 × (0.9 − 0.88) = 300, in euros.
    expect(insights.savingsByCurrency).toEqual([
      expect.objectContaining({ currency: "USD", deals: 0, vsOpening: 0 }),
      expect.objectContaining({ currency: "EUR", deals: 1 }),
    ]);
    expect(insights.savingsByCurrency[1]!.vsOpening).toBeCloseTo(300, 6);
  });
});
