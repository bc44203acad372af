// Rules every brand move, the brand's utility, the recommendation and the
// simulated supplier obey, over generated scenarios and adversarial ones:
// targets far above the market, personas whose opening sits below their floor,
// and supplier quotes drawn at random.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BRAND_STRATEGY_NAMES,
  brandMove,
  brandView,
  evaluateNegotiations,
  type NegotiationSetup,
  personaPreset,
  runNegotiation,
  suggestCounter,
  supplierAcceptable,
  type SupplierPersona,
  type Terms,
  totalPrice,
  withinGuardrails,
} from "../../src/negotiation/index.js";
import { capAtAsk, dominatesForBrand } from "../../src/negotiation/brand-plan.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { BELOW_TARGET_PRICE_BONUS, brandIssueScores } from "../../src/negotiation/utility.js";
import { aboveMarketArb, generatedArb, quoteArb } from "./arbitraries.js";

const RUNS = { numRuns: 50 };

const anySetupArb = fc.oneof(generatedArb, aboveMarketArb);

/** Personas the scenario schema would refuse: openings below cost or floor, impossible lead times and terms. */
const adversarialPersonaArb = (base: SupplierPersona) =>
  fc
    .record({
      unitCostRatio: fc.double({ min: 0.3, max: 1.2, noNaN: true }),
      openingMarkup: fc.double({ min: 0.3, max: 1.5, noNaN: true }),
      reservationMargin: fc.double({ min: -0.2, max: 0.6, noNaN: true }),
      fastest: fc.integer({ min: 0, max: 40 }),
      standard: fc.integer({ min: 0, max: 40 }),
      preferred: fc.integer({ min: 0, max: 120 }),
      max: fc.integer({ min: 0, max: 120 }),
      annualFinancingRate: fc.double({ min: 0, max: 3, noNaN: true }),
    })
    .map((p): SupplierPersona => ({
      ...base,
      unitCostRatio: p.unitCostRatio,
      openingMarkup: p.openingMarkup,
      reservationMargin: p.reservationMargin,
      leadTimeDays: { fastest: p.fastest, standard: p.standard },
      paymentTermsDays: { preferred: p.preferred, max: p.max },
      annualFinancingRate: p.annualFinancingRate,
    }));

const adversarialSupplierArb = anySetupArb.chain((setup) =>
  adversarialPersonaArb(setup.supplier.persona).map((persona): NegotiationSetup => ({ ...setup, supplier: { ...setup.supplier, persona } })),
);

/** Checks every brand offer of a run against the supplier quote it answered. */
function expectBrandOffersUnderAsks(setup: NegotiationSetup): void {
  const run = runNegotiation(setup);
  run.offers.forEach((offer, i) => {
    if (offer.offeredBy !== "brand") return;
    const ask = run.offers[i - 1]!.terms;
    for (const line of offer.terms.lines) {
      expect(line.unitPrice).toBeLessThanOrEqual(ask.lines.find((l) => l.sku === line.sku)!.unitPrice);
    }
    expect(dominatesForBrand(ask, offer.terms)).toBe(false);
  });
}

const tee = { sku: "TEE", name: "Tee", quantity: 500, listPrice: 6.87, targetUnitPrice: 60, maxUnitPrice: 600 };

function teeSetup(preset: "premium" | "budget" | "balanced", brandStrategy: NegotiationSetup["brandStrategy"]): NegotiationSetup {
  const persona = personaPreset(preset);
  return {
    lineItems: [tee],
    priorities: { price: 0.4, leadTime: 0.3, paymentTerms: 0.2, quality: 0.1 },
    guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
    supplier: { id: preset, name: preset, qualityScore: persona.qualityScore, persona },
    maxRounds: 8,
    seed: 3,
    brandStrategy,
  };
}

describe("rule 1: the brand never bids above the supplier's ask, nor counters an offer that beats its counter", () => {
  it("the $60 target / $600 limit tee against suppliers asking $6.87–7.70", () => {
    for (const strategy of BRAND_STRATEGY_NAMES) {
      for (const preset of ["premium", "budget", "balanced"] as const) {
        const setup = teeSetup(preset, strategy);
        expectBrandOffersUnderAsks(setup);
        const run = runNegotiation(setup);
        for (const o of run.offers) expect(o.terms.lines[0]!.unitPrice).toBeLessThan(8);
        if (run.finalTerms) expect(run.finalTerms.lines[0]!.unitPrice).toBeLessThan(8);
      }
    }
  });

  it("holds in every move of generated and above-market negotiations, for every strategy", () => {
    fc.assert(fc.property(anySetupArb, expectBrandOffersUnderAsks), RUNS);
  });

  it("holds against any supplier quote, and a dominating quote inside the guardrails is accepted", () => {
    fc.assert(
      fc.property(
        anySetupArb.chain((setup) => fc.tuple(fc.constant(setup), quoteArb(setup))),
        ([setup, quote]) => {
          const view = brandView(setup);
          const move = brandMove(view, [{ round: 1, offeredBy: "supplier", terms: quote }]);
          if (move.kind === "offer") {
            move.terms.lines.forEach((line, i) => expect(line.unitPrice).toBeLessThanOrEqual(quote.lines[i]!.unitPrice));
            expect(dominatesForBrand(quote, move.terms)).toBe(false);
            expect(withinGuardrails(move.terms, setup.lineItems, setup.guardrails)).toBe(true);
          }
          if (move.kind === "accept") expect(withinGuardrails(quote, setup.lineItems, setup.guardrails)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("the assist's suggested counter for a human who took over stays under the ask too", () => {
    fc.assert(
      fc.property(
        anySetupArb.chain((setup) => fc.tuple(fc.constant(setup), quoteArb(setup))),
        ([setup, quote]) => {
          const suggestion = suggestCounter(brandView(setup), [{ round: 1, offeredBy: "supplier", terms: quote }]);
          suggestion.terms.lines.forEach((line, i) => expect(line.unitPrice).toBeLessThanOrEqual(quote.lines[i]!.unitPrice));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("moves what the cap cuts onto lines still under their ask, never past the ask or the limit", () => {
    const limits = [{ sku: "A", maxUnitPrice: 20 }, { sku: "B", maxUnitPrice: 9 }, { sku: "C", maxUnitPrice: 50 }];
    const bid: Terms = { lines: [{ sku: "A", quantity: 100, unitPrice: 15 }, { sku: "B", quantity: 100, unitPrice: 8 }, { sku: "C", quantity: 10, unitPrice: 40 }], leadTimeDays: 10, paymentTermsDays: 60 };
    const ask: Terms = { lines: [{ sku: "A", quantity: 100, unitPrice: 12 }, { sku: "B", quantity: 100, unitPrice: 10 }, { sku: "C", quantity: 10, unitPrice: 45 }], leadTimeDays: 20, paymentTermsDays: 30 };
    const capped = capAtAsk(bid, ask, limits);
    // A is cut by $300; B takes $100 (to its limit of 9, under its ask of 10), C the rest up to its ask ($50).
    expect(capped.lines.map((l) => l.unitPrice)).toEqual([12, 9, 45]);
    expect(capAtAsk(bid, { ...ask, lines: ask.lines.map((l) => ({ ...l, unitPrice: 99 })) }, limits)).toBe(bid);
    const roomy = capAtAsk(bid, { ...ask, lines: [ask.lines[0]!, { sku: "B", quantity: 100, unitPrice: 30 }, ask.lines[2]!] }, [...limits.slice(0, 1), { sku: "B", maxUnitPrice: 30 }, limits[2]!]);
    expect(totalPrice(roomy)).toBeCloseTo(totalPrice(bid), 9);
    expect(roomy.lines[1]!.unitPrice).toBe(11);
  });

  it("accepts a quote at or under the brand's ideal on every issue instead of countering", () => {
    const setup = teeSetup("budget", "boulware");
    const quote: Terms = { lines: [{ sku: "TEE", quantity: 500, unitPrice: 6.8 }], leadTimeDays: 0, paymentTermsDays: 120 };
    const move = brandMove(brandView(setup), [{ round: 1, offeredBy: "supplier", terms: quote }]);
    expect(move).toMatchObject({ kind: "accept", terms: quote });
  });
});

describe("rule 2: cheaper is always better for the brand, also below the target", () => {
  const ctx = teeSetup("balanced", "parley");
  const scoreAt = (unitPrice: number) => brandIssueScores({ lines: [{ sku: "TEE", quantity: 500, unitPrice }], leadTimeDays: 20, paymentTermsDays: 30 }, ctx).price;

  it("the price score strictly rises as the total falls, from the limit down to zero", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 59_999 }), fc.integer({ min: 1, max: 60_000 }), (cents, step) => {
        const high = Math.min(60_000, cents + step);
        expect(scoreAt(cents / 100)).toBeGreaterThan(scoreAt(high / 100));
      }),
      { numRuns: 300 },
    );
  });

  it("is unchanged between target and limit, and bounded below the target", () => {
    expect(scoreAt(600)).toBe(0);
    expect(scoreAt(60)).toBe(1);
    expect(scoreAt(330)).toBeCloseTo(0.5, 12);
    expect(scoreAt(30)).toBeCloseTo(1 + BELOW_TARGET_PRICE_BONUS / 2, 12);
    expect(scoreAt(0)).toBeCloseTo(1 + BELOW_TARGET_PRICE_BONUS, 12);
    expect(scoreAt(7.38)).toBeGreaterThan(scoreAt(62.73));
  });
});

describe("rule 3: the recommendation never prefers a dearer offer that is no better on any other issue", () => {
  const profile = (id: string, qualityScore: number) => ({ id, name: id.toUpperCase(), qualityScore });
  const line = (unitPrice: number) => [{ sku: "TEE", quantity: 500, unitPrice }];

  it("the issue's quote: $62.73 against $7.38 at the same terms", () => {
    const base = teeSetup("balanced", "parley");
    const rec = evaluateNegotiations({
      ...base,
      results: [
        { supplier: profile("a", 0.9), outcome: "agreement", finalTerms: { lines: line(62.73), leadTimeDays: 20, paymentTermsDays: 45 }, rounds: 6 },
        { supplier: profile("b", 0.9), outcome: "agreement", finalTerms: { lines: line(7.38), leadTimeDays: 20, paymentTermsDays: 45 }, rounds: 4 },
      ],
    });
    expect(rec.supplierId).toBe("b");
    expect(rec.ranking.every((r) => r.score >= 0 && r.score <= 1)).toBe(true);
  });

  it("ranks a cheaper offer that is as good on lead time, terms and quality above the dearer one", () => {
    const offerArb = fc.record({
      price: fc.integer({ min: 1, max: 60_000 }),
      lead: fc.integer({ min: 0, max: 30 }),
      pay: fc.integer({ min: 30, max: 150 }),
      quality: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const prioritiesArb = fc.record({
      price: fc.double({ min: 0, max: 1, noNaN: true }),
      leadTime: fc.double({ min: 0, max: 1, noNaN: true }),
      paymentTerms: fc.double({ min: 0, max: 1, noNaN: true }),
      quality: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        offerArb,
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.array(offerArb, { maxLength: 2 }),
        prioritiesArb,
        (cheap, extra, slower, shorter, worseQuality, others, priorities) => {
          const dear = { price: Math.min(60_000, cheap.price + extra), lead: Math.min(30, cheap.lead + slower), pay: Math.max(30, cheap.pay - shorter), quality: Math.max(0, cheap.quality - worseQuality) };
          if (dear.price === cheap.price) return;
          const result = (id: string, o: typeof cheap) => ({
            supplier: profile(id, o.quality),
            outcome: "agreement" as const,
            finalTerms: { lines: line(o.price / 100), leadTimeDays: o.lead, paymentTermsDays: o.pay },
            rounds: 4,
          });
          const rec = evaluateNegotiations({
            ...teeSetup("balanced", "parley"),
            priorities,
            results: [result("dear", dear), ...others.map((o, i) => result(`o${i}`, o)), result("cheap", cheap)],
          });
          const rank = (id: string) => rec.ranking.find((r) => r.supplierId === id)!.rank;
          expect(rank("cheap")).toBeLessThan(rank("dear"));
          expect(rec.supplierId).not.toBe("dear");
          expect(rec.ranking.every((r) => r.score >= 0 && r.score <= 1)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("rule 4: the simulated supplier never quotes below its own reservation", () => {
  function expectSupplierQuotesAcceptable(setup: NegotiationSetup): void {
    const run = runNegotiation(setup);
    for (const m of run.moves) {
      if (m.party === "supplier" && m.kind !== "impasse") expect(supplierAcceptable(m.terms, setup.lineItems, setup.supplier.persona)).toBe(true);
    }
  }

  it("in generated and above-market negotiations", () => {
    fc.assert(fc.property(anySetupArb, expectSupplierQuotesAcceptable), RUNS);
  });

  it("with personas whose list-price opening is below their floor or whose limits contradict", () => {
    fc.assert(fc.property(adversarialSupplierArb, expectSupplierQuotesAcceptable), RUNS);
  });

  it("lifts an opening below cost to its floor, and declines to quote when no price covers its financing", () => {
    const lossy = { ...personaPreset("budget"), openingMarkup: 0.5, unitCostRatio: 0.9 };
    const setup = { ...teeSetup("budget", "parley"), supplier: { id: "l", name: "Lossy", qualityScore: lossy.qualityScore, persona: lossy } };
    const opening = runNegotiation(setup).offers[0]!;
    expect(supplierAcceptable(opening.terms, setup.lineItems, lossy)).toBe(true);
    expect(opening.terms.lines[0]!.unitPrice).toBeGreaterThan(6.87 * 0.9);
    const broke = { ...lossy, annualFinancingRate: 400, paymentTermsDays: { preferred: 90, max: 120 } };
    const run = runNegotiation({ ...setup, supplier: { ...setup.supplier, persona: broke } });
    expect(run.offers).toHaveLength(0);
    expect(run.outcome).toBe("impasse");
  });
});
