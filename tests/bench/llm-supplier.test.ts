import { afterEach, describe, expect, it } from "vitest";
import { checkLlmMove, llmSupplierFromEnv, parseLlmMove, runNegotiationWithLlmSupplier, type SupplierPlayer } from "../../bench/llm-supplier.js";
import { type NegotiationSetup, runNegotiation, supplierAcceptable } from "../../src/negotiation/index.js";
import { DEV_SEEDS, opponentsFor } from "../../src/negotiation/opponents.js";
import { supplierMove } from "../../src/negotiation/supplier-strategy.js";
import { startMoveServer, type MoveServer } from "./helpers/move-server.js";

// The LLM-played supplier of bench:strategies, against a loopback
// OpenAI-compatible server whose answers the tests write.

// A baseline plays the brand, so these outcomes do not move when Parley's own strategy is tuned.
const setups = (): NegotiationSetup[] => opponentsFor("presets", DEV_SEEDS.first).map((o) => ({ ...o.setup, brandStrategy: "boulware" }));
const MODEL = "stand-in-supplier";
let server: MoveServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function playerFor(answer: Parameters<typeof startMoveServer>[0]): Promise<SupplierPlayer> {
  server = await startMoveServer(answer);
  const configured = llmSupplierFromEnv({ PARLEY_MODEL: `openai:${MODEL}`, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test" });
  expect(configured?.modelId).toBe(`openai:${MODEL}`);
  return configured!.player;
}

/** The per-unit price at `factor` × the floor the prompt states, at standard lead time and preferred terms. */
function pricesAt(setup: NegotiationSetup, factor: number): Record<string, number> {
  const p = setup.supplier.persona;
  const financing = (p.annualFinancingRate * p.paymentTermsDays.preferred) / 365;
  return Object.fromEntries(setup.lineItems.map((l) => [l.sku, Math.ceil(((l.listPrice * p.unitCostRatio * (1 + p.reservationMargin) * factor) / (1 - financing)) * 100) / 100]));
}

describe("an LLM-played supplier through the OpenAI-compatible path", () => {
  it("plays the model's own offers to the end, asked at /v1/chat/completions with the configured model", async () => {
    const closers: string[] = [];
    for (const setup of setups()) {
      const p = setup.supplier.persona;
      const sent: Record<string, number>[] = [];
      const player = await playerFor(({ prompt }) => {
        // A sensible supplier: opens at 1.3 × its floor, concedes 4% of the floor an offer, never below 1.02 ×;
        // on the last turn it accepts what clears its floor (the prompt marks what does not).
        if (prompt.includes("you can only accept the brand's offer or walk away")) {
          const lastBrand = prompt.split("\n").filter((l) => /^\d+\. The brand:/.test(l)).pop()!;
          return JSON.stringify({ kind: lastBrand.includes("below your floor") ? "walk_away" : "accept", reasoning: "Last call." });
        }
        const unitPrices = pricesAt(setup, Math.max(1.02, 1.3 - 0.04 * sent.length));
        sent.push(unitPrices);
        return "```json\n" + JSON.stringify({ kind: "offer", unitPrices, leadTimeDays: p.leadTimeDays.standard, paymentTermsDays: p.paymentTermsDays.preferred, reasoning: "Holding my margin." }) + "\n```";
      });
      const result = await runNegotiationWithLlmSupplier(setup, player);
      expect(result.llm.overruled).toBe(0);
      expect(result.llm.reasons).toEqual([]);
      const supplierOffers = result.offers.filter((o) => o.offeredBy === "supplier");
      expect(supplierOffers.length).toBeGreaterThan(0);
      // Every supplier offer on the wire is the model's, to the cent, at the model's lead time and terms.
      expect(supplierOffers.map((o) => Object.fromEntries(o.terms.lines.map((l) => [l.sku, l.unitPrice])))).toEqual(sent.slice(0, supplierOffers.length));
      for (const o of supplierOffers) expect(o.terms).toMatchObject({ leadTimeDays: p.leadTimeDays.standard, paymentTermsDays: p.paymentTermsDays.preferred });
      expect(result.offers.some((o) => o.offeredBy === "brand")).toBe(true);
      expect(result.offers.length).toBeLessThanOrEqual(setup.maxRounds);
      const last = result.moves[result.moves.length - 1]!;
      expect(["accept", "impasse"]).toContain(last.kind);
      expect(result.outcome).toBe(last.kind === "accept" ? "agreement" : "impasse");
      // A supplier's closing move is the model's own (accept or walk away on the last turn), not the engine's.
      if (last.party === "supplier") expect(last.reasoning).toBe("Last call.");
      if (result.finalTerms) expect(supplierAcceptable(result.finalTerms, setup.lineItems, p)).toBe(true);
      expect(result.metrics.rounds).toBe(result.offers.length);
      // The OpenAI-compatible path: chat completions on the configured base URL, model and key.
      expect(server!.requests.length).toBe(result.llm.turns);
      for (const r of server!.requests) expect(r).toMatchObject({ path: "/v1/chat/completions", model: MODEL, authorization: "Bearer sk-test" });
      // The model is told its own costs and floor.
      const first = setup.lineItems[0]!;
      expect(server!.requests[0]!.prompt).toContain(`your unit cost ${(first.listPrice * p.unitCostRatio).toFixed(2)}`);
      expect(server!.requests[0]!.prompt).toContain("make your opening quote");
      closers.push(`${last.party} ${last.kind}`);
      await server!.close();
      server = undefined;
    }
    // Seed 1000's three presets end three ways: the brand accepts, the model walks away, the model accepts.
    expect(closers).toEqual(["brand accept", "supplier impasse", "supplier accept"]);
  });

  it("overrules quotes below the floor, garbage and undeliverable terms with the persona's engine move", async () => {
    const setup = setups()[0]!;
    const p = setup.supplier.persona;
    const player = await playerFor(({ index }) => {
      const at = (factor: number, lead = p.leadTimeDays.standard) =>
        JSON.stringify({ kind: "offer", unitPrices: pricesAt(setup, factor), leadTimeDays: lead, paymentTermsDays: p.paymentTermsDays.preferred });
      const answers = [
        at(0.5), // half its floor
        "Let's discuss this on a call.",
        '{"kind":"offer","unitPrices":"cheap"}',
        at(1.2, p.leadTimeDays.fastest - 1), // faster than it can deliver
      ];
      return answers[index % answers.length]!;
    });
    const result = await runNegotiationWithLlmSupplier(setup, player);
    expect(result.llm.turns).toBeGreaterThan(1);
    expect(result.llm.overruled).toBe(result.llm.turns);
    expect(result.llm.reasons[0]).toBe("offer 1: offered terms below its reservation");
    expect(result.llm.reasons.join("\n")).toMatch(/holds no JSON object/);
    // The engine's moves stand in: the supplier never quotes, nor agrees, below its reservation.
    for (const o of result.offers.filter((o) => o.offeredBy === "supplier")) expect(supplierAcceptable(o.terms, setup.lineItems, p)).toBe(true);
    if (result.finalTerms) expect(supplierAcceptable(result.finalTerms, setup.lineItems, p)).toBe(true);
    expect(["accept", "impasse"]).toContain(result.moves[result.moves.length - 1]!.kind);
  });

  it("keeps the last-round rule: an offer after maxRounds offers is overruled into accept or impasse", async () => {
    const setup = { ...setups()[1]!, maxRounds: 2 };
    const player = await playerFor(() => JSON.stringify({ kind: "offer", unitPrices: pricesAt(setup, 1.1), leadTimeDays: setup.supplier.persona.leadTimeDays.standard, paymentTermsDays: setup.supplier.persona.paymentTermsDays.preferred }));
    const result = await runNegotiationWithLlmSupplier(setup, player);
    expect(result.offers.map((o) => o.offeredBy)).toEqual(["supplier", "brand"]);
    expect(result.llm.reasons).toEqual(["offer 3: offered after the last round (2 offers allowed)"]);
    const last = result.moves[result.moves.length - 1]!;
    expect(last.party).toBe("supplier");
    expect(["accept", "impasse"]).toContain(last.kind);
    expect(server!.requests[1]!.prompt).toContain("No more offers are allowed");
  });

  it("refuses to accept a brand offer below the reservation, and takes an acceptable one", () => {
    const setup = setups()[0]!;
    const p = setup.supplier.persona;
    const terms = (factor: number) => ({
      lines: setup.lineItems.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: pricesAt(setup, factor)[l.sku]! })),
      leadTimeDays: p.leadTimeDays.standard,
      paymentTermsDays: p.paymentTermsDays.preferred,
    });
    const history = (factor: number) => [
      { round: 1, offeredBy: "supplier" as const, terms: terms(1.3) },
      { round: 2, offeredBy: "brand" as const, terms: terms(factor) },
    ];
    expect(checkLlmMove(setup, history(0.9), { kind: "accept" })).toEqual({ refused: "accepted a brand offer below its reservation or that it cannot deliver" });
    expect(checkLlmMove(setup, history(1.05), { kind: "accept", reasoning: "Fine." })).toMatchObject({ move: { kind: "accept", party: "supplier", terms: terms(1.05) } });
    expect(checkLlmMove(setup, [], { kind: "accept" })).toEqual({ refused: "accepted with no brand offer standing" });
    expect(checkLlmMove(setup, history(0.9), { kind: "walk_away" })).toMatchObject({ move: { kind: "impasse", party: "supplier" } });
  });

  it("parses a move from prose and fences, and names what is wrong with one that is not", () => {
    expect(parseLlmMove('Sure! ```json\n{"kind":"walk_away"}\n```')).toEqual({ move: { kind: "walk_away" } });
    expect(parseLlmMove('<think>Floor is {cost}·1.22; hold.</think>\n{"kind":"accept"}')).toEqual({ move: { kind: "accept" } });
    expect(parseLlmMove('{"kind":"walk_away","reasoning":"below {floor}"} — no deal at that price {sorry}')).toEqual({ move: { kind: "walk_away", reasoning: "below {floor}" } });
    expect(parseLlmMove('{"kind":"accept"')).toEqual({ error: "the answer holds no JSON object" });
    expect(parseLlmMove("no")).toEqual({ error: "the answer holds no JSON object" });
    expect(parseLlmMove("{nope}")).toMatchObject({ error: expect.stringMatching(/^the answer is not valid JSON/) });
    expect(parseLlmMove('{"kind":"offer","unitPrices":{"A":-1},"leadTimeDays":3,"paymentTermsDays":30}')).toMatchObject({ error: expect.stringMatching(/^the answer is not a move \(unitPrices\.A: /) });
  });

  it("is runNegotiation's loop: with the persona's engine as the player, the same negotiation", async () => {
    for (const setup of setups()) {
      const engine: SupplierPlayer = async (s, h) => ({ move: supplierMove(s, h) });
      const { llm, ...result } = await runNegotiationWithLlmSupplier(setup, engine);
      expect(result).toEqual(runNegotiation(setup));
      expect(llm.overruled).toBe(0);
      expect(llm.turns).toBe(result.moves.filter((m) => m.party === "supplier").length);
    }
  });

  it("counts only a real model as configured: the scripted default is not", () => {
    expect(llmSupplierFromEnv({})).toBeUndefined();
    expect(llmSupplierFromEnv({ PARLEY_MODEL: "scripted" })).toBeUndefined();
    expect(llmSupplierFromEnv({ PARLEY_MODEL: "openai:llama3", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })?.modelId).toBe("openai:llama3");
    expect(() => llmSupplierFromEnv({ PARLEY_MODEL: "openai:gpt-4.1-mini" })).toThrow(/OPENAI_API_KEY/);
  });
});
