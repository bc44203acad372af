// The engine's own shapes on top of the shared contract in types.ts: what a
// negotiation is run from (setup), what it produces (moves, results, metrics).

import type {
  Guardrails,
  LineItem,
  NegotiationOutcome,
  Party,
  Priorities,
  SupplierProfile,
  SupplierSpec,
  Terms,
} from "./types.js";

/** The brand strategies the engine can play: Parley's own and the baselines. */
export type BrandStrategyName = "parley" | "boulware" | "linear" | "conceder" | "split_difference";

export const BRAND_STRATEGY_NAMES: readonly BrandStrategyName[] = [
  "parley",
  "boulware",
  "linear",
  "conceder",
  "split_difference",
];

export const DEFAULT_MAX_ROUNDS = 8;

/** What the brand knows about its own quote: enough to score any terms. */
export interface BrandContext {
  lineItems: LineItem[];
  priorities: Priorities;
  guardrails: Guardrails;
}

/**
 * The brand side's input: its own quote, the supplier's public profile and the
 * protocol's parameters. Everything the brand strategies, the AI assist and
 * the evaluation decide from; it has no persona, so brand code cannot read the
 * supplier's floor, costs or style.
 */
export interface BrandSetup extends BrandContext {
  supplier: SupplierProfile;
  /** Offers allowed in total, the supplier's opening quote included. */
  maxRounds: number;
  seed: number;
  /** Defaults to "parley". */
  brandStrategy?: BrandStrategyName;
}

/**
 * Everything one simulated brand–supplier negotiation is a function of: the
 * brand's setup plus the supplier's hidden persona. Only the protocol (which
 * plays both sides, and hands the brand `brandView(setup)`), the supplier
 * strategy and the metrics take it.
 */
export interface NegotiationSetup extends BrandSetup {
  supplier: SupplierSpec;
}

export interface OfferRecord {
  round: number;
  offeredBy: Party;
  terms: Terms;
}

export type Move =
  | { kind: "offer"; party: Party; round: number; terms: Terms; reasoning: string; confidence: number }
  | { kind: "accept"; party: Party; round: number; terms: Terms; reasoning: string }
  | { kind: "impasse"; party: Party; round: number; reasoning: string };

export interface NegotiationMetrics {
  outcome: NegotiationOutcome;
  /** Offers made, the opening quote included. */
  rounds: number;
  /** Whether any terms exist that both sides could accept. */
  zoneOfAgreement: boolean;
  /** Brand utility of the final terms (0 without agreement). */
  brandUtility: number;
  /** Supplier utility of the final terms (0 without agreement). */
  supplierUtility: number;
  /** Total price saved against the supplier's opening quote, percent (0 without agreement). */
  savingsVsOpeningPct: number;
  /** Total price saved against list price, percent (0 without agreement). */
  savingsVsListPct: number;
  /** Payment terms days gained over the supplier's opening quote. */
  paymentTermsGainDays: number;
  /** Lead time days cut from the supplier's opening quote. */
  leadTimeGainDays: number;
  /** Euclidean distance in (brand, supplier) utility to the Pareto frontier; undefined without agreement. */
  paretoDistance?: number;
  /** Euclidean distance in (brand, supplier) utility to the Nash point; undefined without agreement. */
  nashDistance?: number;
}

export interface NegotiationResult {
  supplier: SupplierSpec;
  brandStrategy: BrandStrategyName;
  /** Every move, the final accept or impasse included. */
  moves: Move[];
  offers: OfferRecord[];
  outcome: "agreement" | "impasse";
  finalTerms?: Terms;
  openingTerms?: Terms;
  acceptedBy?: Party;
  rounds: number;
  metrics: NegotiationMetrics;
}
