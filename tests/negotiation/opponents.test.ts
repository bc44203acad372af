// The tournament's opponents (src/negotiation/opponents.ts): suppliers outside
// the presets and classic negotiators. Every brand rule holds against each
// family, the classic tactics play as their names say, the seeds the table
// reports are held out from the ones tests and tuning use, and the brand's
// end-game at 1–3 rounds is no worse than the time-dependent tactics'.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BRAND_STRATEGY_NAMES, type BrandStrategyName, brandView, runNegotiation, totalPrice, withinGuardrails } from "../../src/negotiation/index.js";
import { brandValue, keepsConcessions, retractionReference } from "../../src/negotiation/brand-plan.js";
import { DEV_SEEDS, HELD_OUT_SEEDS, OPPONENT_FAMILY_NAMES, opponentsFor } from "../../src/negotiation/opponents.js";
import { personaProblems } from "../../src/negotiation/personas.js";

const devSeed = fc.integer({ min: DEV_SEEDS.first, max: DEV_SEEDS.first + DEV_SEEDS.count - 1 });

describe("opponent families", () => {
  it("are the same for the same seed, and every persona is one the engine can honour", () => {
    for (const family of OPPONENT_FAMILY_NAMES) {
      for (const seed of [DEV_SEEDS.first, DEV_SEEDS.first + 7, HELD_OUT_SEEDS.first]) {
        const a = opponentsFor(family, seed);
        expect(a.length).toBeGreaterThan(0);
        expect(JSON.stringify(opponentsFor(family, seed).map((o) => o.setup))).toBe(JSON.stringify(a.map((o) => o.setup)));
        for (const o of a) expect(personaProblems(o.setup.supplier.persona)).toEqual([]);
      }
    }
  });

  it("held-out seeds never overlap the development seeds", () => {
    const devEnd = DEV_SEEDS.first + DEV_SEEDS.count;
    const heldEnd = HELD_OUT_SEEDS.first + HELD_OUT_SEEDS.count;
    expect(devEnd <= HELD_OUT_SEEDS.first || heldEnd <= DEV_SEEDS.first).toBe(true);
  });

  it("every brand strategy keeps the rules against every family: inside the guardrails, never above the ask, no retraction", () => {
    fc.assert(
      fc.property(devSeed, fc.constantFrom(...OPPONENT_FAMILY_NAMES), fc.constantFrom(...BRAND_STRATEGY_NAMES), (seed, family, strategy: BrandStrategyName) => {
        for (const opponent of opponentsFor(family, seed)) {
          const setup = { ...opponent.setup, brandStrategy: strategy };
          const brand = brandView(setup);
          const r = runNegotiation(setup, { supplierTactic: opponent.tactic });
          let previous: (typeof r.offers)[number]["terms"] | undefined;
          r.offers.forEach((offer, i) => {
            if (offer.offeredBy !== "brand") return;
            const ask = r.offers[i - 1]!.terms;
            expect(withinGuardrails(offer.terms, setup.lineItems, setup.guardrails)).toBe(true);
            for (const line of offer.terms.lines) expect(line.unitPrice).toBeLessThanOrEqual(ask.lines.find((l) => l.sku === line.sku)!.unitPrice + 1e-9);
            if (previous) expect(keepsConcessions(brand, offer.terms, retractionReference(previous, ask))).toBe(true);
            previous = offer.terms;
          });
          if (r.finalTerms) expect(withinGuardrails(r.finalTerms, setup.lineItems, setup.guardrails)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("the classic negotiators play as named", () => {
  const supplierTotals = (family: "hardheaded" | "last_round" | "mirroring", seed: number) => {
    const [opponent] = opponentsFor(family, seed);
    const r = runNegotiation({ ...opponent!.setup, maxRounds: 10 }, { supplierTactic: opponent!.tactic });
    return { r, totals: r.offers.filter((o) => o.offeredBy === "supplier").map((o) => totalPrice(o.terms)) };
  };

  it("last-round holds its opening price until its last offer", () => {
    for (let seed = DEV_SEEDS.first; seed < DEV_SEEDS.first + 20; seed++) {
      const { r, totals } = supplierTotals("last_round", seed);
      const quotes = r.offers.filter((o) => o.offeredBy === "supplier");
      quotes.forEach((q, i) => {
        if (q.round < 9) expect(totals[i]!).toBeGreaterThanOrEqual(totals[0]! * 0.97);
      });
    }
  });

  it("HardHeaded gives up almost nothing before the last rounds", () => {
    for (let seed = DEV_SEEDS.first; seed < DEV_SEEDS.first + 20; seed++) {
      const { r, totals } = supplierTotals("hardheaded", seed);
      r.offers.filter((o) => o.offeredBy === "supplier").forEach((q, i) => {
        if (q.round <= 7) expect(totals[i]!).toBeGreaterThanOrEqual(totals[0]! * 0.9);
      });
    }
  });
});

describe("end-games at 1–3 rounds", () => {
  it("Parley's mean brand utility and deal count are at least each time-dependent tactic's, over development seeds", () => {
    const tally = new Map<BrandStrategyName, { utility: number; deals: number }>();
    for (let seed = DEV_SEEDS.first; seed < DEV_SEEDS.first + 120; seed++) {
      for (const opponent of opponentsFor("short", seed)) {
        for (const strategy of ["parley", "boulware", "linear", "conceder"] as const) {
          const r = runNegotiation({ ...opponent.setup, brandStrategy: strategy });
          const t = tally.get(strategy) ?? { utility: 0, deals: 0 };
          t.utility += r.metrics.brandUtility;
          if (r.outcome === "agreement") t.deals++;
          tally.set(strategy, t);
        }
      }
    }
    const parley = tally.get("parley")!;
    for (const strategy of ["boulware", "linear", "conceder"] as const) {
      expect(parley.utility).toBeGreaterThanOrEqual(tally.get(strategy)!.utility);
      expect(parley.deals).toBeGreaterThanOrEqual(tally.get(strategy)!.deals);
    }
  });

  it("with one round, every strategy only accepts or declines the opening quote", () => {
    for (let seed = DEV_SEEDS.first; seed < DEV_SEEDS.first + 30; seed++) {
      const [opponent] = opponentsFor("presets", seed);
      const setup = { ...opponent!.setup, maxRounds: 1 };
      for (const strategy of BRAND_STRATEGY_NAMES) {
        const r = runNegotiation({ ...setup, brandStrategy: strategy });
        expect(r.offers).toHaveLength(1);
        const opening = r.offers[0]!.terms;
        expect(r.outcome).toBe(withinGuardrails(opening, setup.lineItems, setup.guardrails) ? "agreement" : "impasse");
        if (r.finalTerms) expect(brandValue(brandView(setup), r.finalTerms)).toBeCloseTo(brandValue(brandView(setup), opening), 12);
      }
    }
  });
});
