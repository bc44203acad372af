import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { negotiationsOfQuote } from "./negotiations";
import { isTerminalNegotiation, type QuoteStatus } from "./status";

// How well Parley negotiates, over the latest quotes. The deal rate counts
// quotes: a quote is a deal when one of its suppliers agreed; cancelled quotes
// are counted on their own, not as lost deals. Savings and payment terms
// are measured against each supplier's opening offer: what the brand would have
// got without negotiating.

export const INSIGHTS_QUOTE_LIMIT = 500;

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

/** Quotes whose negotiations are over and were not called off: the deal rate's denominator. */
const DECIDED: QuoteStatus[] = ["completed", "awarded", "failed"];

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

async function closedNegotiation(ctx: QueryCtx, negotiation: Doc<"negotiations">): Promise<ClosedNegotiation> {
  const agreed = negotiation.status === "accepted";
  const result: ClosedNegotiation = { agreed, rounds: negotiation.currentRound };
  if (!agreed || !negotiation.currentOfferId) return result;
  const accepted = await ctx.db.get(negotiation.currentOfferId);
  if (!accepted) return result;
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

export async function loadInsights(ctx: QueryCtx, workspaceId: Id<"workspaces">): Promise<InsightsSummary> {
  const quotes = await ctx.db
    .query("quotes")
    .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
    .order("desc")
    .take(INSIGHTS_QUOTE_LIMIT);
  let negotiationCount = 0;
  const closed: ClosedNegotiation[] = [];
  const tallies: QuoteTally[] = [];
  for (const quote of quotes) {
    let agreed = false;
    for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
      negotiationCount++;
      agreed ||= negotiation.status === "accepted";
      // A cancelled quote's negotiations were called off, not lost: they stay out of the means.
      if (quote.status !== "cancelled" && isTerminalNegotiation(negotiation.status)) closed.push(await closedNegotiation(ctx, negotiation));
    }
    tallies.push({ status: quote.status, agreed });
  }
  return summarise(tallies, negotiationCount, closed);
}
