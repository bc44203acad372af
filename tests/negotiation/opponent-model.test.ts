import { describe, expect, it } from "vitest";
import { acceptanceProbability, learnOpponentModel } from "../../src/negotiation/index.js";

const quote = (round: number, total: number, lead = 20, pay = 30) => ({ round, terms: { lines: [{ sku: "X", quantity: 100, unitPrice: total / 100 }], leadTimeDays: lead, paymentTermsDays: pay } });

describe("opponent model", () => {
  it("recovers the floor and concession shape of a linear supplier", () => {
    // open 1000, floor 700 reached at t = 1 (round 9 of 9), linear: total = 1000 - 300 * (r - 1) / 8
    const offers = [1, 3, 5, 7].map((r) => quote(r, 1000 - (300 * (r - 1)) / 8));
    const m = learnOpponentModel(offers, 9);
    expect(m.concessionExponent).toBe(1);
    // shrunk towards the 22%-off prior (780) by the limited evidence, never above its lowest quote
    expect(m.reservationTotal).toBeGreaterThan(690);
    expect(m.reservationTotal).toBeLessThan(780);
    expect(m.reservationTotal).toBeLessThanOrEqual(m.lowestTotal);
  });

  it("reads a Boulware supplier as Boulware and a conceder as a conceder", () => {
    const curve = (e: number) => [1, 3, 5, 7].map((r) => quote(r, 1000 - 300 * Math.pow((r - 1) / 8, 1 / e)));
    expect(learnOpponentModel(curve(0.3), 9).concessionExponent).toBeLessThan(0.5);
    expect(learnOpponentModel(curve(3.5), 9).concessionExponent).toBeGreaterThan(2);
  });

  it("weighs most the issue the supplier never moves on", () => {
    const offers = [quote(1, 1000, 20, 30), quote(3, 950, 14, 30), quote(5, 900, 10, 30)];
    const m = learnOpponentModel(offers, 8);
    expect(m.weights.paymentTerms).toBeGreaterThan(m.weights.price);
    expect(m.weights.paymentTerms).toBeGreaterThan(m.weights.leadTime);
  });

  it("predicts acceptance rising with price and falling for lead times it never offered", () => {
    const m = learnOpponentModel([1, 3, 5].map((r) => quote(r, 1000 - 40 * (r - 1))), 8);
    const p = (total: number, lead = 20) => acceptanceProbability(m, quote(0, total, lead).terms);
    expect(p(900)).toBeGreaterThan(p(800));
    expect(p(800)).toBeGreaterThan(p(700));
    expect(p(900, 14)).toBeLessThan(p(900, 20));
  });
});
