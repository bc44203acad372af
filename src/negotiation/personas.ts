// Three reference supplier personas. They are plain data (the same shape the
// `suppliers` table stores), so new personas need no code.

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
