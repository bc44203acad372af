import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runNegotiation, scenarioSetups, totalPrice, type OfferRecord, type Party, type Terms } from "../../src/negotiation/index.js";
import { generateScenario } from "../../src/negotiation/scenario-generator.js";
import { scriptedMessage } from "../../src/mastra/models/scripted-voice.js";
import { decodeBrief, encodeBrief, previousOffers, readTurn, type TurnBrief } from "../../src/mastra/models/turn-brief.js";

// The scripted voice negotiates: an opening reads as one, an answer names what
// moved (a concession only when it is one), asks for something, gives a reason
// from the state, never repeats itself, and every number is the move's own.

const STYLES = ["boulware", "linear", "conceder", "tit_for_tat"] as const;
const PRODUCTS = { TEE: "Organic tee", TOTE: "Canvas tote", CAP: "Cap" };
const DEADLINE = Date.UTC(2026, 11, 9, 18);

const one = (unitPrice: number, leadTimeDays = 21, paymentTermsDays = 30, quantity = 2000): Terms => ({
  lines: [{ sku: "TEE", quantity, unitPrice }],
  leadTimeDays,
  paymentTermsDays,
});

const brief = (over: Partial<TurnBrief> = {}): TurnBrief => ({
  party: "supplier",
  move: "offer",
  round: 3,
  maxRounds: 8,
  terms: one(5),
  supplierName: "Northwind Mills",
  style: "linear",
  tagline: "premium organic cotton",
  products: PRODUCTS,
  currency: "USD",
  seed: 42,
  seq: 2,
  ...over,
});

/** A brief as the workflow builds it from the offers so far. */
function briefAt(party: Party, history: OfferRecord[], move: TurnBrief["move"], terms: Terms | undefined, extra: Partial<TurnBrief> = {}): TurnBrief {
  const standing = history.at(-1);
  return brief({
    party,
    move,
    round: move === "offer" ? history.length + 1 : history.length,
    terms,
    standing: standing && standing.offeredBy !== party ? standing.terms : undefined,
    previous: previousOffers(history),
    style: party === "supplier" ? (extra.style ?? "linear") : undefined,
    seq: history.length,
    ...extra,
  });
}

const termsArb = fc
  .record({
    lines: fc.uniqueArray(
      fc.record({
        sku: fc.constantFrom("TEE", "TOTE", "CAP"),
        quantity: fc.integer({ min: 1, max: 60_000 }),
        // Cents, and now and then a live supplier's finer price.
        unitPrice: fc.oneof(fc.integer({ min: 1, max: 200_000 }).map((c) => c / 100), fc.integer({ min: 1, max: 99_999 }).map((c) => c / 10_000)),
      }),
      { minLength: 1, maxLength: 3, selector: (l) => l.sku },
    ),
    leadTimeDays: fc.integer({ min: 1, max: 120 }),
    paymentTermsDays: fc.integer({ min: 0, max: 120 }),
  })
  .map((t): Terms => t);

/** Terms moved from `base`: each issue up, down or unchanged. */
const movedArb = (base: Terms) =>
  fc
    .record({ price: fc.constantFrom(-1, 0, 1), lead: fc.constantFrom(-1, 0, 1), pay: fc.constantFrom(-1, 0, 1) })
    .map(
      (d): Terms => ({
        lines: base.lines.map((l) => ({ ...l, unitPrice: Math.max(0.01, Math.round((l.unitPrice + d.price * 0.25) * 100) / 100) })),
        leadTimeDays: Math.max(1, base.leadTimeDays + d.lead * 3),
        paymentTermsDays: Math.max(0, base.paymentTermsDays + d.pay * 15),
      }),
    );

const COUNTER_WORDS = /step toward|matching your|meet you|counter|revised|come down|brought our price|raised our|moved|halfway|in exchange|same as|this round|still|again|thank you for the (better|faster|longer|extra|quicker)/i;

/** Every number in a message but the calendar date of a deadline. */
function numbersIn(text: string): number[] {
  const undated = text.replace(/\b[A-Z][a-z]+ \d{1,2}, \d{4}\b/g, "");
  return [...undated.matchAll(/\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, "")));
}

/** What the engine decided, as numbers a message may state. */
function numbersOf(terms: Terms): number[] {
  return [...terms.lines.flatMap((l) => [l.quantity, l.unitPrice]), totalPrice(terms), terms.leadTimeDays, terms.paymentTermsDays];
}

function expectOnlyTheMovesNumbers(text: string, terms: Terms) {
  const allowed = numbersOf(terms);
  for (const n of numbersIn(text)) expect(allowed.some((a) => Math.abs(a - n) < 0.005), `${n} in "${text}"`).toBe(true);
}

describe("openings", () => {
  it("a supplier's opening quote and the brand's first proposal use no counter-offer phrase", () => {
    fc.assert(
      fc.property(termsArb, termsArb, fc.constantFrom(...STYLES), fc.boolean(), fc.nat(1000), (quoted, proposed, style, rivals, seed) => {
        const supplier = scriptedMessage(briefAt("supplier", [], "offer", quoted, { style, seed }));
        expect(supplier).not.toMatch(COUNTER_WORDS);
        expect(supplier).toMatch(/your quote|this quote/);
        expect(supplier).toMatch(/open/i);
        const history: OfferRecord[] = [{ round: 1, offeredBy: "supplier", terms: quoted }];
        const brand = scriptedMessage(briefAt("brand", history, "offer", proposed, { rivals, seed }));
        expect(brand).not.toMatch(COUNTER_WORDS);
        expect(brand).toMatch(/thank you for your opening offer|thanks for your opening offer|thank you for answering our quote/i);
      }),
      { numRuns: 200 },
    );
  });

  it("the protocol's order tells an opening from an answer when a brief does not carry the offers so far", () => {
    expect(readTurn(brief({ round: 1 })).opening).toBe(true);
    expect(readTurn(brief({ round: 3, standing: one(4) })).opening).toBe(false);
    expect(readTurn(brief({ party: "brand", style: undefined, round: 2, standing: one(6) })).opening).toBe(true);
    // Without the offers so far an answer claims no move of its own.
    const text = scriptedMessage(brief({ round: 5, standing: one(4) }));
    expect(text).not.toMatch(/brought our price down|our price goes up|same as in our last offer|keeping our terms/);
  });
});

describe("answers", () => {
  const gives: Record<Party, Record<"price" | "lead" | "pay", RegExp>> = {
    supplier: { price: /brought our price down/, lead: /shortened delivery to \d+ days?/, pay: /extended payment to net \d+/ },
    brand: { price: /raised our offer/, lead: /given you \d+ days? for delivery/, pay: /shortened payment to net \d+/ },
  };

  it("name a concession exactly when the speaker's own terms moved toward the other side, and never call a price rise one", () => {
    fc.assert(
      fc.property(
        termsArb.chain((before) => fc.tuple(fc.constant(before), movedArb(before), termsArb)),
        fc.constantFrom<Party>("brand", "supplier"),
        fc.constantFrom(...STYLES),
        fc.nat(1000),
        ([before, after, theirs], party, style, seed) => {
          const other: Party = party === "brand" ? "supplier" : "brand";
          const history: OfferRecord[] =
            party === "supplier"
              ? [{ round: 1, offeredBy: "supplier", terms: before }, { round: 2, offeredBy: "brand", terms: theirs }]
              : [{ round: 1, offeredBy: "supplier", terms: theirs }, { round: 2, offeredBy: "brand", terms: before }, { round: 3, offeredBy: other, terms: theirs }];
          const text = scriptedMessage(briefAt(party, history, "offer", after, { style, seed }));
          // Toward the brand: lower price, sooner delivery, longer payment.
          const cheaper = totalPrice(after) < totalPrice(before) - 1e-9;
          const dearer = totalPrice(after) > totalPrice(before) + 1e-9;
          const sooner = after.leadTimeDays < before.leadTimeDays;
          const later = after.leadTimeDays > before.leadTimeDays;
          const longer = after.paymentTermsDays > before.paymentTermsDays;
          const shorter = after.paymentTermsDays < before.paymentTermsDays;
          const conceded = party === "supplier" ? { price: cheaper, lead: sooner, pay: longer } : { price: dearer, lead: later, pay: shorter };
          for (const issue of ["price", "lead", "pay"] as const) expect(gives[party][issue].test(text), `${party} ${issue}: ${text}`).toBe(conceded[issue]);
          if (party === "supplier" && dearer) {
            expect(text).toMatch(/our price goes up/i);
            expect(text).not.toMatch(/brought our price down|lower price/);
          }
          if (!cheaper && !dearer && !sooner && !later && !longer && !shorter) expect(text).toMatch(/keeping our terms|same as in our last offer/);
          // The word would name a hidden persona field in the brand's prompt, which quotes the last messages.
          expect(text).not.toMatch(/concession/i);
          expectOnlyTheMovesNumbers(text, after);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("thank the other side only for what moved toward the speaker, without restating the other side's numbers", () => {
    const history: OfferRecord[] = [
      { round: 1, offeredBy: "supplier", terms: one(6, 30, 30) },
      { round: 2, offeredBy: "brand", terms: one(4, 14, 60) },
      { round: 3, offeredBy: "supplier", terms: one(5.5, 35, 45) },
    ];
    const text = scriptedMessage(briefAt("brand", history, "offer", one(4.4, 21, 60)));
    expect(text).toContain("Thank you for the better price and the longer payment terms.");
    expect(text).toContain("Your offer moved away from us on delivery.");
    expect(text).toContain("raised our offer to $4.40/unit and given you 21 days for delivery");
    expect(text).not.toContain("5.50");
    expect(text).not.toContain("35 days");
  });

  it("ask for what the speaker's terms still need from the other side", () => {
    const history: OfferRecord[] = [
      { round: 1, offeredBy: "supplier", terms: one(6, 30, 30) },
      { round: 2, offeredBy: "brand", terms: one(4, 14, 60) },
    ];
    const supplier = scriptedMessage(briefAt("supplier", history, "offer", one(5.5, 25, 45)));
    expect(supplier).toMatch(/a higher price, more time for delivery and quicker payment/);
    const brand = scriptedMessage(briefAt("brand", [...history, { round: 3, offeredBy: "supplier", terms: one(5.5, 25, 45) }], "offer", one(4.5, 25, 60)));
    expect(brand).toMatch(/(need|for) a lower price and longer payment terms\./);
  });

  it("give reasons drawn from the state: volume, the need behind an ask, other suppliers (the brand's only), the deadline, the rounds left", () => {
    const history: OfferRecord[] = [
      { round: 1, offeredBy: "supplier", terms: one(6, 30, 30) },
      { round: 2, offeredBy: "brand", terms: one(4, 14, 60) },
      { round: 3, offeredBy: "supplier", terms: one(5.5, 30, 45) },
    ];
    const said = (party: Party, extra: Partial<TurnBrief>) =>
      Array.from({ length: 40 }, (_, seq) => scriptedMessage(briefAt(party, party === "brand" ? history : history.slice(0, 2), "offer", one(4.5, 14, 60), { ...extra, seq })));
    const brand = said("brand", { rivals: true, deadline: DEADLINE }).join("\n");
    expect(brand).toMatch(/other suppliers|several suppliers/);
    expect(brand).toContain("Our launch date depends on delivery within 14 days.");
    expect(brand).toContain("We'd like to settle this before December 9, 2026.");
    expect(brand).toContain("We have four rounds of offers left to agree.");
    expect(brand).toMatch(/this volume|volume like this/);
    // Alone with this supplier, the brand does not pretend to have rivals; a supplier never speaks of them.
    expect(said("brand", { rivals: false }).join("\n")).not.toMatch(/other suppliers|several suppliers|other final offers/);
    expect(said("supplier", { rivals: true }).join("\n")).not.toMatch(/other suppliers|several suppliers/);
    const last = Array.from({ length: 40 }, (_, seq) => scriptedMessage(briefAt("brand", history, "offer", one(4.5, 14, 60), { maxRounds: 4, seq })));
    expect(last.join("\n")).toContain("This is the last round of offers, so this is our last proposal.");
    expect(last.join("\n")).not.toMatch(/rounds? of offers left/);
  });
});

describe("a negotiation's messages", () => {
  /** Plays a generated scenario the way the workflow does and writes every message. */
  function transcript(seed: number, rivals: boolean): { texts: string[]; briefs: TurnBrief[] } {
    const scenario = generateScenario(seed);
    const texts: string[] = [];
    const briefs: TurnBrief[] = [];
    for (const setup of scenarioSetups(scenario)) {
      const result = runNegotiation(setup);
      const history: OfferRecord[] = [];
      const perNegotiation: string[] = [];
      result.moves.forEach((move, seq) => {
        const b = briefAt(move.party, history, move.kind, move.kind === "impasse" ? undefined : move.terms, {
          round: move.round,
          maxRounds: setup.maxRounds,
          style: move.party === "supplier" ? setup.supplier.persona.concession : undefined,
          supplierName: setup.supplier.name,
          products: Object.fromEntries(setup.lineItems.map((l) => [l.sku, l.name])),
          rivals: move.party === "brand" ? rivals : undefined,
          deadline: DEADLINE,
          seed: setup.seed,
          seq,
        });
        perNegotiation.push(scriptedMessage(b));
        briefs.push(b);
        if (move.kind === "offer") history.push({ round: move.round, offeredBy: move.party, terms: move.terms });
      });
      expect(new Set(perNegotiation).size, perNegotiation.join("\n")).toBe(perNegotiation.length);
      texts.push(...perNegotiation);
    }
    return { texts, briefs };
  }

  it("never repeat one another, state only the move's numbers, and are the same for the same seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (seed, rivals) => {
        const { texts, briefs } = transcript(seed, rivals);
        briefs.forEach((b, i) => {
          if (b.terms) expectOnlyTheMovesNumbers(texts[i]!, b.terms);
          else expect(numbersIn(texts[i]!)).toEqual([]);
        });
        expect(transcript(seed, rivals).texts).toEqual(texts);
      }),
      { numRuns: 40 },
    );
  });

  it("do not repeat even when a side holds the same terms for fifty rounds", () => {
    const held = one(5.2, 21, 30);
    const history: OfferRecord[] = [];
    const texts: string[] = [];
    for (let round = 1; round <= 100; round++) {
      const party: Party = round % 2 === 1 ? "supplier" : "brand";
      const terms = party === "supplier" ? held : one(4.1, 21, 30);
      texts.push(scriptedMessage(briefAt(party, history, "offer", terms, { maxRounds: 100, style: party === "supplier" ? "boulware" : undefined })));
      history.push({ round, offeredBy: party, terms });
    }
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe("money", () => {
  it("prints totals with thousands separators in the quote's currency, and unit prices as the terms have them", () => {
    const usd = scriptedMessage(brief({ terms: one(20.085), round: 1 }));
    expect(usd).toContain("2,000 × Organic tee at $20.085/unit");
    expect(usd).toContain("$40,170.00");
    expect(usd).not.toContain("40170");
    const eur = scriptedMessage(brief({ currency: "EUR", round: 1, terms: { lines: [{ sku: "TEE", quantity: 250, unitPrice: 4.938 }], leadTimeDays: 21, paymentTermsDays: 45 } }));
    expect(eur).toContain("250 × Organic tee at €4.938/unit");
    expect(eur).toContain("€1,234.50");
    expect(eur).toContain("payment net 45");
    expect(eur).not.toContain("$");
  });

  it("groups every amount of any terms, in USD and EUR", () => {
    fc.assert(
      fc.property(termsArb, fc.constantFrom("USD", "EUR"), fc.constantFrom<Party>("brand", "supplier"), (terms, currency, party) => {
        const text = scriptedMessage(brief({ party, round: 1, terms, currency, style: party === "supplier" ? "linear" : undefined }));
        const symbol = currency === "USD" ? "$" : "€";
        const amounts = [...text.matchAll(/[$€]([\d.,]+)/g)];
        expect(amounts.length).toBeGreaterThan(0);
        for (const [whole, digits] of amounts) {
          expect(whole.startsWith(symbol)).toBe(true);
          expect(digits!.replace(/[.,]$/, "")).toMatch(/^\d{1,3}(,\d{3})*(\.\d+)?$/);
        }
        expect(text).toContain(`${symbol}${totalPrice(terms).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe("acceptances", () => {
  const brandOffer = one(4.6, 25, 45);
  const history: OfferRecord[] = [
    { round: 1, offeredBy: "supplier", terms: one(6, 30, 30) },
    { round: 2, offeredBy: "brand", terms: brandOffer },
  ];

  it("a supplier's acceptance is its final offer, valid until the deadline, for the brand to award: never an order scheduled", () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const style of STYLES) {
        const withDeadline = scriptedMessage(briefAt("supplier", history, "accept", brandOffer, { style, seed, deadline: DEADLINE }));
        expect(withDeadline).toContain("This is our final offer, valid until December 9, 2026, for you to award.");
        expect(withDeadline).toContain("$9,200.00");
        const without = scriptedMessage(briefAt("supplier", history, "accept", brandOffer, { style, seed }));
        expect(without).toContain("This is our final offer, held for you until you award the quote.");
        for (const text of [withDeadline, without]) expect(text).not.toMatch(/schedul|get the order|pleasure doing business/i);
      }
    }
  });

  it("the brand takes a supplier's offer as its final offer, to award, and leaves the award to its team", () => {
    const standing = one(5.1, 25, 45);
    const at = [...history, { round: 3, offeredBy: "supplier" as const, terms: standing }];
    for (let seed = 0; seed < 20; seed++) {
      const alone = scriptedMessage(briefAt("brand", at, "accept", standing, { seed }));
      expect(alone).toMatch(/we accept 2,000 × Organic tee at \$5\.10\/unit, delivery in 25 days, payment net 45.*as your final offer/i);
      expect(alone).toContain("Our team makes the award decision");
      expect(alone).not.toMatch(/schedul|deal\.|working together|halfway/i);
      const among = scriptedMessage(briefAt("brand", at, "accept", standing, { seed, rivals: true }));
      expect(among).toContain("We'll compare it with the other final offers before we award.");
    }
  });
});

describe("the brief", () => {
  it("carries each side's last two offers, no more", () => {
    const offers: OfferRecord[] = [1, 2, 3, 4, 5, 6].map((round) => ({ round, offeredBy: round % 2 ? "supplier" : "brand", terms: one(round) }));
    expect(previousOffers(offers)).toEqual({ supplier: [one(3), one(5)], brand: [one(4), one(6)] });
    expect(previousOffers([])).toEqual({ supplier: [], brand: [] });
  });

  it("refuses a forged brief: more offers than the voice reads, a negative deadline", () => {
    const forged = { ...brief(), previous: { brand: [one(1), one(2), one(3)], supplier: [] } };
    expect(decodeBrief(`x ${encodeBrief(forged)}`)).toBeUndefined();
    expect(decodeBrief(encodeBrief({ ...brief(), deadline: -5 }))).toBeUndefined();
    expect(decodeBrief(encodeBrief(briefAt("brand", [{ round: 1, offeredBy: "supplier", terms: one(6) }], "offer", one(4), { rivals: true, deadline: DEADLINE })))).toMatchObject({
      rivals: true,
      deadline: DEADLINE,
      previous: { supplier: [one(6)], brand: [] },
    });
  });

  it("inserts names as text: a tagline or product name that looks like a placeholder is not filled in", () => {
    const text = scriptedMessage(brief({ round: 1, supplierName: "{total} Mills", tagline: "{terms} and {deadline}", products: { TEE: "{pay} tee" } }));
    expect(text).toContain("{total} Mills here — {terms} and {deadline}.");
    expect(text).toContain("2,000 × {pay} tee at $5.00/unit");
  });

  it("gives the brand's voice nothing of the persona: a style on a brand brief changes nothing", () => {
    const history: OfferRecord[] = [{ round: 1, offeredBy: "supplier", terms: one(6) }];
    const plain = briefAt("brand", history, "offer", one(4));
    expect(scriptedMessage({ ...plain, style: "boulware" })).toBe(scriptedMessage(plain));
  });
});
