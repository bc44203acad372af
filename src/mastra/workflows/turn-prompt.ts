import type { Doc } from "../../../convex/_generated/dataModel.js";
import type { BrandContext, BrandSetup, Move, NegotiationSetup, OfferRecord } from "../../negotiation/index.js";
import type { Terms } from "../../negotiation/types.js";
import { brandView, describeTerms, totalPrice, withinGuardrails } from "../../negotiation/index.js";
import { encodeBrief, previousOffers, termsSchema, type TurnBrief } from "../models/turn-brief.js";
import { type Currency, currencyOf, formatMoney } from "../../../convex/model/currency.js";
import { checkProse, type Mismatch, type ProseFacts } from "./prose-check.js";
import { supplierInstructions } from "../agents/supplier-agent.js";
import type { NegotiationState } from "../convex-transport.js";

// The prompt of one turn: the engine's decision in words for an LLM, and the
// same decision as a brief the scripted model reads. Then the check of what
// came back: numbers by code, whatever the model wrote.
//
// A brand turn's prompt is built from the brand's side only (a BrandSetup: the
// supplier's public profile, no persona), so it cannot carry the supplier's
// floor or style; only the simulated supplier's own turn speaks in its persona.

type BriefQuote = Pick<Doc<"quotes">, "lineItems" | "notes" | "seed" | "currency">;

/** What both sides' briefs carry: the decision, the standing offer, public names. */
function publicBrief(move: Move, setup: BrandSetup, history: OfferRecord[]) {
  const standing = history[history.length - 1];
  return {
    party: move.party,
    move: move.kind,
    round: move.round,
    maxRounds: setup.maxRounds,
    terms: move.kind === "impasse" ? undefined : move.terms,
    standing: standing && standing.offeredBy !== move.party ? standing.terms : undefined,
    // Each side's last offers, so the words can tell an opening from an answer and name what moved.
    previous: previousOffers(history),
    supplierName: setup.supplier.name,
  };
}

function quoteBrief(quote: BriefQuote, seq: number) {
  return {
    products: Object.fromEntries(quote.lineItems.map((l) => [l.sku, l.name])),
    currency: currencyOf(quote),
    notes: quote.notes,
    seed: quote.seed,
    seq,
  };
}

/**
 * A brand turn's brief: from the brand's view alone (no persona field is
 * reachable). `rivals`: the brand negotiates this quote with other suppliers
 * too (their existence only, never their terms). No deadline date goes in: the
 * same seed must give the same words whenever the quote ran.
 */
export function brandBrief(move: Move, view: BrandSetup, quote: BriefQuote, history: OfferRecord[], seq: number, rivals = false): TurnBrief {
  return { ...publicBrief(move, view, history), tagline: view.supplier.tagline, ...quoteBrief(quote, seq), ...(rivals ? { rivals } : {}) };
}

/** A simulated supplier's brief: also its concession style, which picks its voice. */
function supplierBrief(move: Move, setup: NegotiationSetup, quote: BriefQuote, history: OfferRecord[], seq: number): TurnBrief {
  return {
    ...publicBrief(move, setup, history),
    style: setup.supplier.persona.concession,
    tagline: setup.supplier.tagline,
    ...quoteBrief(quote, seq),
  };
}

/**
 * The brief of one turn. A brand move gets `brandBrief` of `brandView(setup)`;
 * only a supplier move reads the persona. (`_negotiation` is unused: the setup
 * carries the supplier's profile and persona.)
 */
export function briefFor(
  move: Move,
  setup: NegotiationSetup,
  _negotiation: unknown,
  quote: BriefQuote,
  history: OfferRecord[],
  seq: number,
  rivals = false,
): TurnBrief {
  return move.party === "brand" ? brandBrief(move, brandView(setup), quote, history, seq, rivals) : supplierBrief(move, setup, quote, history, seq);
}

/** The turn's prompt: the last messages of the conversation (what both sides saw), the decision, the brief. */
export function promptFor(brief: TurnBrief, negotiation: Pick<NegotiationState, "messages">): string {
  const recent = negotiation.messages
    .filter((m) => m.state === "complete")
    .slice(-4)
    .map((m) => `${m.sender}: ${m.content}`)
    .join("\n");
  const decision =
    brief.move === "offer"
      ? `Offer exactly these terms: ${describeTerms(brief.terms!, currencyOf(brief))}.`
      : brief.move === "accept"
        ? `Accept the other side's offer: ${describeTerms(brief.terms!, currencyOf(brief))}.`
        : "Decline politely: no agreement is possible on the terms on the table.";
  return [
    `Round ${brief.round} of at most ${brief.maxRounds}. You speak for the ${brief.party === "brand" ? "brand" : `supplier ${brief.supplierName}`}.`,
    recent ? `Conversation so far:\n${recent}` : "This is the first message of the negotiation.",
    decision,
    `State every amount in ${currencyOf(brief)}, as written above.`,
    "Write only the message.",
    encodeBrief(brief),
  ].join("\n\n");
}

/** The brand agent keeps its own instructions (none per turn); the simulated supplier speaks in its persona's voice. */
export function instructionsFor(party: "brand" | "supplier", negotiation: Pick<NegotiationState, "supplier">): string | undefined {
  if (party === "brand") return undefined;
  const { name, profile, persona } = negotiation.supplier;
  return supplierInstructions({ name, tagline: profile.tagline, description: profile.description, style: persona.concession });
}

/**
 * A model may append terms of its own as JSON (LLMs sometimes do when asked to
 * negotiate). They are validated with zod and against the guardrails; unless
 * they equal the engine's decision they are dropped from the message and the
 * reason is returned for the message metadata. The engine's terms always stand.
 */
export function reconcileModelTerms(text: string, move: Move, setup: BrandContext): { text: string; replacedByEngine?: string } {
  const match = /```(?:json)?\s*(\{[\s\S]*\})\s*```|(\{[\s\S]*"lines"[\s\S]*\})\s*$/.exec(text);
  if (!match) return { text };
  const cleaned = text.slice(0, match.index).trimEnd();
  let reason: string | undefined;
  try {
    const raw = JSON.parse(match[1] ?? match[2]!);
    const parsed = termsSchema.safeParse(raw?.terms ?? raw);
    if (!parsed.success) reason = `malformed terms from the model: ${parsed.error.issues[0]?.message ?? "invalid"}`;
    else if (move.party === "brand" && !withinGuardrails(parsed.data, setup.lineItems, setup.guardrails)) {
      reason = "the model's terms were outside the guardrails";
    } else if (move.kind === "impasse" || JSON.stringify(parsed.data) !== JSON.stringify(move.terms)) {
      reason = "the model's terms differed from the engine's decision";
    }
  } catch {
    reason = "malformed JSON from the model";
  }
  return { text: cleaned || text, replacedByEngine: reason };
}

/** What a turn's prose may say (prose-check.ts): the move, the offers so far, the names the brief gives. */
export function proseFactsFor(brief: TurnBrief, history: OfferRecord[], setup: BrandContext, responseHours?: number): ProseFacts {
  const lastTwo = (party: "brand" | "supplier") => history.filter((o) => o.offeredBy === party).slice(-2).map((o) => o.terms);
  const names = [
    brief.supplierName,
    ...(brief.tagline ? [brief.tagline] : []),
    ...setup.lineItems.flatMap((l) => [l.sku, l.name]),
    ...Object.values(brief.products),
  ];
  return {
    currency: currencyOf(brief),
    terms: brief.terms,
    earlier: history.map((o) => o.terms),
    compareWith: [...lastTwo("brand"), ...lastTwo("supplier")],
    listPrices: Object.fromEntries(setup.lineItems.map((l) => [l.sku, l.listPrice])),
    maxRounds: brief.maxRounds,
    responseHours,
    names,
    notes: brief.notes,
  };
}

function linesInWords(terms: Terms, products: Record<string, string>, currency: Currency): string {
  return terms.lines
    .map((l) => `${l.quantity.toLocaleString("en-US")} × ${products[l.sku] ?? l.sku} at ${formatMoney(l.unitPrice, currency)}/unit`)
    .join("; ");
}

/** The numbers of the move, for a model that got them wrong: appended to the same prompt. */
export function correctionFor(brief: TurnBrief): string {
  const currency = currencyOf(brief);
  if (!brief.terms) {
    return "Your message stated numbers that are not on the table. Write it again without any price, quantity or number of days.";
  }
  const t = brief.terms;
  return [
    "Your message stated numbers that differ from the decision.",
    `Use exactly these numbers: ${linesInWords(t, brief.products, currency)}; ${formatMoney(totalPrice(t), currency)} in total; ` +
      `delivery in ${t.leadTimeDays} days; payment net ${t.paymentTermsDays}.`,
    "Write no other price, quantity or number of days. Write only the message.",
  ].join(" ");
}

/** The message the engine writes itself when the model's words would not match its move: plain, and exact. */
export function engineSentence(brief: TurnBrief): string {
  const currency = currencyOf(brief);
  if (!brief.terms) return "We cannot reach an agreement on the terms on the table, so we are ending this negotiation here.";
  const t = brief.terms;
  const terms = `${linesInWords(t, brief.products, currency)}, ${formatMoney(totalPrice(t), currency)} in total, delivery in ${t.leadTimeDays} days, payment net ${t.paymentTermsDays}`;
  if (brief.move === "offer") return `${brief.party === "brand" ? "We propose" : "We offer"} ${terms}.`;
  return brief.party === "brand"
    ? `We accept your offer of ${terms} as your final offer, for us to award.`
    : `We accept ${terms}. This is our final offer, for you to award.`;
}

function proseReason(said: Mismatch[], brief: TurnBrief): string {
  const currency = currencyOf(brief);
  const written = [...new Set(said.map((m) => (m.foreignCurrency ? `${m.said} (not ${currency})` : m.said)))].join(", ");
  const engine = !brief.terms
    ? "the engine's move ends the negotiation without terms"
    : `the engine's ${brief.move === "offer" ? "offer" : "acceptance"} is ${describeTerms(brief.terms, currency)} (${formatMoney(totalPrice(brief.terms), currency)} in total)`;
  return `the model's prose said ${written}; ${engine}`;
}

export interface SettledMessage {
  text: string;
  replacedByEngine?: string;
  /** The model was asked once more, with the engine's numbers. */
  regenerated: boolean;
}

/**
 * The message a turn keeps. Terms the model appended are reconciled
 * (reconcileModelTerms), then every number of its prose is checked against the
 * move: on a mismatch the model is asked once more (`regenerate`, the same
 * prompt plus `correctionFor`); should that still mismatch, the engine's own
 * sentence replaces it and the reason goes to the message metadata. An empty
 * message is returned as is: the caller fails the turn.
 */
export async function settleMessage(
  first: string,
  turn: { move: Move; setup: BrandContext; brief: TurnBrief; facts: ProseFacts },
  regenerate: (correction: string) => Promise<string>,
): Promise<SettledMessage> {
  const { move, setup, brief, facts } = turn;
  const initial = reconcileModelTerms(first, move, setup);
  if (!initial.text.trim()) return { ...initial, regenerated: false };
  const wrong = checkProse(initial.text, facts);
  if (wrong.length === 0) return { ...initial, regenerated: false };
  const again = reconcileModelTerms(await regenerate(correctionFor(brief)), move, setup);
  const stillWrong = again.text.trim() ? checkProse(again.text, facts) : [{ said: "an empty message", role: "bare" as const }];
  if (stillWrong.length === 0) return { ...again, regenerated: true };
  const reasons = [again.replacedByEngine, proseReason([...wrong, ...stillWrong], brief)].filter(Boolean);
  return { text: engineSentence(brief), replacedByEngine: reasons.join("; "), regenerated: true };
}

type Usage = { inputTokens?: number; outputTokens?: number; totalTokens?: number };

/** A regenerated message's tokens count both attempts. */
export function sumUsage<U extends Usage>(a: U, b: Usage | undefined): U {
  const add = (x?: number, y?: number) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  return { ...a, inputTokens: add(a.inputTokens, b?.inputTokens), outputTokens: add(a.outputTokens, b?.outputTokens), totalTokens: add(a.totalTokens, b?.totalTokens) };
}
