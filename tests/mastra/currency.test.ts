import { describe, expect, it } from "vitest";
import { formatMoney, formatUnitPrice } from "../../web/src/lib/format";
import { currencyName, currencySymbol, formatMoney as serverMoney } from "../../convex/model/currency";
import { describeTerms, evaluateNegotiations } from "../../src/negotiation/index.js";
import { scriptedMessage } from "../../src/mastra/models/scripted-voice.js";
import { decodeBrief, type TurnBrief } from "../../src/mastra/models/turn-brief.js";
import { promptFor } from "../../src/mastra/workflows/turn-prompt.js";

// Money in a quote's currency, formatted with Intl in one place: the
// dashboard's formatters, the server's words and the negotiation messages.

describe("the money formatters", () => {
  it("format totals in each currency with its symbol, thousands separators and minor unit", () => {
    expect(formatMoney(12_450, "EUR")).toBe("€12,450.00");
    expect(formatMoney(12_450, "USD")).toBe("$12,450.00");
    expect(formatMoney(1_234_567.891, "GBP")).toBe("£1,234,567.89");
    expect(formatMoney(12_450, "CHF")).toBe("CHF\u00a012,450.00");
    // The yen has no minor unit: no decimals, rounded.
    expect(formatMoney(12_450.6, "JPY")).toBe("¥12,451");
    // The Kuwaiti dinar has three.
    expect(formatMoney(1.5, "KWD")).toBe("KWD\u00a01.500");
  });

  it("keep unit prices two digits finer than the minor unit", () => {
    expect(formatUnitPrice(4.1, "USD")).toBe("$4.10");
    expect(formatUnitPrice(0.8725, "EUR")).toBe("€0.8725");
    expect(formatUnitPrice(0.87254, "EUR")).toBe("€0.8725");
    expect(formatUnitPrice(12, "JPY")).toBe("¥12");
    expect(formatUnitPrice(12.345, "JPY")).toBe("¥12.35");
  });

  it("are the server's formatters too, and reuse one Intl.NumberFormat per currency and style", () => {
    expect(formatMoney).toBe(serverMoney);
    const built: unknown[] = [];
    const Original = Intl.NumberFormat;
    const spy = function (this: unknown, ...args: ConstructorParameters<typeof Intl.NumberFormat>) {
      built.push(args);
      return new Original(...args);
    } as unknown as typeof Intl.NumberFormat;
    Intl.NumberFormat = spy;
    try {
      for (let i = 0; i < 5; i++) formatMoney(i, "SEK");
      const once = built.length;
      expect(once).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) formatMoney(i, "SEK");
      expect(built.length).toBe(once);
    } finally {
      Intl.NumberFormat = Original;
    }
  });

  it("name currencies and their symbols for labels", () => {
    expect(currencyName("EUR")).toBe("Euro");
    expect(currencySymbol("EUR")).toBe("€");
    expect(currencySymbol("JPY")).toBe("¥");
    expect(currencySymbol("CHF")).toBe("CHF");
  });
});

const euroBrief = (over: Partial<TurnBrief> = {}): TurnBrief => ({
  party: "supplier",
  move: "offer",
  round: 2,
  maxRounds: 8,
  terms: { lines: [{ sku: "TEE", quantity: 2000, unitPrice: 6.225 }], leadTimeDays: 21, paymentTermsDays: 30 },
  supplierName: "Northwind Mills",
  style: "linear",
  products: { TEE: "Organic tee" },
  currency: "EUR",
  seed: 7,
  seq: 3,
  ...over,
});

describe("the negotiation's words are in the quote's currency", () => {
  it("the scripted voice prints a EUR quote in euros, with thousands separators, never dollars", () => {
    for (const party of ["brand", "supplier"] as const) {
      for (const move of ["offer", "accept"] as const) {
        for (let seq = 0; seq < 6; seq++) {
          const text = scriptedMessage(euroBrief({ party, move, seq }));
          expect(text).not.toContain("$");
          if (/\d/.test(text)) expect(text).toMatch(/€/);
          if (move === "offer") expect(text).toContain("2,000 × Organic tee at €6.225/unit");
        }
      }
    }
    // Totals appear in the closers: 2000 × 6.225 = 12,450.
    const totals = Array.from({ length: 12 }, (_, seq) => scriptedMessage(euroBrief({ seq })));
    expect(totals.some((text) => text.includes("€12,450.00"))).toBe(true);
  });

  it("a brief without a currency (from before currencies) speaks in dollars", () => {
    const { currency: _none, ...old } = euroBrief();
    const text = scriptedMessage(old);
    expect(text).toContain("$6.225/unit");
    expect(text).not.toContain("€");
  });

  it("a yen quote has no decimals", () => {
    const text = scriptedMessage(euroBrief({ currency: "JPY", terms: { lines: [{ sku: "TEE", quantity: 2000, unitPrice: 620 }], leadTimeDays: 21, paymentTermsDays: 30 } }));
    expect(text).toContain("at ¥620/unit");
    expect(text).not.toMatch(/¥620\.00/);
  });

  it("the prompt to a real model states the decision in the currency, and the brief carries its code", () => {
    const brief = euroBrief();
    const prompt = promptFor(brief, { messages: [] });
    expect(prompt).toContain("Offer exactly these terms: €6.225/unit, 21 days, net 30.");
    expect(prompt).toContain("State every amount in EUR");
    expect(prompt).not.toContain("$");
    expect(decodeBrief(prompt)?.currency).toBe("EUR");
  });

  it("the engine's words and the recommendation follow the currency", () => {
    const terms = { lines: [{ sku: "A", quantity: 1000, unitPrice: 9.1 }], leadTimeDays: 15, paymentTermsDays: 60 };
    expect(describeTerms(terms, "GBP")).toBe("£9.10/unit, 15 days, net 60");
    expect(describeTerms({ ...terms, lines: [...terms.lines, { sku: "B", quantity: 10, unitPrice: 1 }] }, "EUR")).toBe(
      "€9,110.00 total, 15 days, net 60",
    );
    const recommendation = evaluateNegotiations({
      currency: "EUR",
      lineItems: [{ sku: "A", quantity: 1000, targetUnitPrice: 9, maxUnitPrice: 10, listPrice: 10 }],
      priorities: { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
      guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
      results: [
        {
          supplier: { id: "s", name: "S", qualityScore: 0.8 },
          outcome: "agreement",
          finalTerms: terms,
          rounds: 3,
        },
      ],
    } as Parameters<typeof evaluateNegotiations>[0]);
    expect(recommendation.explanation).toContain("S: €9.10/unit, 15 days, net 60");
    expect(recommendation.explanation).not.toContain("$");
  });
});
