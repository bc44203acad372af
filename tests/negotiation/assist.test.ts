import { describe, expect, it } from "vitest";
import { brandView, nextMove, type OfferRecord, predictAcceptance, runNegotiation, shouldAutoAccept, suggestCounter, totalPrice, withinGuardrails } from "../../src/negotiation/index.js";
import { singleLineSetup } from "./fixtures.js";

describe("AI assist", () => {
  const simulation = singleLineSetup();
  const run = runNegotiation(simulation);
  // The assist is on the brand's side: it gets the brand's view, no persona.
  const setup = brandView(simulation);
  const history: OfferRecord[] = run.offers.slice(0, 3);

  it("suggests the counter Parley itself would make, inside the guardrails, with a list-price comparison", () => {
    const s = suggestCounter(setup, history);
    const move = nextMove(simulation, history);
    if (move.kind === "offer") expect(s.terms).toEqual(move.terms);
    expect(withinGuardrails(s.terms, setup.lineItems, setup.guardrails)).toBe(true);
    expect(s.acceptanceProbability).toBeGreaterThanOrEqual(0);
    expect(s.acceptanceProbability).toBeLessThanOrEqual(1);
    expect(s.vsListPrice.listTotal).toBe(10_000);
    expect(s.vsListPrice.offerTotal).toBeCloseTo(totalPrice(s.terms), 6);
    expect(s.vsListPrice.differencePct).toBeCloseTo((100 * (totalPrice(s.terms) - 10_000)) / 10_000, 6);
  });

  it("predicts higher acceptance for higher prices and explains with the numbers", () => {
    const at = (unitPrice: number) => predictAcceptance(setup, history, { lines: [{ sku: "TS", quantity: 1000, unitPrice }], leadTimeDays: 28, paymentTermsDays: 30 });
    expect(at(9.9).probability).toBeGreaterThan(at(7).probability);
    expect(at(9.9).probability).toBeGreaterThan(0.5);
    expect(at(6).probability).toBeLessThan(0.2);
    expect(at(7).reason).toMatch(/\$7,000\.00 is .*% below the supplier's estimated floor/);
  });

  it("refuses to predict before the supplier has quoted", () => {
    expect(() => suggestCounter(setup, [])).toThrow(/not quoted/);
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
