import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  brandUtility,
  brandView,
  type BrandSetup,
  nextMove,
  type OfferRecord,
  predictAcceptance,
  runNegotiation,
  shouldAutoAccept,
  suggestCounter,
  type Terms,
  totalPrice,
  withinGuardrails,
} from "../../src/negotiation/index.js";
import { LOW_ACCEPTANCE, SUGGESTION_MIN_ACCEPTANCE } from "../../src/negotiation/assist.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { singleLineSetup } from "./fixtures.js";

// Words of the model, not of a person: none may reach the brand user.
const JARGON = /aspiration|utility|range|reservation|exponent|boulware|conceder|trade-off|weights|logistic|(?<![$€£\d.,])0\.\d{2}/i;
const MONEY_WITH_SEPARATORS = /\$\d{1,3}(,\d{3})+\.\d{2}/;

const tee = (unitPrice: number, leadTimeDays = 28, paymentTermsDays = 30): Terms => ({ lines: [{ sku: "TS", quantity: 1000, unitPrice }], leadTimeDays, paymentTermsDays });
const quotes = (...unitPrices: number[]): OfferRecord[] =>
  unitPrices.flatMap((price, i) => [
    ...(i > 0 ? [{ round: 2 * i, offeredBy: "brand" as const, terms: tee(7.5) }] : []),
    { round: 2 * i + 1, offeredBy: "supplier" as const, terms: tee(price) },
  ]);
const linesUnderAsk = (terms: Terms, ask: Terms) => terms.lines.every((l) => l.unitPrice <= ask.lines.find((a) => a.sku === l.sku)!.unitPrice);

/** The price (same days) at which the model's acceptance crosses `p`, by bisection. */
function priceAtChance(setup: BrandSetup, history: OfferRecord[], p: number): number {
  let lo = 1;
  let hi = 20;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (predictAcceptance(setup, history, tee(mid)).probability < p) lo = mid;
    else hi = mid;
  }
  return hi;
}

describe("AI assist", () => {
  const simulation = singleLineSetup();
  const run = runNegotiation(simulation);
  // The assist is on the brand's side: it gets the brand's view, no persona.
  const setup = brandView(simulation);
  const early: OfferRecord[] = run.offers.slice(0, 3);
  const later: OfferRecord[] = run.offers.slice(0, 5);

  it("suggests Parley's own counter when it has a real chance, with a list-price comparison", () => {
    // Parley's last offer (round 4 of 5) is sized to be accepted.
    const short = singleLineSetup({ maxRounds: 5 });
    const history = runNegotiation(short).offers.slice(0, 3);
    expect(history).toHaveLength(3);
    const s = suggestCounter(brandView(short), history);
    const move = nextMove(short, history);
    expect(move.kind).toBe("offer");
    if (move.kind === "offer") expect(s.terms).toEqual(move.terms);
    expect(s.acceptanceProbability).toBeGreaterThanOrEqual(LOW_ACCEPTANCE);
    expect(s.reasoning).toContain("This is the counter Parley would make itself.");
    expect(withinGuardrails(s.terms, setup.lineItems, setup.guardrails)).toBe(true);
    expect(s.vsListPrice.listTotal).toBe(10_000);
    expect(s.vsListPrice.offerTotal).toBeCloseTo(totalPrice(s.terms), 6);
    expect(s.vsListPrice.differencePct).toBeCloseTo((100 * (totalPrice(s.terms) - 10_000)) / 10_000, 6);
  });

  it("when Parley's own counter is a long shot, suggests the best terms for the brand that reach the threshold, under the ask and inside the guardrails", () => {
    const move = nextMove(simulation, early);
    if (move.kind !== "offer") throw new Error("expected Parley to counter");
    const planChance = predictAcceptance(setup, early, move.terms).probability;
    expect(planChance).toBeLessThan(LOW_ACCEPTANCE);
    const s = suggestCounter(setup, early);
    const ask = early[2]!.terms;
    expect(s.terms).not.toEqual(move.terms);
    expect(s.acceptanceProbability).toBeGreaterThanOrEqual(SUGGESTION_MIN_ACCEPTANCE);
    expect(predictAcceptance(setup, early, s.terms).probability).toBeCloseTo(s.acceptanceProbability, 12);
    expect(withinGuardrails(s.terms, setup.lineItems, setup.guardrails)).toBe(true);
    expect(linesUnderAsk(s.terms, ask)).toBe(true);
    expect(s.reasoning).toContain(`had only a ${Math.round(planChance * 100)}% chance, so this is the best one for you between it and Fairweave's current quote with at least a 50% chance`);
    // Brute force, cent by cent and day by day between the plan and the ask: nothing reaching
    // the threshold is worth clearly more to the brand than the suggestion.
    const worth = (t: Terms) => brandUtility(t, setup, setup.supplier.qualityScore);
    let best = 0;
    const [lo, hi] = [move.terms.lines[0]!.unitPrice, ask.lines[0]!.unitPrice];
    for (let cents = Math.round(lo * 100); cents <= Math.round(hi * 100); cents += 1) {
      for (let lead = Math.min(move.terms.leadTimeDays, ask.leadTimeDays); lead <= Math.max(move.terms.leadTimeDays, ask.leadTimeDays); lead++) {
        for (let pay = Math.min(move.terms.paymentTermsDays, ask.paymentTermsDays); pay <= Math.max(move.terms.paymentTermsDays, ask.paymentTermsDays); pay += 2) {
          const t = tee(cents / 100, lead, pay);
          if (withinGuardrails(t, setup.lineItems, setup.guardrails) && predictAcceptance(setup, early, t).probability >= SUGGESTION_MIN_ACCEPTANCE) best = Math.max(best, worth(t));
        }
      }
    }
    expect(worth(s.terms)).toBeGreaterThan(best - 0.02);
  });

  it("says plainly that no terms reach the threshold when the supplier's ask is beyond the guardrails", () => {
    // The supplier sits far above the brand's limit of $10: nothing inside the guardrails has an even chance.
    const history = quotes(16, 15.9);
    const s = suggestCounter(setup, history);
    expect(s.acceptanceProbability).toBeLessThan(SUGGESTION_MIN_ACCEPTANCE);
    expect(withinGuardrails(s.terms, setup.lineItems, setup.guardrails)).toBe(true);
    expect(s.reasoning).toContain("No offer inside your guardrails reaches a 50% chance, so this is the likeliest");
    // The likeliest inside the limits is at the limit price.
    expect(s.terms.lines[0]!.unitPrice).toBe(10);
  });

  it("explains in plain words: the supplier's move, the offer in money with its chance, the target's chance", () => {
    const s = suggestCounter(setup, early);
    expect(s.reasoning).not.toMatch(JARGON);
    expect(s.reasoning).toMatch(/^Fairweave has dropped its price 1\.3% over 1 round \(from \$10,500\.00 to \$10,360\.00\); offering \$\d+\.\d{2}\/unit, \d+ days, net \d+ \(\$\d,\d{3}\.\d{2} in total\) is [a-z ]+ \(≈\d+%\) to close; your target price \(\$8,000\.00 in total\) is [a-z ]+ \(≈\d+%\) now/);
    expect(s.reasoning).toMatch(MONEY_WITH_SEPARATORS);
    expect(s.reasoning).toContain(`(≈${Math.round(s.acceptanceProbability * 100)}%) to close`);
    // In the quote's currency, with its separators.
    expect(suggestCounter(setup, early, "EUR").reasoning).toContain("€10,500.00");
    // Only the opening quote; a supplier with no name; a quote already under the target.
    expect(suggestCounter(setup, quotes(10.5)).reasoning).toMatch(/^Fairweave has quoted \$10,500\.00 and not moved yet;/);
    const nameless = { ...setup, supplier: { ...setup.supplier, name: "  " } };
    expect(suggestCounter(nameless, quotes(10.5, 10.5)).reasoning).toMatch(/^The supplier has held its price at \$10,500\.00 over 1 round;.*the supplier's current quote/);
    expect(suggestCounter(setup, quotes(9, 7.9)).reasoning).toContain("its quote is already at or under your target price ($8,000.00 in total)");
  });

  it("confidence measures the model's certainty, not the chance: more and steadier evidence, more confidence", () => {
    // Two suppliers on the same straight line down from $10.50; one has shown four more quotes.
    const short = quotes(10.5, 10.2);
    const long = quotes(10.5, 10.2, 9.9, 9.6, 9.3);
    // Terms with the same predicted chance under each history...
    const p = 0.5;
    const a = predictAcceptance(setup, short, tee(priceAtChance(setup, short, p))).probability;
    const b = predictAcceptance(setup, long, tee(priceAtChance(setup, long, p))).probability;
    expect(a).toBeCloseTo(b, 6);
    // ...yet the model is surer after more evidence.
    const [cShort, cLong] = [suggestCounter(setup, short).confidence, suggestCounter(setup, long).confidence];
    expect(cLong).toBeGreaterThan(cShort);
    // As many quotes, zigzagging: the same evidence, less consistent, less confidence.
    const zigzag = quotes(10.5, 9.4, 10.1, 9.2, 9.3);
    expect(suggestCounter(setup, zigzag).confidence).toBeLessThan(cLong - 0.1);
    for (const h of [short, long, zigzag, early, later]) {
      const s = suggestCounter(setup, h);
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThan(1);
      expect(s.confidence).not.toBeCloseTo(s.acceptanceProbability, 3);
    }
  });

  it("predicts higher acceptance for higher prices and explains with the numbers", () => {
    const at = (unitPrice: number) => predictAcceptance(setup, early, tee(unitPrice));
    expect(at(9.9).probability).toBeGreaterThan(at(7).probability);
    expect(at(9.9).probability).toBeGreaterThan(0.5);
    expect(at(6).probability).toBeLessThan(0.2);
    expect(at(7).reason).toMatch(/\$7,000\.00 is .*% below the supplier's estimated floor/);
  });

  it("refuses to suggest or predict before the supplier has quoted", () => {
    expect(() => suggestCounter(setup, [])).toThrow(/not quoted/);
    expect(() => suggestCounter(setup, [{ round: 1, offeredBy: "brand", terms: tee(8) }])).toThrow(/not quoted/);
    expect(() => predictAcceptance(setup, [], tee(8))).toThrow(/not quoted/);
  });

  it("over generated scenarios: inside the guardrails, under the ask, a real chance when one exists, plain words", () => {
    const caseArb = fc.record({ scenarioSeed: fc.integer({ min: 0, max: 1_000_000 }), supplier: fc.integer({ min: 0, max: 2 }), seed: fc.integer(), cut: fc.nat() });
    fc.assert(
      fc.property(caseArb, ({ scenarioSeed, supplier, seed, cut }) => {
        const simulated = scenarioSetups(generateScenario(scenarioSeed), seed)[supplier]!;
        const offers = runNegotiation(simulated).offers;
        const ends = offers.flatMap((o, i) => (o.offeredBy === "supplier" ? [i + 1] : []));
        const history = offers.slice(0, ends[cut % ends.length]!);
        const brand = brandView(simulated);
        const ask = history[history.length - 1]!.terms;
        const s = suggestCounter(brand, history);
        expect(withinGuardrails(s.terms, brand.lineItems, brand.guardrails)).toBe(true);
        expect(linesUnderAsk(s.terms, ask)).toBe(true);
        expect(s.confidence).toBeGreaterThanOrEqual(0);
        expect(s.confidence).toBeLessThanOrEqual(1);
        expect(s.reasoning).not.toMatch(JARGON);
        expect(s.reasoning).toContain(brand.supplier.name);
        expect(s.reasoning).toMatch(/\$[\d,]+\.\d{2}/);
        // When the supplier's own ask is inside the guardrails and the model gives it an even chance,
        // a suggestion with a real chance exists, and is made.
        if (withinGuardrails(ask, brand.lineItems, brand.guardrails) && predictAcceptance(brand, history, ask).probability >= SUGGESTION_MIN_ACCEPTANCE) {
          expect(s.acceptanceProbability).toBeGreaterThanOrEqual(LOW_ACCEPTANCE);
        }
        // A searched suggestion keeps its word.
        if (s.reasoning.includes("with at least a 50% chance")) expect(s.acceptanceProbability).toBeGreaterThanOrEqual(SUGGESTION_MIN_ACCEPTANCE);
        if (s.acceptanceProbability < LOW_ACCEPTANCE) expect(s.reasoning).toMatch(/No offer inside your guardrails reaches|Parley would make itself/);
        // "The counter Parley would make itself" is the very counter it would send.
        const move = nextMove({ ...simulated, brandStrategy: "parley" }, history);
        if (s.reasoning.includes("Parley would make itself") && move.kind === "offer") expect(s.terms).toEqual(move.terms);
      }),
      { numRuns: 60 },
    );
  });
});

describe("shouldAutoAccept", () => {
  const ctx = { ...singleLineSetup(), qualityScore: 0.8 };
  const offer = (unitPrice: number, leadTimeDays = 20, paymentTermsDays = 45) => ({ lines: [{ sku: "TS", quantity: 1000, unitPrice }], leadTimeDays, paymentTermsDays });
  it("never accepts outside the guardrails, whatever the policy", () => {
    expect(shouldAutoAccept(offer(10.5), {}, ctx)).toEqual({ accept: false, reason: expect.stringContaining("outside the guardrails") });
  });
  it("applies each policy limit with its reason", () => {
    expect(shouldAutoAccept(offer(9.9), { minUtility: 0.5 }, ctx).reason).toMatch(/utility 0\.\d+ is below the policy minimum 0\.50/);
    expect(shouldAutoAccept(offer(9), { maxTotalPrice: 8_500 }, ctx).reason).toContain("$9,000.00 is above the policy limit $8,500.00");
    expect(shouldAutoAccept(offer(8.5), { maxPriceOverTarget: 1.05 }, ctx).reason).toContain("TS at $8.50 is 6.3% over its target $8.00");
    const ok = shouldAutoAccept(offer(8.3), { maxPriceOverTarget: 1.05, minUtility: 0.3 }, ctx);
    expect(ok.accept).toBe(true);
    expect(ok.reason).toContain("$8,300.00");
  });
});
