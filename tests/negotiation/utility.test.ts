import { describe, expect, it } from "vitest";
import {
  brandUtility,
  hasZoneOfAgreement,
  personaPreset,
  supplierAcceptable,
  supplierMargin,
  supplierUtility,
  withinGuardrails,
} from "../../src/negotiation/index.js";
import { singleLineSetup } from "./fixtures.js";

const terms = (unitPrice: number, leadTimeDays: number, paymentTermsDays: number) => ({
  lines: [{ sku: "TS", quantity: 1000, unitPrice }],
  leadTimeDays,
  paymentTermsDays,
});

describe("brand utility", () => {
  const setup = singleLineSetup();
  it("weights the issue scores by the priorities (hand-checked)", () => {
    // price: (10 - 9) / (10 - 8) = 0.5; lead: (30 - 15) / 30 = 0.5; terms: (60 - 30) / (120 - 30) = 1/3; quality 0.8
    const expected = 0.5 * 0.5 + 0.2 * 0.5 + 0.2 * (1 / 3) + 0.1 * 0.8;
    expect(brandUtility(terms(9, 15, 60), setup, 0.8)).toBeCloseTo(expected, 10);
  });
  it("is 1 at the ideal and 0 outside any guardrail", () => {
    expect(brandUtility(terms(8, 0, 120), setup, 1)).toBeCloseTo(1, 10);
    expect(brandUtility(terms(10.01, 10, 60), setup, 1)).toBe(0);
    expect(brandUtility(terms(9, 31, 60), setup, 1)).toBe(0);
    expect(brandUtility(terms(9, 10, 29), setup, 1)).toBe(0);
  });
  it("checks the guardrails on every line", () => {
    expect(withinGuardrails(terms(10, 30, 30), setup.lineItems, setup.guardrails)).toBe(true);
    expect(withinGuardrails({ ...terms(9, 10, 60), lines: [] }, setup.lineItems, setup.guardrails)).toBe(false);
  });
});

describe("supplier utility", () => {
  const persona = personaPreset("balanced"); // cost 6.00/unit, opening 10.50, reservation margin 15%
  const { lineItems } = singleLineSetup();
  it("counts financing and expediting costs in the margin (hand-checked)", () => {
    // price 9 at net 73 with 10%/yr: 9 * (1 - 0.02) = 8.82; 4 days faster than 28 at 0.8%/day: cost 6 * 1.032 = 6.192
    expect(supplierMargin(terms(9, 24, 73), lineItems, persona)).toBeCloseTo((8.82 - 6.192) / 6, 10);
  });
  it("is 0 below the reservation margin or when infeasible, positive above", () => {
    expect(supplierUtility(terms(6.5, 28, 30), lineItems, persona)).toBe(0);
    expect(supplierAcceptable(terms(6.5, 28, 30), lineItems, persona)).toBe(false);
    expect(supplierUtility(terms(9, 13, 30), lineItems, persona)).toBe(0); // faster than its fastest (14)
    expect(supplierUtility(terms(9, 28, 76), lineItems, persona)).toBe(0); // longer than its max terms (75)
    expect(supplierUtility(terms(9, 28, 30), lineItems, persona)).toBeGreaterThan(0);
  });
  it("rises with price and falls with longer payment terms", () => {
    expect(supplierUtility(terms(9.5, 28, 30), lineItems, persona)).toBeGreaterThan(supplierUtility(terms(9, 28, 30), lineItems, persona));
    expect(supplierUtility(terms(9, 28, 60), lineItems, persona)).toBeLessThan(supplierUtility(terms(9, 28, 30), lineItems, persona));
  });
  it("is 1 at its own opening quote", () => {
    expect(supplierUtility(terms(10.5, 28, 30), lineItems, persona)).toBeCloseTo(1, 10);
  });
});

describe("zone of agreement", () => {
  it("exists when the brand's limits clear the supplier's reservation, not otherwise", () => {
    expect(hasZoneOfAgreement(singleLineSetup(), personaPreset("balanced"))).toBe(true);
    const tight = singleLineSetup({ lineItems: [{ sku: "TS", name: "T", quantity: 1000, listPrice: 10, targetUnitPrice: 6, maxUnitPrice: 6.5 }] });
    expect(hasZoneOfAgreement(tight, personaPreset("balanced"))).toBe(false);
    const tooFast = singleLineSetup({ guardrails: { maxLeadTimeDays: 5, minPaymentTermsDays: 30 } });
    expect(hasZoneOfAgreement(tooFast, personaPreset("balanced"))).toBe(false);
  });
});
