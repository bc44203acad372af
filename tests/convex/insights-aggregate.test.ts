import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ConvexError } from "convex/values";
import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { currencyOf } from "../../convex/model/currency";
import { type DateRange, INSIGHTS_QUOTE_LIMIT, type InsightsReport, quoteRecord, report, type Savings, summarise } from "../../convex/model/insights";
import { quoteCounts, quoteDeals, quoteNegotiations, quoteSavings } from "../../convex/model/quoteCounts";
import { withTriggers } from "../../convex/model/triggers";
import {
  type Backend,
  claim,
  type Member,
  newBackend,
  newWorkspace,
  quoteArgs,
  SERVICE_KEY,
  terms,
} from "./helpers";

// The insights' summary (quotes, decided, with a deal, cancelled, open, the
// deal rate, negotiations and their means) and money saved come from the
// quoteCounts, quoteDeals, quoteSavings and quoteNegotiations aggregates
// (convex/model/quoteCounts.ts), kept by triggers.
// Here they are checked against the old way, a plain scan of the quotes (and
// their negotiations, offers and awards), after random histories across two
// workspaces, with quotes in several currencies.

afterEach(() => {
  vi.useRealTimers();
});

const HOUR = 60 * 60 * 1000;
const START = new Date("2026-06-01T00:00:00Z").getTime();

type Op =
  | { kind: "request"; ws: number; advanceHours: number }
  | { kind: "cancel" | "claim" | "award" | "fail" | "delete"; q: number }
  | { kind: "agree" | "impasse"; q: number; n: number }
  | { kind: "recommend"; q: number; withDeal: boolean }
  | { kind: "currency"; ws: number; code: string };

const quoteIndex = fc.nat({ max: 11 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("request" as const), ws: fc.nat({ max: 1 }), advanceHours: fc.nat({ max: 72 }) }), weight: 5 },
  ...(["cancel", "claim", "award", "fail", "delete"] as const).map((kind) => fc.record({ kind: fc.constant(kind), q: quoteIndex })),
  { arbitrary: fc.record({ kind: fc.constantFrom("agree" as const, "impasse" as const), q: quoteIndex, n: fc.nat({ max: 2 }) }), weight: 2 },
  fc.record({ kind: fc.constant("recommend" as const), q: quoteIndex, withDeal: fc.boolean() }),
  fc.record({ kind: fc.constant("currency" as const), ws: fc.nat({ max: 1 }), code: fc.constantFrom("USD", "EUR", "GBP") }),
);

/** The report computed the old way: every quote of the range read as the report reads it, and added up. */
async function scannedReport(t: Backend, workspaceId: Id<"workspaces">, range: DateRange) {
  const { from, to } = range;
  return await t.run(async (ctx) => {
    const quotes = await ctx.db
      .query("quotes")
      .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
      .collect();
    const records = [];
    for (const quote of quotes) {
      if ((from !== undefined && quote._creationTime < from) || (to !== undefined && quote._creationTime >= to)) continue;
      records.push(await quoteRecord(ctx, quote));
    }
    return report(records, range, new Map(), false, currencyOf(await ctx.db.get(workspaceId)));
  });
}

/** Sums added in another order differ in the last bits: means and money are compared to a millionth. */
function expectSameFigures(actual: InsightsReport, expected: InsightsReport) {
  for (const field of ["negotiations", "closedNegotiations", "agreements"] as const) expect(actual[field], field).toBe(expected[field]);
  for (const field of ["meanSavingsVsOpening", "meanRounds", "meanTimeToAgreementMs", "meanPaymentTermsGainDays"] as const) {
    if (expected[field] === null) expect(actual[field], field).toBeNull();
    else expect(actual[field], field).toBeCloseTo(expected[field]!, 6);
  }
  const close = (a: Savings, b: Savings) => {
    expect(a.deals).toBe(b.deals);
    for (const field of ["vsOpening", "openingTotal", "vsList", "listTotal"] as const) expect(a[field]).toBeCloseTo(b[field], 6);
  };
  close(actual.savings, expected.savings);
  expect(Object.keys(actual.savings).sort()).toEqual(Object.keys(expected.savings).sort());
  expect(actual.savingsByCurrency.map((s) => s.currency)).toEqual(expected.savingsByCurrency.map((s) => s.currency));
  actual.savingsByCurrency.forEach((s, i) => close(s, expected.savingsByCurrency[i]!));
}

/** The headline counts computed the old way: every quote of the range read, with its negotiations. */
async function scanned(t: Backend, workspaceId: Id<"workspaces">, { from, to }: DateRange) {
  const tallies = await t.run(async (ctx) => {
    const quotes = await ctx.db
      .query("quotes")
      .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
      .collect();
    const out = [];
    for (const quote of quotes) {
      if ((from !== undefined && quote._creationTime < from) || (to !== undefined && quote._creationTime >= to)) continue;
      const negotiations = await ctx.db
        .query("negotiations")
        .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
        .collect();
      out.push({ status: quote.status, agreed: negotiations.some((n) => n.status === "accepted") });
    }
    return out;
  });
  const { quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate } = summarise(tallies, 0, []);
  return { quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate };
}

async function headline(member: Member, range: DateRange) {
  const { quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate } = await member.query(api.insights.summary, range);
  return { quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate };
}

/** Runs one operation as the app would; a refusal (a move the state machine does not allow) leaves things as they were. */
async function apply(t: Backend, members: Member[], quotes: Id<"quotes">[], products: Doc<"products">[][], step: Op) {
  const service = { serviceKey: SERVICE_KEY };
  const lease = async (quoteId: Id<"quotes">) => {
    const quote = await t.run(async (ctx) => await ctx.db.get(quoteId));
    if (quote?.status === "queued") await claim(t, quoteId);
    return (await t.run(async (ctx) => (await ctx.db.get(quoteId))?.leaseEpoch)) ?? 0;
  };
  const negotiationsOf = (quoteId: Id<"quotes">) =>
    t.run(async (ctx) => await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
  const memberFor = async (quoteId: Id<"quotes">) => {
    const quote = await t.run(async (ctx) => await ctx.db.get(quoteId));
    return members.find((m) => m.workspaceId === quote?.workspaceId);
  };
  try {
    if (step.kind === "currency") {
      await members[step.ws]!.mutation(api.workspaces.setCurrency, { currency: step.code });
      return;
    }
    if (step.kind === "request") {
      vi.setSystemTime(Date.now() + step.advanceHours * HOUR + 1);
      const member = members[step.ws]!;
      quotes.push(await member.mutation(api.quotes.request, quoteArgs({ products: products[step.ws]! })));
      return;
    }
    const quoteId = quotes[step.q % Math.max(quotes.length, 1)];
    if (quoteId === undefined) return;
    const member = await memberFor(quoteId);
    if (!member) return; // deleted
    if (step.kind === "cancel") await member.mutation(api.quotes.cancel, { quoteId });
    else if (step.kind === "claim") await claim(t, quoteId);
    else if (step.kind === "fail") await t.mutation(api.worker.failQuote, { ...service, quoteId, leaseEpoch: await lease(quoteId), reason: "model down" });
    else if (step.kind === "delete") {
      // Parley has no path that deletes a quote; a write through the triggers is what one would do.
      await t.run(async (ctx) => await withTriggers(ctx).db.delete(quoteId));
    } else if (step.kind === "agree" || step.kind === "impasse") {
      const leaseEpoch = await lease(quoteId);
      const negotiation = (await negotiationsOf(quoteId))[step.n];
      if (!negotiation) return;
      const negotiationId = negotiation._id;
      if (step.kind === "impasse") {
        // A pending negotiation (no offer yet) can only be rejected; an open one ends in impasse.
        const status = negotiation.status === "pending" ? "rejected" : "impasse";
        await t.mutation(api.ingest.updateNegotiationStatus, { ...service, leaseEpoch, negotiationId, status });
        return;
      }
      await t.mutation(api.ingest.recordOffer, { ...service, leaseEpoch, negotiationId, round: negotiation.currentRound + 1, offeredBy: "supplier", terms: terms(6.4, 0.88) });
      const offerId = (await t.run(async (ctx) => await ctx.db.get(negotiationId)))!.currentOfferId!;
      await t.mutation(api.ingest.acceptOffer, { ...service, leaseEpoch, negotiationId, offerId, by: "brand" });
    } else if (step.kind === "recommend") {
      const leaseEpoch = await lease(quoteId);
      const negotiations = await negotiationsOf(quoteId);
      for (const n of negotiations) {
        if (n.status === "pending" || n.status === "active" || n.status === "paused") {
          await t.mutation(api.ingest.updateNegotiationStatus, { ...service, leaseEpoch, negotiationId: n._id, status: "failed", failureReason: "model down" });
        }
      }
      const agreed = negotiations.find((n) => n.status === "accepted");
      const recommended = step.withDeal && agreed ? { negotiationId: agreed._id } : {};
      await t.mutation(api.ingest.setRecommendation, { ...service, leaseEpoch, quoteId, recommendation: { ...recommended, explanation: "done", ranking: [] } });
    } else if (step.kind === "award") {
      // The brand accepts a standing offer (the supplier's, made now if none) and awards the quote.
      const negotiations = await negotiationsOf(quoteId);
      const chosen = negotiations.find((n) => n.status === "accepted") ?? negotiations[0];
      if (!chosen) return;
      if (chosen.status !== "accepted" && chosen.lastOfferBy !== "supplier") {
        const leaseEpoch = await lease(quoteId);
        await t.mutation(api.ingest.recordOffer, { ...service, leaseEpoch, negotiationId: chosen._id, round: chosen.currentRound + 1, offeredBy: "supplier", terms: terms(6.4, 0.88) });
      }
      await member.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: chosen._id });
    }
  } catch (error) {
    if (!(error instanceof ConvexError)) throw error;
  }
}

describe("insights counts from the aggregates", () => {
  test("equal a plain scan after random histories, per workspace and over ranges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), fc.nat({ max: 100 }), fc.nat({ max: 100 }), async (ops, a, b) => {
        vi.useFakeTimers();
        vi.setSystemTime(START);
        const t = newBackend();
        const members = [await newWorkspace(t), await newWorkspace(t, "other@brand.test", "Other Goods")];
        // The second workspace starts in euros: its deals' money is never added to dollars.
        await members[1]!.mutation(api.workspaces.setCurrency, { currency: "EUR" });
        const products = [];
        for (const member of members) products.push(await member.query(api.products.list, {}));
        const quotes: Id<"quotes">[] = [];
        for (const step of ops) await apply(t, members, quotes, products, step);
        const end = Date.now() + 1;
        const [lo, hi] = [START + ((end - START) * Math.min(a, b)) / 100, START + ((end - START) * Math.max(a, b)) / 100].map(Math.floor);
        const ranges: DateRange[] = [{}, { from: lo! }, { to: hi! + 1 }, { from: lo!, to: hi! + 1 }];
        for (const member of members) {
          for (const range of ranges) {
            expect(await headline(member, range)).toEqual(await scanned(t, member.workspaceId, range));
            expectSameFigures(await member.query(api.insights.summary, range), await scannedReport(t, member.workspaceId, range));
          }
        }
        vi.useRealTimers();
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  test("a negotiation accepted after its quote was decided moves the deal count (the negotiations trigger)", async () => {
    const t = newBackend();
    const owner = await newWorkspace(t);
    const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products: await owner.query(api.products.list, {}) }));
    const leaseEpoch = (await claim(t, quoteId))!;
    await t.mutation(api.worker.failQuote, { serviceKey: SERVICE_KEY, quoteId, leaseEpoch, reason: "model down" });
    expect(await headline(owner, {})).toMatchObject({ decidedQuotes: 1, quotesWithDeal: 0, dealRate: 0 });
    // No function of Parley does this today; a write through the triggers, as any future one would be, keeps the count.
    await t.run(async (ctx) => {
      const negotiation = (await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).first())!;
      await withTriggers(ctx).db.patch(negotiation._id, { status: "accepted" });
    });
    expect(await headline(owner, {})).toEqual(await scanned(t, owner.workspaceId, {}));
    expect(await headline(owner, {})).toMatchObject({ quotesWithDeal: 1, dealRate: 1 });
  });

  test("another workspace's quotes never count", async () => {
    const t = newBackend();
    const brand = await newWorkspace(t);
    const other = await newWorkspace(t, "other@brand.test", "Other Goods");
    const otherProducts = await other.query(api.products.list, {});
    const quoteId = await other.mutation(api.quotes.request, quoteArgs({ products: otherProducts }));
    await other.mutation(api.quotes.request, quoteArgs({ products: otherProducts }));
    await other.mutation(api.quotes.cancel, { quoteId });
    expect(await headline(brand, {})).toEqual({ quotes: 0, decidedQuotes: 0, quotesWithDeal: 0, cancelledQuotes: 0, openQuotes: 0, dealRate: null });
    expect(await headline(other, {})).toMatchObject({ quotes: 2, cancelledQuotes: 1, openQuotes: 1 });
  });

  test("the backfill adds quotes written before the aggregates, page by page, and running it again changes nothing", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const owner = await newWorkspace(t);
    const products = await owner.query(api.products.list, {});
    const live = await owner.mutation(api.quotes.request, quoteArgs({ products }));
    // 150 quotes written straight to the table (as before the aggregates existed): more than one backfill page.
    await t.run(async (ctx) => {
      const { _id, _creationTime, ...fields } = (await ctx.db.get(live))!;
      for (let i = 0; i < 150; i++) await ctx.db.insert("quotes", { ...fields, status: i % 3 === 0 ? "cancelled" : "queued", number: 100 + i });
    });
    expect((await headline(owner, {})).quotes).toBe(1);
    await t.mutation(internal.insights.backfillQuoteCounts, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const expected = await scanned(t, owner.workspaceId, {});
    expect(expected).toMatchObject({ quotes: 151, cancelledQuotes: 50 });
    expect(await headline(owner, {})).toEqual(expected);
    await t.mutation(internal.insights.backfillQuoteCounts, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await headline(owner, {})).toEqual(expected);
  });

  test("aggregates cleared (or never filled) are rebuilt by the backfill, deals and money included", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    const t = newBackend();
    const owner = await newWorkspace(t);
    const products = [await owner.query(api.products.list, {})];
    const quotes: Id<"quotes">[] = [];
    for (const step of [{ kind: "request", ws: 0, advanceHours: 1 }, { kind: "award", q: 0 }, { kind: "request", ws: 0, advanceHours: 1 }, { kind: "agree", q: 1, n: 0 }, { kind: "recommend", q: 1, withDeal: true }, { kind: "request", ws: 0, advanceHours: 1 }, { kind: "cancel", q: 2 }] as Op[]) {
      await apply(t, [owner], quotes, products, step);
    }
    const before = await owner.query(api.insights.summary, {});
    expect(before).toMatchObject({ quotes: 3, quotesWithDeal: 2, cancelledQuotes: 1, savings: { deals: 2 } });
    await t.run(async (ctx) => {
      for (const aggregate of [quoteCounts, quoteDeals, quoteSavings, quoteNegotiations]) await aggregate.clearAll(ctx);
    });
    expect(await owner.query(api.insights.summary, {})).toMatchObject({ quotes: 0, quotesWithDeal: 0, negotiations: 0, meanRounds: null, savings: { deals: 0 } });
    await t.mutation(internal.insights.backfillQuoteCounts, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await owner.query(api.insights.summary, {})).toEqual(before);
  });

  test("past the report's read limit the counts still cover every quote of the range; the rest covers the latest read", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const owner = await newWorkspace(t);
    const first = await owner.mutation(api.quotes.request, quoteArgs({ products: await owner.query(api.products.list, {}) }));
    await t.run(async (ctx) => {
      const { _id, _creationTime, ...fields } = (await ctx.db.get(first))!;
      // Written through the triggers, as requests are (requesting 420 quotes one by one would be slow).
      const db = withTriggers(ctx).db;
      for (let i = 0; i < INSIGHTS_QUOTE_LIMIT + 20; i++) await db.insert("quotes", { ...fields, status: i % 4 === 0 ? "cancelled" : "queued", number: 100 + i });
    });
    const summary = await owner.query(api.insights.summary, {});
    expect(summary).toMatchObject({ quotes: INSIGHTS_QUOTE_LIMIT + 21, cancelledQuotes: 105, truncated: true, readQuotes: INSIGHTS_QUOTE_LIMIT });
    expect(await headline(owner, {})).toEqual(await scanned(t, owner.workspaceId, {}));
  });
});

test("no function of convex/ is built from _generated/server's mutation builders, which would skip the triggers", () => {
  const root = join(__dirname, "../../convex");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.startsWith("_generated"));
  const offenders = files.filter((file) => {
    if (file === join("model", "triggers.ts")) return false;
    const imports = [...readFileSync(join(root, file), "utf8").matchAll(/import\s*(type\s*)?\{([^}]*)\}\s*from\s*"[./]*_generated\/server"/g)];
    return imports.some(([, typeOnly, names]) => !typeOnly && names!.split(",").some((name) => /^\s*(internalMutation|mutation)\b/.test(name)));
  });
  expect(files.length).toBeGreaterThan(20);
  expect(offenders).toEqual([]);
});
