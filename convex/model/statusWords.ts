import type { NegotiationStatus, QuoteStatus } from "./status";

// The words each status is shown with, the one wording the dashboard's badges
// use. A negotiation that reached agreement holds the supplier's final offer
// until the brand awards the quote: it is not an order, and is never shown as
// "accepted".
export const STATUS_LABELS: Record<NegotiationStatus | QuoteStatus, string> = {
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
  cancelled: "Cancelled",
};
