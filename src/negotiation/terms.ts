// Building, rounding and summarising terms.

import { type Currency, DEFAULT_CURRENCY, formatMoney as formatCurrency, formatUnitPrice } from "./currency.js";
import type { LineItem, Terms } from "./types.js";

/**
 * The longest lead time and payment terms anyone may ask for or offer. A
 * guardrail may be any number of days in these bounds, fractions included
 * (terms are offered in whole days); Convex and the scenario format both check it.
 */
/** minLeadTimeDays: the shortest delivery an offer can name (offers are in whole days), so a longest-lead-time guardrail below it could never be met. */
export const DAY_LIMITS = { minLeadTimeDays: 1, maxLeadTimeDays: 365, maxPaymentTermsDays: 180 } as const;

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
 * The largest whole-cent price not above `price`. The 1e-6 absorbs binary
 * noise (4.1 * 100 is 409.99…); the check after it keeps that from ever
 * lifting a price over a guardrail, which is compared exactly.
 */
export function centsAtMost(price: number): number {
  const cents = Math.floor(price * 100 + 1e-6);
  return cents / 100 > price ? (cents - 1) / 100 : cents / 100;
}

/**
 * Prices in the brand's range: 0 = every line at its target price, 1 = at its
 * maxUnitPrice. Rounded down to the cent so rounding never crosses a guardrail.
 */
export function brandPricedTerms(lineItems: LineItem[], level: number, lead: number, pay: number): Terms {
  return buildTerms(
    lineItems,
    (item) =>
      Math.min(Math.floor((item.targetUnitPrice + level * (item.maxUnitPrice - item.targetUnitPrice)) * 100 + 1e-6) / 100, centsAtMost(item.maxUnitPrice)),
    lead,
    pay,
  );
}

/** Mean unit price weighted by quantity: the single "$/unit" figure people quote. */
export function meanUnitPrice(terms: Terms): number {
  const units = terms.lines.reduce((n, l) => n + l.quantity, 0);
  return units > 0 ? totalPrice(terms) / units : 0;
}

// Money in words, in the quote's currency: the one formatter (Intl, cached per currency) of currency.ts.
export function formatMoney(x: number, currency: Currency = DEFAULT_CURRENCY): string {
  return formatCurrency(x, currency);
}

/**
 * Terms in words, the one wording of them, in `currency` (unit prices to all
 * their digits, so the words never round a price the engine set). Short: "$4.10/unit,
 * 21 days, net 60" (the total when there are several lines). With the quote's
 * product names by sku, the line-by-line form a message uses: "1,000 × Tee at
 * $4.10/unit; 500 × Mug at $2.00/unit, delivery in 21 days, payment net 60".
 */
export function describeTerms(terms: Terms, currency: Currency = DEFAULT_CURRENCY, products?: Record<string, string>): string {
  if (products) {
    const lines = terms.lines
      .map((l) => `${l.quantity.toLocaleString("en-US")} × ${products[l.sku] ?? l.sku} at ${formatUnitPrice(l.unitPrice, currency)}/unit`)
      .join("; ");
    return `${lines}, delivery in ${days(terms.leadTimeDays)}, payment net ${terms.paymentTermsDays}`;
  }
  const price =
    terms.lines.length === 1
      ? `${formatUnitPrice(terms.lines[0]!.unitPrice, currency)}/unit`
      : `${formatMoney(totalPrice(terms), currency)} total`;
  return `${price}, ${days(terms.leadTimeDays)}, net ${terms.paymentTermsDays}`;
}

/** "1 day", "21 days". */
const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;
