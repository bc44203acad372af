// The discretised outcome space of one negotiation, its Pareto frontier and
// Nash point (as in NegMAS/GENIUS), used to measure how good an agreement is.

import type { BrandContext } from "./setup-types.js";
import { brandPricedTerms } from "./terms.js";
import type { SupplierPersona, Terms } from "./types.js";
import { brandUtility, paymentTermsCeiling, supplierAcceptable, supplierUtility } from "./utility.js";

export interface UtilityPoint {
  brand: number;
  supplier: number;
}

export interface Outcome extends UtilityPoint {
  terms: Terms;
}

/** Up to `steps` distinct integers evenly spread over [lo, hi]. */
export function integerSteps(lo: number, hi: number, steps: number): number[] {
  const a = Math.ceil(lo);
  const b = Math.floor(hi);
  if (b < a) return [];
  const out = new Set<number>();
  for (let i = 0; i < steps; i++) out.add(Math.round(a + ((b - a) * i) / Math.max(1, steps - 1)));
  return [...out].sort((x, y) => x - y);
}

/**
 * Every outcome on the grid that both sides would accept. Prices run from the
 * brand's targets to its limits (cheaper only hurts the supplier, dearer is
 * outside the guardrails); lead times from the supplier's fastest to the
 * brand's limit; payment terms from the brand's minimum to what either side
 * could still value.
 */
export function agreementSpace(ctx: BrandContext, persona: SupplierPersona, qualityScore: number, priceSteps = 41, daySteps = 12): Outcome[] {
  const g = ctx.guardrails;
  const leads = integerSteps(persona.leadTimeDays.fastest, Math.min(g.maxLeadTimeDays, Math.max(persona.leadTimeDays.standard, persona.leadTimeDays.fastest)), daySteps);
  const pays = integerSteps(g.minPaymentTermsDays, Math.min(persona.paymentTermsDays.max, paymentTermsCeiling(g)), daySteps);
  const out: Outcome[] = [];
  for (const lead of leads) {
    for (const pay of pays) {
      for (let i = 0; i < priceSteps; i++) {
        const terms = brandPricedTerms(ctx.lineItems, i / (priceSteps - 1), lead, pay);
        if (!supplierAcceptable(terms, ctx.lineItems, persona)) continue;
        out.push({ terms, brand: brandUtility(terms, ctx, qualityScore), supplier: supplierUtility(terms, ctx.lineItems, persona) });
      }
    }
  }
  return out;
}

const dominates = (a: UtilityPoint, b: UtilityPoint): boolean =>
  a.brand >= b.brand && a.supplier >= b.supplier && (a.brand > b.brand || a.supplier > b.supplier);

/** The non-dominated points, sorted by brand utility ascending (supplier utility descending). */
export function paretoFrontier<P extends UtilityPoint>(points: P[]): P[] {
  const sorted = [...points].sort((a, b) => b.brand - a.brand || b.supplier - a.supplier);
  const frontier: P[] = [];
  let bestSupplier = -Infinity;
  for (const p of sorted) {
    if (p.supplier > bestSupplier) {
      frontier.push(p);
      bestSupplier = p.supplier;
    }
  }
  return frontier.reverse();
}

/** The outcome maximising the product of utilities over the disagreement point (0, 0). */
export function nashPoint<P extends UtilityPoint>(points: P[]): P | undefined {
  let best: P | undefined;
  let bestProduct = -Infinity;
  for (const p of points) {
    const product = p.brand * p.supplier;
    if (product > bestProduct) {
      best = p;
      bestProduct = product;
    }
  }
  return best;
}

const distance = (a: UtilityPoint, b: UtilityPoint): number => Math.hypot(a.brand - b.brand, a.supplier - b.supplier);

/**
 * 0 when nothing on the grid dominates the point; otherwise the distance to the
 * nearest frontier point that dominates it (how far the agreement left value
 * on the table).
 */
export function paretoDistance(point: UtilityPoint, frontier: UtilityPoint[]): number {
  let best = Infinity;
  for (const f of frontier) if (dominates(f, point)) best = Math.min(best, distance(f, point));
  return best === Infinity ? 0 : best;
}

export function nashDistance(point: UtilityPoint, nash: UtilityPoint | undefined): number | undefined {
  return nash ? distance(point, nash) : undefined;
}
