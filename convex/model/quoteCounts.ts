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

/** The deals in `currency` of the workspace's quotes requested in `range`, as model/insights.ts Savings. */
export async function sumSavings(ctx: QueryCtx, workspaceId: Id<"workspaces">, currency: string, range: TimeRange) {
  const queries = SAVINGS_MEASURES.map((measure) => ({
    namespace: workspaceId,
    bounds: timeBounds<[string, SavingsMeasure]>([currency, measure], range),
  }));
  const [sums, [deals]] = await Promise.all([quoteSavings.sumBatch(ctx, queries), quoteSavings.countBatch(ctx, [queries[0]!])]);
  const sum = Object.fromEntries(SAVINGS_MEASURES.map((measure, i) => [measure, sums[i]!])) as Record<SavingsMeasure, number>;
  return {
    deals: deals!,
    vsOpening: sum.opening - sum.openingDeal,
    openingTotal: sum.opening,
    vsList: sum.list - sum.listDeal,
    listTotal: sum.list,
  };
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
