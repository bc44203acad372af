import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider-v7";
import type { MastraModelConfig } from "@mastra/core/llm";
import { envNumber } from "../env.js";
import { CappedLanguageModel } from "./capped-model.js";
import { CoalescedLanguageModel } from "./coalesced-model.js";
import { concurrencyFromEnv, slotsFor } from "./provider-slots.js";
import { ScriptedLanguageModel, scriptedOptionsFromEnv } from "./scripted-model.js";

export { ScriptedLanguageModel, scriptedOptionsFromEnv } from "./scripted-model.js";
export { CoalescedLanguageModel } from "./coalesced-model.js";
export type { ScriptedModelOptions } from "./scripted-model.js";

// PARLEY_MODEL picks the model: `scripted` (default, offline) or
// `openai:<model>`. With OPENAI_BASE_URL the OpenAI provider talks to any
// OpenAI-compatible server (Ollama, llama.cpp, LM Studio) through chat
// completions, which those servers implement; without it, api.openai.com.
// A real model is capped: PARLEY_MODEL_CONCURRENCY calls at a time per
// provider, 429s retried (capped-model.ts). The scripted model runs in-process
// and is not capped. Either way the text deltas a model has already delivered
// reach Mastra in one piece (coalesced-model.ts).

export interface ResolvedModel {
  model: MastraModelConfig;
  /** What the message metadata records as `model`. */
  id: string;
}

export function resolveModel(env: NodeJS.ProcessEnv = process.env): ResolvedModel {
  // Checked whatever the model, so a bad setting is refused before it matters.
  const concurrency = concurrencyFromEnv(env);
  const spec = (env.PARLEY_MODEL ?? "scripted").trim() || "scripted";
  if (spec === "scripted") {
    return { model: new CoalescedLanguageModel(new ScriptedLanguageModel(scriptedOptionsFromEnv(env))), id: "scripted" };
  }
  if (spec.startsWith("openai:")) {
    const modelId = spec.slice("openai:".length);
    if (!modelId) throw new Error(`PARLEY_MODEL=${spec}: name a model, e.g. openai:gpt-4.1-mini`);
    const baseURL = env.OPENAI_BASE_URL?.trim() || undefined;
    // A local server usually needs no key; the OpenAI API always does.
    const apiKey = env.OPENAI_API_KEY?.trim() || (baseURL ? "not-needed" : undefined);
    if (!apiKey) throw new Error(`PARLEY_MODEL=${spec} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)`);
    const provider = createOpenAI({ apiKey, baseURL });
    // ai@7's provider is typed against a newer @ai-sdk/provider than Mastra's
    // types (@ai-sdk/provider-v7); it runs unchanged, so widen to that type.
    const chat = provider.chat(modelId) as unknown as LanguageModelV4;
    const slots = slotsFor(`${chat.provider} ${baseURL ?? "https://api.openai.com/v1"}`, concurrency);
    const retry = { attempts: 6, baseMs: envNumber(env.PARLEY_MODEL_RETRY_BASE_MS) ?? 1_000, maxMs: 60_000 };
    return { model: new CoalescedLanguageModel(new CappedLanguageModel(chat, slots, retry)), id: spec };
  }
  throw new Error(`PARLEY_MODEL=${spec}: expected "scripted" or "openai:<model>"`);
}
