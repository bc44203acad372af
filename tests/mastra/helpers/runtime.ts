import type { Agent } from "@mastra/core/agent";
import { createBrandAgent } from "../../../src/mastra/agents/brand-agent.js";
import { createSupplierAgent } from "../../../src/mastra/agents/supplier-agent.js";
import type { ConvexTransport } from "../../../src/mastra/convex-transport.js";
import { ScriptedLanguageModel } from "../../../src/mastra/models/index.js";
import { createRuntime, silentLog, type RuntimeOptions } from "../../../src/mastra/runtime.js";
import { SERVICE_KEY } from "./convex-test-backend.js";

/** A scripted model that throws on every call: a broken model or provider. */
export class BrokenModel extends ScriptedLanguageModel {
  override async doStream(): Promise<never> {
    throw new Error("model provider unavailable (test)");
  }
  override async doGenerate(): Promise<never> {
    throw new Error("model provider unavailable (test)");
  }
}

export function testRuntime(
  transport: ConvexTransport,
  opts: { latencyMs?: number; brokenSupplier?: string } & Partial<RuntimeOptions> = {},
) {
  const model = new ScriptedLanguageModel({ latencyMs: opts.latencyMs ?? 0 });
  const brand = createBrandAgent(model);
  const supplier = createSupplierAgent(model);
  const broken = createSupplierAgent(new BrokenModel());
  const agentFor = (party: "brand" | "supplier", s: { name: string }): Agent =>
    party === "brand" ? brand : s.name === opts.brokenSupplier ? broken : supplier;
  return createRuntime({ transport, serviceKey: SERVICE_KEY, log: silentLog, throttleMs: 5, pollMs: 10, agentFor, ...opts });
}
