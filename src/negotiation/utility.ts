// Utilities of both sides. The brand's is public (its priorities and
// guardrails); the supplier's comes from its private persona, which the brand
// strategy never reads — it only sees the supplier's offers.

import type { BrandContext } from "./setup-types.js";
import { centsAtMost, clamp01, totalPrice } from "./terms.js";
import type { Guardrails, LineItem, Priorities, SupplierPersona, Terms } from "./types.js";

/** Payment terms beyond this are worth nothing more to the brand (net 120). */
const PAYMENT_TERMS_HORIZON_DAYS = 120;
const PRICE_EPSILON = 1e-6;

export function normalisedPriorities(p: Priorities): Priorities {
  const sum = p.price + p.leadTime + p.paymentTerms + p.quality;
  if (!(sum > 0)) return { price: 0.25, leadTime: 0.25, paymentTerms: 0.25, quality: 0.25 };
  return { price: p.price / sum, leadTime: p.leadTime / sum, paymentTerms: p.paymentTerms / sum, quality: p.quality / sum };
}

/** One guardrail (or the shape it needs) that terms break; `line` indexes `terms.lines`. */
export type GuardrailBreach =
  | { issue: "unknownLine"; line: number; sku: string }
  | { issue: "missingLine"; sku: string }
  | { issue: "quantity"; line: number; sku: string; quantity: number }
  | { issue: "unitPrice"; line: number; sku: string; unitPrice: number; limit: number }
  | { issue: "leadTimeDays"; value: number; limit: number }
  | { issue: "paymentTermsDays"; value: number; limit: number };

/** What the guardrails are checked against: a line item's sku and its price limit. */
export type PriceLimit = Pick<LineItem, "sku" | "maxUnitPrice">;

/**
 * Every guardrail these terms break, lines first (in the terms' order), then
 * lead time, then payment terms. The one check of the engine, Convex and the
 * dashboard. Exact, with no tolerance: a unit price above its maximum by any
 * amount, or days beyond a limit by any fraction, break it; comparisons are
 * written so that NaN breaks them too.
 */
export function guardrailBreaches(terms: Terms, lineItems: PriceLimit[], guardrails: Guardrails): GuardrailBreach[] {
  const breaches: GuardrailBreach[] = [];
  terms.lines.forEach((line, i) => {
    const item = lineItems.find((candidate) => candidate.sku === line.sku);
    if (!item) {
      breaches.push({ issue: "unknownLine", line: i, sku: line.sku });
      return;
    }
    if (!(Number.isFinite(line.quantity) && line.quantity > 0)) breaches.push({ issue: "quantity", line: i, sku: line.sku, quantity: line.quantity });
    if (!(line.unitPrice >= 0 && line.unitPrice <= item.maxUnitPrice)) {
      breaches.push({ issue: "unitPrice", line: i, sku: line.sku, unitPrice: line.unitPrice, limit: item.maxUnitPrice });
    }
  });
  for (const item of lineItems) {
    if (!terms.lines.some((line) => line.sku === item.sku)) breaches.push({ issue: "missingLine", sku: item.sku });
  }
  if (!(terms.leadTimeDays <= guardrails.maxLeadTimeDays)) {
    breaches.push({ issue: "leadTimeDays", value: terms.leadTimeDays, limit: guardrails.maxLeadTimeDays });
  }
  if (!(terms.paymentTermsDays >= guardrails.minPaymentTermsDays)) {
    breaches.push({ issue: "paymentTermsDays", value: terms.paymentTermsDays, limit: guardrails.minPaymentTermsDays });
  }
  return breaches;
}

/** Every line item priced, at or under its maxUnitPrice, lead time and payment terms inside the limits. */
export function withinGuardrails(terms: Terms, lineItems: PriceLimit[], guardrails: Guardrails): boolean {
  return guardrailBreaches(terms, lineItems, guardrails).length === 0;
}

export function paymentTermsCeiling(guardrails: Guardrails): number {
  return Math.max(PAYMENT_TERMS_HORIZON_DAYS, guardrails.minPaymentTermsDays + 30);
}

/**
 * How much a total of zero would add to the price score beyond the target.
 * The target is an aspiration, not a ceiling: below it the score keeps rising
 * (1 at the target, 1 + this at a total of zero), so cheaper is always better
 * and a supplier quoting under the target is never countered upwards. Bounded,
 * so that one very cheap line cannot outweigh every other issue.
 */
export const BELOW_TARGET_PRICE_BONUS = 0.5;

/**
 * Per-issue scores for the brand, before weighting: lead time and payment
 * terms in [0, 1]; price 0 at the limits, 1 at the targets (linear between, as
 * always), rising on to 1 + BELOW_TARGET_PRICE_BONUS as the total falls to zero.
 */
export function brandIssueScores(terms: Terms, ctx: BrandContext): { price: number; leadTime: number; paymentTerms: number } {
  let target = 0;
  let max = 0;
  for (const item of ctx.lineItems) {
    const q = terms.lines.find((l) => l.sku === item.sku)?.quantity ?? item.quantity;
    target += q * item.targetUnitPrice;
    max += q * item.maxUnitPrice;
  }
  const total = totalPrice(terms);
  const belowTarget = target > PRICE_EPSILON && total < target ? (BELOW_TARGET_PRICE_BONUS * (target - Math.max(0, total))) / target : 0;
  const upToTarget = max - target > PRICE_EPSILON ? clamp01((max - total) / (max - target)) : total <= max + PRICE_EPSILON ? 1 : 0;
  const price = upToTarget + belowTarget;
  const g = ctx.guardrails;
  const leadTime = g.maxLeadTimeDays > 0 ? clamp01((g.maxLeadTimeDays - terms.leadTimeDays) / g.maxLeadTimeDays) : 1;
  const ceiling = paymentTermsCeiling(g);
  const paymentTerms = clamp01((terms.paymentTermsDays - g.minPaymentTermsDays) / (ceiling - g.minPaymentTermsDays));
  return { price, leadTime, paymentTerms };
}

/**
 * Brand utility: priorities-weighted issue scores; 0 outside the guardrails.
 * In [0, 1] for totals at or above the targets (1: every aspiration met); up
 * to 1 + price weight × BELOW_TARGET_PRICE_BONUS for totals below them.
 */
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
    lines: ctx.lineItems.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: centsAtMost(i.maxUnitPrice) })),
    leadTimeDays: Math.floor(lead),
    paymentTermsDays: Math.ceil(ctx.guardrails.minPaymentTermsDays),
  };
  return withinGuardrails(best, ctx.lineItems, ctx.guardrails) && supplierAcceptable(best, ctx.lineItems, persona);
}
