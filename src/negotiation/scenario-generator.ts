// Seeded random scenarios for the benchmark and the property tests: varied
// line items, priorities, guardrails, costs and zones of agreement, with one
// supplier drawn around each reference persona.

import { PERSONA_PRESETS, type PersonaPresetName } from "./personas.js";
import { mulberry32 } from "./prng.js";
import type { Scenario } from "./scenario.js";
import type { LineItem, Priorities, SupplierPersona, SupplierSpec } from "./types.js";

type Rng = () => number;
const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const round2 = (x: number) => Math.round(x * 100) / 100;

function randomPriorities(rng: Rng): Priorities {
  const raw = [rng() * 2 + 0.2, rng(), rng(), rng() * 0.6].map((x) => x * x);
  const sum = raw.reduce((a, b) => a + b, 0);
  const [price, leadTime, paymentTerms, quality] = raw.map((x) => Math.round((x / sum) * 1000) / 1000) as [number, number, number, number];
  return { price, leadTime, paymentTerms, quality };
}

/** A persona near a preset: costs, markups and patience perturbed. */
function perturbedPersona(rng: Rng, preset: PersonaPresetName): SupplierPersona {
  const p = PERSONA_PRESETS[preset];
  const jiggle = (x: number, spread: number) => x * between(rng, 1 - spread, 1 + spread);
  const fastest = Math.round(jiggle(p.leadTimeDays.fastest, 0.3));
  const preferred = Math.round(jiggle(p.paymentTermsDays.preferred, 0.3));
  return {
    ...p,
    weights: { ...p.weights },
    concessionExponent: jiggle(p.concessionExponent, 0.3),
    unitCostRatio: jiggle(p.unitCostRatio, 0.15),
    openingMarkup: jiggle(p.openingMarkup, 0.06),
    reservationMargin: jiggle(p.reservationMargin, 0.4),
    leadTimeDays: { fastest, standard: Math.max(fastest, Math.round(jiggle(p.leadTimeDays.standard, 0.25))) },
    expediteCostPerDay: jiggle(p.expediteCostPerDay, 0.4),
    paymentTermsDays: { preferred, max: Math.max(preferred, Math.round(jiggle(p.paymentTermsDays.max, 0.3))) },
    annualFinancingRate: jiggle(p.annualFinancingRate, 0.3),
    qualityScore: Math.min(1, jiggle(p.qualityScore, 0.05)),
  };
}

const PRODUCTS = ["T-shirt", "Hoodie", "Tote bag", "Cap", "Socks", "Mug", "Notebook", "Water bottle"];

export function generateScenario(seed: number): Scenario {
  const rng = mulberry32(seed);
  const lines = 1 + Math.floor(rng() * 3);
  // How generous the brand's limits are relative to list price sets the width of the zone of agreement.
  const generosity = between(rng, 0.68, 1.02);
  const lineItems: LineItem[] = Array.from({ length: lines }, (_, i) => {
    const listPrice = round2(between(rng, 2, 60));
    const maxUnitPrice = round2(listPrice * between(rng, generosity - 0.04, generosity + 0.04));
    return {
      sku: `SKU-${i + 1}`,
      name: PRODUCTS[Math.floor(rng() * PRODUCTS.length)]!,
      quantity: Math.round(between(rng, 200, 12_000) / 50) * 50,
      listPrice,
      targetUnitPrice: round2(maxUnitPrice * between(rng, 0.78, 0.93)),
      maxUnitPrice,
    };
  });
  const suppliers: SupplierSpec[] = (Object.keys(PERSONA_PRESETS) as PersonaPresetName[]).map((preset) => {
    const persona = perturbedPersona(rng, preset);
    return { id: preset, name: preset[0]!.toUpperCase() + preset.slice(1), qualityScore: persona.qualityScore, persona };
  });
  return {
    name: `generated-${seed}`,
    lineItems,
    priorities: randomPriorities(rng),
    guardrails: { maxLeadTimeDays: Math.round(between(rng, 18, 45)), minPaymentTermsDays: Math.round(between(rng, 0, 45)) },
    suppliers,
    maxRounds: rng() < 0.7 ? 8 : 4 + Math.floor(rng() * 9),
    seed: Math.floor(rng() * 2 ** 31),
    brandStrategy: "parley",
  };
}
