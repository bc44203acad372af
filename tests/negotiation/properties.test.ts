// Property-based checks of the protocol over random generated scenarios.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BRAND_STRATEGY_NAMES,
  hasZoneOfAgreement,
  type NegotiationSetup,
  nextMove,
  runNegotiation,
  supplierAcceptable,
  withinGuardrails,
} from "../../src/negotiation/index.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";

const setupArb = fc
  .record({ scenarioSeed: fc.integer({ min: 0, max: 1_000_000 }), supplier: fc.integer({ min: 0, max: 2 }), strategy: fc.constantFrom(...BRAND_STRATEGY_NAMES), seed: fc.integer() })
  .map(({ scenarioSeed, supplier, strategy, seed }): NegotiationSetup => {
    const setups = scenarioSetups({ ...generateScenario(scenarioSeed), brandStrategy: strategy }, seed);
    return setups[supplier]!;
  });

const RUNS = { numRuns: 60 };

describe("negotiation properties", () => {
  it("the brand never offers or accepts terms outside its guardrails", () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        for (const m of runNegotiation(setup).moves) {
          if (m.party === "brand" && m.kind !== "impasse") expect(withinGuardrails(m.terms, setup.lineItems, setup.guardrails)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("no agreement lies below either side's reservation", () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const r = runNegotiation(setup);
        if (r.outcome !== "agreement") return;
        expect(withinGuardrails(r.finalTerms!, setup.lineItems, setup.guardrails)).toBe(true);
        expect(supplierAcceptable(r.finalTerms!, setup.lineItems, setup.supplier.persona)).toBe(true);
      }),
      RUNS,
    );
  });

  it("every negotiation ends within max rounds, with offers alternating and the supplier opening", () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const r = runNegotiation(setup);
        expect(r.rounds).toBeLessThanOrEqual(setup.maxRounds);
        expect(r.moves[r.moves.length - 1]!.kind).not.toBe("offer");
        r.offers.forEach((o, i) => {
          expect(o.round).toBe(i + 1);
          expect(o.offeredBy).toBe(i % 2 === 0 ? "supplier" : "brand");
        });
      }),
      RUNS,
    );
  });

  it("ends in impasse when no zone of agreement exists", () => {
    const noZone = setupArb.map((setup) => ({
      ...setup,
      // Every limit below the supplier's unit cost: nothing can satisfy both sides.
      lineItems: setup.lineItems.map((l) => {
        const max = Math.floor(l.listPrice * setup.supplier.persona.unitCostRatio * 95) / 100;
        return { ...l, maxUnitPrice: max, targetUnitPrice: Math.min(l.targetUnitPrice, max) };
      }),
    }));
    fc.assert(
      fc.property(noZone, (setup) => {
        expect(hasZoneOfAgreement(setup, setup.supplier.persona)).toBe(false);
        expect(runNegotiation(setup).outcome).toBe("impasse");
      }),
      RUNS,
    );
  });

  it("agreements only happen where a zone of agreement exists", () => {
    let agreements = 0;
    fc.assert(
      fc.property(setupArb, (setup) => {
        if (runNegotiation(setup).outcome !== "agreement") return;
        agreements++;
        expect(hasZoneOfAgreement(setup, setup.supplier.persona)).toBe(true);
      }),
      RUNS,
    );
    // Not vacuous: the generated scenarios do reach agreements.
    expect(agreements).toBeGreaterThan(0);
  });

  it("the same seed gives the same transcript", () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        expect(runNegotiation(structuredClone(setup))).toEqual(runNegotiation(setup));
      }),
      { numRuns: 30 },
    );
  });

  it("a different seed changes some transcripts (the seed is really used)", () => {
    const setup = scenarioSetups(generateScenario(5), 1)[2]!;
    const transcripts = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(runNegotiation({ ...setup, seed }).offers)));
    expect(transcripts.size).toBeGreaterThan(1);
  });

  it("resuming from any prefix of the history finishes exactly like the uninterrupted run", () => {
    fc.assert(
      fc.property(setupArb, fc.nat(), (setup, cut) => {
        const full = runNegotiation(setup);
        const k = cut % (full.offers.length + 1);
        const resumed = runNegotiation(setup, { history: full.offers.slice(0, k) });
        expect(resumed.offers).toEqual(full.offers);
        expect(resumed.moves).toEqual(full.moves.slice(k));
        expect(resumed.outcome).toBe(full.outcome);
        expect(resumed.finalTerms).toEqual(full.finalTerms);
      }),
      { numRuns: 40 },
    );
  });

  it("continues sensibly after a human brand user's counter-offer inside the guardrails", () => {
    fc.assert(
      fc.property(setupArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (setup, priceShare, dayShare) => {
        const opening = nextMove(setup, []);
        if (opening.kind !== "offer") return;
        const g = setup.guardrails;
        const human = {
          lines: setup.lineItems.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: Math.floor((l.targetUnitPrice * 0.8 + priceShare * (l.maxUnitPrice - l.targetUnitPrice * 0.8)) * 100) / 100 })),
          leadTimeDays: Math.floor(dayShare * g.maxLeadTimeDays),
          paymentTermsDays: Math.ceil(g.minPaymentTermsDays + dayShare * 30),
        };
        const history = [
          { round: 1, offeredBy: "supplier" as const, terms: opening.terms },
          { round: 2, offeredBy: "brand" as const, terms: human },
        ];
        const r = runNegotiation({ ...setup, maxRounds: Math.max(setup.maxRounds, 2) }, { history });
        expect(r.rounds).toBeLessThanOrEqual(Math.max(setup.maxRounds, 2));
        for (const m of r.moves) if (m.party === "brand" && m.kind !== "impasse") expect(withinGuardrails(m.terms, setup.lineItems, g)).toBe(true);
        if (r.outcome === "agreement") expect(supplierAcceptable(r.finalTerms!, setup.lineItems, setup.supplier.persona)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
