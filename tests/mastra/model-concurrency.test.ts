import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider-v7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { CappedLanguageModel, retryAfterMs } from "../../src/mastra/models/capped-model.js";
import { CoalescedLanguageModel, resolveModel, ScriptedLanguageModel } from "../../src/mastra/models/index.js";
import { Slots } from "../../src/mastra/models/provider-slots.js";
import { createRuntime, silentLog } from "../../src/mastra/runtime.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { startModelProxy, type ModelProxy } from "./helpers/model-proxy.js";
import { startOpenAIStandIn, type StandIn } from "./helpers/openai-stand-in.js";

let standIn: StandIn;
const proxies: ModelProxy[] = [];
beforeAll(async () => {
  standIn = await startOpenAIStandIn();
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await standIn?.close();
});

async function proxy(delayMs = 0) {
  const p = await startModelProxy(standIn.baseURL, { delayMs });
  proxies.push(p);
  return p;
}

async function claimedQuote(transport: ConvexTransport, seed: number) {
  const quoteId = await requestDemoQuote(transport, { seed, maxRounds: 4 });
  await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "t", leaseMs: 60_000 });
  return quoteId;
}

const modelEnv = (p: ModelProxy, extra: Record<string, string> = {}) => ({
  PARLEY_MODEL: "openai:stand-in-7b",
  OPENAI_BASE_URL: p.baseURL,
  ...extra,
});

describe("PARLEY_MODEL_CONCURRENCY", () => {
  it("caps the model calls in flight per provider, across runtimes; every negotiation finishes", async () => {
    const p = await proxy(25);
    const { transport } = convexTestBackend();
    const quotes = [await claimedQuote(transport, 3), await claimedQuote(transport, 4)];
    // Two runtimes (as two Studio runs would make) share the provider's slots.
    const results = await Promise.all(
      quotes.map((quoteId) =>
        runNegotiations(createRuntime({ transport, serviceKey: SERVICE_KEY, log: silentLog, env: modelEnv(p, { PARLEY_MODEL_CONCURRENCY: "2" }) }), quoteId),
      ),
    );
    expect(results.flat().map((r) => r.status).every((s) => s === "accepted" || s === "impasse")).toBe(true);
    expect(p.calls.length).toBeGreaterThan(6);
    expect(p.maxInFlight).toBe(2);
  });

  it("without the cap set low, the same quotes do run more than 2 model calls at once (the test can see it)", async () => {
    const p = await proxy(25);
    const { transport } = convexTestBackend();
    const quotes = [await claimedQuote(transport, 3), await claimedQuote(transport, 4)];
    const runtime = createRuntime({ transport, serviceKey: SERVICE_KEY, log: silentLog, env: modelEnv(p) });
    await Promise.all(quotes.map((quoteId) => runNegotiations(runtime, quoteId)));
    expect(p.maxInFlight).toBeGreaterThan(2);
    expect(p.maxInFlight).toBeLessThanOrEqual(8);
  });

  it("refuses a setting that is not a positive integer, with a message", () => {
    for (const bad of ["0", "-1", "2.5", "eight", "1e3"]) {
      expect(() => resolveModel({ PARLEY_MODEL: "openai:m", OPENAI_BASE_URL: "http://127.0.0.1:1/v1", PARLEY_MODEL_CONCURRENCY: bad })).toThrow(
        `PARLEY_MODEL_CONCURRENCY=${bad}: expected a positive integer`,
      );
    }
    expect(() => createRuntime({ transport: convexTestBackend().transport, serviceKey: SERVICE_KEY, env: { PARLEY_MODEL_CONCURRENCY: "0" } })).toThrow(
      /PARLEY_MODEL_CONCURRENCY=0/,
    );
  });

  it("leaves the scripted model uncapped", () => {
    const { model } = resolveModel({ PARLEY_MODEL_CONCURRENCY: "1" });
    expect(model).toBeInstanceOf(CoalescedLanguageModel);
    expect((model as CoalescedLanguageModel).inner).toBeInstanceOf(ScriptedLanguageModel);
  });
});

describe("HTTP 429 from the provider", () => {
  it("retries after Retry-After, or with backoff without it, and the negotiations complete", async () => {
    const p = await proxy();
    // One slot: the call after a 429 is its own retry (the slot is held while it waits).
    p.rateLimitNext({ "retry-after": "1" }, {}, {}, { "retry-after-ms": "20" });
    const { transport } = convexTestBackend();
    const quoteId = await claimedQuote(transport, 5);
    const env = modelEnv(p, { PARLEY_MODEL_CONCURRENCY: "1", PARLEY_MODEL_RETRY_BASE_MS: "10" });
    const results = await runNegotiations(createRuntime({ transport, serviceKey: SERVICE_KEY, log: silentLog, env }), quoteId);
    expect(results.map((r) => r.status).every((s) => s === "accepted" || s === "impasse")).toBe(true);
    expect(p.calls.slice(0, 5).map((c) => c.status)).toEqual([429, 429, 429, 429, 200]);
    // Retry-After: 1 was honoured: the retry did not come sooner.
    expect(p.calls[1]!.at - p.calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("gives up after a bounded number of 429s and fails the turn with the reason, without Mastra multiplying the attempts", async () => {
    const p = await proxy();
    p.rateLimitAll = true;
    const { transport } = convexTestBackend();
    const quoteId = await claimedQuote(transport, 6);
    const env = modelEnv(p, { PARLEY_MODEL_CONCURRENCY: "1", PARLEY_MODEL_RETRY_BASE_MS: "1" });
    const results = await runNegotiations(createRuntime({ transport, serviceKey: SERVICE_KEY, log: silentLog, env }), quoteId);
    expect(results.map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
    for (const r of results) expect(r.failureReason).toMatch(/model failed: .*rate-limited the call \(HTTP 429\) 6 times in a row; gave up/);
    expect(p.calls).toHaveLength(3 * 6);
  });

  it("reads Retry-After as seconds, as an HTTP date, and OpenAI's retry-after-ms", () => {
    expect(retryAfterMs({ "retry-after": "2" })).toBe(2000);
    expect(retryAfterMs({ "Retry-After-Ms": "150" })).toBe(150);
    expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 7_000)).toBe(3000);
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

/** A model whose stream is driven by the test: parts pushed, then ended or failed. */
function drivenModel() {
  let controller!: ReadableStreamDefaultController<LanguageModelV4StreamPart>;
  const model = {
    specificationVersion: "v4",
    provider: "driven",
    modelId: "driven",
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error("not used")),
    doStream: async (_: LanguageModelV4CallOptions) => ({
      stream: new ReadableStream<LanguageModelV4StreamPart>({ start: (c) => void (controller = c) }),
    }),
  } as LanguageModelV4;
  return { model, controller: () => controller };
}

const call = (signal?: AbortSignal) => ({ prompt: [], abortSignal: signal }) as LanguageModelV4CallOptions;
const retry = { attempts: 3, baseMs: 1, maxMs: 10 };

describe("a model slot", () => {
  it("is held for the whole stream and given back when it ends, fails or is cancelled", async () => {
    const slots = new Slots(1);
    const driven = drivenModel();
    const capped = new CappedLanguageModel(driven.model, slots, retry);

    const first = (await capped.doStream(call())).stream.getReader();
    expect(slots.inUse).toBe(1);
    let secondStarted = false;
    const second = capped.doStream(call()).then((r) => ((secondStarted = true), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(secondStarted).toBe(false);
    driven.controller().enqueue({ type: "text-start", id: "t" });
    await first.read();
    driven.controller().close();
    expect((await first.read()).done).toBe(true);
    const failing = (await second).stream.getReader();
    expect(slots.inUse).toBe(1);

    driven.controller().error(new Error("connection reset mid-stream"));
    await expect(failing.read()).rejects.toThrow("connection reset");
    expect(slots.inUse).toBe(0);

    const cancelled = (await capped.doStream(call())).stream;
    await cancelled.cancel("consumer gone");
    expect(slots.inUse).toBe(0);
  });

  it("is given back on abort, and an aborted wait never takes one", async () => {
    const slots = new Slots(1);
    const capped = new CappedLanguageModel(drivenModel().model, slots, retry);
    const turn = new AbortController();
    await capped.doStream(call(turn.signal));
    const waiting = new AbortController();
    const queued = capped.doStream(call(waiting.signal));
    waiting.abort(new Error("turn timed out"));
    await expect(queued).rejects.toThrow("turn timed out");
    expect(slots.inUse).toBe(1);
    turn.abort();
    expect(slots.inUse).toBe(0);
  });

  it("is given back when the provider refuses the call", async () => {
    const slots = new Slots(1);
    const refusing = { ...drivenModel().model, doStream: () => Promise.reject(new Error("401 Unauthorized")) } as LanguageModelV4;
    await expect(new CappedLanguageModel(refusing, slots, retry).doStream(call())).rejects.toThrow("401");
    expect(slots.inUse).toBe(0);
  });
});
