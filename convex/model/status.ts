import type { Infer } from "convex/values";
import type { negotiationOutcome, negotiationStatus, quoteStatus } from "../schema";
import { isTerminalNegotiationStatus, TERMINAL_NEGOTIATION_STATUSES, type TerminalNegotiationStatus } from "../../src/negotiation";
import { fail } from "./errors";

// The explicit state machines of a negotiation and a quote. Anything not listed
// here is refused with CONFLICT.

export type NegotiationStatus = Infer<typeof negotiationStatus>;
export type NegotiationOutcome = Infer<typeof negotiationOutcome>;
export type QuoteStatus = Infer<typeof quoteStatus>;

export const NEGOTIATION_STATUSES: NegotiationStatus[] = [
  "pending",
  "active",
  "paused",
  "accepted",
  "rejected",
  "impasse",
  "expired",
  "failed",
];

// Compiles only while the schema knows every terminal status.
const TERMINAL: readonly NegotiationStatus[] = TERMINAL_NEGOTIATION_STATUSES;
const CLOSED = Object.fromEntries(TERMINAL.map((status) => [status, [] as NegotiationStatus[]])) as Record<TerminalNegotiationStatus, NegotiationStatus[]>;

/** Where an open negotiation may go; a terminal one (src/negotiation's list) goes nowhere. */
export const NEGOTIATION_TRANSITIONS: Record<NegotiationStatus, NegotiationStatus[]> = {
  pending: ["active", "rejected", "expired", "failed"],
  active: ["paused", "accepted", "rejected", "impasse", "expired", "failed"],
  paused: ["active", "accepted", "rejected", "impasse", "expired", "failed"],
  ...CLOSED,
};

export const QUOTE_STATUSES: QuoteStatus[] = [
  "queued",
  "negotiating",
  "completed",
  "awarded",
  "cancelled",
  "failed",
];

export const QUOTE_TRANSITIONS: Record<QuoteStatus, QuoteStatus[]> = {
  queued: ["negotiating", "cancelled", "failed"],
  negotiating: ["completed", "awarded", "cancelled", "failed"],
  completed: ["awarded", "cancelled"],
  awarded: [],
  cancelled: [],
  failed: [],
};

/** The outcome a closing status records unless the caller says otherwise. */
export const DEFAULT_OUTCOME: Partial<Record<NegotiationStatus, NegotiationOutcome>> = {
  accepted: "agreement",
  rejected: "walked_away",
  impasse: "impasse",
  expired: "expired",
  failed: "failed",
};

export function isTerminalNegotiation(status: NegotiationStatus): boolean {
  return isTerminalNegotiationStatus(status);
}

export function canTransitionNegotiation(from: NegotiationStatus, to: NegotiationStatus): boolean {
  return NEGOTIATION_TRANSITIONS[from].includes(to);
}

export function canTransitionQuote(from: QuoteStatus, to: QuoteStatus): boolean {
  return QUOTE_TRANSITIONS[from].includes(to);
}

export function assertNegotiationTransition(from: NegotiationStatus, to: NegotiationStatus): void {
  if (!canTransitionNegotiation(from, to)) {
    fail("CONFLICT", `A negotiation cannot go from "${from}" to "${to}"`, "status");
  }
}

export function assertQuoteTransition(from: QuoteStatus, to: QuoteStatus): void {
  if (!canTransitionQuote(from, to)) {
    fail("CONFLICT", `A quote cannot go from "${from}" to "${to}"`, "status");
  }
}
