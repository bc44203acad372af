import type { NegotiationOutcome, NegotiationStatus, QuoteStatus } from "./status";

// The words each status is shown with, the one wording the dashboard's badges
// use. A negotiation that reached agreement holds the supplier's final offer
// until the brand awards the quote: it is not an order, and is never shown as
// "accepted".
//
// After the award a negotiation reads by its standing, not its status alone:
// the winner "Awarded", every other final offer "Not awarded". That standing is
// derived (negotiationStanding, below) from the negotiation's status and the
// quote's award, rather than written as a status of its own: the award row
// already says which negotiation won, the state machines (status.ts) stay as
// they are, and both sides, the brand's dashboard and the supplier's portal,
// read it from the same function, the portal from what it already knows (its
// own award, or that the quote went to someone else) without learning who won.

/** A negotiation as it reads: its status, or after the award "awarded" (the winner) or "not_awarded" (another final offer). */
export type NegotiationStanding = NegotiationStatus | "awarded" | "not_awarded";

export const STATUS_LABELS: Record<NegotiationStanding | QuoteStatus, string> = {
  pending: "Pending",
  active: "Active",
  paused: "Paused",
  accepted: "Final offer",
  rejected: "Rejected",
  impasse: "Impasse",
  expired: "Expired",
  failed: "Failed",
  queued: "Queued",
  negotiating: "Negotiating",
  completed: "Completed",
  awarded: "Awarded",
  not_awarded: "Not awarded",
  cancelled: "Cancelled",
};

/**
 * The words of a negotiation's outcome where its live standing is not at
 * hand: an agreement is the supplier's final offer, as with the status.
 */
export const OUTCOME_LABELS: Record<NegotiationOutcome, string> = {
  agreement: STATUS_LABELS.accepted,
  impasse: STATUS_LABELS.impasse,
  walked_away: "Walked away",
  expired: STATUS_LABELS.expired,
  failed: STATUS_LABELS.failed,
};

/**
 * How a negotiation reads given the quote's award. `awarded`: null while the
 * quote has no award, true for the award's own negotiation, false for every
 * other. Only a final offer (accepted) becomes "not_awarded": a negotiation
 * that ended otherwise (rejected, impasse, expired, failed) keeps its own end.
 */
export function negotiationStanding(status: NegotiationStatus, awarded: boolean | null): NegotiationStanding {
  if (awarded === true) return "awarded";
  if (awarded === false && status === "accepted") return "not_awarded";
  return status;
}

/** Whether this negotiation won the quote's award: null (no award yet), true, or false (another did). */
export function awardedTo(award: { negotiationId: string } | null | undefined, negotiationId: string): boolean | null {
  return award ? award.negotiationId === negotiationId : null;
}
