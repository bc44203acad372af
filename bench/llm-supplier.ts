// An LLM-played supplier for the strategy tournament (bench/strategies.ts):
// the presets' suppliers, but each supplier move is asked of a real model
// through Parley's OpenAI-compatible path (resolveModel). The model knows its
// own persona — costs, floor, lead times, payment terms — and plays for its
// margin; the engine keeps it honest. An offer below its reservation, terms it
// cannot deliver, a move the protocol does not allow (an offer after the last
// round, accepting with nothing to accept) or output that is not a move is
// replaced by the persona's own engine move (supplierMove) and counted as
// overruled. Walking away is always the supplier's right.

import { generateText, type LanguageModel } from "ai";
import { z } from "zod";
import { resolveModel } from "../src/mastra/models/index.js";
import { brandMove, brandView, describeTerms, negotiationResult, supplierAcceptable, supplierMargin, supplierUtility, whoseTurn } from "../src/negotiation/index.js";
import type { Move, NegotiationResult, NegotiationSetup, OfferRecord } from "../src/negotiation/index.js";
import { supplierMove } from "../src/negotiation/supplier-strategy.js";
import { DAY_LIMITS } from "../src/negotiation/terms.js";
import type { Terms } from "../src/negotiation/types.js";

/** What the model is asked to answer: one JSON object. */
export const llmMoveSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("offer"),
    unitPrices: z.record(z.string(), z.number().finite().positive()),
    leadTimeDays: z.number().finite(),
    paymentTermsDays: z.number().finite(),
    reasoning: z.string().optional(),
  }),
  z.object({ kind: z.literal("accept"), reasoning: z.string().optional() }),
  z.object({ kind: z.literal("walk_away"), reasoning: z.string().optional() }),
]);
export type LlmMove = z.infer<typeof llmMoveSchema>;

/** One supplier turn as played: the move on the wire, and why the engine replaced the model's, if it did. */
export interface PlayedSupplierMove {
  move: Move;
  /** Set when the model's answer was replaced by the persona's engine move. */
  overruled?: string;
}

/** Plays the supplier's turn of `setup` after `history`. */
export type SupplierPlayer = (setup: NegotiationSetup, history: OfferRecord[]) => Promise<PlayedSupplierMove>;

export interface LlmNegotiationResult extends NegotiationResult {
  /** Supplier turns played and how many of them the engine overruled, with the reasons. */
  llm: { turns: number; overruled: number; reasons: string[] };
}

const money = (x: number) => x.toFixed(2);

/** The supplier's private brief: everything its persona knows, and the offers so far with its margin on each. */
export function supplierPrompt(setup: NegotiationSetup, history: OfferRecord[]): { system: string; prompt: string } {
  const { persona, name } = setup.supplier;
  const financingAt = (days: number) => (persona.annualFinancingRate * days) / 365;
  const lines = setup.lineItems.map((item) => {
    const cost = item.listPrice * persona.unitCostRatio;
    // The per-unit floor at standard lead time and preferred terms: margin is linear in price.
    const floor = (cost * (1 + persona.reservationMargin)) / (1 - financingAt(persona.paymentTermsDays.preferred));
    return `- ${item.sku} (${item.name}): ${item.quantity} units; list price ${money(item.listPrice)}; your unit cost ${money(cost)}; your floor about ${money(floor)} per unit at standard lead time and preferred payment terms`;
  });
  const last = history.length >= setup.maxRounds;
  const standing = history[history.length - 1];
  // Line by line, by SKU (the key the model answers with), in the engine's one wording of terms.
  const skus = Object.fromEntries(setup.lineItems.map((item) => [item.sku, item.sku]));
  const offers = history.map((h) => {
    const margin = supplierMargin(h.terms, setup.lineItems, persona);
    const clears = supplierAcceptable(h.terms, setup.lineItems, persona);
    return `${h.round}. ${h.offeredBy === "supplier" ? "You" : "The brand"}: ${describeTerms(h.terms, undefined, skus)} — your margin ${(100 * margin).toFixed(1)}%${clears ? "" : " (below your floor or not deliverable)"}`;
  });
  const system = [
    `You are the sales lead of ${name}, a supplier negotiating a B2B quote with a brand's procurement agent by alternating offers.`,
    "Play for your margin: concede slowly and only when it helps close a deal, and never agree to or quote terms below your floor or terms you cannot deliver — a deal beats no deal only above your floor.",
    'Answer with one JSON object and nothing else, one of: {"kind":"offer","unitPrices":{"<SKU>":<price per unit>},"leadTimeDays":<whole days>,"paymentTermsDays":<whole days>,"reasoning":"<one sentence>"}, {"kind":"accept","reasoning":"..."} to accept the brand\'s standing offer, or {"kind":"walk_away","reasoning":"..."}.',
  ].join("\n");
  const prompt = [
    "Your private costs and limits (the brand does not know them):",
    ...lines,
    `- Your margin is (revenue × (1 − ${persona.annualFinancingRate} × payment days / 365) − cost × (1 + days faster than standard × ${persona.expediteCostPerDay})) / cost; your floor is a ${(100 * persona.reservationMargin).toFixed(1)}% margin over the whole order.`,
    `- Lead time: standard ${persona.leadTimeDays.standard} days, fastest ${persona.leadTimeDays.fastest} days (each day faster costs ${(100 * persona.expediteCostPerDay).toFixed(2)}% of unit cost).`,
    `- Payment terms: you prefer ${persona.paymentTermsDays.preferred} days and can give at most ${persona.paymentTermsDays.max} days (you finance waiting at ${(100 * persona.annualFinancingRate).toFixed(1)}% a year).`,
    `- Capacity: at most ${persona.capacityPerLine} units per line.`,
    "",
    `The negotiation allows ${setup.maxRounds} offers in total, yours included.`,
    offers.length ? `Offers so far:\n${offers.join("\n")}` : "No offers yet: make your opening quote.",
    "",
    last
      ? "No more offers are allowed: you can only accept the brand's offer or walk away."
      : standing?.offeredBy === "brand"
        ? `Your move: offer ${history.length + 1} of ${setup.maxRounds}${history.length + 1 === setup.maxRounds ? " (the last: the brand can then only accept or end without a deal)" : ""}, or accept the brand's offer, or walk away.`
        : `Your move: your opening quote (offer 1 of ${setup.maxRounds}).`,
  ].join("\n");
  return { system, prompt };
}

/** Where the object opening at `from` closes (braces inside strings skipped), or -1 when it never does. */
function objectEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** The JSON object in a model's answer (code fences and prose around it allowed), parsed as a move. */
export function parseLlmMove(answer: string): { move: LlmMove } | { error: string } {
  // Reasoning models served locally (DeepSeek-R1, Qwen) may think aloud first, braces and all.
  const text = answer.replace(/<think>[\s\S]*?<\/think>/g, "");
  const from = text.indexOf("{");
  const to = from < 0 ? -1 : objectEnd(text, from);
  if (from < 0 || to < 0) return { error: "the answer holds no JSON object" };
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(from, to + 1));
  } catch (e) {
    return { error: `the answer is not valid JSON (${(e as Error).message})` };
  }
  const parsed = llmMoveSchema.safeParse(raw);
  if (!parsed.success) return { error: `the answer is not a move (${parsed.error.issues.map((i) => `${i.path.join(".") || "move"}: ${i.message}`).join("; ")})` };
  return { move: parsed.data };
}

/**
 * The model's move checked against the protocol and the persona: the move on
 * the wire, or, with the reason, undefined when the engine must overrule it.
 */
export function checkLlmMove(setup: NegotiationSetup, history: OfferRecord[], answer: LlmMove): { move: Move } | { refused: string } {
  const { lineItems } = setup;
  const { persona } = setup.supplier;
  const standing = history[history.length - 1];
  const reasoning = answer.reasoning?.trim() || "(the model gave no reason)";
  if (answer.kind === "walk_away") return { move: { kind: "impasse", party: "supplier", round: history.length, reasoning } };
  if (answer.kind === "accept") {
    if (!standing || standing.offeredBy !== "brand") return { refused: "accepted with no brand offer standing" };
    if (!supplierAcceptable(standing.terms, lineItems, persona)) return { refused: "accepted a brand offer below its reservation or that it cannot deliver" };
    return { move: { kind: "accept", party: "supplier", round: history.length, terms: standing.terms, reasoning } };
  }
  if (history.length >= setup.maxRounds) return { refused: `offered after the last round (${setup.maxRounds} offers allowed)` };
  const missing = lineItems.filter((l) => answer.unitPrices[l.sku] === undefined).map((l) => l.sku);
  if (missing.length) return { refused: `offered no price for ${missing.join(", ")}` };
  const terms: Terms = {
    // Cents and whole days, as every offer on the wire.
    lines: lineItems.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: Math.round(answer.unitPrices[l.sku]! * 100) / 100 })),
    leadTimeDays: Math.round(answer.leadTimeDays),
    paymentTermsDays: Math.round(answer.paymentTermsDays),
  };
  if (terms.leadTimeDays < DAY_LIMITS.minLeadTimeDays || terms.leadTimeDays > DAY_LIMITS.maxLeadTimeDays) return { refused: `lead time ${terms.leadTimeDays} days is outside ${DAY_LIMITS.minLeadTimeDays}–${DAY_LIMITS.maxLeadTimeDays}` };
  if (terms.paymentTermsDays < 0 || terms.paymentTermsDays > DAY_LIMITS.maxPaymentTermsDays) return { refused: `payment terms ${terms.paymentTermsDays} days are outside 0–${DAY_LIMITS.maxPaymentTermsDays}` };
  if (terms.leadTimeDays < persona.leadTimeDays.fastest) return { refused: `lead time ${terms.leadTimeDays} days is faster than it can deliver (${persona.leadTimeDays.fastest})` };
  if (terms.paymentTermsDays > persona.paymentTermsDays.max) return { refused: `payment terms ${terms.paymentTermsDays} days are longer than it gives (${persona.paymentTermsDays.max})` };
  if (!supplierAcceptable(terms, lineItems, persona)) return { refused: "offered terms below its reservation" };
  const worth = supplierUtility(terms, lineItems, persona);
  return { move: { kind: "offer", party: "supplier", round: history.length + 1, terms, reasoning, confidence: 0.5 + worth / 2 } };
}

/** A supplier played by `model`: asked for every supplier turn, overruled by the persona's engine move when it breaks the rules. */
export function llmSupplier(model: LanguageModel): SupplierPlayer {
  return async (setup, history) => {
    const engine = () => supplierMove(setup, history);
    // The engine's own checks come first: a supplier that cannot supply the order has nothing to ask the model.
    if (history.length === 0 && setup.lineItems.some((l) => l.quantity > setup.supplier.persona.capacityPerLine)) return { move: engine() };
    const { system, prompt } = supplierPrompt(setup, history);
    const { text } = await generateText({ model, system, prompt });
    const parsed = parseLlmMove(text);
    if ("error" in parsed) return { move: engine(), overruled: parsed.error };
    const checked = checkLlmMove(setup, history, parsed.move);
    if ("refused" in checked) return { move: engine(), overruled: checked.refused };
    return { move: checked.move };
  };
}

/**
 * The supplier played by the model Parley is configured with (PARLEY_MODEL,
 * OPENAI_BASE_URL, OPENAI_API_KEY; resolveModel), or undefined when none is:
 * the built-in scripted model writes prose, not moves, and does not count.
 */
export function llmSupplierFromEnv(env: NodeJS.ProcessEnv = process.env): { player: SupplierPlayer; modelId: string } | undefined {
  const { model, id } = resolveModel(env);
  if (id === "scripted") return undefined;
  // resolveModel's model is typed for Mastra (an older provider spec than ai@7's); the object is the same chat model.
  return { player: llmSupplier(model as unknown as LanguageModel), modelId: id };
}

/**
 * runNegotiation's loop with the supplier's turns played by `player`: the
 * brand plays as ever, from brandView(setup) alone; after maxRounds offers the
 * side to move can only accept or end in impasse (checkLlmMove, brandMove).
 */
export async function runNegotiationWithLlmSupplier(setup: NegotiationSetup, player: SupplierPlayer): Promise<LlmNegotiationResult> {
  const offers: OfferRecord[] = [];
  const moves: Move[] = [];
  const llm = { turns: 0, overruled: 0, reasons: [] as string[] };
  const brand = brandView(setup);
  for (let guard = 0; guard <= setup.maxRounds + 1; guard++) {
    let move: Move;
    if (whoseTurn(setup, offers) === "supplier") {
      const played = await player(setup, offers);
      llm.turns++;
      if (played.overruled) {
        llm.overruled++;
        llm.reasons.push(`offer ${offers.length + 1}: ${played.overruled}`);
      }
      move = played.move;
    } else {
      move = brandMove(brand, offers);
    }
    moves.push(move);
    if (move.kind !== "offer") break;
    offers.push({ round: move.round, offeredBy: move.party, terms: move.terms });
  }
  return { ...negotiationResult(setup, moves, offers), llm };
}
