import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ConvexError } from "convex/values";
import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { currencyOf } from "../../convex/model/currency";
import { convexTest } from "convex-test";
import { type DateRange, type InsightsReport, loadInsights, PARTIAL_DAY_LEDGERS, type QuoteRecord, quoteRecord, report, type Savings, summarise } from "../../convex/model/insights";
import { quoteCounts, quoteDeals, quoteNegotiations, quoteSavings, quoteSeries, quoteSuppliers } from "../../convex/model/quoteCounts";
import schema from "../../convex/schema";
import { registerComponents } from "./components";
import { withTriggers } from "../../convex/model/triggers";
import {
  type Backend,
  claim,
  type Member,
  newBackend,
  modules,
  newWorkspace,
  quoteArgs,
  SERVICE_KEY,
  terms,
} from "./helpers";

// The insights' summary (quotes, decided, with a deal, cancelled, open, the
// deal rate, negotiations and their means) and money saved come from the
// quoteCounts, quoteDeals, quoteSavings and quoteNegotiations aggregates, the
// charts from quoteSeries' day and month rollups and the supplier table from
// quoteSuppliers (convex/model/quoteCounts.ts), kept by triggers.
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

/**
 * The report computed the old way: every quote of the range read as the
 * report reads it, and added up (by creation time, which the range and the
 * aggregates key on), fifty quotes a transaction so that a large workspace
 * fits a limited backend's transactions too.
 */
async function scannedReport(t: Backend, workspaceId: Id<"workspaces">, range: DateRange) {
  const { from, to } = range;
  const ids = await t.run(async (ctx) =>
    (await ctx.db.query("quotes").withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId)).collect())
      .filter((quote) => (from === undefined || quote._creationTime >= from) && (to === undefined || quote._creationTime < to))
      .map((quote) => quote._id),
  );
  const records: QuoteRecord[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    records.push(
      ...(await t.run(async (ctx) => {
        const out = [];
        for (const id of ids.slice(i, i + 50)) {
          const quote = (await ctx.db.get(id))!;
          out.push({ ...(await quoteRecord(ctx, quote)), requestedAt: quote._creationTime });
        }
        return out;
      })),
    );
  }
  return await t.run(async (ctx) => {
    const names = new Map<string, string>();
    for (const supplierId of new Set(records.flatMap((record) => record.closed.map((n) => n.supplierId)))) {
      const supplier = await ctx.db.get(supplierId as Id<"suppliers">);
      if (supplier) names.set(supplierId, supplier.name);
    }
    return report(records, range, names, currencyOf(await ctx.db.get(workspaceId)));
  });
}

/** A backend held to Convex's transaction limits (4,096 index ranges read, ...), as a deployment is. */
function limitedBackend(): Backend {
  return registerComponents(convexTest({ schema, modules, transactionLimits: true })) as unknown as Backend;
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
  const nearly = (a: number | null, b: number | null, what: string) => {
    if (b === null) expect(a, what).toBeNull();
    else expect(a, what).toBeCloseTo(b, 6);
  };
  // The charts: the same buckets, each with the same figures.
  expect(actual.bucketSize).toBe(expected.bucketSize);
  expect(actual.buckets.map((b) => b.start)).toEqual(expected.buckets.map((b) => b.start));
  actual.buckets.forEach((bucket, i) => {
    const other = expected.buckets[i]!;
    const at = new Date(bucket.start).toISOString();
    for (const field of ["quotes", "decidedQuotes", "quotesWithDeal", "cancelledQuotes"] as const) expect(bucket[field], `${at} ${field}`).toBe(other[field]);
    for (const field of ["dealRate", "meanRounds", "meanTimeToAgreementMs"] as const) nearly(bucket[field], other[field], `${at} ${field}`);
    close(bucket.savings, other.savings);
  });
  // The supplier table: the same rows, in the same order.
  const identity = (s: InsightsReport["suppliers"][number]) => [s.supplierId, s.name, s.negotiations, s.agreements, s.deals];
  expect(actual.suppliers.map(identity)).toEqual(expected.suppliers.map(identity));
  actual.suppliers.forEach((row, i) => {
    const other = expected.suppliers[i]!;
    for (const field of ["dealRate", "meanSavingsVsOpening", "meanRounds"] as const) nearly(row[field], other[field], `${row.name} ${field}`);
  });
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

function headlineOf({ quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate }: InsightsReport) {
  return { quotes, decidedQuotes, quotesWithDeal, cancelledQuotes, openQuotes, dealRate };
}

async function headline(member: Member, range: DateRange) {
  return headlineOf(await member.query(api.insights.summary, range));
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
    // The charts' rollups are filled too (quoteSeries), each quote once.
    const charted = (await owner.query(api.insights.summary, {})).buckets;
    expect(charted.reduce((n, b) => n + b.quotes, 0)).toBe(151);
    expect(charted.reduce((n, b) => n + b.cancelledQuotes, 0)).toBe(50);
    await t.mutation(internal.insights.backfillQuoteCounts, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await headline(owner, {})).toEqual(expected);
    expect((await owner.query(api.insights.summary, {})).buckets).toEqual(charted);
  }, 60_000);

  test("aggregates cleared (or never filled) are rebuilt by the backfill, deals and money included", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    // Held to the transaction limits: a backfill page fits them.
    const t = limitedBackend();
    const owner = await newWorkspace(t);
    const products = [await owner.query(api.products.list, {})];
    const quotes: Id<"quotes">[] = [];
    const steps: Op[] = [{ kind: "request", ws: 0, advanceHours: 1 }, { kind: "award", q: 0 }, { kind: "request", ws: 0, advanceHours: 1 }, { kind: "agree", q: 1, n: 0 }, { kind: "recommend", q: 1, withDeal: true }, { kind: "request", ws: 0, advanceHours: 1 }, { kind: "cancel", q: 2 }];
    // More decided quotes than a backfill page holds, a day apart, each with negotiations closed and a deal.
    for (let q = 3; q < 10; q++) {
      steps.push({ kind: "request", ws: 0, advanceHours: 24 }, { kind: "impasse", q, n: 2 }, { kind: "agree", q, n: q % 2 }, { kind: "recommend", q, withDeal: true });
    }
    for (const step of steps) await apply(t, [owner], quotes, products, step);
    const before = await owner.query(api.insights.summary, {});
    expect(before).toMatchObject({ quotes: 10, quotesWithDeal: 9, cancelledQuotes: 1, savings: { deals: 9 } });
    await t.run(async (ctx) => {
      for (const aggregate of [quoteCounts, quoteDeals, quoteSavings, quoteNegotiations, quoteSeries, quoteSuppliers]) await aggregate.clearAll(ctx);
    });
    expect(await owner.query(api.insights.summary, {})).toMatchObject({ quotes: 0, quotesWithDeal: 0, negotiations: 0, meanRounds: null, savings: { deals: 0 }, suppliers: [] });
    expect((await owner.query(api.insights.summary, {})).buckets.every((b) => b.quotes === 0)).toBe(true);
    await t.mutation(internal.insights.backfillQuoteCounts, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const after = await owner.query(api.insights.summary, {});
    expect(headlineOf(after)).toEqual(headlineOf(before));
    expectSameFigures(after, before);
    expect(after.suppliers.length).toBeGreaterThan(0);
    expect(after.buckets.reduce((n, b) => n + b.savings.deals, 0)).toBe(9);
    expectSameFigures(after, await scannedReport(t, owner.workspaceId, {}));
   }, 60_000);

  test("every supplier has its row, however many; a day cut with more quotes than a page of ledgers is summed from the aggregates", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(START + 10 * HOUR);
    // Held to the transaction limits: the report fits them.
    const t = limitedBackend();
    const owner = await newWorkspace(t);
    const products = await owner.query(api.products.list, {});
    // Three quotes: a quote reads at most 20 negotiations (model/negotiations.ts negotiationsOfQuote).
    const quoteIds: Id<"quotes">[] = [];
    for (let q = 0; q < 3; q++) {
      const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products }));
      const leaseEpoch = (await claim(t, quoteId))!;
      await t.mutation(api.worker.failQuote, { serviceKey: SERVICE_KEY, quoteId, leaseEpoch, reason: "model down" });
      quoteIds.push(quoteId);
    }
    const listed = (await owner.query(api.insights.summary, {})).suppliers.length;
    expect(listed).toBeGreaterThan(0);
    // 36 more suppliers, each with a closed negotiation of one of them, written through the triggers.
    for (let i = listed; i < 36 + listed; i++) {
      await t.run(async (ctx) => {
        const quoteId = quoteIds[i % 3]!;
        const negotiation = (await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).first())!;
        const { _id, _creationTime, ...supplier } = (await ctx.db.get(negotiation.supplierId))!;
        const supplierId = await ctx.db.insert("suppliers", { ...supplier, slug: `extra-${i}`, name: `Extra ${String(i).padStart(2, "0")}` });
        const { _id: _n, _creationTime: _c, ...fields } = negotiation;
        await withTriggers(ctx).db.insert("negotiations", { ...fields, supplierId, status: "rejected", ...(i % 3 === 0 ? { currentRound: 2 } : {}) });
      });
    }
    const all = await owner.query(api.insights.summary, {});
    expect(all.suppliers).toHaveLength(36 + listed);
    expectSameFigures(all, await scannedReport(t, owner.workspaceId, {}));

    // The same day, more quotes than PARTIAL_DAY_LEDGERS: a range starting within the day
    // cuts it, and that part is summed from the per-quote aggregates, per supplier too.
    const { _id, _creationTime, ...fields } = await t.run(async (ctx) => (await ctx.db.get(quoteIds[0]!))!);
    for (let batch = 0; batch * 10 < PARTIAL_DAY_LEDGERS + 10; batch++) {
      await t.run(async (ctx) => {
        for (let i = 0; i < 10; i++) await withTriggers(ctx).db.insert("quotes", { ...fields, status: "queued", number: 1000 + batch * 10 + i });
      });
    }
    for (const range of [{ from: START + 10 * HOUR - 1 }, { from: START + 9 * HOUR, to: START + 23 * HOUR }, { from: START + HOUR, to: START + 10 * HOUR + 1 }]) {
      const summary = await owner.query(api.insights.summary, range);
      expect(summary.quotes).toBeGreaterThan(PARTIAL_DAY_LEDGERS);
      expect(summary.suppliers).toHaveLength(36 + listed);
      expectSameFigures(summary, await scannedReport(t, owner.workspaceId, range));
    }
  }, 120_000);

  test("a workspace of more than 400 quotes: charts and supplier table over all of them, equal to a scan, within Convex's limits", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    const t = limitedBackend();
    const owner = await newWorkspace(t);
    const products = [await owner.query(api.products.list, {})];
    // The oldest quotes have the deals, negotiations and awards: a report over the latest 400 would miss them all.
    const quotes: Id<"quotes">[] = [];
    const outcomes: Op[] = [];
    for (let q = 0; q < 12; q++) {
      outcomes.push({ kind: "request", ws: 0, advanceHours: 29 });
      if (q % 4 === 0) outcomes.push({ kind: "award", q });
      else if (q % 4 === 1) outcomes.push({ kind: "agree", q, n: 0 }, { kind: "agree", q, n: 1 }, { kind: "recommend", q, withDeal: true });
      else if (q % 4 === 2) outcomes.push({ kind: "impasse", q, n: 0 }, { kind: "agree", q, n: 2 }, { kind: "recommend", q, withDeal: false });
      else outcomes.push({ kind: "cancel", q });
    }
    for (const step of outcomes) await apply(t, [owner], quotes, products, step);
    // Then 420 more, eleven hours apart (over six months), written through the triggers as requests are
    // (requesting them one by one would be slow), a few to a transaction.
    const template = await t.run(async (ctx) => (await ctx.db.get(quotes[0]!))!);
    const { _id, _creationTime, ...fields } = template;
    const cheap: number[] = [];
    for (let batch = 0; batch < 42; batch++) {
      cheap.push(
        ...(await t.run(async (ctx) => {
          const times = [];
          for (let i = 0; i < 10; i++) {
            vi.setSystemTime(Date.now() + 11 * HOUR);
            const n = batch * 10 + i;
            const id = await withTriggers(ctx).db.insert("quotes", { ...fields, status: n % 4 === 0 ? "cancelled" : "queued", number: 1000 + n });
            times.push((await ctx.db.get(id))!._creationTime);
          }
          return times;
        })),
      );
    }
    const all = await owner.query(api.insights.summary, {});
    expect(all.quotes).toBe(432);
    // All time spans more than half a year: month buckets, from the month rollups.
    expect(all.bucketSize).toBe("month");
    expect(all.buckets.reduce((n, b) => n + b.quotes, 0)).toBe(432);
    expect(all.buckets.reduce((n, b) => n + b.savings.deals, 0)).toBe(all.savings.deals);
    expect(all.savings.deals).toBeGreaterThan(0);
    expect(all.suppliers.reduce((n, s) => n + s.negotiations, 0)).toBe(all.closedNegotiations);
    expect(all.suppliers.reduce((n, s) => n + s.deals, 0)).toBe(all.savings.deals);
    expectSameFigures(all, await scannedReport(t, owner.workspaceId, {}));

    // Ranges whose ends cut days (and months) in the middle: those parts come from the per-quote aggregates.
    const ranges: DateRange[] = [
      { from: START + 3 * 24 * HOUR + 5 * HOUR, to: START + 20 * 24 * HOUR + 7 * HOUR }, // days
      { from: START + 10 * 24 * HOUR + HOUR, to: START + 100 * 24 * HOUR + 13 * HOUR }, // weeks
      { from: START + 2 * HOUR }, // months, the first cut
      { to: Math.floor(cheap[300]!) + 1 }, // months, the last cut
      { from: START + 24 * HOUR + HOUR, to: START + 24 * HOUR + 3 * HOUR }, // within one day
    ];
    for (const range of ranges) {
      const summary = await owner.query(api.insights.summary, range);
      expectSameFigures(summary, await scannedReport(t, owner.workspaceId, range));
      expect(summary.buckets.reduce((n, b) => n + b.quotes, 0), JSON.stringify(range)).toBe(summary.quotes);
    }

    // A range's bounds: a quote requested at `from` is in it, one requested at `to` is not.
    const [at, until] = [cheap[100]!, cheap[150]!];
    expect(Number.isInteger(at) && at % (24 * HOUR) !== 0).toBe(true);
    const bounded = await owner.query(api.insights.summary, { from: at, to: until });
    expect(bounded.quotes).toBe(50);
    expect(bounded.buckets.reduce((n, b) => n + b.quotes, 0)).toBe(50);
    expect(bounded.buckets[0]!.start).toBe(Math.floor(at / (24 * HOUR)) * 24 * HOUR);
    const justAfter = await owner.query(api.insights.summary, { from: at + 1, to: until + 1 });
    expect(justAfter.buckets.reduce((n, b) => n + b.quotes, 0)).toBe(50);
    expectSameFigures(justAfter, await scannedReport(t, owner.workspaceId, { from: at + 1, to: until + 1 }));

    // The report's reads: well inside a transaction's 4,096 index ranges.
    const used = await t.run(async (ctx) => {
      await loadInsights(ctx, owner.workspaceId, { from: START + 2 * HOUR });
      return (await ctx.meta.getTransactionMetrics()).databaseQueries.used;
    });
    expect(used).toBeLessThan(2000);
  }, 300_000);
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
