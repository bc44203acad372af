// What every brand strategy produces for its turn, and the helpers they share.
// Brand code takes a BrandSetup: the supplier's profile, never its persona.

import type { BrandContext, BrandSetup, OfferRecord } from "./setup-types.js";
import type { Terms } from "./types.js";
import { brandUtility, type PriceLimit, withinGuardrails } from "./utility.js";

export interface BrandPlan {
  terms: Terms;
  reasoning: string;
  confidence: number;
  /** Accept the supplier's standing offer when it is worth at least this to the brand (AC_next). */
  acceptThreshold: number;
  /** Predicted probability that the supplier accepts `terms`, when the strategy models it. */
  acceptanceProbability?: number;
}

export type BrandStrategy = (setup: BrandSetup, history: OfferRecord[], round: number) => BrandPlan;

/** Brand utility of terms from this supplier (its public quality score counts). */
export function brandValue(setup: BrandSetup, terms: Terms): number {
  return brandUtility(terms, setup, setup.supplier.qualityScore);
}

/** The supplier's quotes so far, in order. */
export function supplierOffers(history: OfferRecord[]): OfferRecord[] {
  return history.filter((h) => h.offeredBy === "supplier");
}

/** The best supplier quote so far that the brand could accept, by brand utility. */
export function bestAcceptableQuote(setup: BrandSetup, history: OfferRecord[]): { terms: Terms; utility: number } | undefined {
  let best: { terms: Terms; utility: number } | undefined;
  for (const offer of supplierOffers(history)) {
    if (!withinGuardrails(offer.terms, setup.lineItems, setup.guardrails)) continue;
    const utility = brandValue(setup, offer.terms);
    if (!best || utility > best.utility) best = { terms: offer.terms, utility };
  }
  return best;
}

/** Clamps terms into the brand's guardrails, issue by issue (prices rounded down to the cent). */
export function clampToGuardrails(terms: Terms, ctx: BrandContext): Terms {
  return {
    lines: ctx.lineItems.map((item) => {
      const line = terms.lines.find((l) => l.sku === item.sku);
      const price = Math.min(line?.unitPrice ?? item.maxUnitPrice, item.maxUnitPrice);
      return { sku: item.sku, quantity: item.quantity, unitPrice: Math.floor(price * 100 + 1e-6) / 100 };
    }),
    leadTimeDays: Math.min(Math.round(terms.leadTimeDays), Math.floor(ctx.guardrails.maxLeadTimeDays)),
    paymentTermsDays: Math.max(Math.round(terms.paymentTermsDays), Math.ceil(ctx.guardrails.minPaymentTermsDays)),
  };
}

/**
 * The brand's terms with no line priced above the supplier's ask for it. What
 * is cut from a line moves onto lines still under their ask (up to the ask and
 * the line's limit): the total, and so the brand's utility and the trade-off
 * the strategy chose, stay the same where there is room. The same object when
 * no line is above its ask.
 */
export function capAtAsk(terms: Terms, ask: Terms, limits: PriceLimit[]): Terms {
  const askFor = (sku: string) => ask.lines.find((a) => a.sku === sku)?.unitPrice;
  let excess = 0;
  const capped = terms.lines.map((line) => {
    const asked = askFor(line.sku);
    if (asked === undefined || !(asked < line.unitPrice)) return line;
    excess += line.quantity * (line.unitPrice - asked);
    return { ...line, unitPrice: asked };
  });
  if (excess === 0) return terms;
  const lines = capped.map((line) => {
    const asked = askFor(line.sku);
    const limit = limits.find((l) => l.sku === line.sku)?.maxUnitPrice ?? line.unitPrice;
    const ceiling = Math.min(asked ?? line.unitPrice, limit);
    if (excess <= 0 || !(line.quantity > 0) || line.unitPrice >= ceiling) return line;
    const raised = Math.min(ceiling, Math.floor((line.unitPrice + excess / line.quantity) * 100 + 1e-6) / 100);
    const price = raised > ceiling ? line.unitPrice : raised;
    excess -= (price - line.unitPrice) * line.quantity;
    return { ...line, unitPrice: price };
  });
  return { ...terms, lines };
}

/**
 * Whether `offer` is at least as good for the brand as `terms` on every issue:
 * the same lines and quantities at no higher unit price, no longer lead time,
 * no shorter payment terms.
 */
export function dominatesForBrand(offer: Terms, terms: Terms): boolean {
  if (offer.lines.length !== terms.lines.length) return false;
  const linesOk = terms.lines.every((line) => {
    const o = offer.lines.find((l) => l.sku === line.sku);
    return o !== undefined && o.quantity === line.quantity && o.unitPrice <= line.unitPrice;
  });
  return linesOk && offer.leadTimeDays <= terms.leadTimeDays && offer.paymentTermsDays >= terms.paymentTermsDays;
}

/**
 * What a brand offer is measured against for retractions: the brand's
 * previous offer with each line lowered to the supplier's standing ask where
 * it now asks less. The ask cap is not a retraction: a concession the
 * supplier has already undercut is not one it can lose.
 */
export function retractionReference(previous: Terms, ask: Terms): Terms {
  return {
    ...previous,
    lines: previous.lines.map((line) => {
      const asked = ask.lines.find((a) => a.sku === line.sku)?.unitPrice;
      return asked !== undefined && asked < line.unitPrice ? { ...line, unitPrice: asked } : line;
    }),
  };
}

/** Per issue (each line's unit price, lead time, payment terms): is `offer` better or worse for the brand than `reference`? Undefined when the lines differ. */
function issueMoves(offer: Terms, reference: Terms): { better: boolean; worse: boolean } | undefined {
  if (offer.lines.length !== reference.lines.length) return undefined;
  let better = false;
  let worse = false;
  for (const line of reference.lines) {
    const o = offer.lines.find((l) => l.sku === line.sku);
    if (!o || o.quantity !== line.quantity) return undefined;
    if (o.unitPrice < line.unitPrice) better = true;
    if (o.unitPrice > line.unitPrice) worse = true;
  }
  if (offer.leadTimeDays < reference.leadTimeDays) better = true;
  if (offer.leadTimeDays > reference.leadTimeDays) worse = true;
  if (offer.paymentTermsDays > reference.paymentTermsDays) better = true;
  if (offer.paymentTermsDays < reference.paymentTermsDays) worse = true;
  return { better, worse };
}

/**
 * The no-retraction rule: `offer` is worth no more to the brand than
 * `reference` (see retractionReference), and wherever it is better for the
 * brand on an issue, it is worse on another (a trade-off, not a retraction).
 */
export function keepsConcessions(setup: BrandSetup, offer: Terms, reference: Terms): boolean {
  const moves = issueMoves(offer, reference);
  if (!moves) return false;
  return brandValue(setup, offer) <= brandValue(setup, reference) + 1e-9 && (!moves.better || moves.worse);
}

const RETRACTION_STEPS = 20;

/** `from` moved a share `t` of the way to `to`, issue by issue, rounded to cents and whole days inside the two. */
function between(from: Terms, to: Terms, t: number): Terms {
  const mix = (a: number, b: number, unit: number) => Math.min(Math.max(a, b), Math.max(Math.min(a, b), Math.round((a + t * (b - a)) * unit) / unit));
  return {
    lines: from.lines.map((line) => {
      const target = to.lines.find((l) => l.sku === line.sku)!.unitPrice;
      return { ...line, unitPrice: mix(line.unitPrice, target, 100) };
    }),
    leadTimeDays: mix(from.leadTimeDays, to.leadTimeDays, 1),
    paymentTermsDays: mix(from.paymentTermsDays, to.paymentTermsDays, 1),
  };
}

/**
 * `terms` when they keep the brand's concessions against its previous offer
 * (keepsConcessions); else the point nearest them on the way from the
 * reference that does, and at worst the reference itself (its previous offer
 * held, at most at the ask). The same object when nothing needs to change, or
 * when the previous offer cannot be compared (other lines, outside the guardrails).
 */
export function withoutRetraction(setup: BrandSetup, terms: Terms, previous: Terms, ask: Terms): Terms {
  const reference = retractionReference(previous, ask);
  if (keepsConcessions(setup, terms, reference) || !issueMoves(terms, reference)) return terms;
  if (!withinGuardrails(reference, setup.lineItems, setup.guardrails)) return terms;
  for (let step = RETRACTION_STEPS - 1; step > 0; step--) {
    const candidate = between(reference, terms, step / RETRACTION_STEPS);
    if (withinGuardrails(candidate, setup.lineItems, setup.guardrails) && keepsConcessions(setup, candidate, reference)) return candidate;
  }
  return reference;
}
