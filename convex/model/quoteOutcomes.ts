import type { Trigger } from "convex-helpers/server/triggers";
import type { DataModel, Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { currencyOf } from "./currency";
import { bucketStart, type QuoteRecord, quoteRecord } from "./insights";
import { negotiationsOfQuote } from "./negotiations";
import {
  DECIDED,
  figureList,
  moneyFigure,
  NEGOTIATION_MEASURES,
  type NegotiationMeasure,
  negotiationItemId,
  parseSupplierFigure,
  quoteCounts,
  quoteDeals,
  quoteLedger,
  quoteNegotiations,
  quoteSavings,
  quoteSuppliers,
  rollups,
  SAVINGS_MEASURES,
  type SavingsMeasure,
  type SupplierFigure,
  savingsItemId,
  supplierFigure,
  supplierItemId,
  writeSeriesItem,
} from "./quoteCounts";
import { isTerminalNegotiation } from "./status";

// What a quote came to, in the aggregates of model/quoteCounts.ts: whether it
// is a decided quote with an agreement (quoteDeals), its deal's money
// (quoteSavings), what its negotiations add up to (quoteNegotiations), and
// what it adds to the charts and the supplier table (quoteSeries,
// quoteSuppliers: syncQuoteFigures below).
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
  await syncQuoteFigures(ctx, quote, record);

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
  await syncQuoteFigures(ctx, quote, null);
}

export const quoteOutcomeTrigger: Trigger<MutationCtx, DataModel, "quotes"> = async (ctx, change) => {
  if (change.operation === "delete") await forgetQuote(ctx, change.oldDoc);
  else if (change.operation === "insert") {
    // A requested quote is queued, with no deal yet; only a quote written as already decided has one.
    // Either way it counts in its day's and month's charts.
    if (DECIDED.includes(change.newDoc.status)) await syncQuoteOutcome(ctx, change.newDoc);
    else await syncQuoteFigures(ctx, change.newDoc, await quoteRecord(ctx, change.newDoc));
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
 * of the next page, or null when done. A decided quote seen for the first
 * time costs its record's reads and some twenty aggregate writes (about
 * 220 index ranges read, measured with three suppliers): 10 a page stay well
 * inside a transaction's 4,096.
 */
export async function backfillQuoteCountsPage(ctx: MutationCtx, cursor: string | null, numItems = 10): Promise<string | null> {
  const page = await ctx.db.query("quotes").paginate({ cursor, numItems });
  for (const quote of page.page) {
    await quoteCounts.insertIfDoesNotExist(ctx, quote);
    await syncQuoteOutcome(ctx, quote);
  }
  return page.isDone ? null : page.continueCursor;
}

// ---------------------------------------------------------------------------
// The charts' and supplier table's figures (model/quoteCounts.ts quoteSeries,
// quoteSuppliers).

/**
 * What the quote adds to the charts of its day and month (SERIES_FIGURES, and
 * its deal's money per currency) and to each supplier's row, as the report
 * adds them up (model/insights.ts bucketsOf, suppliersOf); figures at zero
 * are left out.
 */
export function quoteFigures(quote: Doc<"quotes">, record: QuoteRecord): Map<string, number> {
  const figures = new Map<string, number>();
  const add = (figure: string, amount: number) => {
    if (amount !== 0) figures.set(figure, (figures.get(figure) ?? 0) + amount);
  };
  const decided = DECIDED.includes(quote.status);
  add("quotes", 1);
  add("decided", decided ? 1 : 0);
  add("cancelled", quote.status === "cancelled" ? 1 : 0);
  add("withDeal", decided && record.agreed ? 1 : 0);
  const negotiations = negotiationFigures(record);
  for (const measure of ["closed", "rounds", "timeToAgreement", "timeToAgreementCount"] as const) add(measure, negotiations[measure]);
  const deal = record.deal;
  if (deal) {
    const currency = currencyOf(quote);
    add(moneyFigure("deals", currency), 1);
    if (deal.openingTotal !== undefined) {
      add(moneyFigure("opening", currency), deal.openingTotal);
      add(moneyFigure("openingDeal", currency), deal.total);
    }
    if (deal.listTotal !== undefined) {
      add(moneyFigure("list", currency), deal.listTotal);
      add(moneyFigure("listDeal", currency), deal.total);
    }
    add(supplierFigure(deal.supplierId, "deals"), 1);
  }
  for (const negotiation of record.closed) {
    const supplier = (figure: SupplierFigure, amount: number) => add(supplierFigure(negotiation.supplierId, figure), amount);
    supplier("closed", 1);
    supplier("rounds", negotiation.rounds);
    if (!negotiation.agreed) continue;
    supplier("agreements", 1);
    if (negotiation.openingTotal !== undefined && negotiation.finalTotal !== undefined && negotiation.openingTotal > 0) {
      supplier("savingsRatio", (negotiation.openingTotal - negotiation.finalTotal) / negotiation.openingTotal);
      supplier("savingsRatioCount", 1);
    }
  }
  return figures;
}

/**
 * Brings the quote's figures (none for a deleted quote) into quoteSeries and
 * quoteSuppliers: its ledger says what it added last time, and its day's and
 * month's rollups (chart and supplier figures alike) move by the difference,
 * so running it again changes nothing.
 */
export async function syncQuoteFigures(ctx: MutationCtx, quote: Doc<"quotes">, record: QuoteRecord | null): Promise<void> {
  const namespace = quote.workspaceId;
  const at = quote._creationTime;
  const ledger = await quoteLedger(ctx, namespace, quote._id, at);
  const before = ledger?.figures ?? new Map<string, number>();
  const after = new Map(record === null ? [] : figureList(quoteFigures(quote, record)));
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((figure) => (before.get(figure) ?? 0) !== (after.get(figure) ?? 0));
  if (changed.length === 0) return;
  await writeSeriesItem(ctx, namespace, ledger, "quote", at, quote._id, after);
  const moved = new Map<string, number>();
  for (const figure of changed) {
    const value = after.get(figure) ?? 0;
    moved.set(figure, value - (before.get(figure) ?? 0));
    // A supplier's figures also sit per quote in quoteSuppliers, for the part of a day a range cuts.
    const supplier = parseSupplierFigure(figure);
    if (!supplier) continue;
    const [supplierId, name] = supplier;
    const item = { namespace, key: [supplierId, name, at] as [string, SupplierFigure, number], id: supplierItemId(quote._id, supplierId, name) };
    if (value === 0) await quoteSuppliers.deleteIfExists(ctx, item);
    else await quoteSuppliers.replaceOrInsert(ctx, item, { namespace, key: item.key, sumValue: value });
  }
  for (const tag of ["day", "month"] as const) {
    const start = bucketStart(at, tag);
    const current = (await rollups(ctx, namespace, tag, start, start + 1)).get(start) ?? null;
    const figures = new Map(current?.figures ?? []);
    for (const [figure, delta] of moved) figures.set(figure, (figures.get(figure) ?? 0) + delta);
    await writeSeriesItem(ctx, namespace, current, tag, start, `${tag}:${start}`, figures);
  }
}
