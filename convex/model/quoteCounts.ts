import { DirectAggregate, TableAggregate } from "@convex-dev/aggregate";
import type { Trigger } from "convex-helpers/server/triggers";
import { components } from "../_generated/api";
import type { DataModel, Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { QUOTE_STATUSES, type QuoteStatus } from "./status";

// The insights' totals over any range of request times, in O(log n) reads
// instead of a scan of the quotes (model/insights.ts): four instances of the
// @convex-dev/aggregate component (convex/convex.config.ts), each with one
// tree per workspace (the namespace), and each keyed so that a date range is
// one bounded count or sum.
//
// - quoteCounts: every quote, keyed by [status, _creationTime] (a TableAggregate
//   on quotes, kept by quoteCountsTrigger below);
// - quoteDeals: decided quotes with an agreement, keyed by _creationTime;
// - quoteSavings: the money of each quote's deal, keyed by
//   [currency, measure, _creationTime];
// - quoteNegotiations: what each quote's negotiations add to the summary
//   (counts, rounds, the means' sums), keyed by [measure, _creationTime].
// The last three hang on a quote's negotiations, offers and award, not only on
// its own fields: model/quoteOutcomes.ts re-derives them. All are written from
// the triggers of model/triggers.ts, which every mutation builder of convex/
// is wrapped with; quotes written before the aggregates are added by
// `insights:backfillQuoteCounts`.
// The charts and the supplier table have two more (quoteSeries,
// quoteSuppliers), at the end of this file.

/** A quote's creation time is its request time, the key the insights' date range uses. */
export type QuoteCountKey = [QuoteStatus, number];

export const quoteCounts = new TableAggregate<{
  Namespace: Id<"workspaces">;
  Key: QuoteCountKey;
  DataModel: DataModel;
  TableName: "quotes";
}>(components.quoteCounts, {
  namespace: (quote) => quote.workspaceId,
  sortKey: (quote) => [quote.status, quote._creationTime],
});

const sameItem = (a: Doc<"quotes">, b: Doc<"quotes">) =>
  a.workspaceId === b.workspaceId && a.status === b.status && a._creationTime === b._creationTime;

/**
 * The trigger: the idempotent writes (insertIfDoesNotExist, replaceOrInsert,
 * deleteIfExists), so a quote from before the aggregate, not yet backfilled,
 * is added on its first status change instead of failing the mutation. Most
 * writes to a quote (lease, updatedAt, search text) leave its key alone and
 * touch the aggregate not at all, so they never contend on its tree.
 */
export const quoteCountsTrigger: Trigger<MutationCtx, DataModel, "quotes"> = async (ctx, change) => {
  if (change.operation === "insert") await quoteCounts.insertIfDoesNotExist(ctx, change.newDoc);
  else if (change.operation === "delete") await quoteCounts.deleteIfExists(ctx, change.oldDoc);
  else if (!sameItem(change.oldDoc, change.newDoc)) await quoteCounts.replaceOrInsert(ctx, change.oldDoc, change.newDoc);
};

/** Quotes whose negotiations are over and were not called off: the deal rate's denominator. */
export const DECIDED: QuoteStatus[] = ["completed", "awarded", "failed"];

/** Decided quotes with at least one accepted negotiation (model/insights.ts quotesWithDeal). */
export const quoteDeals = new DirectAggregate<{ Namespace: Id<"workspaces">; Key: number; Id: Id<"quotes"> }>(components.quoteDeals);

/**
 * Per quote with a deal (model/insights.ts Deal), one item per measure with
 * that amount as its sum: the deal's total, and for each baseline the deal has
 * (an opening offer, list prices for every line) the baseline's total and the
 * deal's total again, so a saving is a difference of two sums, over exactly
 * the deals savingsOf counts for that baseline.
 */
export const SAVINGS_MEASURES = ["deal", "opening", "openingDeal", "list", "listDeal"] as const;
export type SavingsMeasure = (typeof SAVINGS_MEASURES)[number];
export type SavingsKey = [string, SavingsMeasure, number];

export const quoteSavings = new DirectAggregate<{ Namespace: Id<"workspaces">; Key: SavingsKey; Id: string }>(components.quoteSavings);

/** A measure's item id: one item per quote and measure. */
export const savingsItemId = (quoteId: Id<"quotes">, measure: SavingsMeasure) => `${quoteId}:${measure}`;

/**
 * Per quote, what its negotiations add to the summary (model/insights.ts
 * summarise), one item per measure with the amount as its sum: how many it
 * has, how many closed (of a quote not cancelled) and agreed, their rounds,
 * and for each mean its sum and how many values it is over.
 */
export const NEGOTIATION_MEASURES = [
  "negotiations",
  "closed",
  "agreements",
  "rounds",
  "savingsRatio",
  "savingsRatioCount",
  "timeToAgreement",
  "timeToAgreementCount",
  "paymentTermsGain",
  "paymentTermsGainCount",
] as const;
export type NegotiationMeasure = (typeof NEGOTIATION_MEASURES)[number];
export type NegotiationKey = [NegotiationMeasure, number];

export const quoteNegotiations = new DirectAggregate<{ Namespace: Id<"workspaces">; Key: NegotiationKey; Id: string }>(components.quoteNegotiations);

/** A measure's item id: one item per quote and measure. */
export const negotiationItemId = (quoteId: Id<"quotes">, measure: NegotiationMeasure) => `${quoteId}:${measure}`;

/** Request times, in ms: `from` inclusive, `to` exclusive; either may be open. */
export type TimeRange = { from?: number; to?: number };

/** Keys sharing `prefix` whose last element, a creation time, is in `range`. */
function timeBounds<P extends unknown[]>(prefix: P, { from, to }: TimeRange) {
  type K = [...P, number];
  return {
    lower: { key: [...prefix, from ?? 0] as K, inclusive: true },
    // An open end: every creation time is below Number.MAX_VALUE.
    upper: to === undefined ? { key: [...prefix, Number.MAX_VALUE] as K, inclusive: true } : { key: [...prefix, to] as K, inclusive: false },
  };
}

/** The workspace's quotes of each status requested in `range`. */
export async function countQuotesByStatus(ctx: QueryCtx, workspaceId: Id<"workspaces">, range: TimeRange): Promise<Record<QuoteStatus, number>> {
  const counts = await quoteCounts.countBatch(
    ctx,
    QUOTE_STATUSES.map((status) => ({ namespace: workspaceId, bounds: timeBounds<[QuoteStatus]>([status], range) })),
  );
  return Object.fromEntries(QUOTE_STATUSES.map((status, i) => [status, counts[i]])) as Record<QuoteStatus, number>;
}

/** The workspace's decided quotes with an agreement, requested in `range`. */
export async function countQuotesWithDeal(ctx: QueryCtx, workspaceId: Id<"workspaces">, { from, to }: TimeRange): Promise<number> {
  return await quoteDeals.count(ctx, {
    namespace: workspaceId,
    bounds: {
      ...(from !== undefined ? { lower: { key: from, inclusive: true } } : {}),
      ...(to !== undefined ? { upper: { key: to, inclusive: false } } : {}),
    },
  });
}

/** A currency's deal money as the savings aggregates and chart rollups keep it: the deals, and the opening and list totals beside the deals' own. */
export type SavingsSums = Record<SeriesMoney, number>;

/** The summary's Savings (model/insights.ts) from those sums: one reading for the totals and every chart bucket. */
export function savingsOfSums(sum: SavingsSums) {
  return {
    deals: sum.deals,
    vsOpening: sum.opening - sum.openingDeal,
    openingTotal: sum.opening,
    vsList: sum.list - sum.listDeal,
    listTotal: sum.list,
  };
}

/** The deal money in `currency` of the workspace's quotes requested in `range`: the count of deals and each measure's sum. */
export async function sumSavingsFigures(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: string, range: TimeRange): Promise<SavingsSums> {
  const queries = SAVINGS_MEASURES.map((measure) => ({
    namespace: workspaceId,
    bounds: timeBounds<[string, SavingsMeasure]>([currency, measure], range),
  }));
  const [sums, [deals]] = await Promise.all([quoteSavings.sumBatch(ctx, queries), quoteSavings.countBatch(ctx, [queries[0]!])]);
  const sum = Object.fromEntries(SAVINGS_MEASURES.map((measure, i) => [measure, sums[i]!])) as Record<SavingsMeasure, number>;
  return { deals: deals!, opening: sum.opening, openingDeal: sum.openingDeal, list: sum.list, listDeal: sum.listDeal };
}

/** The deals in `currency` of the workspace's quotes requested in `range`, as model/insights.ts Savings. */
export async function sumSavings(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: string, range: TimeRange) {
  return savingsOfSums(await sumSavingsFigures(ctx, workspaceId, currency, range));
}

/** The currencies the workspace has ever had a deal in, in order: one bounded read each. */
export async function savingsCurrencies(ctx: QueryCtx, workspaceId: Id<"workspaces">): Promise<string[]> {
  const currencies: string[] = [];
  // ISO 4217 has fewer than 200 codes: the bound only guards against a runaway loop.
  for (let i = 0; i < 200; i++) {
    const last = currencies[currencies.length - 1];
    // "~" sorts after every measure name: the first key past the last currency's items.
    const next = await quoteSavings.min(ctx, {
      namespace: workspaceId,
      ...(last === undefined ? {} : { bounds: { lower: { key: [last, "~" as SavingsMeasure, 0] as SavingsKey, inclusive: false } } }),
    });
    if (next === null) break;
    currencies.push(next.key[0]);
  }
  return currencies;
}

/** Each negotiation measure summed over the workspace's quotes requested in `range`. */
export async function sumNegotiationFigures(ctx: QueryCtx, workspaceId: Id<"workspaces">, range: TimeRange): Promise<Record<NegotiationMeasure, number>> {
  const sums = await quoteNegotiations.sumBatch(
    ctx,
    NEGOTIATION_MEASURES.map((measure) => ({ namespace: workspaceId, bounds: timeBounds<[NegotiationMeasure]>([measure], range) })),
  );
  return Object.fromEntries(NEGOTIATION_MEASURES.map((measure, i) => [measure, sums[i]!])) as Record<NegotiationMeasure, number>;
}

// ---------------------------------------------------------------------------
// The insights' charts and supplier table. A chart has up to 120 buckets of
// some thirteen figures each; one bounded sum per bucket and figure on the
// per-quote aggregates above reads ~9 index ranges (about 1,100 for 120
// buckets of one figure on a tree of 15,000 items, measured), so a chart that
// way would need ~14,000: past a transaction's 4,096. Instead the figures are
// rolled up per UTC day and per UTC month, and a chart reads the rollups of
// its range: a few hundred items at most, a read returning up to ~16.
//
// - quoteSeries: one tree per workspace, used as an ordered map: each item's
//   key carries its figures (FigureList; the sums are not used), so that one
//   write moves all of a day's figures, where an item per figure would cost a
//   write each (~10 index ranges). Its items:
//   - each quote's ledger, ["quote", _creationTime, figures]: what the quote
//     last added to the charts and the supplier table;
//   - the rollups, ["day" | "month", bucket start, figures]: the sums over the
//     quotes requested that day or month.
//   model/quoteOutcomes.ts syncQuoteFigures moves the rollups by the
//   difference between a quote's new figures and its ledger, so re-running it
//   (the backfill, a live write alongside it) adds nothing twice.
//   The rollups hold the supplier table's figures too ("supplier:<id>:closed").
// - quoteSuppliers: per quote and supplier, what its negotiations with that
//   supplier add to the supplier table, keyed [supplierId, figure,
//   _creationTime]: for the part of a day a range's end cuts, when that part
//   has too many quotes to read their ledgers, one bounded sum per figure.

export type SeriesTag = "quote" | "day" | "month";
/** Figures as a key holds them: [name, value] pairs in name order, none at zero. */
export type FigureList = [string, number][];
export type SeriesKey = [SeriesTag, number, FigureList];
export type Figures = Map<string, number>;

export const quoteSeries = new DirectAggregate<{ Namespace: Id<"workspaces">; Key: SeriesKey; Id: string }>(components.quoteSeries);

/** Money added and taken away leaves a last-bit remainder, not zero: below this a figure is zero. */
const FIGURE_EPSILON = 1e-6;

export function figureList(figures: Figures): FigureList {
  return [...figures].filter(([, value]) => Math.abs(value) >= FIGURE_EPSILON).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The chart figures a quote adds to its day and month, in money's case per currency ("deals:USD"). */
export const SERIES_FIGURES = ["quotes", "decided", "cancelled", "withDeal", "closed", "rounds", "timeToAgreement", "timeToAgreementCount"] as const;
export const SERIES_MONEY = ["deals", "opening", "openingDeal", "list", "listDeal"] as const;
export type SeriesMoney = (typeof SERIES_MONEY)[number];
export const moneyFigure = (measure: SeriesMoney, currency: string) => `${measure}:${currency}`;

/** What a supplier's negotiations of one quote add to its row of the table. */
export const SUPPLIER_FIGURES = ["closed", "agreements", "rounds", "savingsRatio", "savingsRatioCount", "deals"] as const;
export type SupplierFigure = (typeof SUPPLIER_FIGURES)[number];
export type SupplierKey = [string, SupplierFigure, number];

export const quoteSuppliers = new DirectAggregate<{ Namespace: Id<"workspaces">; Key: SupplierKey; Id: string }>(components.quoteSuppliers);

/** A supplier figure in a quote's ledger ("supplier:<id>:closed"). */
export const supplierFigure = (supplierId: string, figure: SupplierFigure) => `supplier:${supplierId}:${figure}`;
export const supplierItemId = (quoteId: Id<"quotes">, supplierId: string, figure: SupplierFigure) => `${quoteId}:${supplierId}:${figure}`;

/** [supplierId, figure] of a supplier figure's name, or null for a chart figure. */
export function parseSupplierFigure(name: string): [string, SupplierFigure] | null {
  const match = /^supplier:(.*):([^:]+)$/.exec(name);
  return match ? [match[1]!, match[2] as SupplierFigure] : null;
}

export type SeriesItem = { key: SeriesKey; id: string; figures: Figures };

/** The items of `tag` whose second element is in [from, to), in key order, page by page. */
async function seriesItems(ctx: QueryCtx, workspaceId: Id<"workspaces">, tag: SeriesTag, from: number, to: number): Promise<SeriesItem[]> {
  const items: SeriesItem[] = [];
  if (to <= from) return items;
  // [tag, t] sorts before every [tag, t, figures]: a prefix is the smaller array.
  const bound = (at: number) => [tag, at] as unknown as SeriesKey;
  let cursor: string | undefined;
  for (;;) {
    const page = await quoteSeries.paginate(ctx, {
      namespace: workspaceId,
      bounds: { lower: { key: bound(from), inclusive: true }, upper: { key: bound(to), inclusive: false } },
      pageSize: 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.page) items.push({ key: item.key, id: item.id, figures: new Map(item.key[2]) });
    if (page.isDone) return items;
    cursor = page.cursor;
  }
}

/**
 * The ledgers of the quotes requested in [from, to), added up, if they are at
 * most `limit` (one page); null if there are more.
 */
export async function sumLedgers(ctx: QueryCtx, workspaceId: Id<"workspaces">, from: number, to: number, limit: number): Promise<Figures | null> {
  const bound = (at: number) => ["quote", at] as unknown as SeriesKey;
  const page = await quoteSeries.paginate(ctx, {
    namespace: workspaceId,
    bounds: { lower: { key: bound(from), inclusive: true }, upper: { key: bound(to), inclusive: false } },
    pageSize: limit,
  });
  if (!page.isDone) return null;
  const sums: Figures = new Map();
  for (const item of page.page) for (const [figure, value] of item.key[2]) sums.set(figure, (sums.get(figure) ?? 0) + value);
  return sums;
}

/** The item of a quote's ledger, or null before its first sync. */
export async function quoteLedger(ctx: QueryCtx, workspaceId: Id<"workspaces">, quoteId: Id<"quotes">, creationTime: number): Promise<SeriesItem | null> {
  const items = await seriesItems(ctx, workspaceId, "quote", creationTime, creationTime + 0.0005);
  return items.find((item) => item.id === quoteId) ?? null;
}

/** The rollups of `tag` whose bucket starts in [from, to), by bucket start. */
export async function rollups(ctx: QueryCtx, workspaceId: Id<"workspaces">, tag: "day" | "month", from: number, to: number): Promise<Map<number, SeriesItem>> {
  return new Map((await seriesItems(ctx, workspaceId, tag, from, to)).map((item) => [item.key[1], item]));
}

/** Writes `figures` as the item `id` at [tag, at] (replacing `current`); none at all removes it. */
export async function writeSeriesItem(ctx: MutationCtx, workspaceId: Id<"workspaces">, current: SeriesItem | null, tag: SeriesTag, at: number, id: string, figures: Figures) {
  const list = figureList(figures);
  const namespace = workspaceId;
  if (list.length === 0) {
    if (current) await quoteSeries.deleteIfExists(ctx, { namespace, key: current.key, id });
    return;
  }
  const key: SeriesKey = [tag, at, list];
  if (current) await quoteSeries.replaceOrInsert(ctx, { namespace, key: current.key, id }, { namespace, key });
  else await quoteSeries.insertIfDoesNotExist(ctx, { namespace, key, id });
}

/** A supplier's figures over the quotes requested in `range`. */
export async function sumSupplierFigures(ctx: QueryCtx, workspaceId: Id<"workspaces">, supplierId: string, range: TimeRange): Promise<Record<SupplierFigure, number>> {
  const sums = await quoteSuppliers.sumBatch(
    ctx,
    SUPPLIER_FIGURES.map((figure) => ({ namespace: workspaceId, bounds: timeBounds<[string, SupplierFigure]>([supplierId, figure], range) })),
  );
  return Object.fromEntries(SUPPLIER_FIGURES.map((figure, i) => [figure, sums[i]!])) as Record<SupplierFigure, number>;
}
