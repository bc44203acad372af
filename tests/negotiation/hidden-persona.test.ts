// The supplier's persona stays with the supplier: brand code takes a
// BrandSetup (no persona, by type), and even handed a full NegotiationSetup at
// run time its moves do not depend on any hidden persona field.

import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  BRAND_STRATEGY_NAMES,
  brandMove,
  type BrandSetup,
  brandView,
  evaluateNegotiations,
  type Move,
  type NegotiationSetup,
  nextMove,
  type OfferRecord,
  predictAcceptance,
  suggestCounter,
  type SupplierPersona,
  type SupplierProfile,
  type Terms,
} from "../../src/negotiation/index.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";

const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** Every hidden persona field, drawn anew; the public qualityScore is kept by the caller. */
const hiddenPersonaArb: fc.Arbitrary<Omit<SupplierPersona, "qualityScore">> = fc.record({
  concession: fc.constantFrom("boulware", "linear", "conceder", "tit_for_tat"),
  concessionExponent: fc.double({ min: 0.1, max: 6, noNaN: true }),
  unitCostRatio: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  openingMarkup: fc.double({ min: 0.7, max: 1.8, noNaN: true }),
  reservationMargin: fc.double({ min: -0.3, max: 0.8, noNaN: true }),
  weights: fc.record({ price: unit, leadTime: unit, paymentTerms: unit }),
  leadTimeDays: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })).map(([fastest, extra]) => ({ fastest, standard: fastest + extra })),
  expediteCostPerDay: fc.double({ min: 0, max: 0.05, noNaN: true }),
  paymentTermsDays: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 90 })).map(([preferred, extra]) => ({ preferred, max: preferred + extra })),
  annualFinancingRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  capacityPerLine: fc.integer({ min: 0, max: 200_000 }),
});

/** One supplier quote: a price level against list price per line, a lead time and payment terms. */
const quoteArb = fc.record({
  level: fc.double({ min: 0.5, max: 1.4, noNaN: true }),
  spread: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 3, maxLength: 3 }),
  leadTimeDays: fc.integer({ min: 0, max: 60 }),
  paymentTermsDays: fc.integer({ min: 0, max: 120 }),
});

const caseArb = fc.record({
  scenarioSeed: fc.integer({ min: 0, max: 1_000_000 }),
  supplier: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer(),
  hidden: hiddenPersonaArb,
  quotes: fc.array(quoteArb, { minLength: 1, maxLength: 7 }),
});

function termsFor(setup: BrandSetup, q: { level: number; spread: number[]; leadTimeDays: number; paymentTermsDays: number }): Terms {
  return {
    lines: setup.lineItems.map((item, i) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: Math.round(item.listPrice * (q.level + (q.spread[i] ?? 0)) * 100) / 100,
    })),
    leadTimeDays: q.leadTimeDays,
    paymentTermsDays: q.paymentTermsDays,
  };
}

/** The brand's moves against a fixed sequence of supplier quotes, driving brandMove directly. */
function brandMovesAgainst(setup: BrandSetup, quotes: Terms[]): { moves: Move[]; histories: OfferRecord[][] } {
  const history: OfferRecord[] = [];
  const moves: Move[] = [];
  const histories: OfferRecord[][] = [];
  for (const terms of quotes) {
    if (history.length >= setup.maxRounds) break;
    history.push({ round: history.length + 1, offeredBy: "supplier", terms });
    histories.push([...history]);
    const move = brandMove(setup, history);
    moves.push(move);
    if (move.kind !== "offer") break;
    history.push({ round: move.round, offeredBy: "brand", terms: move.terms });
  }
  return { moves, histories };
}

describe("the supplier's persona stays with the supplier", () => {
  it("no brand input type has a persona", () => {
    expectTypeOf<BrandSetup["supplier"]>().toEqualTypeOf<SupplierProfile>();
    expectTypeOf<BrandSetup["supplier"]>().not.toHaveProperty("persona");
    expectTypeOf<Parameters<typeof brandMove>[0]>().toEqualTypeOf<BrandSetup>();
    expectTypeOf<Parameters<typeof suggestCounter>[0]>().toEqualTypeOf<BrandSetup>();
    expectTypeOf<Parameters<typeof predictAcceptance>[0]>().toEqualTypeOf<BrandSetup>();
    expectTypeOf<Parameters<typeof evaluateNegotiations>[0]["results"][number]["supplier"]>().toEqualTypeOf<SupplierProfile>();
    const view = brandView(scenarioSetups(generateScenario(1))[0]!);
    // @ts-expect-error brand code cannot read a persona: its input has none.
    expect(view.supplier.persona).toBeUndefined();
  });

  it("brandView keeps the profile and leaves the persona behind, at run time too", () => {
    const setup: NegotiationSetup = {
      ...scenarioSetups(generateScenario(3))[1]!,
      supplier: { ...scenarioSetups(generateScenario(3))[1]!.supplier, location: "Porto", tagline: "Knit to last", description: "Family mill." },
    };
    const view = brandView(setup);
    expect(view.supplier).toEqual({ id: setup.supplier.id, name: setup.supplier.name, qualityScore: setup.supplier.qualityScore, location: "Porto", tagline: "Knit to last", description: "Family mill." });
    expect(Object.keys(view).sort()).toEqual(["brandStrategy", "guardrails", "lineItems", "maxRounds", "priorities", "seed", "supplier"]);
    expect(JSON.stringify(view)).not.toMatch(/persona|concession|reservation|unitCost|financing|capacity/);
  });

  it("changing every hidden persona field leaves every brand strategy's moves identical, given the same supplier offers", () => {
    fc.assert(
      fc.property(caseArb, ({ scenarioSeed, supplier, seed, hidden, quotes }) => {
        const original = scenarioSetups(generateScenario(scenarioSeed), seed)[supplier]!;
        const other: NegotiationSetup = {
          ...original,
          supplier: { ...original.supplier, persona: { ...hidden, qualityScore: original.supplier.persona.qualityScore } },
        };
        const offers = quotes.map((q) => termsFor(original, q));
        for (const brandStrategy of BRAND_STRATEGY_NAMES) {
          // The full setups on purpose: the persona is there at run time, and must not matter.
          const a = { ...original, brandStrategy };
          const b = { ...other, brandStrategy };
          const runA = brandMovesAgainst(a, offers);
          const runB = brandMovesAgainst(b, offers);
          expect(runB.moves).toEqual(runA.moves);
          // The protocol's own brand turns (through brandView) agree as well.
          for (const h of runA.histories) expect(nextMove(b, h)).toEqual(nextMove(a, h));
          // So do the AI assist's suggestion and prediction.
          const last = runA.histories[runA.histories.length - 1]!;
          expect(suggestCounter(b, last)).toEqual(suggestCounter(a, last));
          expect(predictAcceptance(b, last, offers[0]!)).toEqual(predictAcceptance(a, last, offers[0]!));
        }
        // And the recommendation over the same outcomes.
        const results = (setup: NegotiationSetup) => [
          { supplier: setup.supplier, outcome: "agreement" as const, finalTerms: offers[offers.length - 1]!, openingTerms: offers[0]!, rounds: offers.length },
        ];
        expect(evaluateNegotiations({ ...other, results: results(other) })).toEqual(evaluateNegotiations({ ...original, results: results(original) }));
      }),
      { numRuns: 40 },
    );
  });
});
