import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { negotiationsOfQuote } from "./negotiations";
import { isTerminalNegotiation } from "./status";

// How well Parley negotiates, over the latest quotes. Savings and payment terms
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

export type InsightsSummary = {
  quotes: number;
  negotiations: number;
  closedNegotiations: number;
  agreements: number;
  /** Agreements over closed negotiations, 0–1; null with nothing closed. */
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

export function summarise(quotes: number, negotiations: number, closed: ClosedNegotiation[]): InsightsSummary {
  const agreements = closed.filter((negotiation) => negotiation.agreed);
  const withOpening = agreements.filter(
    (negotiation) => negotiation.openingTotal !== undefined && negotiation.finalTotal !== undefined,
  );
  return {
    quotes,
    negotiations,
    closedNegotiations: closed.length,
    agreements: agreements.length,
    dealRate: closed.length === 0 ? null : agreements.length / closed.length,
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
  for (const quote of quotes) {
    for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
      negotiationCount++;
      if (isTerminalNegotiation(negotiation.status)) closed.push(await closedNegotiation(ctx, negotiation));
    }
  }
  return summarise(quotes.length, negotiationCount, closed);
}
