// The alternating-offers protocol: the supplier quotes first, then the sides
// alternate; either may accept the other's standing offer; after maxRounds
// offers the side to move can only accept or end in impasse. A move is a pure
// function of (setup, history), so any persisted history can be resumed.
// The protocol plays both sides: the supplier's move reads the full setup (its
// persona), the brand's only `brandView(setup)`.

import { timeDependentStrategy, splitTheDifference } from "./baseline-strategies.js";
import { type BrandPlan, type BrandStrategy, brandValue, capAtAsk, dominatesForBrand, withoutRetraction } from "./brand-plan.js";
import { brandView } from "./brand-view.js";
import { computeMetrics } from "./metrics.js";
import { parleyPlan } from "./parley-strategy.js";
import type { BrandSetup, BrandStrategyName, Move, NegotiationResult, NegotiationSetup, OfferRecord } from "./setup-types.js";
import { type SupplierTactic, supplierMove } from "./supplier-strategy.js";
import { NEGMAS_EXPONENTS } from "./tactics.js";
import type { Party, Terms } from "./types.js";
import { withinGuardrails } from "./utility.js";

const BRAND_STRATEGIES: Record<BrandStrategyName, BrandStrategy> = {
  parley: parleyPlan,
  boulware: timeDependentStrategy(NEGMAS_EXPONENTS.boulware, "Boulware"),
  linear: timeDependentStrategy(NEGMAS_EXPONENTS.linear, "Linear"),
  conceder: timeDependentStrategy(NEGMAS_EXPONENTS.conceder, "Conceder"),
  split_difference: splitTheDifference,
};

/** The supplier opens; after that, whoever did not make the last offer. */
export function whoseTurn(_setup: BrandSetup, history: OfferRecord[]): Party {
  const last = history[history.length - 1];
  return !last || last.offeredBy === "brand" ? "supplier" : "brand";
}

/**
 * What the brand's strategy proposes on its turn, before the protocol's rules
 * (acceptance, the guardrail guard, the ask cap, no retraction) act on it. The
 * tournament counts guardrail violations on these.
 */
export function brandProposal(setup: BrandSetup, history: OfferRecord[]): BrandPlan {
  return BRAND_STRATEGIES[setup.brandStrategy ?? "parley"](setup, history, history.length + 1);
}

/**
 * The counter a proposal becomes on the wire, for every strategy, baselines
 * too: never a line above the supplier's standing ask (`capped`), nor a
 * concession taken back (`terms`: no counter worth more to the brand than its
 * previous one with its lines at most at the ask, none better on an issue
 * without being worse on another). The assist suggests exactly these terms.
 */
export function brandCounter(setup: BrandSetup, history: OfferRecord[], plan: BrandPlan): { capped: Terms; terms: Terms } {
  const standing = history[history.length - 1]!;
  const capped = capAtAsk(plan.terms, standing.terms, setup.lineItems);
  const previous = [...history].reverse().find((h) => h.offeredBy === "brand")?.terms;
  return { capped, terms: previous ? withoutRetraction(setup, capped, previous, standing.terms) : capped };
}

/**
 * The brand's move on its turn, from the brand's side alone: its quote, the
 * supplier's profile and the offers so far. Typed so that it cannot see a persona.
 */
export function brandMove(setup: BrandSetup, history: OfferRecord[]): Move {
  const round = history.length + 1;
  const standing = history[history.length - 1];
  if (!standing) return { kind: "impasse", party: "brand", round: 0, reasoning: "The supplier has not quoted yet." };
  const acceptable = withinGuardrails(standing.terms, setup.lineItems, setup.guardrails);
  const worth = acceptable ? brandValue(setup, standing.terms) : 0;
  if (history.length >= setup.maxRounds) {
    return acceptable
      ? { kind: "accept", party: "brand", round: history.length, terms: standing.terms, reasoning: `Last round: the supplier's offer is within the guardrails (utility ${worth.toFixed(2)}).` }
      : { kind: "impasse", party: "brand", round: history.length, reasoning: "Last round: the supplier's offer is outside the guardrails." };
  }
  const plan = brandProposal(setup, history);
  if (acceptable && worth >= plan.acceptThreshold - 1e-9) {
    return {
      kind: "accept",
      party: "brand",
      round: history.length,
      terms: standing.terms,
      reasoning: `The supplier's offer (utility ${worth.toFixed(2)}) is worth at least what countering promises (${plan.acceptThreshold.toFixed(2)}).`,
    };
  }
  // Defence in depth: a strategy bug must never put terms outside the guardrails on the wire.
  if (!withinGuardrails(plan.terms, setup.lineItems, setup.guardrails)) {
    return { kind: "impasse", party: "brand", round: history.length, reasoning: "No counter-offer inside the guardrails." };
  }
  const { capped, terms } = brandCounter(setup, history, plan);
  if (terms !== capped && acceptable && worth >= brandValue(setup, terms) - 1e-9) {
    return { kind: "accept", party: "brand", round: history.length, terms: standing.terms, reasoning: `The supplier's offer (utility ${worth.toFixed(2)}) is worth at least the brand's own counter, which keeps its earlier concessions.` };
  }
  if (dominatesForBrand(standing.terms, terms)) {
    return acceptable
      ? { kind: "accept", party: "brand", round: history.length, terms: standing.terms, reasoning: `The supplier's offer (utility ${worth.toFixed(2)}) is at least as good on every issue as the brand's counter would be.` }
      : { kind: "impasse", party: "brand", round: history.length, reasoning: "The supplier's offer beats any counter but is outside the guardrails." };
  }
  const note = (capped !== plan.terms ? " Prices capped at the supplier's own ask." : "") + (terms !== capped ? " Earlier concessions kept." : "");
  return { kind: "offer", party: "brand", round, terms, reasoning: plan.reasoning + note, confidence: plan.confidence };
}

/** The next move, for whichever side's turn it is. Pure: same (setup, history), same move. `supplierTactic`: a schedule replacing the persona's (evaluation). */
export function nextMove(setup: NegotiationSetup, history: OfferRecord[], supplierTactic?: SupplierTactic): Move {
  return whoseTurn(setup, history) === "supplier" ? supplierMove(setup, history, supplierTactic) : brandMove(brandView(setup), history);
}

/** Plays a negotiation to its end, from `options.history` when resuming (empty by default). */
export function runNegotiation(setup: NegotiationSetup, options?: { history?: OfferRecord[]; supplierTactic?: SupplierTactic }): NegotiationResult {
  const offers = [...(options?.history ?? [])];
  const moves: Move[] = [];
  // maxRounds offers plus one closing move is the most the protocol allows.
  for (let guard = 0; guard <= setup.maxRounds + 1; guard++) {
    const move = nextMove(setup, offers, options?.supplierTactic);
    moves.push(move);
    if (move.kind !== "offer") break;
    offers.push({ round: move.round, offeredBy: move.party, terms: move.terms });
  }
  return negotiationResult(setup, moves, offers);
}

/** The result of a finished negotiation, from its moves and the offers made (also for players outside this loop: the bench's LLM supplier). */
export function negotiationResult(setup: NegotiationSetup, moves: Move[], offers: OfferRecord[]): NegotiationResult {
  const last = moves[moves.length - 1]!;
  const agreed = last.kind === "accept";
  const result: Omit<NegotiationResult, "metrics"> = {
    supplier: setup.supplier,
    brandStrategy: setup.brandStrategy ?? "parley",
    moves,
    offers,
    outcome: agreed ? "agreement" : "impasse",
    finalTerms: last.kind === "accept" ? last.terms : undefined,
    openingTerms: offers.find((o) => o.offeredBy === "supplier")?.terms,
    acceptedBy: agreed ? last.party : undefined,
    rounds: offers.length,
  };
  return { ...result, metrics: computeMetrics(setup, result) };
}
