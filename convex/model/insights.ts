import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { type Currency, currencyOf, DEFAULT_CURRENCY } from "./currency";
import { invalid } from "./errors";
import { negotiationsOfQuote } from "./negotiations";
import {
  countQuotesByStatus,
  countQuotesWithDeal,
  DECIDED,
  type Figures,
  moneyFigure,
  type NegotiationMeasure,
  parseSupplierFigure,
  rollups,
  SUPPLIER_FIGURES,
  type SupplierFigure,
  savingsCurrencies,
  sumLedgers,
  sumNegotiationFigures,
  sumSavings,
  sumSavingsFigures,
  savingsOfSums,
  type SavingsSums,
  SERIES_MONEY,
  sumSupplierFigures,
  supplierFigure,
} from "./quoteCounts";
import { isTerminalNegotiation, QUOTE_STATUSES, type QuoteStatus } from "./status";
import type { Terms } from "./validate";

// How well Parley negotiates, over the quotes of a date range. The deal rate counts
// quotes: a quote is a deal when one of its suppliers agreed; cancelled quotes
// are counted on their own, not as lost deals. Savings and payment terms
// are measured against each supplier's opening offer: what the brand would have
// got without negotiating.

/**
 * The part of a day a range's end cuts is added up from its quotes' ledgers
 * (model/quoteCounts.ts quoteSeries) when it has at most this many, a page of
 * items; past that, from bounded sums of the per-quote aggregates.
 */
export const PARTIAL_DAY_LEDGERS = 200;

/** One closed negotiation, reduced to what the summary needs. */
export type ClosedNegotiation = {
  agreed: boolean;
  rounds: number;
  /** For agreements: opening and final totals, payment terms, and time taken. */
  openingTotal?: number;
  finalTotal?: number;
  openingPaymentTermsDays?: number;
  finalPaymentTermsDays?: number;
  timeToAgreementMs?: number;
};

/** One quote, reduced to what the deal rate needs. */
export type QuoteTally = { status: QuoteStatus; agreed: boolean };

export type InsightsSummary = {
  quotes: number;
  /** Quotes whose negotiations are over (completed, awarded or failed; not cancelled). */
  decidedQuotes: number;
  /** Decided quotes with at least one agreement. */
  quotesWithDeal: number;
  /** Quotes the brand cancelled: their own line, never counted as failed deals. */
  cancelledQuotes: number;
  /** Quotes still queued or negotiating. */
  openQuotes: number;
  negotiations: number;
  /** Closed negotiations of quotes that were not cancelled. */
  closedNegotiations: number;
  agreements: number;
  /** Decided quotes with an agreement over decided quotes, 0–1; null before any is decided. */
  dealRate: number | null;
  /** Mean of (opening total - final total) / opening total over agreements, 0–1. */
  meanSavingsVsOpening: number | null;
  meanRounds: number | null;
  meanTimeToAgreementMs: number | null;
  meanPaymentTermsGainDays: number | null;
};

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((total, value) => total + value, 0) / values.length;
}

export function summarise(quotes: QuoteTally[], negotiations: number, closed: ClosedNegotiation[]): InsightsSummary {
  const agreements = closed.filter((negotiation) => negotiation.agreed);
  const withOpening = agreements.filter(
    (negotiation) => negotiation.openingTotal !== undefined && negotiation.finalTotal !== undefined,
  );
  const decided = quotes.filter((quote) => DECIDED.includes(quote.status));
  const withDeal = decided.filter((quote) => quote.agreed).length;
  const cancelled = quotes.filter((quote) => quote.status === "cancelled").length;
  return {
    quotes: quotes.length,
    decidedQuotes: decided.length,
    quotesWithDeal: withDeal,
    cancelledQuotes: cancelled,
    openQuotes: quotes.length - decided.length - cancelled,
    negotiations,
    closedNegotiations: closed.length,
    agreements: agreements.length,
    dealRate: decided.length === 0 ? null : withDeal / decided.length,
    meanSavingsVsOpening: mean(
      withOpening
        .filter((negotiation) => negotiation.openingTotal! > 0)
        .map((negotiation) => (negotiation.openingTotal! - negotiation.finalTotal!) / negotiation.openingTotal!),
    ),
    meanRounds: mean(closed.map((negotiation) => negotiation.rounds)),
    meanTimeToAgreementMs: mean(
      agreements.flatMap((negotiation) =>
        negotiation.timeToAgreementMs === undefined ? [] : [negotiation.timeToAgreementMs],
      ),
    ),
    meanPaymentTermsGainDays: mean(
      withOpening.map((negotiation) => negotiation.finalPaymentTermsDays! - negotiation.openingPaymentTermsDays!),
    ),
  };
}


// ---------------------------------------------------------------------------
// The report a buyer reads: the summary above over a date range (quotes by the
// day they were requested), money saved on the quotes' deals, the same figures
// over time, and each supplier's record.

/** Request times, in ms: `from` inclusive, `to` exclusive; either may be open. */
export type DateRange = { from?: number; to?: number };

export function checkRange({ from, to }: DateRange): DateRange {
  const isTime = (value: number) => Number.isInteger(value) && value >= 0;
  if (from !== undefined && !isTime(from)) invalid("from", "The start of the date range must be a date");
  if (to !== undefined && !isTime(to)) invalid("to", "The end of the date range must be a date");
  if (from !== undefined && to !== undefined && to <= from) invalid("to", "The end of the date range must come after its start");
  return { from, to };
}

/** A closed negotiation of a quote that was not cancelled, with what the report adds. */
export type NegotiationRecord = ClosedNegotiation & { supplierId: string };

/**
 * A quote's deal: the agreement it was awarded on, or else the agreement Parley
 * recommended. Totals are for the deal's own quantities.
 */
export type Deal = {
  supplierId: string;
  /** The quote's currency (ISO 4217); absent reads as the default. Totals in different currencies are never added. */
  currency?: Currency;
  total: number;
  /** The same supplier's opening offer, when it made one. */
  openingTotal?: number;
  /** The catalog list price of the deal's lines; absent when a line is not in the quote. */
  listTotal?: number;
};

export type QuoteRecord = {
  requestedAt: number;
  status: QuoteStatus;
  agreed: boolean;
  negotiations: number;
  closed: NegotiationRecord[];
  deal?: Deal;
};

export type Savings = {
  /** Quotes with a deal. */
  deals: number;
  /** Money saved against the deal supplier's opening offer, over the deals with one, and that baseline's total. */
  vsOpening: number;
  openingTotal: number;
  /** Money saved against the catalog list price, and the list total. */
  vsList: number;
  listTotal: number;
};

export type BucketSize = "day" | "week" | "month";

export type InsightsBucket = {
  /** The bucket's first instant (UTC). */
  start: number;
  quotes: number;
  decidedQuotes: number;
  quotesWithDeal: number;
  cancelledQuotes: number;
  dealRate: number | null;
  savings: Savings;
  meanRounds: number | null;
  meanTimeToAgreementMs: number | null;
};

export type SupplierRecord = {
  supplierId: string;
  name: string;
  /** Closed negotiations with this supplier, of quotes that were not cancelled. */
  negotiations: number;
  agreements: number;
  /** Agreements over closed negotiations, 0–1. */
  dealRate: number | null;
  meanSavingsVsOpening: number | null;
  meanRounds: number | null;
  /** Quotes whose deal went to this supplier. */
  deals: number;
};

export type InsightsReport = InsightsSummary & {
  range: { from: number | null; to: number | null };
  /** The workspace's currency: `savings` and the buckets' savings count only the deals in it. */
  currency: Currency;
  savings: Savings;
  /** The savings per currency of the deals, the workspace's currency first (present even with no deal in it). */
  savingsByCurrency: (Savings & { currency: Currency })[];
  bucketSize: BucketSize;
  buckets: InsightsBucket[];
  suppliers: SupplierRecord[];
};

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BUCKETS = 120;

export function savingsOf(deals: Deal[]): Savings {
  const withOpening = deals.filter((deal) => deal.openingTotal !== undefined);
  const withList = deals.filter((deal) => deal.listTotal !== undefined);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    deals: deals.length,
    vsOpening: sum(withOpening.map((deal) => deal.openingTotal! - deal.total)),
    openingTotal: sum(withOpening.map((deal) => deal.openingTotal!)),
    vsList: sum(withList.map((deal) => deal.listTotal! - deal.total)),
    listTotal: sum(withList.map((deal) => deal.listTotal!)),
  };
}

/** The span's buckets: days up to a month, weeks up to half a year, months beyond. */
export function bucketSizeFor(spanMs: number): BucketSize {
  if (spanMs <= 31 * DAY_MS) return "day";
  if (spanMs <= 190 * DAY_MS) return "week";
  return "month";
}

/** The first instant (UTC) of the bucket holding `at`; weeks start on Monday. */
export function bucketStart(at: number, size: BucketSize): number {
  const date = new Date(at);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (size === "day") return day;
  if (size === "week") return day - ((date.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextBucket(start: number, size: BucketSize): number {
  if (size === "day") return start + DAY_MS;
  if (size === "week") return start + 7 * DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

const dealsOf = (records: QuoteRecord[]) => records.flatMap((record) => (record.deal ? [record.deal] : []));

/** Savings in `currency` only: money in another currency is never added to it. */
function tally(records: QuoteRecord[], currency: Currency) {
  const closed = records.flatMap((record) => record.closed);
  const summary = summarise(
    records.map(({ status, agreed }) => ({ status, agreed })),
    records.reduce((total, record) => total + record.negotiations, 0),
    closed,
  );
  return { summary, savings: savingsOf(dealsOf(records).filter((deal) => currencyOf(deal) === currency)) };
}

function savingsByCurrency(records: QuoteRecord[], currency: Currency): InsightsReport["savingsByCurrency"] {
  const deals = dealsOf(records);
  const others = [...new Set(deals.map(currencyOf))].filter((code) => code !== currency).sort();
  return [currency, ...others].map((code) => ({ currency: code, ...savingsOf(deals.filter((deal) => currencyOf(deal) === code)) }));
}

/** A chart's buckets: its first instant and the next bucket's, for the quotes requested from `first` to `last` in `range`. */
export function bucketWindows(range: DateRange, first: number, last: number): { bucketSize: BucketSize; windows: { start: number; next: number }[] } {
  const end = range.to ?? last + 1;
  let begin = range.from ?? first;
  const bucketSize = bucketSizeFor(end - begin);
  const count = (from: number) => {
    let n = 0;
    for (let at = bucketStart(from, bucketSize); at < end && n <= MAX_BUCKETS; at = nextBucket(at, bucketSize)) n++;
    return n;
  };
  // A range reaching far before the first quote starts its chart at that quote.
  if (count(begin) > MAX_BUCKETS) begin = first;
  const windows: { start: number; next: number }[] = [];
  for (let at = bucketStart(begin, bucketSize); at < end && windows.length < MAX_BUCKETS; at = nextBucket(at, bucketSize)) {
    windows.push({ start: at, next: nextBucket(at, bucketSize) });
  }
  return { bucketSize, windows };
}

function bucketsOf(records: QuoteRecord[], range: DateRange, currency: Currency): { bucketSize: BucketSize; buckets: InsightsBucket[] } {
  if (records.length === 0) return { bucketSize: "day", buckets: [] };
  const times = records.map((record) => record.requestedAt);
  const { bucketSize, windows } = bucketWindows(range, Math.min(...times), Math.max(...times));
  const buckets: InsightsBucket[] = [];
  for (const { start: at, next } of windows) {
    const { summary, savings } = tally(records.filter((record) => record.requestedAt >= at && record.requestedAt < next), currency);
    buckets.push({
      start: at,
      quotes: summary.quotes,
      decidedQuotes: summary.decidedQuotes,
      quotesWithDeal: summary.quotesWithDeal,
      cancelledQuotes: summary.cancelledQuotes,
      dealRate: summary.dealRate,
      savings,
      meanRounds: summary.meanRounds,
      meanTimeToAgreementMs: summary.meanTimeToAgreementMs,
    });
  }
  return { bucketSize, buckets };
}

function suppliersOf(records: QuoteRecord[], names: Map<string, string>): SupplierRecord[] {
  const ids = new Set([...names.keys(), ...records.flatMap((record) => record.closed.map((n) => n.supplierId))]);
  const rows: SupplierRecord[] = [];
  for (const supplierId of ids) {
    const closed = records.flatMap((record) => record.closed.filter((n) => n.supplierId === supplierId));
    const deals = records.filter((record) => record.deal?.supplierId === supplierId).length;
    if (closed.length === 0 && deals === 0) continue;
    const summary = summarise([], closed.length, closed);
    rows.push({
      supplierId,
      name: names.get(supplierId) ?? "Unknown supplier",
      negotiations: closed.length,
      agreements: summary.agreements,
      dealRate: closed.length === 0 ? null : summary.agreements / closed.length,
      meanSavingsVsOpening: summary.meanSavingsVsOpening,
      meanRounds: summary.meanRounds,
      deals,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** The report over these quotes (the ones requested in `range`); pure, so its arithmetic is tested on hand-built data. */
export function report(
  records: QuoteRecord[],
  range: DateRange,
  supplierNames: Map<string, string>,
  currency: Currency = DEFAULT_CURRENCY,
): InsightsReport {
  const { summary, savings } = tally(records, currency);
  return {
    ...summary,
    range: { from: range.from ?? null, to: range.to ?? null },
    currency,
    savings,
    savingsByCurrency: savingsByCurrency(records, currency),
    ...bucketsOf(records, range, currency),
    suppliers: suppliersOf(records, supplierNames),
  };
}

/** One closed negotiation, read: rounds, opening and final offers, time to agreement. */
async function closedNegotiation(ctx: QueryCtx, negotiation: Doc<"negotiations">): Promise<NegotiationRecord & { finalTerms?: Terms }> {
  const agreed = negotiation.status === "accepted";
  const result: NegotiationRecord & { finalTerms?: Terms } = { agreed, rounds: negotiation.currentRound, supplierId: negotiation.supplierId };
  if (!agreed || !negotiation.currentOfferId) return result;
  const accepted = await ctx.db.get(negotiation.currentOfferId);
  if (!accepted) return result;
  result.finalTerms = accepted.terms;
  const firstOffers = await ctx.db
    .query("offers")
    .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiation._id))
    .take(2);
  const opening = firstOffers.find((offer) => offer.offeredBy === "supplier");
  if (opening) {
    result.openingTotal = totalPrice(opening.terms);
    result.finalTotal = totalPrice(accepted.terms);
    result.openingPaymentTermsDays = opening.terms.paymentTermsDays;
    result.finalPaymentTermsDays = accepted.terms.paymentTermsDays;
  }
  if (negotiation.startedAt !== undefined && accepted.respondedAt !== undefined) {
    result.timeToAgreementMs = accepted.respondedAt - negotiation.startedAt;
  }
  return result;
}

/** The catalog list total of `terms`, at the list prices the quote recorded; undefined if a line is not in the quote. */
export function listTotal(quote: Pick<Doc<"quotes">, "lineItems">, terms: Terms): number | undefined {
  let total = 0;
  for (const line of terms.lines) {
    const item = quote.lineItems.find((candidate) => candidate.sku === line.sku);
    if (!item) return undefined;
    total += line.quantity * item.listPrice;
  }
  return total;
}

/** Which negotiation the quote's deal is with: the award's, or the recommended agreement's. */
async function dealNegotiationId(ctx: QueryCtx, quote: Doc<"quotes">): Promise<string | undefined> {
  if (quote.status === "awarded") {
    const award = await ctx.db
      .query("awards")
      .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
      .first();
    return award?.negotiationId;
  }
  if (quote.status === "completed") return quote.recommendation?.negotiationId;
  return undefined;
}

/** One quote as the report reads it (also what model/quoteOutcomes.ts keeps in the aggregates). */
export async function quoteRecord(ctx: QueryCtx, quote: Doc<"quotes">): Promise<QuoteRecord> {
  const record: QuoteRecord = { requestedAt: quote.requestedAt, status: quote.status, agreed: false, negotiations: 0, closed: [] };
  const dealWith = await dealNegotiationId(ctx, quote);
  for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
    record.negotiations++;
    record.agreed ||= negotiation.status === "accepted";
    // A cancelled quote's negotiations were called off, not lost: they stay out of the means.
    if (quote.status === "cancelled" || !isTerminalNegotiation(negotiation.status)) continue;
    const { finalTerms, ...closed } = await closedNegotiation(ctx, negotiation);
    record.closed.push(closed);
    if (negotiation._id === dealWith && finalTerms) {
      const atList = listTotal(quote, finalTerms);
      record.deal = {
        supplierId: negotiation.supplierId,
        currency: currencyOf(quote),
        total: totalPrice(finalTerms),
        ...(closed.openingTotal !== undefined ? { openingTotal: closed.openingTotal } : {}),
        ...(atList !== undefined ? { listTotal: atList } : {}),
      };
    }
  }
  return record;
}

export async function loadInsights(ctx: QueryCtx, workspaceId: Id<"workspaces">, range: DateRange = {}): Promise<InsightsReport> {
  // Every figure is over every quote of the range, from the aggregates
  // (model/quoteCounts.ts): bounded reads whatever the workspace's size.
  const workspace = await ctx.db.get(workspaceId);
  const counts = headlineCounts(await countQuotesByStatus(ctx, workspaceId, range), await countQuotesWithDeal(ctx, workspaceId, range));
  const currency = currencyOf(workspace);
  const byCurrency = await aggregatedSavings(ctx, workspaceId, currency, range);
  const series = await aggregatedSeries(ctx, workspaceId, range, currency);
  return {
    ...counts,
    ...negotiationSummary(await sumNegotiationFigures(ctx, workspaceId, range)),
    range: { from: range.from ?? null, to: range.to ?? null },
    currency,
    savings: (({ currency: _code, ...savings }) => savings)(byCurrency[0]!),
    savingsByCurrency: byCurrency,
    bucketSize: series.bucketSize,
    buckets: series.buckets,
    suppliers: await supplierRows(ctx, series.suppliers),
  };
}

function addFigures(into: Figures, from: Figures | undefined) {
  for (const [figure, value] of from ?? []) into.set(figure, (into.get(figure) ?? 0) + value);
}

/** A bucket from its figures (named as model/quoteCounts.ts SERIES_FIGURES and moneyFigure name them). */
function bucketOf(start: number, figures: Figures, currency: Currency): InsightsBucket {
  const f = (figure: string) => figures.get(figure) ?? 0;
  const ratio = (total: number, count: number) => (count === 0 ? null : total / count);
  return {
    start,
    quotes: f("quotes"),
    decidedQuotes: f("decided"),
    quotesWithDeal: f("withDeal"),
    cancelledQuotes: f("cancelled"),
    dealRate: ratio(f("withDeal"), f("decided")),
    savings: savingsOfSums(Object.fromEntries(SERIES_MONEY.map((measure) => [measure, f(moneyFigure(measure, currency))])) as SavingsSums),
    meanRounds: ratio(f("rounds"), f("closed")),
    meanTimeToAgreementMs: ratio(f("timeToAgreement"), f("timeToAgreementCount")),
  };
}

/** A part of a day's chart figures, [from, to) to the millisecond, from the per-quote aggregates (about 25 bounded reads). */
async function exactFigures(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: Currency, range: { from: number; to: number }): Promise<Figures> {
  const byStatus = await countQuotesByStatus(ctx, workspaceId, range);
  const counts = headlineCounts(byStatus, await countQuotesWithDeal(ctx, workspaceId, range));
  const sums = await sumNegotiationFigures(ctx, workspaceId, range);
  const money = await sumSavingsFigures(ctx, workspaceId, currency, range);
  return new Map([
    ["quotes", counts.quotes],
    ["decided", counts.decidedQuotes],
    ["withDeal", counts.quotesWithDeal],
    ["cancelled", counts.cancelledQuotes],
    ["closed", sums.closed],
    ["rounds", sums.rounds],
    ["timeToAgreement", sums.timeToAgreement],
    ["timeToAgreementCount", sums.timeToAgreementCount],
    ...SERIES_MONEY.map((measure) => [moneyFigure(measure, currency), money[measure]] as [string, number]),
  ]);
}

const floorDay = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;
const ceilDay = (at: number) => Math.ceil(at / DAY_MS) * DAY_MS;

/**
 * The figures (chart and supplier) of the quotes requested in [from, to),
 * which lies within one UTC day: their ledgers added up when they are few,
 * else the per-quote aggregates' bounded sums, per supplier for the suppliers
 * of that day's rollup.
 */
async function partialDayFigures(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: Currency, from: number, to: number): Promise<Figures> {
  const fromLedgers = await sumLedgers(ctx, workspaceId, from, to, PARTIAL_DAY_LEDGERS);
  if (fromLedgers) return fromLedgers;
  const figures = await exactFigures(ctx, workspaceId, currency, { from, to });
  const day = floorDay(from);
  const ofDay = (await rollups(ctx, workspaceId, "day", day, day + 1)).get(day)?.figures ?? new Map<string, number>();
  const suppliers = new Set([...ofDay.keys()].flatMap((name) => parseSupplierFigure(name)?.[0] ?? []));
  for (const supplierId of suppliers) {
    const sums = await sumSupplierFigures(ctx, workspaceId, supplierId, { from, to });
    for (const figure of SUPPLIER_FIGURES) figures.set(supplierFigure(supplierId, figure), sums[figure]);
  }
  return figures;
}

/** How [lo, hi) is read: whole months and whole days from the rollups, the parts of days its ends cut exactly. */
type Plan = { months?: [number, number]; days: [number, number][]; partial: [number, number][] };

function planOf(lo: number, hi: number, withMonths: boolean): Plan {
  const plan: Plan = { days: [], partial: [] };
  const [dayLo, dayHi] = [ceilDay(lo), floorDay(hi)];
  if (dayLo > dayHi) {
    if (lo < hi) plan.partial.push([lo, hi]);
    return plan;
  }
  if (lo < dayLo) plan.partial.push([lo, dayLo]);
  if (dayHi < hi) plan.partial.push([dayHi, hi]);
  const firstMonth = bucketStart(dayLo, "month") === dayLo ? dayLo : nextBucket(bucketStart(dayLo, "month"), "month");
  const lastMonth = bucketStart(dayHi, "month");
  if (withMonths && firstMonth < lastMonth) {
    plan.months = [firstMonth, lastMonth];
    if (dayLo < firstMonth) plan.days.push([dayLo, firstMonth]);
    if (lastMonth < dayHi) plan.days.push([lastMonth, dayHi]);
  } else if (dayLo < dayHi) plan.days.push([dayLo, dayHi]);
  return plan;
}

/**
 * The chart and the supplier table, from quoteSeries' rollups: whole months
 * (for month buckets and the supplier table) from the month items, other whole
 * days from the day items, and the part of a day a range's `from` or `to` cuts
 * (at most two) from partialDayFigures. Reads: a few pages of rollups (at most
 * ~190 days and 120 months, an item each, and the days of two months), never
 * the quotes.
 */
async function aggregatedSeries(ctx: QueryCtx, workspaceId: Id<"workspaces">, range: DateRange, currency: Currency) {
  const { from, to } = range;
  const inRange = () =>
    ctx.db.query("quotes").withIndex("by_workspaceId", (q) => {
      const all = q.eq("workspaceId", workspaceId);
      if (from !== undefined && to !== undefined) return all.gte("_creationTime", from).lt("_creationTime", to);
      if (from !== undefined) return all.gte("_creationTime", from);
      if (to !== undefined) return all.lt("_creationTime", to);
      return all;
    });
  // The first and last quotes of the range set the chart's span (as the report over rows does).
  const first = await inRange().first();
  const last = await inRange().order("desc").first();
  if (!first || !last) return { bucketSize: "day" as BucketSize, buckets: [], suppliers: new Map<string, number>() };
  const { bucketSize, windows } = bucketWindows(range, first._creationTime, last._creationTime);
  const bucketPlans = windows.map(({ start, next }) => planOf(Math.max(start, from ?? start), Math.min(next, to ?? next), bucketSize === "month"));
  // The supplier table is over the whole range (even past a chart's 120 buckets); an open end
  // reads whole days, there being no quote of the range beyond the first and the last.
  const whole = planOf(from ?? floorDay(first._creationTime), to ?? floorDay(last._creationTime) + DAY_MS, true);

  // Every rollup any plan wants, read once: runs of adjacent days, and the months' span.
  const plans = [...bucketPlans, whole];
  const dayRuns: [number, number][] = [];
  for (const [a, b] of plans.flatMap((plan) => plan.days).sort(([a], [b]) => a - b)) {
    const run = dayRuns[dayRuns.length - 1];
    if (run && a <= run[1]) run[1] = Math.max(run[1], b);
    else dayRuns.push([a, b]);
  }
  const days = new Map<number, Figures>();
  for (const [a, b] of dayRuns) for (const [day, item] of await rollups(ctx, workspaceId, "day", a, b)) days.set(day, item.figures);
  const monthSpans = plans.flatMap((plan) => (plan.months ? [plan.months] : []));
  const months = new Map<number, Figures>();
  if (monthSpans.length > 0) {
    const [a, b] = [Math.min(...monthSpans.map(([m]) => m)), Math.max(...monthSpans.map(([, m]) => m))];
    for (const [month, item] of await rollups(ctx, workspaceId, "month", a, b)) months.set(month, item.figures);
  }
  const partials = new Map<string, Figures>();
  const figuresOf = async (plan: Plan) => {
    const figures: Figures = new Map();
    if (plan.months) for (const [month, item] of months) if (month >= plan.months[0] && month < plan.months[1]) addFigures(figures, item);
    for (const [a, b] of plan.days) for (let day = a; day < b; day += DAY_MS) addFigures(figures, days.get(day));
    for (const [a, b] of plan.partial) {
      const key = `${a}:${b}`;
      if (!partials.has(key)) partials.set(key, await partialDayFigures(ctx, workspaceId, currency, a, b));
      addFigures(figures, partials.get(key));
    }
    return figures;
  };
  const buckets: InsightsBucket[] = [];
  for (const [i, plan] of bucketPlans.entries()) buckets.push(bucketOf(windows[i]!.start, await figuresOf(plan), currency));
  return { bucketSize, buckets, suppliers: await figuresOf(whole) };
}

/** The supplier table from the range's figures ("supplier:<id>:<figure>"), by name. */
async function supplierRows(ctx: QueryCtx, figures: Figures): Promise<SupplierRecord[]> {
  const bySupplier = new Map<string, Record<SupplierFigure, number>>();
  for (const [name, value] of figures) {
    const parsed = parseSupplierFigure(name);
    if (!parsed) continue;
    const [supplierId, figure] = parsed;
    if (!bySupplier.has(supplierId)) bySupplier.set(supplierId, Object.fromEntries(SUPPLIER_FIGURES.map((f) => [f, 0])) as Record<SupplierFigure, number>);
    bySupplier.get(supplierId)![figure] += value;
  }
  const rows: SupplierRecord[] = [];
  const ratio = (total: number, count: number) => (count === 0 ? null : total / count);
  for (const [supplierId, f] of bySupplier) {
    const { closed, agreements, deals } = f;
    if (closed === 0 && deals === 0) continue;
    const id = ctx.db.normalizeId("suppliers", supplierId);
    const supplier = id === null ? null : await ctx.db.get(id);
    rows.push({
      supplierId,
      name: supplier?.name ?? "Unknown supplier",
      negotiations: closed,
      agreements,
      dealRate: ratio(agreements, closed),
      meanSavingsVsOpening: ratio(f.savingsRatio, f.savingsRatioCount),
      meanRounds: ratio(f.rounds, closed),
      deals,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** savingsByCurrency, from the quoteSavings aggregate: the workspace's currency first, then any other with a deal in the range. */
async function aggregatedSavings(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: Currency, range: DateRange) {
  const others = (await savingsCurrencies(ctx, workspaceId)).filter((code) => code !== currency).sort();
  const out: InsightsReport["savingsByCurrency"] = [{ currency, ...(await sumSavings(ctx, workspaceId, currency, range)) }];
  for (const code of others) {
    const savings = await sumSavings(ctx, workspaceId, code, range);
    if (savings.deals > 0) out.push({ currency: code, ...savings });
  }
  return out;
}

type NegotiationSummary = Pick<
  InsightsSummary,
  "negotiations" | "closedNegotiations" | "agreements" | "meanSavingsVsOpening" | "meanRounds" | "meanTimeToAgreementMs" | "meanPaymentTermsGainDays"
>;

/** The summary's negotiation figures from the aggregate's sums (what summarise computes from the negotiations themselves). */
export function negotiationSummary(sums: Record<NegotiationMeasure, number>): NegotiationSummary {
  const ratio = (total: number, count: number) => (count === 0 ? null : total / count);
  return {
    negotiations: sums.negotiations,
    closedNegotiations: sums.closed,
    agreements: sums.agreements,
    meanSavingsVsOpening: ratio(sums.savingsRatio, sums.savingsRatioCount),
    meanRounds: ratio(sums.rounds, sums.closed),
    meanTimeToAgreementMs: ratio(sums.timeToAgreement, sums.timeToAgreementCount),
    meanPaymentTermsGainDays: ratio(sums.paymentTermsGain, sums.paymentTermsGainCount),
  };
}

type HeadlineCounts = Pick<InsightsSummary, "quotes" | "decidedQuotes" | "quotesWithDeal" | "cancelledQuotes" | "openQuotes" | "dealRate">;

/** The summary's quote counts and deal rate from the aggregates' counts (what summarise computes from the quotes themselves). */
export function headlineCounts(byStatus: Record<QuoteStatus, number>, quotesWithDeal: number): HeadlineCounts {
  const quotes = QUOTE_STATUSES.reduce((total, status) => total + byStatus[status], 0);
  const decidedQuotes = DECIDED.reduce((total, status) => total + byStatus[status], 0);
  const cancelledQuotes = byStatus.cancelled;
  return {
    quotes,
    decidedQuotes,
    quotesWithDeal,
    cancelledQuotes,
    openQuotes: quotes - decidedQuotes - cancelledQuotes,
    dealRate: decidedQuotes === 0 ? null : quotesWithDeal / decidedQuotes,
  };
}
