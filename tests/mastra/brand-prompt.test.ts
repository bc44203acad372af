// A brand turn's prompt carries nothing of the supplier's persona: not its
// concession style, nor its costs, floor, weights, limits or financing. Only
// the simulated supplier's own turn speaks in its persona's voice.

import { describe, expect, it } from "vitest";
import type { Doc } from "../../convex/_generated/dataModel.js";
import { createBrandAgent } from "../../src/mastra/agents/brand-agent.js";
import type { NegotiationState } from "../../src/mastra/convex-transport.js";
import { ScriptedLanguageModel } from "../../src/mastra/models/scripted-model.js";
import { scriptedMessage } from "../../src/mastra/models/scripted-voice.js";
import { decodeBrief, encodeBrief } from "../../src/mastra/models/turn-brief.js";
import { setupFor } from "../../src/mastra/workflows/negotiation-state.js";
import { brandBrief, briefFor, instructionsFor, promptFor } from "../../src/mastra/workflows/turn-prompt.js";
import { brandView, nextMove, type OfferRecord, type SupplierPersona } from "../../src/negotiation/index.js";
import { HIDDEN_PERSONA_FIELDS } from "../helpers/persona-fields.js";

// Distinctive values, so that any of them showing up in a prompt is a leak.
const persona: SupplierPersona = {
  concession: "boulware",
  concessionExponent: 0.3719,
  unitCostRatio: 0.6173,
  openingMarkup: 1.1337,
  reservationMargin: 0.2291,
  weights: { price: 0.5813, leadTime: 0.2717, paymentTerms: 0.147 },
  leadTimeDays: { standard: 21, fastest: 10 },
  expediteCostPerDay: 0.00613,
  paymentTermsDays: { preferred: 30, max: 90 },
  annualFinancingRate: 0.0619,
  capacityPerLine: 48_123,
  qualityScore: 0.94,
};

/** Persona field names, and the values no offer reveals (an opening quote shows the standard lead time and preferred terms). */
const PERSONA_NAMES = [...HIDDEN_PERSONA_FIELDS, "fastest", "preferred", "style"];
const PERSONA_VALUES = ["boulware", "0.3719", "0.6173", "1.1337", "0.2291", "0.5813", "0.2717", "0.147", "0.00613", "0.0619", "48123", "48,123"];
const BOULWARE_WORDS = "You concede slowly and defend your price";

const supplierDoc = {
  _id: "supplier-1",
  name: "Northwind Mills",
  slug: "northwind",
  profile: { tagline: "premium organic cotton", description: "A family mill in Porto.", location: "Porto, Portugal", qualityScore: 0.94 },
  persona,
};

const quote = {
  _id: "quote-1",
  lineItems: [
    { productId: "p1", sku: "TEE-ORG", name: "Organic tee", quantity: 2000, listPrice: 6, targetUnitPrice: 4.9, maxUnitPrice: 5.9 },
    { productId: "p2", sku: "TOTE", name: "Canvas tote", quantity: 800, listPrice: 4, targetUnitPrice: 3.2, maxUnitPrice: 3.95 },
  ],
  priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
  guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
  notes: "Spring drop",
  maxRounds: 8,
  seed: 42,
  status: "negotiating",
} as unknown as Doc<"quotes">;

function negotiationWith(messages: { seq: number; sender: "brand" | "supplier"; content: string }[]): NegotiationState {
  return {
    _id: "negotiation-1",
    quoteId: "quote-1",
    supplierId: "supplier-1",
    supplier: supplierDoc,
    status: "active",
    maxRounds: 8,
    currentRound: 0,
    nextSeq: messages.length,
    messages: messages.map((m) => ({ ...m, kind: "offer", state: "complete" })),
    offers: [],
  } as unknown as NegotiationState;
}

interface Turn {
  party: "brand" | "supplier";
  prompt: string;
  encodedBrief: string;
  instructions: string | undefined;
  message: string;
}

/** Plays the sample negotiation the way the workflow does, keeping every turn's prompt. */
function playSample(): Turn[] {
  const base = negotiationWith([]);
  const setup = setupFor(quote, base);
  const history: OfferRecord[] = [];
  const messages: { seq: number; sender: "brand" | "supplier"; content: string }[] = [];
  const turns: Turn[] = [];
  for (let seq = 0; seq < 20; seq++) {
    const move = nextMove(setup, history);
    const negotiation = negotiationWith(messages);
    const brief = briefFor(move, setup, negotiation, quote, history, seq);
    const prompt = promptFor(brief, negotiation);
    const message = scriptedMessage(brief);
    turns.push({ party: move.party, prompt, encodedBrief: encodeBrief(brief), instructions: instructionsFor(move.party, negotiation), message });
    messages.push({ seq, sender: move.party, content: message });
    if (move.kind !== "offer") break;
    history.push({ round: move.round, offeredBy: move.party, terms: move.terms });
  }
  return turns;
}

function expectNoPersona(text: string) {
  for (const name of PERSONA_NAMES) expect(text, `persona field "${name}"`).not.toContain(name);
  for (const value of PERSONA_VALUES) expect(text, `persona value ${value}`).not.toContain(value);
  expect(text).not.toContain(BOULWARE_WORDS);
}

describe("brand prompts carry no persona", () => {
  const turns = playSample();
  const brandTurns = turns.filter((t) => t.party === "brand");
  const supplierTurns = turns.filter((t) => t.party === "supplier");

  it("plays a sample negotiation with turns on both sides", () => {
    expect(brandTurns.length).toBeGreaterThanOrEqual(2);
    expect(supplierTurns.length).toBeGreaterThanOrEqual(2);
  });

  it("a brand turn's prompt, its encoded brief and its instructions name no persona field and no persona value", async () => {
    for (const turn of brandTurns) {
      expectNoPersona(turn.prompt);
      expectNoPersona(turn.encodedBrief);
      const brief = decodeBrief(turn.prompt)!;
      expect(brief.party).toBe("brand");
      expect(brief).not.toHaveProperty("style");
      expect(turn.instructions).toBeUndefined();
    }
    // The brand agent's own instructions, which every brand turn runs with.
    const instructions = await createBrandAgent(new ScriptedLanguageModel()).getInstructions();
    expectNoPersona(JSON.stringify(instructions));
  });

  it("a brand brief is a function of the brand's view only", () => {
    const negotiation = negotiationWith([]);
    const setup = setupFor(quote, negotiation);
    const opening = nextMove(setup, []);
    if (opening.kind !== "offer") throw new Error("the sample supplier should open with a quote");
    const history: OfferRecord[] = [{ round: 1, offeredBy: "supplier", terms: opening.terms }];
    const move = nextMove(setup, history);
    expect(move.party).toBe("brand");
    const fromView = brandBrief(move, brandView(setup), quote, history, 1);
    expect(briefFor(move, setup, negotiation, quote, history, 1)).toEqual(fromView);
    // Another persona behind the same profile: the brand's brief does not change.
    const other = { ...setup, supplier: { ...setup.supplier, persona: { ...persona, concession: "conceder" as const, unitCostRatio: 0.3 } } };
    expect(briefFor(move, other, negotiation, quote, history, 1)).toEqual(fromView);
  });

  it("the simulated supplier's turn still speaks in its persona's voice", () => {
    for (const turn of supplierTurns) {
      const brief = decodeBrief(turn.prompt)!;
      expect(brief.party).toBe("supplier");
      expect(brief.style).toBe("boulware");
      expect(turn.instructions).toContain(BOULWARE_WORDS);
      expect(turn.instructions).toContain("Northwind Mills");
    }
    // The scripted supplier opens by introducing itself; its answers open with its Boulware lines.
    const boulwareOpeners = ["Our pricing reflects the quality we deliver.", "We hold firm on quality.", "I understand the ask, but our costs are real."];
    const [opening, ...counters] = supplierTurns.filter((t) => decodeBrief(t.prompt)!.move === "offer");
    expect(opening!.message.startsWith("Northwind Mills here — premium organic cotton.")).toBe(true);
    expect(counters.length).toBeGreaterThan(0);
    for (const turn of counters) expect(boulwareOpeners.some((line) => turn.message.startsWith(line))).toBe(true);
  });
});
