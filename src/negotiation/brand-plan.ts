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
