// Parley's end-game: its last offer (round maxRounds, or maxRounds - 1 when the
// supplier closes an odd-length negotiation) is the best offer a cautious
// opponent model all but guarantees, unless the supplier's expected closing
// quote inside the guardrails is worth more.

import { describe, expect, it } from "vitest";
import { brandUtility, brandView, type NegotiationSetup, nextMove, runNegotiation, suggestCounter, withinGuardrails } from "../../src/negotiation/index.js";
import { scenarioSetups } from "../../src/negotiation/scenario.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { singleLineSetup } from "./fixtures.js";

const generated = (seed: number, supplierId: string): NegotiationSetup => scenarioSetups(generateScenario(seed)).find((s) => s.supplier.id === supplierId)!;

describe("Parley end-game", () => {
  // Both failed before the end-game rework: a Boulware supplier sits at its
  // floor before the last round, well above what the fitted concession curve says.
  it.each([
    ["odd rounds, the supplier closes", 1070],
    ["even rounds, the brand's offer is the last", 1156],
  ])("closes a deal with a premium supplier already at its floor (%s)", (_label, seed) => {
    const setup = generated(seed, "premium");
    const r = runNegotiation(setup);
    expect(r.metrics.zoneOfAgreement).toBe(true);
    expect(r.outcome).toBe("agreement");
    expect(withinGuardrails(r.finalTerms!, setup.lineItems, setup.guardrails)).toBe(true);
  });

  it("with an odd number of rounds, makes its final offer one round early when the closing quote cannot land inside the guardrails", () => {
    // The supplier only ever quotes its standard 28 days; the brand allows 20 at most.
    const setup = singleLineSetup({ maxRounds: 5, guardrails: { maxLeadTimeDays: 20, minPaymentTermsDays: 30 } });
    const r = runNegotiation(setup);
    const lastBrand = r.moves.find((m) => m.party === "brand" && m.round === 4);
    expect(lastBrand?.kind).toBe("offer");
    expect(lastBrand!.reasoning).toMatch(/^Final offer: predicted acceptance \d+%/);
    expect(r.outcome).toBe("agreement");
  });

  it("when the supplier closes, bids its targets at terms no worse than the ask's if the closing quote should land inside the guardrails", () => {
    // Three rounds: the supplier quotes, the brand answers once, the supplier has the last word.
    const setup = singleLineSetup({ maxRounds: 3 });
    const r = runNegotiation(setup);
    const [ask, bid] = [r.offers[0]!, r.offers[1]!];
    expect(bid.offeredBy).toBe("brand");
    expect(bid.terms.lines[0]!.unitPrice).toBe(setup.lineItems[0]!.targetUnitPrice);
    expect(bid.terms.leadTimeDays).toBeLessThanOrEqual(ask.terms.leadTimeDays);
    expect(bid.terms.paymentTermsDays).toBeGreaterThanOrEqual(ask.terms.paymentTermsDays);
    expect(r.moves[1]!.reasoning).toMatch(/^The supplier has the last word: bidding the target prices/);
    expect(r.outcome).toBe("agreement");
    expect(withinGuardrails(r.finalTerms!, setup.lineItems, setup.guardrails)).toBe(true);
    // Better than the guardrail-limit offer a Boulware tactic makes in the same spot.
    const boulware = runNegotiation({ ...setup, brandStrategy: "boulware" });
    expect(r.metrics.brandUtility).toBeGreaterThan(boulware.metrics.brandUtility);
    // No bet when the supplier quotes slower delivery than the brand allows: it would return to it.
    const slow = runNegotiation(singleLineSetup({ maxRounds: 3, guardrails: { maxLeadTimeDays: 20, minPaymentTermsDays: 30 } }));
    expect(slow.moves.find((m) => m.party === "brand" && m.round === 2)!.reasoning).toMatch(/^Final offer/);
    expect(slow.outcome).toBe("agreement");
    // Shorter payment terms than the brand allows on the opening quote alone do not stop the bet:
    // it bids terms inside the guardrails, and the closing quote lands there too.
    const longerTerms = singleLineSetup({ maxRounds: 3, guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 45 } });
    const termsRun = runNegotiation(longerTerms);
    expect(termsRun.offers[0]!.terms.paymentTermsDays).toBeLessThan(45);
    expect(termsRun.moves[1]!.reasoning).toMatch(/^The supplier has the last word: bidding the target prices/);
    expect(termsRun.offers[1]!.terms.paymentTermsDays).toBeGreaterThanOrEqual(45);
    expect(termsRun.outcome).toBe("agreement");
    expect(withinGuardrails(termsRun.finalTerms!, longerTerms.lineItems, longerTerms.guardrails)).toBe(true);
    expect(termsRun.metrics.brandUtility).toBeGreaterThan(runNegotiation({ ...longerTerms, brandStrategy: "boulware" }).metrics.brandUtility);
  });

  it("on the opening quote alone, bids its targets at the terms of its limits offer when a closing quote that would take the limits stays inside every line's limit", () => {
    // The limit (8) sits far below the opening quote (10.50): the model's prior
    // floor sees no closing quote inside the guardrails, and before this bet the
    // brand offered its limits at once, which the supplier took.
    const lineItems = [{ sku: "TS", name: "T-shirt", quantity: 1000, listPrice: 10, targetUnitPrice: 6, maxUnitPrice: 8 }];
    const setup = singleLineSetup({ maxRounds: 3, lineItems });
    const r = runNegotiation(setup);
    const [ask, bid, closing] = r.offers;
    expect(bid!.offeredBy).toBe("brand");
    expect(bid!.terms.lines[0]!.unitPrice).toBe(6);
    expect(bid!.terms.leadTimeDays).toBe(ask!.terms.leadTimeDays);
    expect(bid!.terms.paymentTermsDays).toBe(setup.guardrails.minPaymentTermsDays);
    expect(r.moves[1]!.reasoning).toMatch(/where the brand's limits would otherwise be offered/);
    expect(closing!.offeredBy).toBe("supplier");
    expect(r.outcome).toBe("agreement");
    expect(withinGuardrails(r.finalTerms!, setup.lineItems, setup.guardrails)).toBe(true);
    expect(r.finalTerms!.lines[0]!.unitPrice).toBeLessThan(8);
    const limitsOffer = brandUtility({ ...bid!.terms, lines: [{ ...bid!.terms.lines[0]!, unitPrice: 8 }] }, setup, setup.supplier.qualityScore);
    expect(r.metrics.brandUtility).toBeGreaterThan(limitsOffer);
    expect(r.metrics.brandUtility).toBeGreaterThan(runNegotiation({ ...setup, brandStrategy: "boulware" }).metrics.brandUtility);

    // Two lines, one whose limit is tighter against the quote than the total's:
    // a closing quote priced like the opening could break that line's limit
    // while the limits' total would have been taken, so no bet.
    const twoLines = singleLineSetup({
      maxRounds: 3,
      lineItems: [
        { sku: "TS", name: "T-shirt", quantity: 1000, listPrice: 10, targetUnitPrice: 6, maxUnitPrice: 7 },
        { sku: "HD", name: "Hoodie", quantity: 1000, listPrice: 10, targetUnitPrice: 6, maxUnitPrice: 9 },
      ],
    });
    const t = runNegotiation(twoLines);
    expect(t.moves[1]!.reasoning).toMatch(/^Final offer/);
    expect(t.offers[1]!.terms.lines.map((l) => l.unitPrice)).toEqual([7, 9]);
  });

  it("on its last offer, takes a standing quote only when it beats the final offer's expected value", () => {
    const setup = singleLineSetup({ maxRounds: 6 });
    const opening = nextMove(setup, []);
    if (opening.kind !== "offer") throw new Error("expected an opening quote");
    const quote = (unitPrice: number) => ({ lines: [{ sku: "TS", quantity: 1000, unitPrice }], leadTimeDays: 28, paymentTermsDays: 30 });
    const history = (standing: number) => [
      { round: 1, offeredBy: "supplier" as const, terms: opening.terms },
      { round: 2, offeredBy: "brand" as const, terms: quote(7) },
      { round: 3, offeredBy: "supplier" as const, terms: quote(9) },
      { round: 4, offeredBy: "brand" as const, terms: quote(7.5) },
      { round: 5, offeredBy: "supplier" as const, terms: quote(standing) },
    ];
    // A supplier that quoted $9 surely takes $9 again: a standing $9.80 is worth less, so counter with it.
    const dear = nextMove(setup, history(9.8));
    expect(dear.kind).toBe("offer");
    if (dear.kind === "offer") {
      expect(dear.terms.lines[0]!.unitPrice).toBeLessThanOrEqual(9);
      expect(dear.reasoning).toMatch(/^Final offer: predicted acceptance 100%/);
    }
    // A standing $8.50 beats anything it could still win for sure: take it.
    expect(nextMove(setup, history(8.5)).kind).toBe("accept");
    for (const standing of [8.5, 9.8]) {
      const h = history(standing);
      const final = suggestCounter(brandView(setup), h);
      const expected = brandUtility(final.terms, setup, setup.supplier.qualityScore) * final.acceptanceProbability;
      const worth = brandUtility(h[4]!.terms, setup, setup.supplier.qualityScore);
      expect(nextMove(setup, h).kind).toBe(worth >= expected - 1e-9 ? "accept" : "offer");
    }
  });
});

describe("Parley's anchor", () => {
  it("when the brand needs far faster delivery than the supplier quotes, offers that lead time at its price limits at once, and says why", () => {
    // The supplier quotes 28 days; the model guesses it cannot go below ~16; the brand needs 10.
    // Under the ask cap, speed is affordable only while the supplier's ask is still high.
    const setup = singleLineSetup({ maxRounds: 8, guardrails: { maxLeadTimeDays: 10, minPaymentTermsDays: 30 } });
    const opening = nextMove(setup, []);
    if (opening.kind !== "offer") throw new Error("expected an opening quote");
    const counter = nextMove(setup, [{ round: 1, offeredBy: "supplier", terms: opening.terms }]);
    expect(counter.kind).toBe("offer");
    if (counter.kind !== "offer") return;
    expect(counter.terms.leadTimeDays).toBeLessThanOrEqual(10);
    expect(counter.terms.lines[0]!.unitPrice).toBe(Math.min(setup.lineItems[0]!.maxUnitPrice, opening.terms.lines[0]!.unitPrice));
    expect(counter.reasoning).toMatch(/^The guardrails need faster delivery or longer terms than the supplier seems able to give \(it quotes 28 days/);
  });
});
