import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeTerms, totalPrice, type Terms } from "../../src/negotiation/index.js";
import type { TurnBrief } from "../../src/mastra/models/turn-brief.js";
import { scriptedMessage } from "../../src/mastra/models/scripted-voice.js";
import { checkProse, readings, type ProseFacts } from "../../src/mastra/workflows/prose-check.js";
import { briefFor, correctionFor, engineSentence, proseFactsFor } from "../../src/mastra/workflows/turn-prompt.js";
import { scenarioSetups, nextMove, type OfferRecord } from "../../src/negotiation/index.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { formatMoney } from "../../convex/model/currency.js";

const move: Terms = {
  lines: [
    { sku: "PKG-MAILER-1084", quantity: 2000, unitPrice: 8.4 },
    { sku: "APP-TEE-240-BLK", quantity: 500, unitPrice: 6.25 },
  ],
  leadTimeDays: 25,
  paymentTermsDays: 45,
};
const standing: Terms = {
  lines: [
    { sku: "PKG-MAILER-1084", quantity: 2000, unitPrice: 8.9 },
    { sku: "APP-TEE-240-BLK", quantity: 500, unitPrice: 6.5 },
  ],
  leadTimeDays: 30,
  paymentTermsDays: 30,
};
const products = { "PKG-MAILER-1084": "Kraft mailer box 10×8×4 in", "APP-TEE-240-BLK": "Heavyweight cotton tee 240 gsm, black" };

function factsFor(terms: Terms | undefined, over: Partial<ProseFacts> = {}): ProseFacts {
  return {
    currency: "USD",
    terms,
    earlier: [standing],
    compareWith: [standing],
    listPrices: { "PKG-MAILER-1084": 9, "APP-TEE-240-BLK": 6.8 },
    maxRounds: 8,
    responseHours: 48,
    names: ["Acme Packaging", "Since 1998, 24/7 support", ...Object.keys(products), ...Object.values(products)],
    notes: "Spring collection, 3 colours",
    ...over,
  };
}

const said = (text: string, facts = factsFor(move)) => checkProse(text, facts).map((m) => m.said);

describe("checkProse: numbers in a model's prose against the engine's move", () => {
  it("passes the move's own numbers in many phrasings", () => {
    for (const text of [
      "We can offer 2,000 × Kraft mailer box 10×8×4 in at $8.40/unit and 500 tees at $6.25 each: $19,925.00 in total.",
      "Delivery in 25 days, payment net 45.",
      "That's 45-day terms and a 25-day lead time.",
      "Total USD 19,925; mailers at USD 8.40, tees at 6.25 USD.",
      "We need it in 25 days, and pay within 45 days of invoice.",
      "Net-45, ready in 25 calendar days, 2500 units all told.",
      "Total: 19925.00. Unit price 8.4.",
      "We'd like $19.925k all in.",
      "Payment net forty-five, delivery in twenty-five days.",
    ]) {
      expect(said(text), text).toEqual([]);
    }
  });

  it("flags the numbers the engine did not decide, as written", () => {
    expect(said("We offer $12.50 per unit, delivery in 90 days, net 10.")).toEqual(["$12.50", "90 days", "net 10"]);
    expect(said("The total is $21,000.00.")).toEqual(["$21,000.00"]);
    expect(said("2,100 × mailers.")).toEqual(["2,100"]);
    expect(said("Payment net sixty.")).toEqual(["net sixty"]);
    expect(said("A 12% discount.")).toEqual(["12%"]);
    expect(said("We'd like $40k all in.")).toEqual(["$40k"]);
  });

  it("keeps delivery and payment days apart: net N and N-day terms are payment terms, delivery in N days the lead time", () => {
    expect(said("Delivery in 45 days, payment net 25.")).toEqual(["45 days", "net 25"]);
    expect(said("45-day terms, 25 days lead time.")).toEqual([]);
    expect(said("25-day terms.")).toEqual(["25-day"]);
    expect(said("A run this size needs 45 days to produce and ship; we give 25 days to pay.")).toEqual(["45 days", "25 days"]);
    expect(said("Delivery in 25 days, payment in 45 days.")).toEqual([]);
    expect(said("Payment in 25 days.")).toEqual(["25 days"]);
    // Weeks and months are days too.
    expect(said("Payment in 6 weeks.")).toEqual(["6 weeks"]);
    expect(said("Delivery in 5 weeks.", factsFor({ ...move, leadTimeDays: 35 }))).toEqual([]);
  });

  it("allows cents rounding only: half a cent in USD, half a yen in JPY", () => {
    const odd: Terms = { ...move, lines: [{ sku: "PKG-MAILER-1084", quantity: 2000, unitPrice: 8.4049 }] };
    expect(said("At $8.40/unit.", factsFor(odd, { earlier: [], compareWith: [] }))).toEqual([]);
    expect(said("At $8.41/unit.", factsFor(odd, { earlier: [], compareWith: [] }))).toEqual(["$8.41"]);
    expect(said("At $8/unit.", factsFor(odd, { earlier: [], compareWith: [] }))).toEqual(["$8"]);
    const yen: Terms = { ...move, lines: [{ sku: "PKG-MAILER-1084", quantity: 2000, unitPrice: 1250 }] };
    const jpy = factsFor(yen, { currency: "JPY", earlier: [], compareWith: [], listPrices: {} });
    expect(said("¥1,250 a box, ¥2,500,000 in total.", jpy)).toEqual([]);
    expect(said("¥1,251 a box.", jpy)).toEqual(["¥1,251"]);
  });

  it("reads EUR amounts written the European way or the US way, and refuses another currency's mark", () => {
    const eur = factsFor(move, { currency: "EUR" });
    expect(said("€8,40 per box, €6.25 per tee, €19.925,00 in total; 8,40 € it is.", eur)).toEqual([]);
    expect(said("EUR 19,925.00 all in.", eur)).toEqual([]);
    expect(said("€8,50 per box.", eur)).toEqual(["€8,50"]);
    expect(checkProse("$8.40 per box.", eur)).toEqual([{ said: "$8.40", role: "money", foreignCurrency: true }]);
    expect(said("£8.40 per box.", factsFor(move))).toEqual(["£8.40"]);
    expect(said("GBP 8.40 per box.", factsFor(move))).toEqual(["GBP 8.40"]);
  });

  it("reads every way a separator may be meant", () => {
    expect(readings("1,234").map((r) => r.value).sort()).toEqual([1.234, 1234]);
    expect(readings("1.234,50").map((r) => r.value)).toEqual([1234.5]);
    expect(readings("1,234.50").map((r) => r.value)).toEqual([1234.5]);
    expect(readings("8,40").map((r) => r.value)).toEqual([8.4]);
    expect(readings("1,2,3")).toEqual([]);
  });

  it("allows what the negotiation already said and the differences it makes", () => {
    // The standing offer, the step from it, the percentage from it and from the list price.
    expect(said("You asked $8.90 and net 30; we come down $0.50 a box and add 15 days to your terms.")).toEqual([]);
    expect(said("That is 5 days faster than your 30 days.")).toEqual([]);
    expect(said("About 5.6% below your price, and 7% under list.")).toEqual([]);
    expect(said("We come down $0.60 a box.")).toEqual(["$0.60"]);
    // The steps between one side's last two offers too: "you came down $0.40 since your last offer".
    const before: Terms = { ...standing, lines: standing.lines.map((l) => ({ ...l, unitPrice: l.unitPrice + 0.4 })), leadTimeDays: 40 };
    const twoOffers = factsFor(move, { earlier: [before, standing], compareWith: [before, standing] });
    expect(said("You came down $0.40 a box and 10 days since your last offer.", twoOffers)).toEqual([]);
    expect(said("You came down $0.55 a box.", twoOffers)).toEqual(["$0.55"]);
    expect(said("That is 9% under list.")).toEqual(["9%"]);
  });

  it("does not flag the protocol, dates, times, names or measures", () => {
    for (const text of [
      "Round 3 of at most 8: we have 5 rounds left, our 4th offer.",
      "Stand-in supplier for round 1: offer.",
      "This final offer is valid until December 9, 2026, or 9 Dec 2026, or 2026-12-09; reply by 5:00 pm or 10am.",
      "Acme Packaging here. Since 1998, 24/7 support. We are in business for 30 years.",
      "The Kraft mailer box 10×8×4 in and the 240 gsm tee, order #4471, SKU PKG-MAILER-1084, M8 bolts, 100mm, a 3D print.",
      "As your notes say: Spring collection, 3 colours.",
      "Please answer within 48 hours.",
      "You have 2 days to answer.",
      "One of our team will be in touch.",
    ]) {
      expect(said(text), text).toEqual([]);
    }
    expect(said("Round 12 of 8.")).toEqual(["12"]);
    expect(said("Please answer within 30 hours.")).toEqual(["30 hours"]);
  });

  it("checks a move without terms against what is on the table only", () => {
    const impasse = factsFor(undefined);
    expect(said("We cannot go below $8.90 or past net 30.", impasse)).toEqual([]);
    expect(said("We could do $8.40.", impasse)).toEqual(["$8.40"]);
  });
});

const termsArb = fc
  .record({
    prices: fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 1, maxLength: 3 }),
    quantities: fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 3, maxLength: 3 }),
    lead: fc.integer({ min: 0, max: 365 }),
    pay: fc.integer({ min: 0, max: 180 }),
  })
  .map(({ prices, quantities, lead, pay }): Terms => ({
    lines: prices.map((cents, i) => ({ sku: `SKU-${i}`, quantity: quantities[i]!, unitPrice: cents / 100 })),
    leadTimeDays: lead,
    paymentTermsDays: pay,
  }));
const currencyArb = fc.constantFrom("USD", "EUR", "GBP", "CHF");
const bare = (terms: Terms, currency: string): ProseFacts => ({
  currency,
  terms,
  earlier: [],
  compareWith: [],
  listPrices: {},
  maxRounds: 8,
  names: terms.lines.map((l) => l.sku),
});

describe("checkProse properties", () => {
  it("passes any terms as describeTerms and the engine's sentence write them", () => {
    fc.assert(
      fc.property(termsArb, currencyArb, fc.constantFrom("offer", "accept") as fc.Arbitrary<"offer" | "accept">, fc.constantFrom("brand", "supplier") as fc.Arbitrary<"brand" | "supplier">, (terms, currency, kind, party) => {
        const facts = bare(terms, currency);
        expect(checkProse(describeTerms(terms, currency), facts)).toEqual([]);
        const brief: TurnBrief = { party, move: kind, round: 1, maxRounds: 8, terms, supplierName: "Acme", products: {}, currency, seed: 1, seq: 2 };
        expect(checkProse(engineSentence(brief), facts)).toEqual([]);
        expect(checkProse(correctionFor(brief), facts)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("fails when any one number of the description changes", () => {
    fc.assert(
      fc.property(termsArb, currencyArb, fc.nat(), fc.integer({ min: 1, max: 50 }), (terms, currency, pick, step) => {
        const facts = bare(terms, currency);
        const issues = ["price", "lead", "pay"] as const;
        const issue = issues[pick % 3]!;
        const changed: Terms =
          issue === "lead"
            ? { ...terms, leadTimeDays: terms.leadTimeDays + step }
            : issue === "pay"
              ? { ...terms, paymentTermsDays: terms.paymentTermsDays + step }
              : { ...terms, lines: terms.lines.map((l, i) => (i === 0 ? { ...l, unitPrice: l.unitPrice + step / 100 } : l)) };
        const text =
          issue === "lead"
            ? `Delivery in ${changed.leadTimeDays} days.`
            : issue === "pay"
              ? `Payment net ${changed.paymentTermsDays}.`
              : `${formatMoney(changed.lines[0]!.unitPrice, currency)}/unit, ${formatMoney(totalPrice(changed), currency)} in total.`;
        // A changed price may coincide with another true amount (a line's total): then it is no lie.
        const units = terms.lines.reduce((n, l) => n + l.quantity, 0);
        const allowedMoney = new Set([...terms.lines.flatMap((l) => [l.unitPrice, l.unitPrice * l.quantity]), totalPrice(terms), totalPrice(terms) / units].map((x) => x.toFixed(2)));
        if (issue === "price") fc.pre(!allowedMoney.has(changed.lines[0]!.unitPrice.toFixed(2)));
        expect(checkProse(text, facts).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("passes every message of the scripted voice", () => {
    fc.assert(
      fc.property(termsArb, termsArb, currencyArb, fc.integer(), fc.nat({ max: 7 }), fc.constantFrom("offer", "accept", "impasse") as fc.Arbitrary<"offer" | "accept" | "impasse">, fc.constantFrom("brand", "supplier") as fc.Arbitrary<"brand" | "supplier">, (terms, standingTerms, currency, seed, round, kind, party) => {
        const other: Terms = { ...standingTerms, lines: standingTerms.lines.map((l, i) => ({ ...l, sku: terms.lines[i]?.sku ?? l.sku })) };
        const brief: TurnBrief = {
          party,
          move: kind,
          round,
          maxRounds: 8,
          terms: kind === "impasse" ? undefined : kind === "accept" ? other : terms,
          standing: round > 0 ? other : undefined,
          supplierName: "Acme Packaging",
          tagline: "Fair dealing, meets you halfway",
          style: party === "supplier" ? "linear" : undefined,
          products: Object.fromEntries(terms.lines.map((l, i) => [l.sku, `Product ${i}`])),
          currency,
          seed,
          seq: round * 2 + 1,
        };
        const facts: ProseFacts = {
          ...bare(brief.terms ?? other, currency),
          terms: brief.terms,
          earlier: round > 0 ? [other] : [],
          compareWith: round > 0 ? [other] : [],
          names: ["Acme Packaging", "Fair dealing, meets you halfway", ...Object.values(brief.products), ...terms.lines.map((l) => l.sku)],
        };
        expect(checkProse(scriptedMessage(brief), facts)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("passes every move of whole negotiations as the workflow briefs them, in the scripted voice and the engine's sentence", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom("USD", "EUR", "JPY", "GBP"), (seed, currency) => {
        const scenario = generateScenario(seed);
        const quote = { lineItems: scenario.lineItems, notes: scenario.description, seed, currency } as unknown as Parameters<typeof briefFor>[3];
        for (const setup of scenarioSetups(scenario)) {
          const history: OfferRecord[] = [];
          for (let seq = 0; seq <= setup.maxRounds + 1; seq++) {
            const move = nextMove(setup, history);
            const brief = briefFor(move, setup, undefined, quote, history, seq);
            const facts = proseFactsFor(brief, history, setup, 48);
            expect(checkProse(scriptedMessage(brief), facts), scriptedMessage(brief)).toEqual([]);
            expect(checkProse(engineSentence(brief), facts)).toEqual([]);
            if (move.kind !== "offer") break;
            history.push({ round: move.round, offeredBy: move.party, terms: move.terms });
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
