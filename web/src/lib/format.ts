import type { Terms } from "../../../src/negotiation/types";

// Money is formatted in one place, for server and web, with one Intl.NumberFormat per currency and style
// (convex/model/currency.ts); every amount is shown in the currency of its quote or workspace.
export { currencyName, currencyOf, currencySymbol, formatMoney, formatUnitPrice } from "../../../convex/model/currency";
// An offer's total is the engine's: the dashboard shows the number the guardrails and the ranking use.
export { totalPrice } from "../../../src/negotiation/terms";

export function formatPercent(fraction: number, digits = 0): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatDays(days: number): string {
  const rounded = Math.round(days * 10) / 10;
  return `${rounded} ${rounded === 1 ? "day" : "days"}`;
}

/** "42s", "3m 12s", "2h 05m", "3d 4h": how long something has been going. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}


/** Quantity-weighted mean unit price: one number per offer for the chart. */
/** The unit price these terms give the line item `sku`, if they price it. */
export function lineUnitPrice(terms: Terms, sku: string): number | undefined {
  return terms.lines.find((line) => line.sku === sku)?.unitPrice;
}

export function capitalise(word: string): string {
  return word.length === 0 ? word : word[0].toUpperCase() + word.slice(1).replace(/_/g, " ");
}

export function supplierName(negotiation: { supplier: { name: string } | null }): string {
  return negotiation.supplier?.name ?? "Unknown supplier";
}

/** "2 Dec 2026, 14:05" in the reader's locale: a deadline or a moment, to the minute. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
