import type { Priorities } from "../../../src/negotiation/types";

export const PRIORITY_KEYS = ["price", "leadTime", "paymentTerms", "quality"] as const;
export type PriorityKey = (typeof PRIORITY_KEYS)[number];

export const PRIORITY_LABELS: Record<PriorityKey, string> = {
  price: "Price",
  leadTime: "Lead time",
  paymentTerms: "Payment terms",
  quality: "Quality",
};

export const DEFAULT_PRIORITIES: Priorities = { price: 0.4, leadTime: 0.25, paymentTerms: 0.2, quality: 0.15 };

/**
 * Set one weight and rescale the others in proportion so the four still sum to 1.
 * When the others are all zero they share what is left equally.
 */
export function setPriority(current: Priorities, key: PriorityKey, value: number): Priorities {
  const clamped = Math.min(1, Math.max(0, value));
  const others = PRIORITY_KEYS.filter((k) => k !== key);
  const othersSum = others.reduce((sum, k) => sum + current[k], 0);
  const remaining = 1 - clamped;
  const next = { ...current, [key]: clamped };
  for (const k of others) {
    next[k] = othersSum > 0 ? (current[k] / othersSum) * remaining : remaining / others.length;
  }
  return next;
}

/**
 * The weights as whole percents that add up to exactly 100, as the sliders show
 * them: each rounded down, then the points left over go to the largest
 * remainders (ties to the earlier issue), so 0.514/0.213/0.172/0.101 reads
 * 52/21/17/10, not 51/21/17/10 (99).
 */
export function displayPercents(priorities: Priorities): Record<PriorityKey, number> {
  const total = PRIORITY_KEYS.reduce((sum, k) => sum + Math.max(0, priorities[k]), 0) || 1;
  const exact = PRIORITY_KEYS.map((k) => (Math.max(0, priorities[k]) / total) * 100);
  const percents = exact.map((x) => Math.floor(x + 1e-9));
  const left = 100 - percents.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - percents[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let n = 0; n < left; n++) percents[byRemainder[n % byRemainder.length]!.i]! += 1;
  return Object.fromEntries(PRIORITY_KEYS.map((k, i) => [k, percents[i]!])) as Record<PriorityKey, number>;
}
