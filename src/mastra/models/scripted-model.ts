import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from "@ai-sdk/provider-v7";
import { envNumber } from "../env.js";
import { decodeBrief } from "./turn-brief.js";
import { scriptedMessage } from "./scripted-voice.js";

// Parley's offline model: a real AI SDK language model (spec v4, the version
// Mastra 1.71's types are built against) that writes the message around the
// engine's decision found in the prompt. Deterministic by (seed, seq); paced
// like a real model when asked to.

export interface ScriptedModelOptions {
  /** Delay before the first token (time to first token), ms. */
  latencyMs?: number;
  /** Output pace after the first token; 0 or undefined = as fast as possible. */
  tokensPerSec?: number;
  modelId?: string;
}

/** Reads PARLEY_MODEL_LATENCY_MS and PARLEY_MODEL_TOKENS_PER_SEC. */
export function scriptedOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ScriptedModelOptions {
  return { latencyMs: envNumber(env.PARLEY_MODEL_LATENCY_MS), tokensPerSec: envNumber(env.PARLEY_MODEL_TOKENS_PER_SEC) };
}

function promptText(prompt: LanguageModelV4Prompt): string {
  return prompt
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : m.content.map((p) => (p.type === "text" ? p.text : "")).join(""),
    )
    .join("\n");
}

function lastUserText(prompt: LanguageModelV4Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i]!;
    if (m.role === "user") return m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
  }
  return "";
}

/** Rough token count: what a BPE tokenizer gives for English, about 4 characters a token. */
function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function usage(input: number, output: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export class ScriptedLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "parley";
  readonly modelId: string;
  readonly supportedUrls = {};
  private readonly latencyMs: number;
  private readonly msPerToken: number;

  constructor(options: ScriptedModelOptions = {}) {
    this.modelId = options.modelId ?? "scripted";
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.msPerToken = options.tokensPerSec && options.tokensPerSec > 0 ? 1000 / options.tokensPerSec : 0;
  }

  /** The full reply for a prompt; exposed for tests that compare with the streamed text. */
  reply(prompt: LanguageModelV4Prompt): string {
    const brief = decodeBrief(promptText(prompt));
    if (brief) return scriptedMessage(brief);
    const asked = lastUserText(prompt).trim();
    return (
      "I'm Parley's scripted negotiator. I write the messages of a negotiation around terms that " +
      "Parley's engine decides; run the negotiation workflow to see me at work." +
      (asked ? ` (You said: "${asked.slice(0, 80)}")` : "")
    );
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const text = this.reply(options.prompt);
    const words = text.match(/\S+\s*/g) ?? [];
    await sleep(this.latencyMs + this.msPerToken * Math.max(0, words.length - 1), options.abortSignal);
    return {
      content: [{ type: "text", text }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: usage(countTokens(promptText(options.prompt)), countTokens(text)),
      response: { id: `scripted-${Date.now()}`, modelId: this.modelId, timestamp: new Date() },
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const text = this.reply(options.prompt);
    const words = text.match(/\S+\s*/g) ?? [];
    const inputTokens = countTokens(promptText(options.prompt));
    const { latencyMs, msPerToken, modelId } = this;
    const signal = options.abortSignal;
    let i = 0;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      async start(controller) {
        controller.enqueue({ type: "stream-start", warnings: [] });
        controller.enqueue({ type: "response-metadata", id: `scripted-${Date.now()}`, modelId, timestamp: new Date() });
        controller.enqueue({ type: "text-start", id: "t0" });
      },
      async pull(controller) {
        try {
          await sleep(i === 0 ? latencyMs : msPerToken, signal);
        } catch (error) {
          controller.enqueue({ type: "error", error });
          controller.close();
          return;
        }
        if (i < words.length) {
          controller.enqueue({ type: "text-delta", id: "t0", delta: words[i]! });
          i++;
          return;
        }
        controller.enqueue({ type: "text-end", id: "t0" });
        controller.enqueue({
          type: "finish",
          finishReason: { unified: "stop", raw: "stop" },
          usage: usage(inputTokens, countTokens(text)),
        });
        controller.close();
      },
    });
    return { stream };
  }
}
