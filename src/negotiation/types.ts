// The shared vocabulary of a negotiation. convex/schema.ts mirrors these shapes
// with Convex validators; keep the two in step.

/** The brand's weights across issues: non-negative, normalised to sum to 1. */
export interface Priorities {
  price: number;
  leadTime: number;
  paymentTerms: number;
  quality: number;
}

/** One product the brand asks for, with its price limits. */
export interface LineItem {
  sku: string;
  name: string;
  quantity: number;
  /** The catalog price per unit. */
  listPrice: number;
  /** What the brand hopes to pay per unit. */
  targetUnitPrice: number;
  /** Hard limit: never agree above this per unit (a guardrail). */
  maxUnitPrice: number;
}

/** The brand's hard limits besides each line's maxUnitPrice. */
export interface Guardrails {
  maxLeadTimeDays: number;
  minPaymentTermsDays: number;
}

export interface TermsLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** One set of terms: what an offer proposes. */
export interface Terms {
  lines: TermsLine[];
  leadTimeDays: number;
  paymentTermsDays: number;
}

export type Party = "brand" | "supplier";

export type ConcessionStyle = "boulware" | "linear" | "conceder" | "tit_for_tat";

/**
 * A simulated supplier's private parameters (the `suppliers.persona` field):
 * its costs, floor, concession style and limits. Only the simulated supplier
 * (and the metrics of the bench) may read them; the brand's code takes a
 * `SupplierProfile`, which has no persona. New personas are data, not code.
 */
export interface SupplierPersona {
  concession: ConcessionStyle;
  /** Exponent e of the aspiration curve 1 - t^(1/e): e < 1 Boulware, 1 linear, e > 1 conceder. */
  concessionExponent: number;
  /** Unit cost as a fraction of the list price. */
  unitCostRatio: number;
  /** Opening unit price as a multiple of the list price. */
  openingMarkup: number;
  /** Lowest acceptable margin over unit cost (0.05 = 5%). */
  reservationMargin: number;
  /** How much the supplier cares about each issue (sums to 1). */
  weights: { price: number; leadTime: number; paymentTerms: number };
  /** Normal and fastest possible lead time. */
  leadTimeDays: { standard: number; fastest: number };
  /** Extra cost per day faster than standard, as a fraction of unit cost. */
  expediteCostPerDay: number;
  /** Payment terms it proposes and the longest it will ever give. */
  paymentTermsDays: { preferred: number; max: number };
  /** Yearly cost of capital: the price of waiting to be paid. */
  annualFinancingRate: number;
  /** Most units it can deliver per line item. */
  capacityPerLine: number;
  /**
   * Quality score 0–1. The one public field: it mirrors the profile's
   * `qualityScore`, which is what the brand's utility reads.
   */
  qualityScore: number;
}

/**
 * What the brand may know about a supplier: who it is and what it publishes.
 * Brand strategies, the AI assist and the evaluation take this, never a persona.
 */
export interface SupplierProfile {
  id: string;
  name: string;
  location?: string;
  /** Quality score 0–1, public; used in the brand's utility. */
  qualityScore: number;
  tagline?: string;
  description?: string;
}

/**
 * A simulated supplier: its public profile and its hidden persona. Only the
 * simulation (the protocol, the supplier strategy) and the metrics read it.
 */
export interface SupplierSpec extends SupplierProfile {
  persona: SupplierPersona;
}

export type NegotiationOutcome = "agreement" | "impasse" | "walked_away" | "expired" | "failed";

/**
 * The statuses of a negotiation that never change again (convex/schema.ts's
 * negotiationStatus holds them all). The one list: Convex's state machine, the
 * workflow and the dashboard all read it.
 */
export const TERMINAL_NEGOTIATION_STATUSES = ["accepted", "rejected", "impasse", "expired", "failed"] as const;

export type TerminalNegotiationStatus = (typeof TERMINAL_NEGOTIATION_STATUSES)[number];

export function isTerminalNegotiationStatus(status: string): status is TerminalNegotiationStatus {
  return (TERMINAL_NEGOTIATION_STATUSES as readonly string[]).includes(status);
}

/** One ranked entry of a recommendation. */
export interface RankedOffer {
  supplierId: string;
  supplierName: string;
  /** Brand utility of the final terms, capped at 1 (a total below the target can score above 1; the ranking uses the uncapped value); 0 when there is no agreement. */
  score: number;
  rank: number;
  outcome: NegotiationOutcome;
  terms?: Terms;
  summary: string;
}

/** The engine's recommendation across a quote's negotiations. */
export interface Recommendation {
  /** The supplier to award, or undefined when no negotiation reached agreement. */
  supplierId?: string;
  explanation: string;
  ranking: RankedOffer[];
}
