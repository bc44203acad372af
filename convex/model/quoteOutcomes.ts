import type { Trigger } from "convex-helpers/server/triggers";
import type { DataModel, Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { currencyOf } from "./currency";
import { type QuoteRecord, quoteRecord } from "./insights";
import { negotiationsOfQuote } from "./negotiations";
import {
  DECIDED,
  NEGOTIATION_MEASURES,
  type NegotiationMeasure,
  negotiationItemId,
  quoteCounts,
  quoteDeals,
  quoteNegotiations,
  quoteSavings,
  SAVINGS_MEASURES,
  type SavingsMeasure,
  savingsItemId,
} from "./quoteCounts";
import { isTerminalNegotiation } from "./status";

// What a quote came to, in the aggregates of model/quoteCounts.ts: whether it
// is a decided quote with an agreement (quoteDeals), its deal's money
// (quoteSavings) and what its negotiations add up to (quoteNegotiations).
// All are read off the quote as the insights read it (model/insights.ts
// quoteRecord), so they cannot disagree with a scan. They
// change only when the quote's status or recommendation changes (an award is
// written before the quote turns awarded, the other negotiations are closed
// before it, the offers are fixed once accepted), or when a negotiation is
// added, removed or changes status: the two triggers below.

/** Re-derives the quote's items in quoteDeals, quoteSavings and quoteNegotiations (idempotent). */
export async function syncQuoteOutcome(ctx: MutationCtx, quote: Doc<"quotes">): Promise<void> {
  const record = await quoteRecord(ctx, quote);
  const namespace = quote.workspaceId;
  const dealItem = { namespace, key: quote._creationTime, id: quote._id };
  if (DECIDED.includes(quote.status) && record.agreed) await quoteDeals.insertIfDoesNotExist(ctx, dealItem);
  else await quoteDeals.deleteIfExists(ctx, dealItem);

  const deal = record.deal;
  const amounts: Record<SavingsMeasure, number | undefined> = {
    deal: deal?.total,
    opening: deal?.openingTotal,
    openingDeal: deal?.openingTotal === undefined ? undefined : deal.total,
    list: deal?.listTotal,
    listDeal: deal?.listTotal === undefined ? undefined : deal.total,
  };
  await syncNegotiationFigures(ctx, quote, record);

  // A quote's currency is fixed at its request, so its items' keys never move.
  const currency = currencyOf(quote);
  for (const measure of SAVINGS_MEASURES) {
    const item = { namespace, key: [currency, measure, quote._creationTime] as [string, SavingsMeasure, number], id: savingsItemId(quote._id, measure) };
    const amount = amounts[measure];
    if (amount === undefined) await quoteSavings.deleteIfExists(ctx, item);
    else await quoteSavings.replaceOrInsert(ctx, item, { namespace, key: item.key, sumValue: amount });
  }
}

/** What the quote's negotiations add to the summary, as summarise adds it up; a measure at zero has no item. */
function negotiationFigures(record: QuoteRecord): Record<NegotiationMeasure, number> {
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const agreements = record.closed.filter((negotiation) => negotiation.agreed);
  const withOpening = agreements.filter((negotiation) => negotiation.openingTotal !== undefined && negotiation.finalTotal !== undefined);
  const ratios = withOpening
    .filter((negotiation) => negotiation.openingTotal! > 0)
    .map((negotiation) => (negotiation.openingTotal! - negotiation.finalTotal!) / negotiation.openingTotal!);
  const times = agreements.flatMap((negotiation) => (negotiation.timeToAgreementMs === undefined ? [] : [negotiation.timeToAgreementMs]));
  const gains = withOpening.map((negotiation) => negotiation.finalPaymentTermsDays! - negotiation.openingPaymentTermsDays!);
  return {
    negotiations: record.negotiations,
    closed: record.closed.length,
    agreements: agreements.length,
    rounds: sum(record.closed.map((negotiation) => negotiation.rounds)),
    savingsRatio: sum(ratios),
    savingsRatioCount: ratios.length,
    timeToAgreement: sum(times),
    timeToAgreementCount: times.length,
    paymentTermsGain: sum(gains),
    paymentTermsGainCount: gains.length,
  };
}

async function syncNegotiationFigures(ctx: MutationCtx, quote: Doc<"quotes">, record: QuoteRecord): Promise<void> {
  const namespace = quote.workspaceId;
  const figures = negotiationFigures(record);
  for (const measure of NEGOTIATION_MEASURES) {
    const item = { namespace, key: [measure, quote._creationTime] as [NegotiationMeasure, number], id: negotiationItemId(quote._id, measure) };
    // A sum of zero is no item: a gain of 0 days still counts in its mean through the "…Count" measure.
    if (figures[measure] === 0) await quoteNegotiations.deleteIfExists(ctx, item);
    else await quoteNegotiations.replaceOrInsert(ctx, item, { namespace, key: item.key, sumValue: figures[measure] });
  }
}

/** A quote deleted: out of every aggregate. */
async function forgetQuote(ctx: MutationCtx, quote: Doc<"quotes">): Promise<void> {
  const namespace = quote.workspaceId;
  await quoteDeals.deleteIfExists(ctx, { namespace, key: quote._creationTime, id: quote._id });
  for (const measure of SAVINGS_MEASURES) {
    await quoteSavings.deleteIfExists(ctx, { namespace, key: [currencyOf(quote), measure, quote._creationTime], id: savingsItemId(quote._id, measure) });
  }
  for (const measure of NEGOTIATION_MEASURES) {
    await quoteNegotiations.deleteIfExists(ctx, { namespace, key: [measure, quote._creationTime], id: negotiationItemId(quote._id, measure) });
  }
}

export const quoteOutcomeTrigger: Trigger<MutationCtx, DataModel, "quotes"> = async (ctx, change) => {
  if (change.operation === "delete") await forgetQuote(ctx, change.oldDoc);
  else if (change.operation === "insert") {
    // A requested quote is queued, with no deal yet; only a quote written as already decided has one.
    if (DECIDED.includes(change.newDoc.status)) await syncQuoteOutcome(ctx, change.newDoc);
  } else if (
    change.oldDoc.status !== change.newDoc.status ||
    change.oldDoc.recommendation?.negotiationId !== change.newDoc.recommendation?.negotiationId
  ) {
    await syncQuoteOutcome(ctx, change.newDoc);
  }
};

/** What of a negotiation the quote's figures read: whether it is closed, and whether it agreed. */
const standing = (negotiation: Doc<"negotiations">) => `${isTerminalNegotiation(negotiation.status)}:${negotiation.status === "accepted"}`;

export const negotiationOutcomeTrigger: Trigger<MutationCtx, DataModel, "negotiations"> = async (ctx, change) => {
  // Until it closes a negotiation counts only as one; its rounds, offers and times are fixed by then.
  if (change.operation === "update" && standing(change.oldDoc) === standing(change.newDoc)) return;
  const quote = await ctx.db.get((change.newDoc ?? change.oldDoc)!.quoteId);
  if (!quote) return;
  if (change.operation === "insert" && quote.status === "queued") {
    // A quote being requested (one insert per supplier): only its count moves, and its
    // first status change re-derives everything else.
    const count = (await negotiationsOfQuote(ctx, quote._id)).length;
    const item = { namespace: quote.workspaceId, key: ["negotiations", quote._creationTime] as [NegotiationMeasure, number], id: negotiationItemId(quote._id, "negotiations") };
    await quoteNegotiations.replaceOrInsert(ctx, item, { namespace: item.namespace, key: item.key, sumValue: count });
    return;
  }
  await syncQuoteOutcome(ctx, quote);
};

/**
 * Adds one page of existing quotes to the aggregates (idempotent); the cursor
 * of the next page, or null when done. A quote costs its record's reads (as in
 * the insights, up to eight) and a few aggregate writes: 25 a page stays far
 * inside a transaction's limits.
 */
export async function backfillQuoteCountsPage(ctx: MutationCtx, cursor: string | null, numItems = 25): Promise<string | null> {
  const page = await ctx.db.query("quotes").paginate({ cursor, numItems });
  for (const quote of page.page) {
    await quoteCounts.insertIfDoesNotExist(ctx, quote);
    await syncQuoteOutcome(ctx, quote);
  }
  return page.isDone ? null : page.continueCursor;
}
