import type { Agent } from "@mastra/core/agent";
import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider-v7";
import { getFunctionName } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import { WITHDRAWN_TEXT } from "../../convex/model/messages.js";
import type { ConvexTransport, QuoteState } from "../../src/mastra/convex-transport.js";
import { createBrandAgent } from "../../src/mastra/agents/brand-agent.js";
import { createSupplierAgent } from "../../src/mastra/agents/supplier-agent.js";
import { ScriptedLanguageModel } from "../../src/mastra/models/index.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { newWorkspace } from "../convex/helpers.js";
import { waitFor } from "../helpers/wait.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { testRuntime } from "./helpers/runtime.js";

// Every message ends: a model that fails after some words, a quote cancelled
// mid-message and a walk-away mid-message each leave the message withdrawn,
// saying why, with no streamed pieces left behind and no typing dots.

/** The scripted model, paced, that breaks its stream after `words` pieces of text: a provider dropping mid-message. */
class FailsMidMessage extends ScriptedLanguageModel {
  constructor(private readonly words: number) {
    super({ latencyMs: 0, tokensPerSec: 200 });
  }
  override async doStream(options: LanguageModelV4CallOptions) {
    const result = await super.doStream(options);
    let seen = 0;
    const words = this.words;
    const stream = result.stream.pipeThrough(
      new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
        transform(part, controller) {
          if (part.type === "text-delta" && ++seen > words) {
            controller.enqueue({ type: "error", error: new Error("connection reset by the model provider (test)") });
            controller.terminate();
            return;
          }
          controller.enqueue(part);
        },
      }),
    );
    return { ...result, stream };
  }
}

async function setup() {
  const { t, transport } = convexTestBackend();
  const brand = await newWorkspace(t);
  const quoteId = await requestDemoQuote(transport, { seed: 5, workspaceId: brand.workspaceId });
  await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "test", leaseMs: 600_000 });
  const read = async () => (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
  const deltas = () => t.run(async (ctx) => await ctx.db.query("messageDeltas").collect());
  return { t, transport, brand, quoteId, read, deltas };
}

const streamingIn = (s: QuoteState) => s.negotiations.flatMap((n) => n.messages.filter((m) => m.state === "streaming"));

describe("every message ends", () => {
  it("a model failing after some words: the message is withdrawn, the negotiation failed with the reason, the others finish", { timeout: 60_000 }, async () => {
    const { transport, quoteId, read, deltas } = await setup();
    const first = (await read()).negotiations[0]!;
    // The brand's model for the first supplier fails in its first message, after it streamed some pieces.
    let pieces = 0;
    const counting: ConvexTransport = {
      ...transport,
      mutation: (fn, args) => {
        if (getFunctionName(fn) === "ingest:appendMessageText" && (args as { negotiationId?: string }).negotiationId === first._id) pieces++;
        return transport.mutation(fn, args);
      },
    };
    const healthy = new ScriptedLanguageModel({ latencyMs: 0 });
    const brand = createBrandAgent(healthy);
    const supplier = createSupplierAgent(healthy);
    const failing = createBrandAgent(new FailsMidMessage(12));
    const agentFor = (party: "brand" | "supplier", s: { _id: string }): Agent =>
      party === "supplier" ? supplier : s._id === first.supplierId ? failing : brand;
    const results = await runNegotiations(testRuntime(counting, { agentFor, throttleMs: 1 }), quoteId);

    const failed = results.find((r) => r.negotiationId === first._id)!;
    expect(failed.status).toBe("failed");
    expect(failed.failureReason).toMatch(/brand's model failed: .*connection reset/);
    expect(results.filter((r) => r.negotiationId !== first._id).every((r) => ["accepted", "impasse"].includes(r.status))).toBe(true);

    expect(pieces).toBeGreaterThan(0);
    const state = await read();
    expect(streamingIn(state)).toEqual([]);
    expect(await deltas()).toEqual([]);
    const negotiation = state.negotiations.find((n) => n._id === first._id)!;
    expect(negotiation.status).toBe("failed");
    const withdrawn = negotiation.messages.filter((m) => m.withdrawn);
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]).toMatchObject({ sender: "brand", state: "complete", withdrawn: "failed", content: WITHDRAWN_TEXT.failed });
  });

  it("a quote cancelled mid-message, and a walk-away mid-message: both messages are withdrawn and the run ends quietly", { timeout: 60_000 }, async () => {
    const { transport, brand, quoteId, read, deltas } = await setup();
    // Slow words, so a message is streaming for a while.
    const runtime = testRuntime(transport, { agentFor: slowAgents(), throttleMs: 5, pollMs: 5 });
    const running = runNegotiations(runtime, quoteId);

    const [walked, , ] = (await read()).negotiations.map((n) => n._id) as Id<"negotiations">[];
    const streamingOn = (id: Id<"negotiations">) => async () => {
      const s = await read();
      return s.negotiations.find((n) => n._id === id)!.messages.some((m) => m.state === "streaming") ? s : undefined;
    };
    await waitFor("a message streaming in the first negotiation", streamingOn(walked!), 20_000, 5);
    await brand.mutation(api.negotiations.walkAway, { negotiationId: walked!, reason: "Found another supplier" });
    const afterWalk = (await read()).negotiations.find((n) => n._id === walked)!;
    expect(afterWalk.status).toBe("rejected");
    expect(afterWalk.messages.some((m) => m.state === "streaming")).toBe(false);
    expect(afterWalk.messages.find((m) => m.withdrawn)).toMatchObject({ withdrawn: "closed", content: WITHDRAWN_TEXT.closed });

    await waitFor("a message streaming anywhere", async () => {
      const s = await read();
      return streamingIn(s).length > 0 ? s : undefined;
    }, 20_000, 5);
    await brand.mutation(api.quotes.cancel, { quoteId });

    const results = await running;
    expect(results.every((r) => ["rejected", "accepted", "impasse"].includes(r.status))).toBe(true);
    const state = await read();
    expect(state.quote.status).toBe("cancelled");
    expect(streamingIn(state)).toEqual([]);
    expect(await deltas()).toEqual([]);
    const withdrawn = state.negotiations.flatMap((n) => n.messages.filter((m) => m.withdrawn));
    expect(withdrawn.length).toBeGreaterThanOrEqual(2);
    expect(withdrawn.every((m) => m.content === WITHDRAWN_TEXT.closed && m.state === "complete")).toBe(true);
  });
});

function slowAgents() {
  const model = new ScriptedLanguageModel({ latencyMs: 0, tokensPerSec: 150 });
  const brand = createBrandAgent(model);
  const supplier = createSupplierAgent(model);
  return (party: "brand" | "supplier"): Agent => (party === "brand" ? brand : supplier);
}
