// The brand never takes back a concession. For each brand offer after its
// first, against its previous offer with each line lowered to the supplier's
// standing ask where that is lower (the ask cap, which is not a retraction):
// the new offer is worth no more to the brand, and where it is better for the
// brand on an issue (a line's unit price, lead time, payment terms) it is
// worse on another. Over generated setups, above-market targets, adversarial
// personas and supplier quotes drawn at random, for every brand strategy.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BRAND_STRATEGY_NAMES,
  brandMove,
  brandView,
  type NegotiationSetup,
  type OfferRecord,
  PERSONA_PRESETS,
  type PersonaPresetName,
  personaPreset,
  runNegotiation,
  type SupplierPersona,
  type Terms,
} from "../../src/negotiation/index.js";
import { brandValue } from "../../src/negotiation/brand-plan.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { singleLineSetup } from "./fixtures.js";
import { aboveMarketArb, generatedArb, quoteArb } from "./arbitraries.js";

const RUNS = { numRuns: 60 };
const PRESETS = Object.keys(PERSONA_PRESETS) as PersonaPresetName[];

/** Any preset's persona (unperturbed), or one with openings below its floor, odd lead times and terms. */
const personaArb = (base: SupplierPersona): fc.Arbitrary<SupplierPersona> =>
  fc.oneof(
    fc.constantFrom(...PRESETS).map((name) => personaPreset(name)),
    fc
      .record({
        unitCostRatio: fc.double({ min: 0.3, max: 1.2, noNaN: true }),
        openingMarkup: fc.double({ min: 0.3, max: 1.5, noNaN: true }),
        reservationMargin: fc.double({ min: -0.2, max: 0.6, noNaN: true }),
        fastest: fc.integer({ min: 0, max: 40 }),
        extra: fc.integer({ min: 0, max: 30 }),
        preferred: fc.integer({ min: 0, max: 90 }),
        extraPay: fc.integer({ min: 0, max: 60 }),
        concession: fc.constantFrom("boulware", "linear", "conceder", "tit_for_tat" as const),
      })
      .map((p): SupplierPersona => ({
        ...base,
        concession: p.concession,
        unitCostRatio: p.unitCostRatio,
        openingMarkup: p.openingMarkup,
        reservationMargin: p.reservationMargin,
        leadTimeDays: { fastest: p.fastest, standard: p.fastest + p.extra },
        paymentTermsDays: { preferred: p.preferred, max: p.preferred + p.extraPay },
      })),
  );

const setupArb = fc
  .oneof(generatedArb, aboveMarketArb)
  .chain((setup) => personaArb(setup.supplier.persona).map((persona): NegotiationSetup => ({ ...setup, supplier: { ...setup.supplier, persona } })));

/** The rule, written out issue by issue (independently of the engine's own check). */
function retractions(setup: NegotiationSetup, offers: OfferRecord[]): string[] {
  const found: string[] = [];
  let previous: Terms | undefined;
  let ask: Terms | undefined;
  for (const o of offers) {
    if (o.offeredBy === "supplier") {
      ask = o.terms;
      continue;
    }
    if (previous && ask) {
      const reference: Terms = {
        ...previous,
        lines: previous.lines.map((l) => ({ ...l, unitPrice: Math.min(l.unitPrice, ask!.lines.find((a) => a.sku === l.sku)?.unitPrice ?? Infinity) })),
      };
      const better: string[] = [];
      const worse: string[] = [];
      for (const line of o.terms.lines) {
        const ref = reference.lines.find((l) => l.sku === line.sku)!;
        if (line.unitPrice < ref.unitPrice) better.push(line.sku);
        if (line.unitPrice > ref.unitPrice) worse.push(line.sku);
      }
      if (o.terms.leadTimeDays < reference.leadTimeDays) better.push("lead");
      if (o.terms.leadTimeDays > reference.leadTimeDays) worse.push("lead");
      if (o.terms.paymentTermsDays > reference.paymentTermsDays) better.push("pay");
      if (o.terms.paymentTermsDays < reference.paymentTermsDays) worse.push("pay");
      const view = brandView(setup);
      if (brandValue(view, o.terms) > brandValue(view, reference) + 1e-9) found.push(`round ${o.round}: worth more to the brand than its previous offer`);
      if (better.length > 0 && worse.length === 0) found.push(`round ${o.round}: retracts ${better.join(", ")} with nothing given`);
    }
    previous = o.terms;
  }
  return found;
}

describe("the brand never retracts a concession", () => {
  it("over whole negotiations: generated, above-market and adversarial setups, every strategy and preset", () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        expect(retractions(setup, runNegotiation(setup).offers)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("against supplier quotes drawn at random, after a brand offer the engine made", () => {
    const arb = setupArb.chain((setup) => fc.tuple(fc.constant(setup), fc.array(quoteArb(setup), { minLength: 2, maxLength: 4 })));
    fc.assert(
      fc.property(arb, ([setup, quotes]) => {
        // Supplier quotes at random, the brand answering each with the engine's move, as far as it keeps countering.
        const history: OfferRecord[] = [];
        for (const terms of quotes) {
          if (history.length + 2 > setup.maxRounds) break;
          history.push({ round: history.length + 1, offeredBy: "supplier", terms });
          const move = brandMove(brandView(setup), history);
          if (move.kind !== "offer") break;
          history.push({ round: move.round, offeredBy: "brand", terms: move.terms });
        }
        expect(retractions(setup, history)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("holds its previous offer rather than ask for more when a strategy would", () => {
    // The brand offered 8.00 at 20 days, net 45; the supplier answers with its opening again.
    const setup = { ...singleLineSetup(), brandStrategy: "parley" as const };
    const ask: Terms = { lines: [{ sku: "TS", quantity: 1000, unitPrice: 10 }], leadTimeDays: 28, paymentTermsDays: 30 };
    const previous: Terms = { lines: [{ sku: "TS", quantity: 1000, unitPrice: 9.5 }], leadTimeDays: 28, paymentTermsDays: 30 };
    const history: OfferRecord[] = [
      { round: 1, offeredBy: "supplier", terms: ask },
      { round: 2, offeredBy: "brand", terms: previous },
      { round: 3, offeredBy: "supplier", terms: ask },
    ];
    const move = brandMove(brandView(setup), history);
    expect(move.kind).toBe("offer");
    if (move.kind !== "offer") return;
    // Parley's own aspiration would start far below 9.50 a unit; the brand may trade, never ask for more.
    expect(retractions(setup, history.concat({ round: 4, offeredBy: "brand", terms: move.terms }))).toEqual([]);
    expect(brandValue(brandView(setup), move.terms)).toBeLessThanOrEqual(brandValue(brandView(setup), previous) + 1e-9);
  });

  it("follows the supplier's ask down without calling it a retraction, and takes an ask worth its own last offer", () => {
    const setup = { ...singleLineSetup(), brandStrategy: "linear" as const };
    const opening: Terms = { lines: [{ sku: "TS", quantity: 1000, unitPrice: 10 }], leadTimeDays: 28, paymentTermsDays: 30 };
    const previous: Terms = { lines: [{ sku: "TS", quantity: 1000, unitPrice: 9 }], leadTimeDays: 20, paymentTermsDays: 45 };
    // The supplier undercuts the brand's price but keeps its lead time and terms: worth less than the brand's offer.
    const undercut: Terms = { lines: [{ sku: "TS", quantity: 1000, unitPrice: 8.9 }], leadTimeDays: 28, paymentTermsDays: 30 };
    const history: OfferRecord[] = [
      { round: 1, offeredBy: "supplier", terms: opening },
      { round: 2, offeredBy: "brand", terms: previous },
      { round: 3, offeredBy: "supplier", terms: undercut },
    ];
    const move = brandMove(brandView(setup), history);
    if (move.kind === "offer") {
      expect(move.terms.lines[0]!.unitPrice).toBeLessThanOrEqual(8.9);
      expect(retractions(setup, history.concat({ round: 4, offeredBy: "brand", terms: move.terms }))).toEqual([]);
    } else {
      expect(move.kind).toBe("accept");
    }
  });
});
