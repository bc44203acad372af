import type { Agent } from "@mastra/core/agent";
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from "@ai-sdk/provider-v7";
import { getFunctionName } from "convex/server";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import { WITHDRAWN_TEXT } from "../../convex/model/messages.js";
import { createBrandAgent } from "../../src/mastra/agents/brand-agent.js";
import { createSupplierAgent } from "../../src/mastra/agents/supplier-agent.js";
import type { ConvexTransport, QuoteState } from "../../src/mastra/convex-transport.js";
import { ScriptedLanguageModel } from "../../src/mastra/models/index.js";
import { scriptedMessage } from "../../src/mastra/models/scripted-voice.js";
import { decodeBrief, type TurnBrief } from "../../src/mastra/models/turn-brief.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { engineSentence } from "../../src/mastra/workflows/turn-prompt.js";
import { describeTerms } from "../../src/negotiation/index.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { testRuntime } from "./helpers/runtime.js";

// Numbers by code, words by models, checked: a model that writes numbers of
// its own beside the engine's offer is asked once more with the engine's
// numbers; a model that does it again is replaced by the engine's sentence,
// and the message says so. Through the real workflow, read back from Convex.

const LIE = "We can do $12.50 a unit, delivery in 90 days, net 10.";

interface Call {
  brief: TurnBrief;
  corrected: boolean;
  text: string;
}

function promptText(prompt: LanguageModelV4Prompt): string {
  return prompt
    .map((m) => (typeof m.content === "string" ? m.content : m.content.map((p) => (p.type === "text" ? p.text : "")).join("")))
    .join("\n");
}

/**
 * An AI SDK language model that writes the scripted voice's truthful message,
 * except where `lie` says otherwise (undefined: the truth; "hang": never
 * answers until aborted). Every call is recorded.
 */
class LyingModel implements LanguageModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "test";
  readonly modelId = "lying";
  readonly supportedUrls = {};
  readonly calls: Call[] = [];

  constructor(private readonly lie: (brief: TurnBrief, corrected: boolean) => string | "hang" | undefined) {}

  private async answer(options: LanguageModelV4CallOptions): Promise<string> {
    const raw = promptText(options.prompt);
    const brief = decodeBrief(raw)!;
    const corrected = raw.includes("Use exactly these numbers");
    const lie = this.lie(brief, corrected);
    if (lie === "hang") {
      await new Promise((_, reject) => options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal!.reason), { once: true }));
    }
    const text = lie ?? scriptedMessage(brief);
    this.calls.push({ brief, corrected, text });
    return text;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const text = await this.answer(options);
    return {
      content: [{ type: "text", text }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } },
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const text = await this.answer(options);
    const words = text.match(/\S+\s*/g) ?? [];
    let i = 0;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        controller.enqueue({ type: "stream-start", warnings: [] });
        controller.enqueue({ type: "text-start", id: "t0" });
      },
      async pull(controller) {
        // Paced, so the first words reach Convex before the message finishes.
        await new Promise((r) => setTimeout(r, 2));
        if (i < words.length) return controller.enqueue({ type: "text-delta", id: "t0", delta: words[i++]! });
        controller.enqueue({ type: "text-end", id: "t0" });
        controller.enqueue({
          type: "finish",
          finishReason: { unified: "stop", raw: "stop" },
          usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } },
        });
        controller.close();
      },
    });
    return { stream };
  }
}

/** The brand's first answer in each negotiation (seq 1, after the supplier's opening offer). */
const brandsFirstOffer = (b: TurnBrief) => b.party === "brand" && b.move === "offer" && b.seq === 1;

async function newQuote(transport: ConvexTransport) {
  const quoteId = await requestDemoQuote(transport, { seed: 7 });
  await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "test", leaseMs: 600_000 });
  return quoteId;
}

async function run(
  transport: ConvexTransport,
  brandModel: LyingModel,
  opts: { turnTimeoutMs?: number; signal?: AbortSignal; quoteId?: Id<"quotes"> } = {},
) {
  const quoteId = opts.quoteId ?? (await newQuote(transport));
  const brand = createBrandAgent(brandModel);
  const supplier = createSupplierAgent(new ScriptedLanguageModel());
  const agentFor = (party: "brand" | "supplier"): Agent => (party === "brand" ? brand : supplier);
  const runtime = testRuntime(transport, { agentFor, throttleMs: 1, ...(opts.turnTimeoutMs ? { turnTimeoutMs: opts.turnTimeoutMs } : {}) });
  const results = await runNegotiations(runtime, quoteId, {}, { signal: opts.signal });
  const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
  return { results, state };
}

/** The stored message at `seq` of the negotiation with `supplierName`, and its offer. */
function stored(state: QuoteState, supplierName: string, seq: number) {
  const negotiation = state.negotiations.find((n) => n.supplier.name === supplierName)!;
  const atSeq = negotiation.messages.filter((m) => m.seq === seq);
  expect(atSeq).toHaveLength(1);
  const message = atSeq[0]!;
  return { negotiation, message, offer: negotiation.offers.find((o) => o._id === message.offerId) };
}

function expectWellOrdered(state: QuoteState) {
  for (const n of state.negotiations) {
    const seqs = n.messages.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(n.messages.every((m) => m.state === "complete")).toBe(true);
  }
}

let embedded: Awaited<ReturnType<typeof embeddedBackend>> | undefined;
afterAll(async () => embedded?.stop());

describe("a model whose prose contradicts the engine's numbers", () => {
  it("lies once: the message is written again with the engine's numbers, at the same seq, with no note", { timeout: 60_000 }, async () => {
    const { transport } = convexTestBackend();
    const model = new LyingModel((b, corrected) => (brandsFirstOffer(b) && !corrected ? LIE : undefined));
    const { results, state } = await run(transport, model);
    expect(results.every((r) => ["accepted", "impasse"].includes(r.status))).toBe(true);
    expectWellOrdered(state);
    for (const negotiation of state.negotiations) {
      const calls = model.calls.filter((c) => c.brief.supplierName === negotiation.supplier.name && c.brief.seq === 1);
      expect(calls.map((c) => [c.corrected, c.text === LIE])).toEqual([
        [false, true],
        [true, false],
      ]);
      const { message, offer } = stored(state, negotiation.supplier.name, 1);
      expect(message.content).toBe(calls[1]!.text);
      expect(message.content).not.toContain("12.50");
      expect(message.metadata?.replacedByEngine).toBeUndefined();
      expect(offer?.terms).toEqual(calls[0]!.brief.terms);
      // Both attempts' tokens are counted.
      expect(message.metadata?.tokenUsage?.outputTokens).toBe(10);
    }
  });

  it("lies twice: the engine's own sentence replaces the message, and the metadata says why (embedded backend, streamed)", { timeout: 90_000 }, async () => {
    embedded ??= await embeddedBackend();
    const base = embedded.transport;
    const streamedLies: string[] = [];
    const watching: ConvexTransport = {
      ...base,
      mutation: (fn, args) => {
        const a = args as { content?: string; text?: string };
        const name = getFunctionName(fn);
        if ((name === "ingest:startMessage" || name === "ingest:appendMessageText") && /12\.50|90 days|net 10/.test(a.content ?? a.text ?? "")) {
          streamedLies.push(name);
        }
        return base.mutation(fn, args);
      },
    };
    const model = new LyingModel((b) => (brandsFirstOffer(b) ? LIE : undefined));
    const { results, state } = await run(watching, model);
    expect(results.every((r) => ["accepted", "impasse"].includes(r.status))).toBe(true);
    expectWellOrdered(state);
    // The lie was on the dashboard while it streamed; the finished message is the engine's.
    expect(streamedLies.length).toBeGreaterThan(0);
    for (const negotiation of state.negotiations) {
      const calls = model.calls.filter((c) => c.brief.supplierName === negotiation.supplier.name && c.brief.seq === 1);
      expect(calls.map((c) => c.corrected)).toEqual([false, true]);
      const brief = calls[0]!.brief;
      const { message, offer } = stored(state, negotiation.supplier.name, 1);
      expect(message.content).toBe(engineSentence(brief));
      expect(offer?.terms).toEqual(brief.terms);
      const reason = message.metadata?.replacedByEngine ?? "";
      expect(reason).toContain("the model's prose said $12.50, 90 days, net 10");
      expect(reason).toContain(describeTerms(brief.terms!, brief.currency));
    }
    expect(state.negotiations.flatMap((n) => n.messages).some((m) => m.content.includes("12.50"))).toBe(false);
  });

  it("tells the truth: every message is the model's own, asked once, with no note", { timeout: 60_000 }, async () => {
    const { t, transport } = convexTestBackend();
    const model = new LyingModel(() => undefined);
    const { results, state } = await run(transport, model);
    expect(results.every((r) => ["accepted", "impasse"].includes(r.status))).toBe(true);
    expectWellOrdered(state);
    expect(model.calls.every((c) => !c.corrected)).toBe(true);
    // The scripted supplier's messages pass the same check.
    expect(state.negotiations.flatMap((n) => n.messages).filter((m) => m.metadata?.replacedByEngine)).toEqual([]);
    for (const negotiation of state.negotiations) {
      for (const message of negotiation.messages.filter((m) => m.sender === "brand")) {
        const calls = model.calls.filter((c) => c.brief.supplierName === negotiation.supplier.name && c.brief.seq === message.seq);
        expect(calls).toHaveLength(1);
        expect(message.content).toBe(calls[0]!.text);
        expect(message.metadata?.replacedByEngine).toBeUndefined();
      }
    }
    expect(await t.run(async (ctx) => await ctx.db.query("messageDeltas").collect())).toEqual([]);
  });

  it("a second attempt that never answers fails the turn within its timeout; the message is withdrawn, not doubled", { timeout: 60_000 }, async () => {
    const { transport } = convexTestBackend();
    const model = new LyingModel((b, corrected) => (brandsFirstOffer(b) ? (corrected ? "hang" : LIE) : undefined));
    const startedAt = Date.now();
    const { results, state } = await run(transport, model, { turnTimeoutMs: 1_500 });
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    for (const result of results) {
      expect(result.status).toBe("failed");
      expect(result.failureReason).toMatch(/brand's model did not answer within 1500 ms/);
    }
    expectWellOrdered(state);
    for (const negotiation of state.negotiations) {
      const { message } = stored(state, negotiation.supplier.name, 1);
      expect(message).toMatchObject({ withdrawn: "failed", content: WITHDRAWN_TEXT.failed });
    }
  });

  it("a run stopped during the second attempt leaves the message to its resume, which writes it once at the same seq", { timeout: 60_000 }, async () => {
    const { transport } = convexTestBackend();
    const quoteId = await newQuote(transport);
    const stop = new AbortController();
    const stopping = new LyingModel((b, corrected) => {
      if (!brandsFirstOffer(b)) return undefined;
      if (corrected) stop.abort(new Error("worker stopping (test)"));
      return corrected ? "hang" : LIE;
    });
    await expect(run(transport, stopping, { quoteId, signal: stop.signal })).rejects.toThrow(/interrupted: worker stopping/);
    const read = async () => (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    for (const negotiation of (await read()).negotiations) {
      expect(negotiation.status).not.toBe("failed");
      expect(negotiation.messages.filter((m) => m.seq === 1).every((m) => m.state === "streaming")).toBe(true);
    }
    const truthful = new LyingModel(() => undefined);
    const { results, state } = await run(transport, truthful, { quoteId });
    expect(results.every((r) => ["accepted", "impasse"].includes(r.status))).toBe(true);
    expectWellOrdered(state);
    for (const negotiation of state.negotiations) {
      const { message } = stored(state, negotiation.supplier.name, 1);
      expect(message.content).toBe(truthful.calls.find((c) => c.brief.supplierName === negotiation.supplier.name && c.brief.seq === 1)!.text);
    }
  });
});
