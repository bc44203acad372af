// Three reference supplier personas. They are plain data (the same shape the
// `suppliers` table stores), so new personas need no code.

import { supplierOpeningQuote } from "./supplier-strategy.js";
import { DAY_LIMITS } from "./terms.js";
import type { SupplierPersona } from "./types.js";

export const PERSONA_PRESETS = {
  /** Premium and firm: high markup, holds out (Boulware), fast and reliable, top quality. */
  premium: {
    concession: "boulware",
    concessionExponent: 0.35,
    unitCostRatio: 0.62,
    openingMarkup: 1.12,
    reservationMargin: 0.22,
    weights: { price: 0.6, leadTime: 0.25, paymentTerms: 0.15 },
    leadTimeDays: { standard: 21, fastest: 10 },
    expediteCostPerDay: 0.006,
    paymentTermsDays: { preferred: 30, max: 90 },
    annualFinancingRate: 0.06,
    capacityPerLine: 50_000,
    qualityScore: 0.95,
  },
  /** Budget: cheap and concedes fast on price, but needs to be paid quickly. */
  budget: {
    concession: "conceder",
    concessionExponent: 2.2,
    unitCostRatio: 0.55,
    openingMarkup: 1.0,
    reservationMargin: 0.08,
    weights: { price: 0.25, leadTime: 0.15, paymentTerms: 0.6 },
    leadTimeDays: { standard: 35, fastest: 25 },
    expediteCostPerDay: 0.01,
    paymentTermsDays: { preferred: 15, max: 45 },
    annualFinancingRate: 0.18,
    capacityPerLine: 20_000,
    qualityScore: 0.7,
  },
  /** Balanced: mirrors the brand's concessions (tit-for-tat), middling on everything. */
  balanced: {
    concession: "tit_for_tat",
    concessionExponent: 1,
    unitCostRatio: 0.6,
    openingMarkup: 1.05,
    reservationMargin: 0.15,
    weights: { price: 0.45, leadTime: 0.3, paymentTerms: 0.25 },
    leadTimeDays: { standard: 28, fastest: 14 },
    expediteCostPerDay: 0.008,
    paymentTermsDays: { preferred: 30, max: 75 },
    annualFinancingRate: 0.1,
    capacityPerLine: 30_000,
    qualityScore: 0.82,
  },
} as const satisfies Record<string, SupplierPersona>;

export type PersonaPresetName = keyof typeof PERSONA_PRESETS;

export function personaPreset(name: PersonaPresetName): SupplierPersona {
  return structuredClone(PERSONA_PRESETS[name]) as SupplierPersona;
}

/** One reason a persona cannot be played: the field (a dotted path inside the persona) and why. */
export interface PersonaProblem {
  field: string;
  message: string;
}

const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * Every contradiction in a persona that the engine cannot honour, field by
 * field; empty when it can be played. The one check: the scenario format and
 * Convex's catalog both refuse a persona with any. (An opening below the
 * floor is honoured: the simulated supplier raises its opening to clear it.)
 */
export function personaProblems(p: SupplierPersona): PersonaProblem[] {
  const out: PersonaProblem[] = [];
  const need = (ok: boolean, field: string, message: string) => {
    if (!ok) out.push({ field, message });
  };
  const days = (value: number, field: string, max: number) =>
    need(isNumber(value) && Number.isInteger(value) && value >= 0 && value <= max, field, `must be a whole number of days from 0 to ${max}`);
  need(isNumber(p.concessionExponent) && p.concessionExponent > 0, "concessionExponent", "must be above 0");
  need(isNumber(p.unitCostRatio) && p.unitCostRatio > 0, "unitCostRatio", "must be above 0");
  need(isNumber(p.openingMarkup) && p.openingMarkup > 0, "openingMarkup", "must be above 0");
  need(isNumber(p.reservationMargin) && p.reservationMargin >= -1, "reservationMargin", "must be -1 or more");
  const w = p.weights;
  need(isNumber(w.price) && isNumber(w.leadTime) && isNumber(w.paymentTerms) && w.price >= 0 && w.leadTime >= 0 && w.paymentTerms >= 0, "weights", "must be numbers, 0 or more");
  need(w.price + w.leadTime + w.paymentTerms > 0, "weights", "at least one weight must be above 0");
  days(p.leadTimeDays.standard, "leadTimeDays.standard", DAY_LIMITS.maxLeadTimeDays);
  days(p.leadTimeDays.fastest, "leadTimeDays.fastest", DAY_LIMITS.maxLeadTimeDays);
  need(!(p.leadTimeDays.fastest > p.leadTimeDays.standard), "leadTimeDays.fastest", "fastest must not exceed standard");
  days(p.paymentTermsDays.preferred, "paymentTermsDays.preferred", DAY_LIMITS.maxPaymentTermsDays);
  days(p.paymentTermsDays.max, "paymentTermsDays.max", DAY_LIMITS.maxPaymentTermsDays);
  need(!(p.paymentTermsDays.preferred > p.paymentTermsDays.max), "paymentTermsDays.preferred", "preferred must not exceed max");
  need(isNumber(p.expediteCostPerDay) && p.expediteCostPerDay >= 0, "expediteCostPerDay", "must be 0 or more");
  need(isNumber(p.annualFinancingRate) && p.annualFinancingRate >= 0, "annualFinancingRate", "must be 0 or more");
  need(isNumber(p.capacityPerLine) && p.capacityPerLine >= 1, "capacityPerLine", "must be at least 1 unit: a supplier that can deliver nothing cannot quote");
  need(isNumber(p.qualityScore) && p.qualityScore >= 0 && p.qualityScore <= 1, "qualityScore", "must be from 0 to 1");
  // With every field sound, the supplier must have an opening quote at all:
  // financing at its own preferred terms can eat the whole price.
  if (out.length === 0) {
    const probe = [{ sku: "PROBE", name: "probe", quantity: 1, listPrice: 1, targetUnitPrice: 1, maxUnitPrice: 1 }];
    need(supplierOpeningQuote(probe, p) !== undefined, "annualFinancingRate", "financing at the preferred payment terms leaves no price that clears reservationMargin");
  }
  return out;
}
