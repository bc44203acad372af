import { describe, expect, it } from "vitest";
import { evaluateNegotiations, type SupplierProfile } from "../../src/negotiation/index.js";
import { singleLineSetup } from "./fixtures.js";

// The evaluation is on the brand's side: it gets public profiles, never personas.
const supplier = (id: string, name: string, qualityScore: number): SupplierProfile => ({ id, name, qualityScore });
const terms = (unitPrice: number, leadTimeDays: number, paymentTermsDays: number) => ({ lines: [{ sku: "TS", quantity: 1000, unitPrice }], leadTimeDays, paymentTermsDays });

describe("evaluateNegotiations", () => {
  const { lineItems, guardrails } = singleLineSetup();
  const priorities = { price: 0.3, leadTime: 0.4, paymentTerms: 0.3, quality: 0 };

  it("ranks by brand utility and explains the pick with the numbers", () => {
    // B: 0.3 * (10 - 9.1) / 2 + 0.4 * 15 / 30 + 0.3 * 30 / 90 = 0.435; A: 0.3 * 0.6 + 0.4 * 1 / 30 + 0.1 = 0.293
    const rec = evaluateNegotiations({
      lineItems,
      priorities,
      guardrails,
      results: [
        { supplier: supplier("a", "A", 0.8), outcome: "agreement", finalTerms: terms(8.8, 29, 60), rounds: 6 },
        { supplier: supplier("b", "B", 0.8), outcome: "agreement", finalTerms: terms(9.1, 15, 60), rounds: 5 },
        { supplier: supplier("c", "C", 0.8), outcome: "impasse", rounds: 8 },
      ],
    });
    expect(rec.supplierId).toBe("b");
    expect(rec.ranking.map((r) => [r.supplierId, r.rank])).toEqual([["b", 1], ["a", 2], ["c", 3]]);
    expect(rec.ranking[2]!.score).toBe(0);
    expect(rec.explanation).toBe(
      "B: $9.10/unit, 15 days, net 60 — best overall (score 0.43); A is 3.3% cheaper but 14 days slower (scores 0.29); C reached no agreement.",
    );
  });

  it("mentions quality only when the brand weighs it", () => {
    const results = [
      { supplier: supplier("a", "A", 0.95), outcome: "agreement" as const, finalTerms: terms(9.5, 20, 60), rounds: 4 },
      { supplier: supplier("b", "B", 0.7), outcome: "agreement" as const, finalTerms: terms(9, 20, 60), rounds: 4 },
    ];
    const weighted = evaluateNegotiations({ lineItems, guardrails, priorities: { ...priorities, quality: 0.5 }, results });
    expect(weighted.supplierId).toBe("a");
    expect(weighted.explanation).toContain("B is 5.3% cheaper but lower quality (0.70 vs 0.95)");
    expect(evaluateNegotiations({ lineItems, guardrails, priorities, results }).explanation).not.toContain("quality");
  });

  it("recommends nobody when no negotiation agreed", () => {
    const rec = evaluateNegotiations({ lineItems, priorities, guardrails, results: [{ supplier: supplier("a", "A", 0.8), outcome: "impasse", rounds: 8 }] });
    expect(rec.supplierId).toBeUndefined();
    expect(rec.explanation).toBe("No supplier reached an agreement: A reached no agreement.");
  });
});
