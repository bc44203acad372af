import type { Doc, Id } from "../../../convex/_generated/dataModel.js";
import { supplierProfileOf, TERMINAL_NEGOTIATION_STATUSES, type Move, type NegotiationSetup, type OfferRecord } from "../../negotiation/index.js";
import type { NegotiationState, QuoteState } from "../convex-transport.js";

// Reading a negotiation as Convex holds it: the engine's setup and history, and
// where an interrupted run left off. Everything a resumed run needs is here, so
// that it writes the same seq for the same message as an uninterrupted run.

export const TERMINAL = new Set<Doc<"negotiations">["status"]>(TERMINAL_NEGOTIATION_STATUSES);

/**
 * The simulation's setup: the supplier's public profile (what the brand side
 * gets, through `brandView`) and its persona (read only by the supplier's turn).
 */
export function setupFor(quote: Doc<"quotes">, negotiation: NegotiationState): NegotiationSetup {
  return {
    lineItems: quote.lineItems,
    priorities: quote.priorities,
    guardrails: quote.guardrails,
    supplier: { ...supplierProfileOf(negotiation.supplierId, negotiation.supplier), persona: negotiation.supplier.persona },
    maxRounds: negotiation.maxRounds,
    seed: quote.seed,
  };
}

/** What a negotiation came to, as the evaluation and the workflow's result report it. */
export function termsOutcome(negotiation: Pick<NegotiationState, "offers" | "currentTerms">, status: NegotiationState["status"]) {
  const { offers } = negotiation;
  return {
    rounds: offers.length,
    openingTerms: offers.find((o) => o.offeredBy === "supplier")?.terms,
    finalTerms: status === "accepted" ? (offers.find((o) => o.status === "accepted")?.terms ?? negotiation.currentTerms) : undefined,
  };
}

const historyOf = (offers: Doc<"offers">[]): OfferRecord[] =>
  offers.map((o) => ({ round: o.round, offeredBy: o.offeredBy, terms: o.terms }));

const AI_SENDERS = new Set(["brand", "supplier"]);

/**
 * The next AI turn: which seq it writes and which offers it answers. Three
 * interrupted states are recognised:
 * - an AI message left `streaming`: the turn is redone at that seq (its text is
 *   regenerated identically; an offer it already recorded is reused);
 * - an AI closing message (acceptance, rejection) that is complete while the
 *   status did not follow: only the status is applied;
 * - otherwise a fresh turn at `nextSeq`.
 */
export interface PlannedTurn {
  seq: number;
  history: OfferRecord[];
  /** Set when the message is already complete and only the closing status is missing. */
  closeOnly?: { kind: "acceptance" | "rejection"; offerId?: Id<"offers"> };
}

export function planTurn(negotiation: NegotiationState): PlannedTurn {
  const { messages, offers } = negotiation;
  const nextSeq = Math.max(negotiation.nextSeq, messages.length ? messages[messages.length - 1]!.seq + 1 : 0);
  // A live supplier's person may write while the brand's answer streams; if its
  // worker died then, the answer is still the turn to redo, under their words.
  let end = messages.length;
  while (end > 0 && messages[end - 1]!.sender === "contact" && messages[end - 1]!.kind === "text") end--;
  const last = messages[end - 1]?.state === "streaming" ? messages[end - 1] : messages[messages.length - 1];
  const history = historyOf(offers);
  if (last && AI_SENDERS.has(last.sender) && last.state === "streaming") {
    const lastOffer = offers[offers.length - 1];
    const referenced = lastOffer && messages.some((m) => m.offerId === lastOffer._id);
    if (lastOffer && !referenced && lastOffer.offeredBy === last.sender) {
      return { seq: last.seq, history: history.slice(0, -1) };
    }
    return { seq: last.seq, history };
  }
  if (last && AI_SENDERS.has(last.sender) && last.state === "complete" && (last.kind === "acceptance" || last.kind === "rejection")) {
    return { seq: nextSeq, history, closeOnly: { kind: last.kind, offerId: last.offerId } };
  }
  return { seq: nextSeq, history };
}

export function findNegotiation(state: QuoteState, negotiationId: Id<"negotiations">): NegotiationState {
  const found = state.negotiations.find((n) => n._id === negotiationId);
  if (!found) throw new Error(`negotiation ${negotiationId} is not part of quote ${state.quote._id}`);
  return found;
}

export const messageKindOf = (move: Move): "offer" | "acceptance" | "rejection" =>
  move.kind === "offer" ? "offer" : move.kind === "accept" ? "acceptance" : "rejection";
