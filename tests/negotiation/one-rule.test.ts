// Each rule of a negotiation has one definition that the engine, Convex and the
// dashboard share: the guardrail check, the terminal statuses, the wording of
// terms and the bounds on a guardrail's days. These checks ask all three the
// same questions and expect the same answers, and read the sources for copies.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NEGOTIATION_STATUSES, NEGOTIATION_TRANSITIONS, isTerminalNegotiation } from "../../convex/model/status";
import { checkGuardrails, guardrailViolation, LIMITS } from "../../convex/model/validate";
import {
  DAY_LIMITS,
  describeTerms,
  guardrailBreaches,
  type Guardrails,
  isTerminalNegotiationStatus,
  parseScenario,
  runNegotiation,
  scenarioSetups,
  TERMINAL_NEGOTIATION_STATUSES,
  type Terms,
  withinGuardrails,
} from "../../src/negotiation/index.js";
import { brandPricedTerms, centsAtMost, describeTerms as describeTermsInTerms } from "../../src/negotiation/terms.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { TERMINAL } from "../../src/mastra/workflows/negotiation-state.js";
import { readDraft, type CounterDraft } from "../../web/src/lib/counterDraft";
import { FINAL_NEGOTIATION_STATUSES } from "../../web/src/lib/types";
import { FINAL_STATUSES } from "../e2e/flows";

const ROOT = join(import.meta.dirname, "../..");

type Item = { sku: string; maxUnitPrice: number };
type QuoteLike = { lineItems: Item[]; guardrails: Guardrails; currency: string };

/** A limit and values right at it: equal, a cent or a hair either side, and far off. */
const near = (limit: number) =>
  fc.oneof(
    fc.constant(limit),
    fc.constantFrom(0.01, -0.01, 1e-9, -1e-9, 0.005, -0.005).map((d) => limit + d),
    fc.double({ min: 0, max: limit * 2 + 1, noNaN: true }),
  );

const quoteArb: fc.Arbitrary<QuoteLike> = fc
  .record({
    prices: fc.uniqueArray(fc.constantFrom("TEE", "MUG", "CAP"), { minLength: 1, maxLength: 3 }).chain((skus) =>
      fc.tuple(
        fc.constant(skus),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 100_000 }).map((c) => c / 100), fc.double({ min: 0.01, max: 1000, noNaN: true })), {
          minLength: skus.length,
          maxLength: skus.length,
        }),
      ),
    ),
    // Fractional days are guardrails too.
    maxLeadTimeDays: fc.oneof(fc.integer({ min: 0, max: 365 }), fc.double({ min: 0, max: 365, noNaN: true })),
    minPaymentTermsDays: fc.oneof(fc.integer({ min: 0, max: 180 }), fc.double({ min: 0, max: 180, noNaN: true })),
    currency: fc.constantFrom("USD", "EUR", "JPY"),
  })
  .map(({ prices: [skus, maxima], maxLeadTimeDays, minPaymentTermsDays, currency }) => ({
    lineItems: skus.map((sku, i) => ({ sku, maxUnitPrice: maxima[i]! })),
    guardrails: { maxLeadTimeDays, minPaymentTermsDays },
    currency,
  }));

/** Terms for a quote: its lines in any order, sometimes one missing, doubled or foreign, priced and dated near the limits. */
const termsFor = (quote: QuoteLike): fc.Arbitrary<Terms> =>
  fc
    .record({
      lines: fc.tuple(...quote.lineItems.map((item) => fc.record({ sku: fc.constant(item.sku), quantity: fc.constantFrom<number>(1, 1000), unitPrice: near(item.maxUnitPrice) }))),
      shape: fc.constantFrom("exact", "exact", "exact", "missing", "doubled", "foreign", "zeroQuantity"),
      leadTimeDays: fc.oneof(near(quote.guardrails.maxLeadTimeDays), fc.integer({ min: 0, max: 365 })),
      paymentTermsDays: fc.oneof(near(quote.guardrails.minPaymentTermsDays), fc.integer({ min: 0, max: 180 })),
    })
    .map(({ lines, shape, leadTimeDays, paymentTermsDays }) => {
      const all = [...lines];
      if (shape === "missing") all.pop();
      if (shape === "doubled") all.push({ ...all[0]!, unitPrice: all[0]!.unitPrice + 0.01 });
      if (shape === "foreign") all.push({ sku: "NOT-IN-QUOTE", quantity: 1, unitPrice: 1 });
      if (shape === "zeroQuantity") all[0] = { ...all[0]!, quantity: 0 };
      return { lines: all, leadTimeDays, paymentTermsDays };
    });

const quoteAndTerms = quoteArb.chain((quote) => fc.tuple(fc.constant(quote), termsFor(quote)));

/** The counter-offer form filled in with exactly these terms' numbers. */
const draftOf = (terms: Terms): CounterDraft => ({
  prices: Object.fromEntries(terms.lines.map((l) => [l.sku, String(l.unitPrice)])),
  leadTimeDays: String(terms.leadTimeDays),
  paymentTermsDays: String(terms.paymentTermsDays),
  message: "",
});

/** Whether the naive, exact reading of the guardrails holds: what "respected exactly" means. */
function exactlyWithin(terms: Terms, quote: QuoteLike): boolean {
  const priced = quote.lineItems.every((item) => terms.lines.some((l) => l.sku === item.sku));
  const lines = terms.lines.every((l) => {
    const item = quote.lineItems.find((i) => i.sku === l.sku);
    return item !== undefined && l.quantity > 0 && l.unitPrice >= 0 && l.unitPrice <= item.maxUnitPrice;
  });
  return priced && lines && terms.leadTimeDays <= quote.guardrails.maxLeadTimeDays && terms.paymentTermsDays >= quote.guardrails.minPaymentTermsDays;
}

describe("the guardrail check", () => {
  it("engine, Convex and the dashboard's counter form give the same answer, with no tolerance", () => {
    fc.assert(
      fc.property(quoteAndTerms, ([quote, terms]) => {
        const engine = withinGuardrails(terms, quote.lineItems, quote.guardrails);
        expect(guardrailViolation(terms, quote) === null).toBe(engine);
        expect(engine).toBe(exactlyWithin(terms, quote));
        // The form reads whole days and positive prices; where these terms are such, it refuses what the engine refuses.
        const formReadable =
          Number.isInteger(terms.leadTimeDays) && Number.isInteger(terms.paymentTermsDays) && terms.lines.every((l) => l.unitPrice > 0);
        if (formReadable) expect(readDraft(draftOf(terms), quote, terms).terms !== undefined).toBe(engine);
      }),
      { numRuns: 2000 },
    );
  });

  it("Convex names the engine's first breach, at its field", () => {
    fc.assert(
      fc.property(quoteAndTerms, ([quote, terms]) => {
        const [first] = guardrailBreaches(terms, quote.lineItems, quote.guardrails);
        const violation = guardrailViolation(terms, quote);
        if (!first) {
          expect(violation).toBeNull();
          return;
        }
        const at: Record<typeof first.issue, RegExp> = {
          unknownLine: /^terms\.lines\[\d+\]\.sku$/,
          missingLine: /^terms\.lines$/,
          quantity: /^terms\.lines\[\d+\]\.quantity$/,
          unitPrice: /^terms\.lines\[\d+\]\.unitPrice$/,
          leadTimeDays: /^terms\.leadTimeDays$/,
          paymentTermsDays: /^terms\.paymentTermsDays$/,
        };
        expect(violation!.field).toMatch(at[first.issue]);
      }),
      { numRuns: 500 },
    );
  });

  it("a price one hair above its maximum, or a day's fraction past a limit, is a breach everywhere", () => {
    const quote: QuoteLike = { lineItems: [{ sku: "TEE", maxUnitPrice: 4.1 }], guardrails: { maxLeadTimeDays: 17.5, minPaymentTermsDays: 29.5 }, currency: "USD" };
    const at = (unitPrice: number, leadTimeDays: number, paymentTermsDays: number): Terms => ({ lines: [{ sku: "TEE", quantity: 10, unitPrice }], leadTimeDays, paymentTermsDays });
    const answers = (terms: Terms) => [withinGuardrails(terms, quote.lineItems, quote.guardrails), guardrailViolation(terms, quote) === null];
    expect(answers(at(4.1, 17, 30))).toEqual([true, true]);
    expect(answers(at(4.1 + 1e-9, 17, 30))).toEqual([false, false]);
    expect(answers(at(4.1, 17.5, 29.5))).toEqual([true, true]);
    expect(answers(at(4.1, 17.6, 30))).toEqual([false, false]);
    expect(answers(at(4.1, 17, 29.4))).toEqual([false, false]);
    expect(guardrailViolation(at(4.1, 18, 30), quote)!.message).toBe("Lead time 18 days is above the guardrail of 17.5 days");
    expect(guardrailViolation(at(4.1, 17, 29), quote)!.message).toBe("Payment terms of 29 days are below the guardrail of 29.5 days");
    expect(readDraft(draftOf(at(4.1, 18, 30)), quote, at(4.1, 18, 30)).errors["terms.leadTimeDays"]).toBe("Longer than your maximum of 17.5 days.");
  });

  it("NaN, negative and infinite numbers never pass", () => {
    const quote: QuoteLike = { lineItems: [{ sku: "TEE", maxUnitPrice: 10 }], guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 }, currency: "USD" };
    const bad: Terms[] = [
      { lines: [{ sku: "TEE", quantity: 10, unitPrice: Number.NaN }], leadTimeDays: 10, paymentTermsDays: 30 },
      { lines: [{ sku: "TEE", quantity: 10, unitPrice: -1 }], leadTimeDays: 10, paymentTermsDays: 30 },
      { lines: [{ sku: "TEE", quantity: Number.POSITIVE_INFINITY, unitPrice: 5 }], leadTimeDays: 10, paymentTermsDays: 30 },
      { lines: [{ sku: "TEE", quantity: 10, unitPrice: 5 }], leadTimeDays: Number.NaN, paymentTermsDays: 30 },
      { lines: [{ sku: "TEE", quantity: 10, unitPrice: 5 }], leadTimeDays: 10, paymentTermsDays: Number.NaN },
      { lines: [{ sku: "TEE", quantity: 10, unitPrice: 5 }], leadTimeDays: Number.NEGATIVE_INFINITY, paymentTermsDays: Number.POSITIVE_INFINITY },
    ];
    for (const terms of bad.slice(0, 5)) {
      expect(withinGuardrails(terms, quote.lineItems, quote.guardrails)).toBe(false);
      expect(guardrailViolation(terms, quote)).not.toBeNull();
    }
    // Infinitely soon and never-ending payment terms are inside the limits; Convex's checkTerms refuses them as numbers first.
    expect(withinGuardrails(bad[5]!, quote.lineItems, quote.guardrails)).toBe(guardrailViolation(bad[5]!, quote) === null);
    expect(guardrailViolation(bad[1]!, quote)!.message).toBe("Unit price for TEE must be a number, 0 or more");
  });

  it("the engine's rounding to the cent never lifts a price over its maximum, however many digits the maximum has", () => {
    const maxima = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }).map((c) => c / 100), fc.double({ min: 0.01, max: 10_000, noNaN: true }), fc.constantFrom(4.0999999999, 0.29999999, 1.005));
    fc.assert(
      fc.property(maxima, fc.double({ min: 0, max: 1, noNaN: true }), (max, level) => {
        const cents = centsAtMost(max);
        expect(cents).toBeLessThanOrEqual(max);
        expect(max - cents).toBeLessThan(0.01 + 1e-9);
        expect(Number.isInteger(Math.round(cents * 100)) && Math.abs(cents * 100 - Math.round(cents * 100)) < 1e-6).toBe(true);
        const item = { sku: "TEE", name: "Tee", quantity: 10, listPrice: max, targetUnitPrice: max / 2, maxUnitPrice: max };
        expect(withinGuardrails(brandPricedTerms([item], level, 10, 30), [item], { maxLeadTimeDays: 10, minPaymentTermsDays: 30 })).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(centsAtMost(4.1)).toBe(4.1);
    expect(centsAtMost(4.0999999999)).toBe(4.09);
  });

  it("the engine's offers and agreements respect fractional guardrails exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (seed, fraction) => {
        const scenario = generateScenario(seed);
        const guardrails = { maxLeadTimeDays: scenario.guardrails.maxLeadTimeDays + fraction, minPaymentTermsDays: scenario.guardrails.minPaymentTermsDays + fraction };
        for (const setup of scenarioSetups({ ...scenario, guardrails })) {
          const result = runNegotiation(setup);
          for (const m of result.moves) {
            if (m.party === "brand" && m.kind !== "impasse") expect(guardrailViolation(m.terms, { lineItems: setup.lineItems, guardrails })).toBeNull();
          }
          if (result.outcome === "agreement") expect(guardrailViolation(result.finalTerms!, { lineItems: setup.lineItems, guardrails })).toBeNull();
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe("what a guardrail may be", () => {
  const scenarioWith = (guardrails: unknown) => ({ ...generateScenario(1), guardrails });
  const accepted = {
    convex: (g: Guardrails) => {
      try {
        checkGuardrails(g);
        return true;
      } catch {
        return false;
      }
    },
    scenario: (g: Guardrails) => {
      try {
        parseScenario(scenarioWith(g));
        return true;
      } catch {
        return false;
      }
    },
  };

  it("Convex and the scenario format accept and refuse the same guardrails, fractional days included", () => {
    const days = (max: number) =>
      fc.oneof(fc.double({ min: -10, max: max + 10 }), fc.integer({ min: -1, max: max + 1 }), fc.constantFrom(0, max, max + 1e-9, -1e-9, 0.5, Number.NaN, Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(days(DAY_LIMITS.maxLeadTimeDays), days(DAY_LIMITS.maxPaymentTermsDays), (maxLeadTimeDays, minPaymentTermsDays) => {
        const g = { maxLeadTimeDays, minPaymentTermsDays };
        expect(accepted.scenario(g)).toBe(accepted.convex(g));
      }),
      { numRuns: 1000 },
    );
    expect(accepted.convex({ maxLeadTimeDays: 17.5, minPaymentTermsDays: 29.5 })).toBe(true);
    expect(accepted.scenario({ maxLeadTimeDays: 17.5, minPaymentTermsDays: 29.5 })).toBe(true);
    expect(accepted.convex({ maxLeadTimeDays: 365.5, minPaymentTermsDays: 30 })).toBe(false);
    expect(accepted.scenario({ maxLeadTimeDays: 30, minPaymentTermsDays: 180.5 })).toBe(false);
  });

  it("Convex's limits on days are the engine's", () => {
    expect(LIMITS.maxLeadTimeDays).toBe(DAY_LIMITS.maxLeadTimeDays);
    expect(LIMITS.maxPaymentTermsDays).toBe(DAY_LIMITS.maxPaymentTermsDays);
  });
});

describe("the terminal statuses", () => {
  it("Convex's state machine, the workflow, the dashboard and the browser tests read one list", () => {
    for (const status of NEGOTIATION_STATUSES) {
      const terminal = isTerminalNegotiationStatus(status);
      expect(isTerminalNegotiation(status)).toBe(terminal);
      expect(NEGOTIATION_TRANSITIONS[status].length === 0).toBe(terminal);
      expect(TERMINAL.has(status)).toBe(terminal);
      expect(FINAL_NEGOTIATION_STATUSES.includes(status)).toBe(terminal);
      expect(FINAL_STATUSES.includes(status)).toBe(terminal);
    }
    expect([...TERMINAL_NEGOTIATION_STATUSES].sort()).toEqual(["accepted", "expired", "failed", "impasse", "rejected"]);
    expect(isTerminalNegotiationStatus("paused")).toBe(false);
    expect(isTerminalNegotiationStatus("closed")).toBe(false);
  });
});

describe("the wording of terms", () => {
  const terms: Terms = { lines: [{ sku: "TEE", quantity: 1000, unitPrice: 4.1234 }], leadTimeDays: 21, paymentTermsDays: 60 };

  it("is one function, whichever module it is imported from", () => {
    expect(describeTerms).toBe(describeTermsInTerms);
  });

  it("never rounds a unit price the engine set, short or line by line", () => {
    expect(describeTerms(terms, "USD")).toBe("$4.1234/unit, 21 days, net 60");
    expect(describeTerms(terms, "EUR", { TEE: "Tee" })).toBe("1,000 × Tee at €4.1234/unit, delivery in 21 days, payment net 60");
    const two = { ...terms, lines: [...terms.lines, { sku: "MUG", quantity: 500, unitPrice: 2 }] };
    expect(describeTerms(two, "USD")).toBe("$5,123.40 total, 21 days, net 60");
    expect(describeTerms(two, "USD", { TEE: "Tee" })).toBe("1,000 × Tee at $4.1234/unit; 500 × MUG at $2.00/unit, delivery in 21 days, payment net 60");
  });
});

describe("no copies left", () => {
  const sources = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const path = join(ROOT, dir, name);
      if (name === "node_modules" || name === "_generated") return [];
      if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
      // Tests may spell out what they expect; the code under test may not.
      return /\.(ts|tsx)$/.test(name) && !name.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
    });
  const all = ["src", "convex", "web/src", "tests/e2e"].flatMap(sources);
  const holding = (pattern: RegExp) => all.filter((file) => pattern.test(readFileSync(join(ROOT, file), "utf8")));

  it("the terminal statuses are listed in one place", () => {
    // Any order of the five, written out as a list of string literals.
    const list = /\[\s*(?:"(?:accepted|rejected|impasse|expired|failed)",\s*){4}"(?:accepted|rejected|impasse|expired|failed)",?\s*\]/;
    expect(holding(list)).toEqual(["src/negotiation/types.ts"]);
  });

  it("the guardrail check has one body: nothing else compares a price with maxUnitPrice", () => {
    const comparison = /unitPrice\s*[<>]=?\s*[\w.?]*maxUnitPrice|maxUnitPrice\s*[<>]=?\s*[\w.?]*unitPrice\b|limit\s*!==\s*undefined\s*&&\s*unitPrice\s*>/;
    expect(holding(comparison)).toEqual(["src/negotiation/utility.ts"]);
  });
});
