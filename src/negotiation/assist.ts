// AI assist for a brand user who took over a negotiation: a suggested counter,
// the acceptance probability of a draft, and an auto-accept policy check. All
// numbers come from the same opponent model the Parley strategy plays with.
// They take the brand's side only (a BrandSetup: the supplier's profile, no persona).

import { supplierOffers } from "./brand-plan.js";
import { brandView } from "./brand-view.js";
import { acceptanceProbability, learnOpponentModel } from "./opponent-model.js";
import { parleyPlan } from "./parley-strategy.js";
import type { BrandContext, BrandSetup, OfferRecord } from "./setup-types.js";
import { formatMoney, listTotal, totalPrice } from "./terms.js";
import type { Terms } from "./types.js";
import { brandUtility, withinGuardrails } from "./utility.js";

export interface CounterSuggestion {
  terms: Terms;
  confidence: number;
  reasoning: string;
  acceptanceProbability: number;
  vsListPrice: { listTotal: number; offerTotal: number; differencePct: number };
}

function modelFor(setup: BrandSetup, history: OfferRecord[]) {
  const quotes = supplierOffers(history);
  if (quotes.length === 0) throw new Error("the supplier has not quoted yet: nothing to learn from");
  return learnOpponentModel(quotes.map((q) => ({ round: q.round, terms: q.terms })), setup.maxRounds);
}

/** The counter-offer Parley would make now, with its predicted acceptance and a list-price comparison. */
export function suggestCounter(setup: BrandSetup, history: OfferRecord[]): CounterSuggestion {
  const model = modelFor(setup, history);
  const round = Math.min(history.length + 1, setup.maxRounds);
  const plan = parleyPlan({ ...brandView(setup), brandStrategy: "parley" }, history, round);
  const list = listTotal(setup.lineItems);
  const offerTotal = totalPrice(plan.terms);
  return {
    terms: plan.terms,
    confidence: plan.confidence,
    reasoning: plan.reasoning,
    acceptanceProbability: plan.acceptanceProbability ?? acceptanceProbability(model, plan.terms),
    vsListPrice: { listTotal: list, offerTotal, differencePct: list > 0 ? (100 * (offerTotal - list)) / list : 0 },
  };
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
    return { accept: false, reason: `Total ${formatMoney(total)} is above the policy limit ${formatMoney(policy.maxTotalPrice)}.` };
  }
  if (policy.maxPriceOverTarget !== undefined) {
    for (const item of context.lineItems) {
      const line = offer.lines.find((l) => l.sku === item.sku)!;
      if (line.unitPrice > item.targetUnitPrice * policy.maxPriceOverTarget + 1e-9) {
        const over = (100 * (line.unitPrice / item.targetUnitPrice - 1)).toFixed(1);
        return { accept: false, reason: `${item.sku} at ${formatMoney(line.unitPrice)} is ${over}% over its target ${formatMoney(item.targetUnitPrice)}.` };
      }
    }
  }
  return { accept: true, reason: `Within the guardrails and the policy: utility ${utility.toFixed(2)}, total ${formatMoney(total)}.` };
}
