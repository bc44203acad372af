// Utilities of both sides. The brand's is public (its priorities and
// guardrails); the supplier's comes from its private persona, which the brand
// strategy never reads — it only sees the supplier's offers.

import type { BrandContext } from "./setup-types.js";
import { clamp01, totalPrice } from "./terms.js";
import type { Guardrails, LineItem, Priorities, SupplierPersona, Terms } from "./types.js";

/** Payment terms beyond this are worth nothing more to the brand (net 120). */
const PAYMENT_TERMS_HORIZON_DAYS = 120;
const PRICE_EPSILON = 1e-6;

export function normalisedPriorities(p: Priorities): Priorities {
  const sum = p.price + p.leadTime + p.paymentTerms + p.quality;
  if (!(sum > 0)) return { price: 0.25, leadTime: 0.25, paymentTerms: 0.25, quality: 0.25 };
  return { price: p.price / sum, leadTime: p.leadTime / sum, paymentTerms: p.paymentTerms / sum, quality: p.quality / sum };
}

/** Every line priced at or under its maxUnitPrice, lead time and payment terms inside the limits. */
export function withinGuardrails(terms: Terms, lineItems: LineItem[], guardrails: Guardrails): boolean {
  if (terms.leadTimeDays > guardrails.maxLeadTimeDays) return false;
  if (terms.paymentTermsDays < guardrails.minPaymentTermsDays) return false;
  for (const item of lineItems) {
    const line = terms.lines.find((l) => l.sku === item.sku);
    if (!line || !(line.unitPrice <= item.maxUnitPrice + PRICE_EPSILON) || !(line.quantity > 0)) return false;
  }
  return terms.lines.every((l) => Number.isFinite(l.unitPrice) && l.unitPrice >= 0);
}

export function paymentTermsCeiling(guardrails: Guardrails): number {
  return Math.max(PAYMENT_TERMS_HORIZON_DAYS, guardrails.minPaymentTermsDays + 30);
}

/** Per-issue scores in [0, 1] for the brand, before weighting. */
export function brandIssueScores(terms: Terms, ctx: BrandContext): { price: number; leadTime: number; paymentTerms: number } {
  let target = 0;
  let max = 0;
  for (const item of ctx.lineItems) {
    const q = terms.lines.find((l) => l.sku === item.sku)?.quantity ?? item.quantity;
    target += q * item.targetUnitPrice;
    max += q * item.maxUnitPrice;
  }
  const total = totalPrice(terms);
  const price = max - target > PRICE_EPSILON ? clamp01((max - total) / (max - target)) : total <= max + PRICE_EPSILON ? 1 : 0;
  const g = ctx.guardrails;
  const leadTime = g.maxLeadTimeDays > 0 ? clamp01((g.maxLeadTimeDays - terms.leadTimeDays) / g.maxLeadTimeDays) : 1;
  const ceiling = paymentTermsCeiling(g);
  const paymentTerms = clamp01((terms.paymentTermsDays - g.minPaymentTermsDays) / (ceiling - g.minPaymentTermsDays));
  return { price, leadTime, paymentTerms };
}

/** Brand utility in [0, 1]: priorities-weighted issue scores; 0 outside the guardrails. */
export function brandUtility(terms: Terms, ctx: BrandContext, qualityScore: number): number {
  if (!withinGuardrails(terms, ctx.lineItems, ctx.guardrails)) return 0;
  const w = normalisedPriorities(ctx.priorities);
  const s = brandIssueScores(terms, ctx);
  return w.price * s.price + w.leadTime * s.leadTime + w.paymentTerms * s.paymentTerms + w.quality * clamp01(qualityScore);
}

// --- supplier side ---------------------------------------------------------

function unitCost(item: LineItem, persona: SupplierPersona): number {
  return item.listPrice * persona.unitCostRatio;
}

/**
 * Net margin over unit cost: revenue less the financing cost of waiting to be
 * paid, less the cost of expediting faster than the standard lead time.
 */
export function supplierMargin(terms: Terms, lineItems: LineItem[], persona: SupplierPersona): number {
  const daysFaster = Math.max(0, persona.leadTimeDays.standard - terms.leadTimeDays);
  const financing = (persona.annualFinancingRate * terms.paymentTermsDays) / 365;
  let cost = 0;
  let profit = 0;
  for (const item of lineItems) {
    const line = terms.lines.find((l) => l.sku === item.sku);
    if (!line) continue;
    const c = unitCost(item, persona);
    cost += line.quantity * c;
    profit += line.quantity * (line.unitPrice * (1 - financing) - c * (1 + daysFaster * persona.expediteCostPerDay));
  }
  return cost > 0 ? profit / cost : 0;
}

/** Whether the supplier can physically deliver these terms at all. */
function supplierFeasible(terms: Terms, lineItems: LineItem[], persona: SupplierPersona): boolean {
  if (terms.leadTimeDays < persona.leadTimeDays.fastest) return false;
  if (terms.paymentTermsDays > persona.paymentTermsDays.max) return false;
  return lineItems.every((item) => {
    const line = terms.lines.find((l) => l.sku === item.sku);
    return line !== undefined && line.quantity <= persona.capacityPerLine;
  });
}

/** The supplier's hidden reservation: feasible and at least its reservation margin. */
export function supplierAcceptable(terms: Terms, lineItems: LineItem[], persona: SupplierPersona): boolean {
  return supplierFeasible(terms, lineItems, persona) && supplierMargin(terms, lineItems, persona) >= persona.reservationMargin - 1e-9;
}

/** The supplier's opening quote: list price times its markup, standard lead time, preferred terms. */
export function supplierOpeningTerms(lineItems: LineItem[], persona: SupplierPersona): Terms {
  return {
    lines: lineItems.map((item) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: Math.ceil(item.listPrice * persona.openingMarkup * 100 - 1e-6) / 100,
    })),
    leadTimeDays: persona.leadTimeDays.standard,
    paymentTermsDays: persona.paymentTermsDays.preferred,
  };
}

/**
 * Supplier utility in [0, 1]: its weights over margin (0 at its reservation
 * margin, 1 at its opening margin), slack in lead time and early payment.
 * 0 for anything below its reservation.
 */
export function supplierUtility(terms: Terms, lineItems: LineItem[], persona: SupplierPersona): number {
  if (!supplierAcceptable(terms, lineItems, persona)) return 0;
  const margin = supplierMargin(terms, lineItems, persona);
  const openingMargin = supplierMargin(supplierOpeningTerms(lineItems, persona), lineItems, persona);
  const span = Math.max(openingMargin - persona.reservationMargin, 1e-6);
  const price = clamp01((margin - persona.reservationMargin) / span);
  const { standard, fastest } = persona.leadTimeDays;
  const lead = standard > fastest ? clamp01((terms.leadTimeDays - fastest) / (standard - fastest)) : 1;
  const { preferred, max } = persona.paymentTermsDays;
  const pay = max > preferred ? clamp01((max - terms.paymentTermsDays) / (max - preferred)) : 1;
  const w = persona.weights;
  const sum = w.price + w.leadTime + w.paymentTerms || 1;
  return (w.price * price + w.leadTime * lead + w.paymentTerms * pay) / sum;
}

/**
 * Whether any terms satisfy both sides. Margin rises with price, with lead time
 * up to standard and with shorter payment terms, so it is enough to test the
 * supplier's best point inside the brand's guardrails.
 */
export function hasZoneOfAgreement(ctx: BrandContext, persona: SupplierPersona): boolean {
  const lead = Math.min(ctx.guardrails.maxLeadTimeDays, persona.leadTimeDays.standard);
  const best: Terms = {
    lines: ctx.lineItems.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: Math.floor(i.maxUnitPrice * 100 + 1e-6) / 100 })),
    leadTimeDays: Math.floor(lead),
    paymentTermsDays: Math.ceil(ctx.guardrails.minPaymentTermsDays),
  };
  return withinGuardrails(best, ctx.lineItems, ctx.guardrails) && supplierAcceptable(best, ctx.lineItems, persona);
}
