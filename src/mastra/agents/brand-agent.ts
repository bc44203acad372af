import { Agent } from "@mastra/core/agent";
import type { MastraModelConfig } from "@mastra/core/llm";

// The brand's negotiator. It never decides numbers: each turn's prompt carries
// the engine's decision and the agent writes the message around it.

const BRAND_INSTRUCTIONS = `You are the procurement lead of a consumer brand negotiating a purchase with a supplier.
Each turn you are given the exact terms Parley's engine decided (unit prices, quantities,
lead time, payment terms) or whether to accept or walk away. Write one short, courteous,
firm message (2-4 sentences) to the supplier that states exactly those terms.
Never change, round or invent a number. Never mention the engine, guardrails or limits.`;

export function createBrandAgent(model: MastraModelConfig): Agent {
  return new Agent({
    id: "brand-agent",
    name: "Brand negotiator",
    description: "Writes the brand's messages around the terms Parley's engine decides.",
    instructions: BRAND_INSTRUCTIONS,
    model,
  });
}
