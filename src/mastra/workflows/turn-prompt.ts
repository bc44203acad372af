import type { Doc } from "../../../convex/_generated/dataModel.js";
import type { BrandContext, BrandSetup, Move, NegotiationSetup, OfferRecord } from "../../negotiation/index.js";
import { brandView, describeTerms, withinGuardrails } from "../../negotiation/index.js";
import { encodeBrief, termsSchema, type TurnBrief } from "../models/turn-brief.js";
import { currencyOf } from "../../../convex/model/currency.js";
import { supplierInstructions } from "../agents/supplier-agent.js";
import type { NegotiationState } from "../convex-transport.js";

// The prompt of one turn: the engine's decision in words for an LLM, and the
// same decision as a brief the scripted model reads. Then the check of what
// came back: numbers by code, whatever the model wrote.
//
// A brand turn's prompt is built from the brand's side only (a BrandSetup: the
// supplier's public profile, no persona), so it cannot carry the supplier's
// floor or style; only the simulated supplier's own turn speaks in its persona.

type BriefQuote = Pick<Doc<"quotes">, "lineItems" | "notes" | "seed" | "currency">;

/** What both sides' briefs carry: the decision, the standing offer, public names. */
function publicBrief(move: Move, setup: BrandSetup, history: OfferRecord[]) {
  const standing = history[history.length - 1];
  return {
    party: move.party,
    move: move.kind,
    round: move.round,
    maxRounds: setup.maxRounds,
    terms: move.kind === "impasse" ? undefined : move.terms,
    standing: standing && standing.offeredBy !== move.party ? standing.terms : undefined,
    supplierName: setup.supplier.name,
  };
}

function quoteBrief(quote: BriefQuote, seq: number) {
  return {
    products: Object.fromEntries(quote.lineItems.map((l) => [l.sku, l.name])),
    currency: currencyOf(quote),
    notes: quote.notes,
    seed: quote.seed,
    seq,
  };
}

/** A brand turn's brief: from the brand's view alone (no persona field is reachable). */
export function brandBrief(move: Move, view: BrandSetup, quote: BriefQuote, history: OfferRecord[], seq: number): TurnBrief {
  return { ...publicBrief(move, view, history), tagline: view.supplier.tagline, ...quoteBrief(quote, seq) };
}

/** A simulated supplier's brief: also its concession style, which picks its voice. */
function supplierBrief(move: Move, setup: NegotiationSetup, quote: BriefQuote, history: OfferRecord[], seq: number): TurnBrief {
  return {
    ...publicBrief(move, setup, history),
    style: setup.supplier.persona.concession,
    tagline: setup.supplier.tagline,
    ...quoteBrief(quote, seq),
  };
}

/**
 * The brief of one turn. A brand move gets `brandBrief` of `brandView(setup)`;
 * only a supplier move reads the persona. (`_negotiation` is unused: the setup
 * carries the supplier's profile and persona.)
 */
export function briefFor(move: Move, setup: NegotiationSetup, _negotiation: unknown, quote: BriefQuote, history: OfferRecord[], seq: number): TurnBrief {
  return move.party === "brand" ? brandBrief(move, brandView(setup), quote, history, seq) : supplierBrief(move, setup, quote, history, seq);
}

/** The turn's prompt: the last messages of the conversation (what both sides saw), the decision, the brief. */
export function promptFor(brief: TurnBrief, negotiation: Pick<NegotiationState, "messages">): string {
  const recent = negotiation.messages
    .filter((m) => m.state === "complete")
    .slice(-4)
    .map((m) => `${m.sender}: ${m.content}`)
    .join("\n");
  const decision =
    brief.move === "offer"
      ? `Offer exactly these terms: ${describeTerms(brief.terms!, currencyOf(brief))}.`
      : brief.move === "accept"
        ? `Accept the other side's offer: ${describeTerms(brief.terms!, currencyOf(brief))}.`
        : "Decline politely: no agreement is possible on the terms on the table.";
  return [
    `Round ${brief.round} of at most ${brief.maxRounds}. You speak for the ${brief.party === "brand" ? "brand" : `supplier ${brief.supplierName}`}.`,
    recent ? `Conversation so far:\n${recent}` : "This is the first message of the negotiation.",
    decision,
    `State every amount in ${currencyOf(brief)}, as written above.`,
    "Write only the message.",
    encodeBrief(brief),
  ].join("\n\n");
}

/** The brand agent keeps its own instructions (none per turn); the simulated supplier speaks in its persona's voice. */
export function instructionsFor(party: "brand" | "supplier", negotiation: Pick<NegotiationState, "supplier">): string | undefined {
  if (party === "brand") return undefined;
  const { name, profile, persona } = negotiation.supplier;
  return supplierInstructions({ name, tagline: profile.tagline, description: profile.description, style: persona.concession });
}

/**
 * A model may append terms of its own as JSON (LLMs sometimes do when asked to
 * negotiate). They are validated with zod and against the guardrails; unless
 * they equal the engine's decision they are dropped from the message and the
 * reason is returned for the message metadata. The engine's terms always stand.
 */
export function reconcileModelTerms(text: string, move: Move, setup: BrandContext): { text: string; replacedByEngine?: string } {
  const match = /```(?:json)?\s*(\{[\s\S]*\})\s*```|(\{[\s\S]*"lines"[\s\S]*\})\s*$/.exec(text);
  if (!match) return { text };
  const cleaned = text.slice(0, match.index).trimEnd();
  let reason: string | undefined;
  try {
    const raw = JSON.parse(match[1] ?? match[2]!);
    const parsed = termsSchema.safeParse(raw?.terms ?? raw);
    if (!parsed.success) reason = `malformed terms from the model: ${parsed.error.issues[0]?.message ?? "invalid"}`;
    else if (move.party === "brand" && !withinGuardrails(parsed.data, setup.lineItems, setup.guardrails)) {
      reason = "the model's terms were outside the guardrails";
    } else if (move.kind === "impasse" || JSON.stringify(parsed.data) !== JSON.stringify(move.terms)) {
      reason = "the model's terms differed from the engine's decision";
    }
  } catch {
    reason = "malformed JSON from the model";
  }
  return { text: cleaned || text, replacedByEngine: reason };
}
