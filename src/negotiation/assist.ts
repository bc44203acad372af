// AI assist for a brand user who took over a negotiation: a suggested counter,
// the acceptance probability of a draft, and an auto-accept policy check. All
// numbers come from the same opponent model the Parley strategy plays with.
// They take the brand's side only (a BrandSetup: the supplier's profile, no persona).

import { brandValue, dominatesForBrand, supplierOffers } from "./brand-plan.js";
import { brandView } from "./brand-view.js";
import { acceptanceProbability, learnOpponentModel, type OpponentModel } from "./opponent-model.js";
import { parleyPlan } from "./parley-strategy.js";
import { brandCounter } from "./protocol.js";
import type { BrandContext, BrandSetup, OfferRecord } from "./setup-types.js";
import { brandPricedTerms, centsAtMost, describeTerms, formatMoney, listTotal, totalPrice } from "./terms.js";
import type { Terms } from "./types.js";
import { brandUtility, withinGuardrails } from "./utility.js";

export interface CounterSuggestion {
  terms: Terms;
  /** How sure the opponent model is of itself (evidence and consistency of the supplier's quotes), in [0, 1]; not a chance of acceptance. */
  confidence: number;
  /** In plain words: how the supplier has moved, the offer and its chance, and the brand's target's chance. */
  reasoning: string;
  acceptanceProbability: number;
  vsListPrice: { listTotal: number; offerTotal: number; differencePct: number };
}

/** Below this predicted acceptance, Parley's own plan is no suggestion worth making to a person. */
export const LOW_ACCEPTANCE = 0.3;
/** The chance a searched suggestion must reach, when any terms inside the limits reach it. */
export const SUGGESTION_MIN_ACCEPTANCE = 0.5;
/** Steps from the plan to the supplier's standing quote: on price, and on each of lead time and payment terms. */
const PRICE_STEPS = 40;
const DAY_STEPS = 8;

function modelFor(setup: BrandSetup, history: OfferRecord[]) {
  const quotes = supplierOffers(history);
  if (quotes.length === 0) throw new Error("the supplier has not quoted yet: nothing to learn from");
  return learnOpponentModel(quotes.map((q) => ({ round: q.round, terms: q.terms })), setup.maxRounds);
}

interface Option {
  terms: Terms;
  brand: number;
  acceptance: number;
}

/**
 * Every offer between the plan and the supplier's standing quote, issue by
 * issue (a share of the way on price, on lead time, on payment terms), inside
 * the guardrails and with no line above the supplier's ask for it.
 */
function concessionOptions(setup: BrandSetup, model: OpponentModel, plan: Terms, ask: Terms): Option[] {
  const { lineItems, guardrails } = setup;
  const askFor = (sku: string, fallback: number) => ask.lines.find((l) => l.sku === sku)?.unitPrice ?? fallback;
  // All the way is the ask itself, free of rounding noise.
  const toward = (from: number, to: number, share: number) => (share >= 1 ? to : from + share * (to - from));
  const out: Option[] = [];
  for (let i = 0; i <= PRICE_STEPS; i++) {
    const lines = plan.lines.map((line) => {
      const asked = askFor(line.sku, line.unitPrice);
      const limit = lineItems.find((item) => item.sku === line.sku)?.maxUnitPrice ?? asked;
      return { ...line, unitPrice: centsAtMost(Math.min(toward(line.unitPrice, asked, i / PRICE_STEPS), asked, limit)) };
    });
    for (let j = 0; j <= DAY_STEPS; j++) for (let k = 0; k <= DAY_STEPS; k++) {
      const terms: Terms = {
        lines,
        leadTimeDays: Math.round(toward(plan.leadTimeDays, ask.leadTimeDays, j / DAY_STEPS)),
        paymentTermsDays: Math.round(toward(plan.paymentTermsDays, ask.paymentTermsDays, k / DAY_STEPS)),
      };
      if (!withinGuardrails(terms, lineItems, guardrails)) continue;
      out.push({ terms, brand: brandValue(setup, terms), acceptance: acceptanceProbability(model, terms) });
    }
  }
  return out;
}

/** The options' best for the brand that reach the threshold, or else the likeliest; ties go to the other measure. */
function pickOption(options: Option[]): { option: Option; reached: boolean } | undefined {
  let best: Option | undefined;
  let likeliest: Option | undefined;
  for (const o of options) {
    if (o.acceptance >= SUGGESTION_MIN_ACCEPTANCE && (!best || o.brand > best.brand + 1e-12 || (o.brand > best.brand - 1e-12 && o.acceptance > best.acceptance))) best = o;
    if (!likeliest || o.acceptance > likeliest.acceptance + 1e-12 || (o.acceptance > likeliest.acceptance - 1e-12 && o.brand > likeliest.brand)) likeliest = o;
  }
  if (best) return { option: best, reached: true };
  return likeliest && { option: likeliest, reached: false };
}

/**
 * The counter to suggest now: Parley's own plan when the supplier has a real
 * chance of taking it, otherwise the best offer for the brand between that
 * plan and the supplier's standing quote with at least an even chance (or,
 * when none inside the guardrails has, the likeliest). `currency`: the
 * quote's (ISO 4217), for the money in the reasoning.
 */
export function suggestCounter(setup: BrandSetup, history: OfferRecord[], currency?: string): CounterSuggestion {
  const model = modelFor(setup, history);
  const round = Math.min(history.length + 1, setup.maxRounds);
  const brand = { ...brandView(setup), brandStrategy: "parley" as const };
  // What Parley would send: its plan as the protocol puts it on the wire.
  const planned = parleyPlan(brand, history, round);
  const sent = brandCounter(brand, history, planned).terms;
  const plan = { ...planned, terms: sent };
  const planAcceptance = sent === planned.terms ? (planned.acceptanceProbability ?? acceptanceProbability(model, sent)) : acceptanceProbability(model, sent);
  const ask = supplierOffers(history).at(-1)!.terms;
  let terms = plan.terms;
  let acceptance = planAcceptance;
  let choice: Choice = { kind: "plan" };
  if (planAcceptance < LOW_ACCEPTANCE) {
    const picked = pickOption(concessionOptions(setup, model, plan.terms, ask));
    if (picked && picked.option.acceptance > planAcceptance) {
      ({ terms, acceptance } = picked.option);
      choice = { kind: picked.reached ? "searched" : "likeliest", planAcceptance };
    }
  }
  const list = listTotal(setup.lineItems);
  const offerTotal = totalPrice(terms);
  return {
    terms,
    confidence: model.certainty,
    reasoning: explainSuggestion({ setup, history, model, terms, acceptance, choice, currency }),
    acceptanceProbability: acceptance,
    vsListPrice: { listTotal: list, offerTotal, differencePct: list > 0 ? (100 * (offerTotal - list)) / list : 0 },
  };
}

type Choice = { kind: "plan" } | { kind: "searched" | "likeliest"; planAcceptance: number };

/** A chance in words, with its rounded percentage: "likely (≈60%)". */
export function chanceInWords(p: number): string {
  const words = p >= 0.85 ? "very likely" : p >= 0.6 ? "likely" : p >= 0.4 ? "about as likely as not" : p >= 0.15 ? "unlikely" : "very unlikely";
  return `${words} (${p > 0 && p < 0.005 ? "under 1%" : `≈${Math.round(p * 100)}%`})`;
}

const percent = (p: number) => `${Math.round(p * 100)}%`;
const roundsWord = (n: number) => `${n} ${n === 1 ? "round" : "rounds"}`;

/** How the supplier's total has moved from its opening quote to its latest one. */
function supplierMovement(name: string, quotes: OfferRecord[], currency?: string): string {
  const first = totalPrice(quotes[0]!.terms);
  const last = totalPrice(quotes[quotes.length - 1]!.terms);
  const moves = quotes.length - 1;
  if (moves === 0) return `${name} has quoted ${formatMoney(first, currency)} and not moved yet`;
  const pct = (100 * Math.abs(last - first)) / Math.max(first, 1e-9);
  if (pct < 0.05) return `${name} has held its price at ${formatMoney(last, currency)} over ${roundsWord(moves)}`;
  const way = last < first ? "dropped" : "raised";
  return `${name} has ${way} its price ${pct.toFixed(1)}% over ${roundsWord(moves)} (from ${formatMoney(first, currency)} to ${formatMoney(last, currency)})`;
}

/**
 * The chance of the brand's target prices (at the suggestion's lead time and
 * payment terms) if offered now, and, when that is slim, whether the
 * supplier's own quotes are on course to reach them.
 */
function targetOutlook(setup: BrandSetup, model: OpponentModel, quotes: OfferRecord[], terms: Terms, name: string, currency?: string): string {
  const target = brandPricedTerms(setup.lineItems, 0, terms.leadTimeDays, terms.paymentTermsDays);
  const targetTotal = totalPrice(target);
  const words = `your target price (${formatMoney(targetTotal, currency)} in total)`;
  const last = quotes[quotes.length - 1]!;
  if (totalPrice(last.terms) <= targetTotal + 0.005) return `its quote is already at or under ${words}`;
  const chance = acceptanceProbability(model, target);
  const now = `${words} is ${chanceInWords(chance)} now`;
  if (chance >= LOW_ACCEPTANCE) return now;
  // The supplier quotes every other round.
  for (let round = last.round + 2; round <= setup.maxRounds; round += 2) {
    if (model.forecastTotal(round) <= targetTotal + 0.005) return `${now}; at its pace ${name} could quote it around round ${round}`;
  }
  return `${now}, and at its pace ${name} will not quote it before the last round (${setup.maxRounds})`;
}

interface Explained {
  setup: BrandSetup;
  history: OfferRecord[];
  model: OpponentModel;
  terms: Terms;
  acceptance: number;
  choice: Choice;
  currency?: string;
}

/** The suggestion in plain words, as a person would say it: no model terms, money in the quote's currency. */
function explainSuggestion({ setup, history, model, terms, acceptance, choice, currency }: Explained): string {
  const name = setup.supplier.name.trim() || "the supplier";
  const quotes = supplierOffers(history);
  const ask = quotes[quotes.length - 1]!.terms;
  const total = terms.lines.length === 1 ? ` (${formatMoney(totalPrice(terms), currency)} in total)` : "";
  const own = dominatesForBrand(terms, ask) && dominatesForBrand(ask, terms) ? `, the same as ${name}'s current quote, so you could simply accept it` : "";
  const offer = `offering ${describeTerms(terms, currency)}${total} is ${chanceInWords(acceptance)} to close${own}`;
  const first = `${supplierMovement(name, quotes, currency)}; ${offer}; ${targetOutlook(setup, model, quotes, terms, name, currency)}.`;
  const why =
    choice.kind === "plan"
      ? "This is the counter Parley would make itself."
      : choice.kind === "searched"
        ? `Parley's own next offer had only a ${percent(choice.planAcceptance)} chance, so this is the best one for you between it and ${name}'s current quote with at least a ${percent(SUGGESTION_MIN_ACCEPTANCE)} chance.`
        : `No offer inside your guardrails reaches a ${percent(SUGGESTION_MIN_ACCEPTANCE)} chance, so this is the likeliest between Parley's own next offer (${percent(choice.planAcceptance)}) and ${name}'s current quote.`;
  return `${first.charAt(0).toUpperCase()}${first.slice(1)} ${why}`;
}

/** How likely the supplier is to accept `terms`, and why. */
/** `currency`: the quote's (ISO 4217), for the money in the reason. */
export function predictAcceptance(setup: BrandSetup, history: OfferRecord[], terms: Terms, currency?: string): { probability: number; reason: string } {
  const model = modelFor(setup, history);
  const probability = acceptanceProbability(model, terms);
  const total = totalPrice(terms);
  const gap = (100 * (total - model.reservationTotal)) / Math.max(model.reservationTotal, 1e-9);
  const parts = [
    `${formatMoney(total, currency)} is ${Math.abs(gap).toFixed(1)}% ${gap >= 0 ? "above" : "below"} the supplier's estimated floor of ${formatMoney(model.reservationTotal, currency)}`,
    `it has come down from ${formatMoney(model.openingTotal, currency)} to ${formatMoney(model.lowestTotal, currency)} so far`,
  ];
  if (terms.leadTimeDays < model.lead.lowestSeen) parts.push(`${terms.leadTimeDays} days is faster than any lead time it has offered (${model.lead.lowestSeen})`);
  if (terms.paymentTermsDays > model.pay.highestSeen) parts.push(`net ${terms.paymentTermsDays} is longer than it has offered (net ${model.pay.highestSeen})`);
  if (!withinGuardrails(terms, setup.lineItems, setup.guardrails)) parts.push("note: these terms are outside the brand's guardrails and cannot be sent");
  return { probability, reason: `${parts.join("; ")}.` };
}

/** When an incoming offer may be accepted without asking the brand user. */
export interface AutoAcceptPolicy {
  /** Accept only at or above this brand utility (0–1). */
  minUtility?: number;
  /** Accept only at or below this total price. */
  maxTotalPrice?: number;
  /** Accept only if every line is at most this multiple of its target price (1.05 = within 5%). */
  maxPriceOverTarget?: number;
}

export interface AutoAcceptContext extends BrandContext {
  /** The supplier's quality score, for the brand utility. */
  qualityScore?: number;
  /** The quote's currency (ISO 4217), for the money in the reason. */
  currency?: string;
}

export function shouldAutoAccept(offer: Terms, policy: AutoAcceptPolicy, context: AutoAcceptContext): { accept: boolean; reason: string } {
  if (!withinGuardrails(offer, context.lineItems, context.guardrails)) {
    return { accept: false, reason: "The offer is outside the guardrails; it can never be accepted automatically." };
  }
  const utility = brandUtility(offer, context, context.qualityScore ?? 0);
  if (policy.minUtility !== undefined && utility < policy.minUtility) {
    return { accept: false, reason: `Brand utility ${utility.toFixed(2)} is below the policy minimum ${policy.minUtility.toFixed(2)}.` };
  }
  const total = totalPrice(offer);
  if (policy.maxTotalPrice !== undefined && total > policy.maxTotalPrice) {
    return { accept: false, reason: `Total ${formatMoney(total, context.currency)} is above the policy limit ${formatMoney(policy.maxTotalPrice, context.currency)}.` };
  }
  if (policy.maxPriceOverTarget !== undefined) {
    for (const item of context.lineItems) {
      const line = offer.lines.find((l) => l.sku === item.sku)!;
      if (line.unitPrice > item.targetUnitPrice * policy.maxPriceOverTarget + 1e-9) {
        const over = (100 * (line.unitPrice / item.targetUnitPrice - 1)).toFixed(1);
        return { accept: false, reason: `${item.sku} at ${formatMoney(line.unitPrice, context.currency)} is ${over}% over its target ${formatMoney(item.targetUnitPrice, context.currency)}.` };
      }
    }
  }
  return { accept: true, reason: `Within the guardrails and the policy: utility ${utility.toFixed(2)}, total ${formatMoney(total, context.currency)}.` };
}
