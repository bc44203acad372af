import { getFunctionName } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";

import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { evaluateQuote, runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import type { NegotiationCallbacks, TurnRecord } from "../../src/mastra/workflows/run-supplier-negotiation.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { testRuntime } from "./helpers/runtime.js";

async function claimed(seed = 42) {
  const { transport } = convexTestBackend();
  const quoteId = await requestDemoQuote(transport, { seed });
  await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "test", leaseMs: 60_000 });
  return { transport, quoteId };
}

const overlaps = (a: TurnRecord[], b: TurnRecord[]) =>
  a.some((x) => b.some((y) => x.startedAt < y.endedAt && y.startedAt < x.endedAt));

describe("runNegotiations", () => {
  it("runs the three negotiations at once: their turns overlap in time", async () => {
    const { transport, quoteId } = await claimed();
    const calls = new Map<string, number>();
    const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
    const counting: ConvexTransport = {
      mutation: (fn, args) => (count(getFunctionName(fn)), transport.mutation(fn, args)),
      query: (fn, args) => (count(getFunctionName(fn)), transport.query(fn, args)),
    };
    const runtime = testRuntime(counting, { latencyMs: 30 });
    const results = await runNegotiations(runtime, quoteId);
    expect(results).toHaveLength(3);
    for (const r of results) expect(r.turns.length).toBeGreaterThanOrEqual(2);
    expect(overlaps(results[0]!.turns, results[1]!.turns)).toBe(true);
    expect(overlaps(results[1]!.turns, results[2]!.turns)).toBe(true);
    expect(overlaps(results[0]!.turns, results[2]!.turns)).toBe(true);
    // Every negotiation ends in a closing state, with its messages in seq order and complete.
    const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    for (const n of state.negotiations) {
      expect(["accepted", "impasse"]).toContain(n.status);
      expect(n.messages.map((m) => m.seq)).toEqual([...n.messages.keys()]);
      expect(n.messages.every((m) => m.state === "complete" && m.metadata?.model && m.metadata.tokenUsage)).toBe(true);
      // Numbers by code: every offer message carries the offer it states.
      expect(n.messages.filter((m) => m.kind === "offer").map((m) => m.offerId)).toEqual(n.offers.map((o) => o._id));
    }
    // Each offer and its message are one write, and the negotiation is not read back every turn:
    // once for the quote, and per negotiation at its start, after it becomes active and after it closes.
    const offers = state.negotiations.reduce((k, n) => k + n.offers.length, 0);
    expect(calls.get("ingest:finishOfferMessage")).toBe(offers);
    expect(calls.get("ingest:recordOffer") ?? 0).toBe(0);
    expect(calls.get("worker:getQuoteState")).toBeLessThanOrEqual(1 + 3 * state.negotiations.length);
    expect(offers).toBeGreaterThan(3 * state.negotiations.length);
  });

  it("calls onMessage at least twice per round, onStatusChange once per transition, onOfferReceived once per offer", async () => {
    const { transport, quoteId } = await claimed(7);
    const runtime = testRuntime(transport);
    const messages = new Map<string, number>();
    const statuses = new Map<string, string[]>();
    const offers = new Map<string, number[]>();
    const callbacks: NegotiationCallbacks = {
      onMessage: (id) => void messages.set(id, (messages.get(id) ?? 0) + 1),
      onStatusChange: (id, s) => void statuses.set(id, [...(statuses.get(id) ?? []), s]),
      onOfferReceived: (id, o) => void offers.set(id, [...(offers.get(id) ?? []), o.round]),
    };
    const results = await runNegotiations(runtime, quoteId, callbacks);
    const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    for (const r of results) {
      const n = state.negotiations.find((x) => x._id === r.negotiationId)!;
      const rounds = n.offers.length;
      expect(messages.get(r.negotiationId)).toBeGreaterThanOrEqual(2 * rounds);
      expect(messages.get(r.negotiationId)).toBe(2 * n.messages.length); // started + finished per message
      expect(offers.get(r.negotiationId)).toEqual(n.offers.map((o) => o.round));
      const seen = statuses.get(r.negotiationId)!;
      expect(seen).toEqual(["pending", "active", n.status]);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it("isolates failures: supplier 2's model throws, suppliers 1 and 3 finish, 2 is failed with the reason", async () => {
    const { transport, quoteId } = await claimed(3);
    const state0 = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    const second = state0.negotiations[1]!.supplier.name;
    const runtime = testRuntime(transport, { brokenSupplier: second });
    const results = await runNegotiations(runtime, quoteId);
    expect(results.map((r) => r.status)).toEqual([expect.stringMatching(/accepted|impasse/), "failed", expect.stringMatching(/accepted|impasse/)]);
    expect(results[1]!.failureReason).toMatch(/supplier's model failed: model provider unavailable/);
    const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    expect(state.negotiations[1]!).toMatchObject({ status: "failed", outcome: "failed" });
    expect(state.negotiations[1]!.failureReason).toMatch(/model provider unavailable/);
    const recommendation = await evaluateQuote(runtime, quoteId);
    expect(recommendation!.ranking).toHaveLength(3);
    expect(recommendation!.ranking.find((r) => r.supplierName === second)!.outcome).toBe("failed");
    const quote = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!.quote;
    expect(quote.status).toBe("completed");
  });
});
