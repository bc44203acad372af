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
