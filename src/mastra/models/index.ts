import { createOpenAI } from "@ai-sdk/openai";
import type { MastraModelConfig } from "@mastra/core/llm";
import { ScriptedLanguageModel, scriptedOptionsFromEnv } from "./scripted-model.js";

export { ScriptedLanguageModel, scriptedOptionsFromEnv } from "./scripted-model.js";
export type { ScriptedModelOptions } from "./scripted-model.js";

// PARLEY_MODEL picks the model: `scripted` (default, offline) or
// `openai:<model>`. With OPENAI_BASE_URL the OpenAI provider talks to any
// OpenAI-compatible server (Ollama, llama.cpp, LM Studio) through chat
// completions, which those servers implement; without it, api.openai.com.

export interface ResolvedModel {
  model: MastraModelConfig;
  /** What the message metadata records as `model`. */
  id: string;
}

export function resolveModel(env: NodeJS.ProcessEnv = process.env): ResolvedModel {
  const spec = (env.PARLEY_MODEL ?? "scripted").trim() || "scripted";
  if (spec === "scripted") {
    return { model: new ScriptedLanguageModel(scriptedOptionsFromEnv(env)), id: "scripted" };
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
    // types; it runs unchanged, so widen through Mastra's type.
    return { model: provider.chat(modelId) as unknown as MastraModelConfig, id: spec };
  }
  throw new Error(`PARLEY_MODEL=${spec}: expected "scripted" or "openai:<model>"`);
}
