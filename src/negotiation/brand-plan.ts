// What every brand strategy produces for its turn, and the helpers they share.
// Brand code takes a BrandSetup: the supplier's profile, never its persona.

import type { BrandContext, BrandSetup, OfferRecord } from "./setup-types.js";
import type { Terms } from "./types.js";
import { brandUtility, withinGuardrails } from "./utility.js";

export interface BrandPlan {
  terms: Terms;
  reasoning: string;
  confidence: number;
  /** Accept the supplier's standing offer when it is worth at least this to the brand (AC_next). */
  acceptThreshold: number;
  /** Predicted probability that the supplier accepts `terms`, when the strategy models it. */
  acceptanceProbability?: number;
}

export type BrandStrategy = (setup: BrandSetup, history: OfferRecord[], round: number) => BrandPlan;

/** Brand utility of terms from this supplier (its public quality score counts). */
export function brandValue(setup: BrandSetup, terms: Terms): number {
  return brandUtility(terms, setup, setup.supplier.qualityScore);
}

/** The supplier's quotes so far, in order. */
export function supplierOffers(history: OfferRecord[]): OfferRecord[] {
  return history.filter((h) => h.offeredBy === "supplier");
}

/** The best supplier quote so far that the brand could accept, by brand utility. */
export function bestAcceptableQuote(setup: BrandSetup, history: OfferRecord[]): { terms: Terms; utility: number } | undefined {
  let best: { terms: Terms; utility: number } | undefined;
  for (const offer of supplierOffers(history)) {
    if (!withinGuardrails(offer.terms, setup.lineItems, setup.guardrails)) continue;
    const utility = brandValue(setup, offer.terms);
    if (!best || utility > best.utility) best = { terms: offer.terms, utility };
  }
  return best;
}

/** Clamps terms into the brand's guardrails, issue by issue (prices rounded down to the cent). */
export function clampToGuardrails(terms: Terms, ctx: BrandContext): Terms {
  return {
    lines: ctx.lineItems.map((item) => {
      const line = terms.lines.find((l) => l.sku === item.sku);
      const price = Math.min(line?.unitPrice ?? item.maxUnitPrice, item.maxUnitPrice);
      return { sku: item.sku, quantity: item.quantity, unitPrice: Math.floor(price * 100 + 1e-6) / 100 };
    }),
    leadTimeDays: Math.min(Math.round(terms.leadTimeDays), Math.floor(ctx.guardrails.maxLeadTimeDays)),
    paymentTermsDays: Math.max(Math.round(terms.paymentTermsDays), Math.ceil(ctx.guardrails.minPaymentTermsDays)),
  };
}
