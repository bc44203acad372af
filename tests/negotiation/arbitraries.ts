import fc from "fast-check";
import { BRAND_STRATEGY_NAMES, type NegotiationSetup, type Terms } from "../../src/negotiation/index.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";

// The setups the brand-rule properties run over, shared by their test files.

/** A generated scenario's negotiation with one of its suppliers, under any brand strategy. */
export const generatedArb = fc
  .record({ scenarioSeed: fc.integer({ min: 0, max: 1_000_000 }), supplier: fc.integer({ min: 0, max: 2 }), strategy: fc.constantFrom(...BRAND_STRATEGY_NAMES), seed: fc.integer() })
  .map(({ scenarioSeed, supplier, strategy, seed }): NegotiationSetup => scenarioSetups({ ...generateScenario(scenarioSeed), brandStrategy: strategy }, seed)[supplier]!);

/** The new user's mistake: targets (and limits) a multiple of what the market charges. */
export const aboveMarketArb = fc
  .record({ setup: generatedArb, targetFactor: fc.double({ min: 1.5, max: 20, noNaN: true }), headroom: fc.double({ min: 1, max: 12, noNaN: true }) })
  .map(({ setup, targetFactor, headroom }): NegotiationSetup => ({
    ...setup,
    lineItems: setup.lineItems.map((l) => {
      const target = Math.round(l.listPrice * targetFactor * 100) / 100;
      return { ...l, targetUnitPrice: target, maxUnitPrice: Math.round(target * headroom * 100) / 100 };
    }),
  }));

/** A supplier quote drawn anywhere: prices from a cent to twice the limit, any lead time and terms. */
export const quoteArb = (setup: NegotiationSetup) =>
  fc
    .record({
      prices: fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: setup.lineItems.length, maxLength: setup.lineItems.length }),
      lead: fc.integer({ min: 0, max: 60 }),
      pay: fc.integer({ min: 0, max: 120 }),
    })
    .map(({ prices, lead, pay }): Terms => ({
      lines: setup.lineItems.map((l, i) => ({ sku: l.sku, quantity: l.quantity, unitPrice: Math.round(l.maxUnitPrice * prices[i]! * 100) / 100 })),
      leadTimeDays: lead,
      paymentTermsDays: pay,
    }));
