// Personas the engine cannot honour are refused, with the field named: one
// check (personaProblems), read by the scenario format and Convex's catalog.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PERSONA_PRESETS, type PersonaPresetName, parseScenario, personaPreset, runNegotiation, ScenarioError, type SupplierPersona } from "../../src/negotiation/index.js";
import { personaProblems } from "../../src/negotiation/personas.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { SUPPLIERS } from "../../convex/model/catalog.js";

const PRESETS = Object.keys(PERSONA_PRESETS) as PersonaPresetName[];

/** Each contradiction: the field it must be named at, and how to make it. */
const contradictions: [string, string, (p: SupplierPersona) => SupplierPersona][] = [
  ["fastest lead time above standard", "leadTimeDays.fastest", (p) => ({ ...p, leadTimeDays: { standard: 10, fastest: 20 } })],
  ["preferred payment terms above max", "paymentTermsDays.preferred", (p) => ({ ...p, paymentTermsDays: { preferred: 60, max: 30 } })],
  ["fractional standard lead time (offers are whole days)", "leadTimeDays.standard", (p) => ({ ...p, leadTimeDays: { standard: 21.5, fastest: 10 } })],
  ["lead time beyond a year", "leadTimeDays.standard", (p) => ({ ...p, leadTimeDays: { standard: 400, fastest: 10 } })],
  ["payment terms beyond 180 days", "paymentTermsDays.max", (p) => ({ ...p, paymentTermsDays: { preferred: 30, max: 200 } })],
  ["negative fastest lead time", "leadTimeDays.fastest", (p) => ({ ...p, leadTimeDays: { standard: 10, fastest: -1 } })],
  ["no capacity", "capacityPerLine", (p) => ({ ...p, capacityPerLine: 0 })],
  ["all weights zero", "weights", (p) => ({ ...p, weights: { price: 0, leadTime: 0, paymentTerms: 0 } })],
  ["negative weight", "weights", (p) => ({ ...p, weights: { price: -1, leadTime: 1, paymentTerms: 1 } })],
  ["zero unit cost", "unitCostRatio", (p) => ({ ...p, unitCostRatio: 0 })],
  ["NaN opening markup", "openingMarkup", (p) => ({ ...p, openingMarkup: Number.NaN })],
  ["zero concession exponent", "concessionExponent", (p) => ({ ...p, concessionExponent: 0 })],
  ["reservation margin below -100%", "reservationMargin", (p) => ({ ...p, reservationMargin: -1.5 })],
  ["quality above 1", "qualityScore", (p) => ({ ...p, qualityScore: 1.2 })],
  ["infinite financing rate", "annualFinancingRate", (p) => ({ ...p, annualFinancingRate: Number.POSITIVE_INFINITY })],
  // 1000% a year over net 45: the financing cost exceeds any price, so no opening quote exists.
  ["financing eats the whole price", "annualFinancingRate", (p) => ({ ...p, annualFinancingRate: 10, paymentTermsDays: { preferred: 45, max: 60 } })],
];

const scenarioWith = (persona: unknown) => {
  const s = generateScenario(3);
  return { ...s, suppliers: [{ id: "x", name: "X", persona }] };
};

function scenarioError(persona: unknown): ScenarioError {
  try {
    parseScenario(scenarioWith(persona));
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

describe("personas the engine cannot honour", () => {
  it.each(contradictions)("%s is refused at %s", (_name, field, mutate) => {
    const persona = mutate(personaPreset("balanced"));
    expect(personaProblems(persona).map((p) => p.field)).toContain(field);
    const error = scenarioError(persona);
    expect(error.issues.map((i) => i.path)).toContain(`suppliers[0].persona.${field}`);
    expect(error.message).toContain(`suppliers[0].persona.${field}:`);
  });

  it("every preset, every catalog supplier and every generated persona passes", () => {
    for (const name of PRESETS) expect(personaProblems(personaPreset(name))).toEqual([]);
    for (const s of SUPPLIERS) expect(personaProblems(s.persona)).toEqual([]);
    for (let seed = 0; seed < 200; seed++) for (const s of generateScenario(seed).suppliers) expect(personaProblems(s.persona)).toEqual([]);
  });

  it("an opening below the floor is honoured, not refused: the supplier raises its opening to clear it", () => {
    const persona = { ...personaPreset("premium"), openingMarkup: 0.5, reservationMargin: 0.3 };
    expect(personaProblems(persona)).toEqual([]);
    const scenario = parseScenario(scenarioWith(persona));
    const result = runNegotiation(scenarioSetups(scenario)[0]!);
    expect(result.openingTerms!.lines.every((l, i) => l.unitPrice > scenario.lineItems[i]!.listPrice * 0.5)).toBe(true);
  });

  it("a persona it accepts can always be played: the supplier opens with a quote", () => {
    const personaArb = fc.record({
      concessionExponent: fc.double({ min: -1, max: 5, noNaN: true }),
      unitCostRatio: fc.double({ min: -0.5, max: 2, noNaN: true }),
      openingMarkup: fc.double({ min: -0.5, max: 2, noNaN: true }),
      reservationMargin: fc.double({ min: -2, max: 3, noNaN: true }),
      fastest: fc.oneof(fc.integer({ min: -5, max: 60 }), fc.double({ min: 0, max: 60, noNaN: true })),
      standard: fc.integer({ min: 0, max: 60 }),
      preferred: fc.integer({ min: 0, max: 200 }),
      max: fc.integer({ min: 0, max: 200 }),
      annualFinancingRate: fc.double({ min: 0, max: 20, noNaN: true }),
      capacityPerLine: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
    });
    fc.assert(
      fc.property(personaArb, fc.integer({ min: 0, max: 10_000 }), (p, seed) => {
        const persona: SupplierPersona = {
          ...personaPreset("budget"),
          ...p,
          leadTimeDays: { fastest: p.fastest, standard: p.standard },
          paymentTermsDays: { preferred: p.preferred, max: p.max },
        };
        const problems = personaProblems(persona);
        for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
        if (problems.length > 0) return;
        const scenario = generateScenario(seed);
        const setup = { ...scenarioSetups(scenario)[0]!, lineItems: scenario.lineItems.map((l) => ({ ...l, quantity: Math.min(l.quantity, persona.capacityPerLine) })) };
        const result = runNegotiation({ ...setup, supplier: { ...setup.supplier, persona } });
        expect(result.openingTerms).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
