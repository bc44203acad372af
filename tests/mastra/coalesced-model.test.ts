import type { LanguageModelV4StreamPart } from "@ai-sdk/provider-v7";
import { describe, expect, it } from "vitest";
import { createSupplierAgent } from "../../src/mastra/agents/supplier-agent.js";
import { coalesceTextDeltas, CoalescedLanguageModel } from "../../src/mastra/models/coalesced-model.js";
import { ScriptedLanguageModel } from "../../src/mastra/models/index.js";

// Text deltas readable in the same turn of the event loop reach Mastra as one;
// text not yet delivered is never waited for, and nothing else is joined or lost.

type Part = LanguageModelV4StreamPart;
const delta = (text: string, id = "t0"): Part => ({ type: "text-delta", id, delta: text });
const finish: Part = { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } } } as Part;

async function collect(stream: ReadableStream<Part>): Promise<Part[]> {
  const out: Part[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** A stream that enqueues `batches`, each batch at once, the next one a timer later. */
function batched(batches: Part[][], gapMs = 5): ReadableStream<Part> {
  let i = 0;
  return new ReadableStream<Part>({
    async pull(controller) {
      if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
      if (i >= batches.length) return controller.close();
      for (const p of batches[i++]!) controller.enqueue(p);
    },
  });
}

describe("coalesceTextDeltas", () => {
  it("joins the deltas that arrive together and keeps apart those that arrive later", async () => {
    const parts = await collect(coalesceTextDeltas(batched([[{ type: "text-start", id: "t0" }, delta("Hello "), delta("there, ")], [delta("supplier.")], [{ type: "text-end", id: "t0" }, finish]])));
    expect(parts.map((p) => p.type)).toEqual(["text-start", "text-delta", "text-delta", "text-end", "finish"]);
    expect(parts.filter((p) => p.type === "text-delta").map((p) => (p as { delta: string }).delta)).toEqual(["Hello there, ", "supplier."]);
  });

  it("never joins across text ids, parts of another type, or deltas carrying provider metadata", async () => {
    const meta: Part = { type: "text-delta", id: "t0", delta: "[m]", providerMetadata: { x: { y: 1 } } };
    const parts = await collect(coalesceTextDeltas(batched([[delta("a"), delta("b"), delta("c", "t1"), delta("d", "t1"), { type: "reasoning-delta", id: "r", delta: "?" } as Part, delta("e"), meta, delta("f"), finish]])));
    expect(parts.map((p) => (p.type === "text-delta" ? `${p.id}:${p.delta}` : p.type))).toEqual(["t0:ab", "t1:cd", "reasoning-delta", "t0:e", "t0:[m]", "t0:f", "finish"]);
  });

  it("loses no text and keeps every part's order, whatever the arrival pattern", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const words = Array.from({ length: 30 }, (_, i) => `w${seed}-${i} `);
      const batches: Part[][] = [];
      let i = 0;
      let r = seed;
      while (i < words.length) {
        r = (r * 1103515245 + 12345) % 2 ** 31;
        const n = 1 + (r % 6);
        batches.push(words.slice(i, i + n).map((w) => delta(w)));
        i += n;
      }
      batches.push([finish]);
      const parts = await collect(coalesceTextDeltas(batched(batches, 1)));
      const deltas = parts.filter((p) => p.type === "text-delta") as { delta: string }[];
      expect(deltas.map((d) => d.delta).join("")).toBe(words.join(""));
      expect(deltas.length).toBeLessThanOrEqual(batches.length - 1);
      expect(parts[parts.length - 1]).toEqual(finish);
    }
  });

  it("passes a source's error on, and cancelling the result cancels the source", async () => {
    const failing = new ReadableStream<Part>({
      start(controller) {
        controller.enqueue(delta("half a "));
        controller.error(new Error("provider dropped the connection"));
      },
    });
    await expect(collect(coalesceTextDeltas(failing))).rejects.toThrow("provider dropped the connection");

    let cancelled: unknown;
    const endless = new ReadableStream<Part>({ pull: (c) => void c.enqueue(delta("x")), cancel: (reason) => void (cancelled = reason) });
    const reader = coalesceTextDeltas(endless).getReader();
    // A source that always has text ready is still relayed in bounded pieces.
    const { value } = await reader.read();
    expect((value as { delta: string }).delta.length).toBeLessThanOrEqual(256);
    await reader.cancel("stop");
    expect(cancelled).toBe("stop");
  });
});

describe("CoalescedLanguageModel", () => {
  it("gives Mastra an unpaced scripted reply in one piece, and a paced one word by word, with the same text", async () => {
    const prompt = "Open the negotiation.";
    const run = async (tokensPerSec: number) => {
      const agent = createSupplierAgent(new CoalescedLanguageModel(new ScriptedLanguageModel({ tokensPerSec })));
      const out = await agent.stream(prompt);
      const pieces: string[] = [];
      for await (const d of out.textStream) pieces.push(d);
      return pieces;
    };
    const unpaced = await run(0);
    const paced = await run(50); // 20 ms apart: each word its own read
    expect(unpaced).toHaveLength(1);
    expect(paced.length).toBeGreaterThan(5);
    expect(unpaced.join("")).toBe(paced.join(""));
  });
});
