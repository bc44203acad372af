import type { Doc } from "../../../convex/_generated/dataModel.js";
import type { Move, OfferRecord } from "../../negotiation/index.js";
import { describeTerms, withinGuardrails } from "../../negotiation/index.js";
import type { NegotiationSetup } from "../../negotiation/index.js";
import { encodeBrief, termsSchema, type TurnBrief } from "../models/turn-brief.js";
import { supplierInstructions } from "../agents/supplier-agent.js";
import type { NegotiationState } from "../convex-transport.js";

// The prompt of one turn: the engine's decision in words for an LLM, and the
// same decision as a brief the scripted model reads. Then the check of what
// came back: numbers by code, whatever the model wrote.

export function briefFor(move: Move, setup: NegotiationSetup, negotiation: NegotiationState, quote: Doc<"quotes">, history: OfferRecord[], seq: number): TurnBrief {
  const standing = history[history.length - 1];
  return {
    party: move.party,
    move: move.kind,
    round: move.round,
    maxRounds: setup.maxRounds,
    terms: move.kind === "impasse" ? undefined : move.terms,
    standing: standing && standing.offeredBy !== move.party ? standing.terms : undefined,
    supplierName: negotiation.supplier.name,
    style: negotiation.supplier.persona.concession,
    tagline: negotiation.supplier.profile.tagline,
    products: Object.fromEntries(quote.lineItems.map((l) => [l.sku, l.name])),
    notes: quote.notes,
    seed: quote.seed,
    seq,
  };
}

export function promptFor(brief: TurnBrief, negotiation: NegotiationState): string {
  const recent = negotiation.messages
    .filter((m) => m.state === "complete")
    .slice(-4)
    .map((m) => `${m.sender}: ${m.content}`)
    .join("\n");
  const decision =
    brief.move === "offer"
      ? `Offer exactly these terms: ${describeTerms(brief.terms!)}.`
      : brief.move === "accept"
        ? `Accept the other side's offer: ${describeTerms(brief.terms!)}.`
        : "Decline politely: no agreement is possible on the terms on the table.";
  return [
    `Round ${brief.round} of at most ${brief.maxRounds}. You speak for the ${brief.party === "brand" ? "brand" : `supplier ${brief.supplierName}`}.`,
    recent ? `Conversation so far:\n${recent}` : "This is the first message of the negotiation.",
    decision,
    "Write only the message.",
    encodeBrief(brief),
  ].join("\n\n");
}

export function instructionsFor(party: "brand" | "supplier", negotiation: NegotiationState): string | undefined {
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
export function reconcileModelTerms(text: string, move: Move, setup: NegotiationSetup): { text: string; replacedByEngine?: string } {
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
