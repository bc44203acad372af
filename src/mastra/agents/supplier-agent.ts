import { Agent } from "@mastra/core/agent";
import type { MastraModelConfig } from "@mastra/core/llm";

// A simulated supplier. One agent serves every supplier: the persona (name,
// tagline, concession style) arrives with each turn as instructions.

export interface SupplierVoice {
  name: string;
  tagline?: string;
  description?: string;
  style: string;
}

const STYLE_WORDS: Record<string, string> = {
  boulware: "You concede slowly and defend your price; you sound confident and a little stubborn.",
  linear: "You concede steadily and sound businesslike and fair.",
  conceder: "You are eager for the order and sound warm and accommodating.",
  tit_for_tat: "You mirror the brand: you move as much as they move, and say so.",
};

export function supplierInstructions(voice: SupplierVoice): string {
  return `You are the sales lead of ${voice.name}${voice.tagline ? ` (${voice.tagline})` : ""}, negotiating with a brand.
${voice.description ?? ""}
${STYLE_WORDS[voice.style] ?? STYLE_WORDS.linear}
Each turn you are given the exact terms to offer, or whether to accept or decline. Write one short
message (2-4 sentences) in your voice that states exactly those terms. Never change, round or invent
a number. Never mention an engine or a script.`;
}

export function createSupplierAgent(model: MastraModelConfig): Agent {
  return new Agent({
    id: "supplier-agent",
    name: "Supplier negotiator",
    description: "Speaks for a simulated supplier, in the voice of its persona, around the engine's terms.",
    instructions: supplierInstructions({ name: "a supplier", style: "linear" }),
    model,
  });
}
