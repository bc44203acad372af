// Building, rounding and summarising terms.

import { type Currency, DEFAULT_CURRENCY, formatMoney as formatCurrency } from "../../convex/model/currency.js";
import type { LineItem, Terms } from "./types.js";

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

export function totalPrice(terms: Terms): number {
  let total = 0;
  for (const line of terms.lines) total += line.quantity * line.unitPrice;
  return total;
}

/** The total the listed quantities would cost at list price. */
export function listTotal(lineItems: LineItem[]): number {
  let total = 0;
  for (const item of lineItems) total += item.quantity * item.listPrice;
  return total;
}

/** Terms for every line item at the requested quantity, with a price per item. */
export function buildTerms(
  lineItems: LineItem[],
  unitPrice: (item: LineItem, index: number) => number,
  leadTimeDays: number,
  paymentTermsDays: number,
): Terms {
  return {
    lines: lineItems.map((item, i) => ({ sku: item.sku, quantity: item.quantity, unitPrice: unitPrice(item, i) })),
    leadTimeDays: Math.round(leadTimeDays),
    paymentTermsDays: Math.round(paymentTermsDays),
  };
}

/**
 * Prices in the brand's range: 0 = every line at its target price, 1 = at its
 * maxUnitPrice. Rounded down to the cent so rounding never crosses a guardrail.
 */
export function brandPricedTerms(lineItems: LineItem[], level: number, lead: number, pay: number): Terms {
  return buildTerms(
    lineItems,
    (item) => Math.floor((item.targetUnitPrice + level * (item.maxUnitPrice - item.targetUnitPrice)) * 100 + 1e-6) / 100,
    lead,
    pay,
  );
}

/** Mean unit price weighted by quantity: the single "$/unit" figure people quote. */
export function meanUnitPrice(terms: Terms): number {
  const units = terms.lines.reduce((n, l) => n + l.quantity, 0);
  return units > 0 ? totalPrice(terms) / units : 0;
}

export function sameTerms(a: Terms, b: Terms): boolean {
  if (a.leadTimeDays !== b.leadTimeDays || a.paymentTermsDays !== b.paymentTermsDays) return false;
  if (a.lines.length !== b.lines.length) return false;
  return a.lines.every((l, i) => {
    const o = b.lines[i];
    return o !== undefined && o.sku === l.sku && o.quantity === l.quantity && Math.abs(o.unitPrice - l.unitPrice) < 0.005;
  });
}

// Money in words, in the quote's currency: the one formatter (Intl, cached per currency) of convex/model/currency.ts.
export function formatMoney(x: number, currency: Currency = DEFAULT_CURRENCY): string {
  return formatCurrency(x, currency);
}

/** "$4.10/unit, 21 days, net 60" (or the total when lines differ in price), in `currency`. */
export function describeTerms(terms: Terms, currency: Currency = DEFAULT_CURRENCY): string {
  const price =
    terms.lines.length === 1
      ? `${formatMoney(terms.lines[0]!.unitPrice, currency)}/unit`
      : `${formatMoney(totalPrice(terms), currency)} total`;
  return `${price}, ${terms.leadTimeDays} days, net ${terms.paymentTermsDays}`;
}
