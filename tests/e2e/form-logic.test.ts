import { describe, expect, test } from "vitest";
import { DEFAULT_PRIORITIES, displayPercents, PRIORITY_KEYS, setPriority } from "../../web/src/lib/priorities";
import { emptyDraft, targetAboveList, validateQuote, type QuoteDraft } from "../../web/src/lib/quoteForm";
import { normaliseField } from "../../web/src/lib/errors";

// The dashboard's pure form logic, checked without a browser.

const sum = (p: object) => Object.values(p as Record<string, number>).reduce((a, b) => a + b, 0);

describe("priority sliders", () => {
  test("moving one weight rescales the others and keeps the total at 1", () => {
    const next = setPriority(DEFAULT_PRIORITIES, "price", 0.7);
    expect(next.price).toBeCloseTo(0.7);
    expect(sum(next)).toBeCloseTo(1);
    // The others keep their proportions.
    expect(next.leadTime / next.paymentTerms).toBeCloseTo(DEFAULT_PRIORITIES.leadTime / DEFAULT_PRIORITIES.paymentTerms);
  });

  test("from all weight on one issue, the rest share what is released equally", () => {
    const allPrice = { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 };
    const next = setPriority(allPrice, "price", 0.4);
    for (const key of PRIORITY_KEYS.filter((k) => k !== "price")) expect(next[key]).toBeCloseTo(0.2);
    expect(sum(next)).toBeCloseTo(1);
  });
});

describe("priority percents as shown", () => {
  test("always add up to exactly 100, each within a point of the weight", () => {
    const cases = [
      { price: 0.514, leadTime: 0.213, paymentTerms: 0.172, quality: 0.101 },
      { price: 0.25, leadTime: 0.25, paymentTerms: 0.25, quality: 0.25 },
      { price: 1 / 3, leadTime: 1 / 3, paymentTerms: 1 / 3, quality: 0 },
      { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
      DEFAULT_PRIORITIES,
    ];
    // And every state the sliders can reach from the defaults in a few moves.
    let p = DEFAULT_PRIORITIES;
    for (let i = 0; i < 200; i++) {
      p = setPriority(p, PRIORITY_KEYS[i % 4]!, ((i * 37) % 101) / 100);
      cases.push(p);
    }
    for (const weights of cases) {
      const shown = displayPercents(weights);
      expect(sum(shown)).toBe(100);
      for (const key of PRIORITY_KEYS) {
        expect(Number.isInteger(shown[key])).toBe(true);
        expect(Math.abs(shown[key] - weights[key] * 100)).toBeLessThan(1);
      }
    }
    expect(displayPercents({ price: 0.514, leadTime: 0.213, paymentTerms: 0.172, quality: 0.101 })).toEqual({ price: 52, leadTime: 21, paymentTerms: 17, quality: 10 });
  });
});

describe("New quote validation", () => {
  const draft = (patch: Partial<QuoteDraft> = {}): QuoteDraft => ({
    ...emptyDraft(),
    lines: [{ key: 1, productId: "p1", quantity: "100", targetUnitPrice: "2", maxUnitPrice: "3" }],
    ...patch,
  });

  test("a good draft becomes the request", () => {
    const { errors, args } = validateQuote(draft({ notes: "  rush  ", seed: "7" }));
    expect(errors).toEqual({});
    expect(args).toMatchObject({
      lineItems: [{ productId: "p1", quantity: 100, targetUnitPrice: 2, maxUnitPrice: 3 }],
      guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
      notes: "rush",
      seed: 7,
    });
    expect(args).not.toHaveProperty("maxRounds");
  });

  test("each problem is named at its field", () => {
    const { errors, args } = validateQuote(
      draft({
        lines: [{ key: 1, productId: "p1", quantity: "1.5", targetUnitPrice: "5", maxUnitPrice: "4" }],
        maxLeadTimeDays: "",
        minPaymentTermsDays: "-1",
        maxRounds: "99",
      }),
    );
    expect(args).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(
      [
        "guardrails.maxLeadTimeDays",
        "guardrails.minPaymentTermsDays",
        "lineItems.0.maxUnitPrice",
        "lineItems.0.quantity",
        "maxRounds",
      ].sort(),
    );
  });

  test("no line items is an error of the list itself", () => {
    expect(validateQuote(draft({ lines: [] })).errors).toHaveProperty("lineItems");
  });

  test("server field paths in either notation land on the same field", () => {
    expect(normaliseField("lineItems[0].maxUnitPrice")).toBe("lineItems.0.maxUnitPrice");
    expect(normaliseField("lineItems.0.maxUnitPrice")).toBe("lineItems.0.maxUnitPrice");
  });
});

describe("a target above the list price", () => {
  test("is flagged, and only when the target is a number above the list price", () => {
    expect(targetAboveList({ targetUnitPrice: "7.01" }, 7)).toBe(true);
    expect(targetAboveList({ targetUnitPrice: "7" }, 7)).toBe(false);
    expect(targetAboveList({ targetUnitPrice: "6.5" }, 7)).toBe(false);
    expect(targetAboveList({ targetUnitPrice: "" }, 7)).toBe(false);
    expect(targetAboveList({ targetUnitPrice: "abc" }, 7)).toBe(false);
    expect(targetAboveList({ targetUnitPrice: "60" }, undefined)).toBe(false);
  });
});
