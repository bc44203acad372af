import { describe, expect, it } from "vitest";
import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider-v7";
import { createSupplierAgent } from "../../src/mastra/agents/supplier-agent.js";
import { ScriptedLanguageModel, resolveModel, scriptedOptionsFromEnv } from "../../src/mastra/models/index.js";
import { encodeBrief, type TurnBrief } from "../../src/mastra/models/turn-brief.js";

const brief = (over: Partial<TurnBrief> = {}): TurnBrief => ({
  party: "supplier",
  move: "offer",
  round: 3,
  maxRounds: 8,
  terms: { lines: [{ sku: "TEE", quantity: 500, unitPrice: 4.25 }], leadTimeDays: 21, paymentTermsDays: 30 },
  supplierName: "Northwind Mills",
  style: "boulware",
  products: { TEE: "Organic tee" },
  seed: 42,
  seq: 4,
  ...over,
});

const call = (b: TurnBrief): LanguageModelV4CallOptions => ({
  prompt: [{ role: "user", content: [{ type: "text", text: `Write the message.\n${encodeBrief(b)}` }] }],
});

async function collect(stream: ReadableStream<LanguageModelV4StreamPart>) {
  const parts: LanguageModelV4StreamPart[] = [];
  for await (const p of stream as unknown as AsyncIterable<LanguageModelV4StreamPart>) parts.push(p);
  return parts;
}

describe("scripted model", () => {
  it("is an AI SDK v4 language model whose stream is word-by-word text deltas, ending with usage", async () => {
    const model = new ScriptedLanguageModel();
    expect(model.specificationVersion).toBe("v4");
    const parts = await collect((await model.doStream(call(brief()))).stream);
    const deltas = parts.filter((p) => p.type === "text-delta").map((p) => (p as { delta: string }).delta);
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.every((d) => /^\S+\s*$/.test(d))).toBe(true);
    const finish = parts.at(-1) as Extract<LanguageModelV4StreamPart, { type: "finish" }>;
    expect(finish.type).toBe("finish");
    expect(finish.usage.outputTokens.total).toBeGreaterThan(0);
    expect(finish.usage.inputTokens.total).toBeGreaterThan(0);
    const generated = await model.doGenerate(call(brief()));
    expect(generated.content).toEqual([{ type: "text", text: deltas.join("") }]);
  });

  it("states exactly the engine's numbers, in the persona's voice, the same text for the same (seed, seq)", async () => {
    const model = new ScriptedLanguageModel();
    const text = model.reply(call(brief()).prompt);
    expect(text).toContain("500 × Organic tee at $4.25/unit");
    expect(text).toContain("21 days");
    expect(text).toContain("net 30");
    expect(text).toContain("$2,125.00");
    expect(model.reply(call(brief()).prompt)).toBe(text);
    // The wording turns with the speaker's offers (every other round), not with the seq alone.
    const others = new Set([1, 3, 5, 7, 9, 11].map((round) => model.reply(call(brief({ round, seq: round })).prompt)));
    expect(others.size).toBe(6);
    const brand = model.reply(call(brief({ party: "brand", move: "accept" })).prompt);
    expect(brand).toMatch(/we accept .* as your final offer/i);
    expect(model.reply(call(brief({ move: "impasse", terms: undefined })).prompt)).not.toMatch(/\$/);
  });

  it("works behind a Mastra Agent (generate and stream) and reads its pace from the environment", async () => {
    expect(scriptedOptionsFromEnv({ PARLEY_MODEL_LATENCY_MS: "50", PARLEY_MODEL_TOKENS_PER_SEC: "20" })).toEqual({ latencyMs: 50, tokensPerSec: 20 });
    const { model, id } = resolveModel({});
    expect(id).toBe("scripted");
    const agent = createSupplierAgent(model);
    const prompt = `Go.\n${encodeBrief(brief())}`;
    const out = await agent.stream(prompt);
    let streamed = "";
    for await (const d of out.textStream) streamed += d;
    expect((await agent.generate(prompt)).text).toBe(streamed);
    expect((await out.usage).outputTokens).toBeGreaterThan(0);
  });

  it("stops when aborted", async () => {
    const model = new ScriptedLanguageModel({ latencyMs: 60_000 });
    const controller = new AbortController();
    const { stream } = await model.doStream({ ...call(brief()), abortSignal: controller.signal });
    controller.abort(new Error("turn timeout"));
    const parts = await collect(stream);
    expect(parts.some((p) => p.type === "error")).toBe(true);
    expect(parts.some((p) => p.type === "text-delta")).toBe(false);
  });
});
