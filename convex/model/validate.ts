import type { Infer } from "convex/values";
import type { guardrails as guardrailsValidator, priorities as prioritiesValidator, terms as termsValidator } from "../schema";
import { DEFAULT_MAX_ROUNDS, normalisedPriorities } from "../../src/negotiation";
import { currencyOf, formatMoney, formatUnitPrice } from "./currency";
import { invalid } from "./errors";
import { type Incoterm, INCOTERMS } from "./incoterms";

// Bounds on everything a caller may send. Validators in the function signatures
// check types; these check values, and name the offending field.

export type Terms = Infer<typeof termsValidator>;
export type Priorities = Infer<typeof prioritiesValidator>;
export type Guardrails = Infer<typeof guardrailsValidator>;

export const LIMITS = {
  maxQuantity: 10_000_000,
  maxUnitPrice: 1_000_000,
  maxLeadTimeDays: 365,
  maxPaymentTermsDays: 180,
  maxLineItems: 50,
  maxTextLength: 4_000,
  maxTitleLength: 120,
  maxAddressLength: 500,
  maxRounds: 20,
  /** Offers in total, the opening quote included. */
  defaultMaxRounds: DEFAULT_MAX_ROUNDS,
  maxSeed: 2 ** 31 - 1,
  /** A quote's response deadline, in hours from its start. */
  defaultResponseHours: 48,
  maxResponseHours: 30 * 24,
} as const;

/** `currency`: the bounds are money, and the message states them in it ("at most €1,000,000.00"). */
type NumberRule = { min?: number; max?: number; integer?: boolean; positive?: boolean; currency?: string };

/** What a person calls a field; the error's `field` keeps the exact path ("lineItems[0].quantity"). */
const LABELS: Record<string, string> = {
  quantity: "Quantity",
  unitPrice: "Unit price",
  targetUnitPrice: "Target unit price",
  maxUnitPrice: "Maximum unit price",
  leadTimeDays: "Lead time (days)",
  paymentTermsDays: "Payment terms (days)",
  maxLeadTimeDays: "Longest lead time (days)",
  minPaymentTermsDays: "Shortest payment terms (days)",
  maxRounds: "Rounds",
  responseHours: "Response deadline (hours)",
  seed: "Seed",
  notes: "Notes",
  content: "Message",
  message: "Message",
  reason: "Reason",
  name: "Name",
  title: "Title",
  deliveryAddress: "Delivery address",
  incoterms: "Incoterms",
};

/** "lineItems[0].quantity" → "Quantity"; a field without a label reads as words ("leaseMs" → "Lease ms"). */
export function fieldLabel(field: string): string {
  const last = field.split(".").pop()!.replace(/\[\d+\]$/, "");
  if (LABELS[last]) return LABELS[last];
  const words = last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

/** A number as messages show it: grouped, at most six decimals ("10,000,000"). */
export const formatNumber = (value: number): string => NUMBER.format(value);

export function checkNumber(value: number, field: string, rule: NumberRule): number {
  const label = fieldLabel(field);
  const bound = (limit: number) => (rule.currency ? formatMoney(limit, rule.currency) : formatNumber(limit));
  if (!Number.isFinite(value)) invalid(field, `${label} must be a number`);
  if (rule.integer && !Number.isInteger(value)) invalid(field, `${label} must be a whole number`);
  if (rule.positive && value <= 0) invalid(field, `${label} must be greater than 0`);
  if (rule.min !== undefined && value < rule.min) invalid(field, `${label} must be at least ${bound(rule.min)}`);
  if (rule.max !== undefined && value > rule.max) invalid(field, `${label} must be at most ${bound(rule.max)}`);
  return value;
}

export function checkQuantity(value: number, field: string): number {
  return checkNumber(value, field, { integer: true, positive: true, max: LIMITS.maxQuantity });
}

/** A unit price in `currency` (the quote's, or the workspace's for a new request). */
export function checkUnitPrice(value: number, field: string, currency?: string): number {
  return checkNumber(value, field, { positive: true, max: LIMITS.maxUnitPrice, currency });
}

export function checkLeadTimeDays(value: number, field: string): number {
  return checkNumber(value, field, { integer: true, min: 0, max: LIMITS.maxLeadTimeDays });
}

export function checkPaymentTermsDays(value: number, field: string): number {
  return checkNumber(value, field, { integer: true, min: 0, max: LIMITS.maxPaymentTermsDays });
}

export function checkText(value: string, field: string, opts: { required: boolean; max?: number }): string {
  const label = fieldLabel(field);
  const max = opts.max ?? LIMITS.maxTextLength;
  if (opts.required && value.trim().length === 0) invalid(field, `${label} must not be empty`);
  if (value.length > max) {
    invalid(field, `${label} must be at most ${formatNumber(max)} characters (it has ${formatNumber(value.length)})`);
  }
  return value;
}

/** One of the Incoterms 2020 rules, by its code ("FOB"). */
export function checkIncoterm(value: string, field: string): Incoterm {
  const found = INCOTERMS.find((term) => term.code === value);
  if (!found) {
    invalid(field, `${fieldLabel(field)} must be one of the Incoterms 2020 rules: ${INCOTERMS.map((term) => term.code).join(", ")}`);
  }
  return found.code;
}

/**
 * Non-negative weights, at least one positive; returned normalised to sum to 1.
 * Weights that already do (to rounding) are kept as they are, so a quote asked
 * again from its stored priorities (re-run, duplicate, edit) keeps them exactly.
 */
export function normalisePriorities(priorities: Priorities): Priorities {
  const keys = ["price", "leadTime", "paymentTerms", "quality"] as const;
  for (const key of keys) checkNumber(priorities[key], `priorities.${key}`, { min: 0 });
  const sum = keys.reduce((total, key) => total + priorities[key], 0);
  if (sum <= 0) invalid("priorities", "At least one priority must be greater than 0");
  if (Math.abs(sum - 1) < 1e-9) return Object.fromEntries(keys.map((key) => [key, priorities[key]])) as Priorities;
  return normalisedPriorities(priorities);
}

export function checkGuardrails(guardrails: Guardrails): Guardrails {
  checkLeadTimeDays(guardrails.maxLeadTimeDays, "guardrails.maxLeadTimeDays");
  checkPaymentTermsDays(guardrails.minPaymentTermsDays, "guardrails.minPaymentTermsDays");
  return guardrails;
}

/** The quote fields that terms are checked against; absent currency reads as the default (currency.ts). */
export type QuoteLimits = {
  lineItems: { sku: string; maxUnitPrice: number }[];
  guardrails: Guardrails;
  currency?: string;
};

/** Bounds, and one line per quote line item (same skus, each once). */
export function checkTerms(terms: Terms, quote: QuoteLimits, field = "terms"): Terms {
  if (terms.lines.length !== quote.lineItems.length) {
    invalid(`${field}.lines`, `Terms must have one line per line item of the quote (${quote.lineItems.length})`);
  }
  const skus = new Set(quote.lineItems.map((item) => item.sku));
  const seen = new Set<string>();
  terms.lines.forEach((line, i) => {
    const at = `${field}.lines[${i}]`;
    if (!skus.has(line.sku)) invalid(`${at}.sku`, `Sku "${line.sku}" is not a line item of this quote`);
    if (seen.has(line.sku)) invalid(`${at}.sku`, `Sku "${line.sku}" appears twice`);
    seen.add(line.sku);
    checkQuantity(line.quantity, `${at}.quantity`);
    checkUnitPrice(line.unitPrice, `${at}.unitPrice`, currencyOf(quote));
  });
  checkLeadTimeDays(terms.leadTimeDays, `${field}.leadTimeDays`);
  checkPaymentTermsDays(terms.paymentTermsDays, `${field}.paymentTermsDays`);
  return terms;
}

/** The first guardrail these terms break, or null: what the brand may never agree to. */
export function guardrailViolation(
  terms: Terms,
  quote: QuoteLimits,
  field = "terms",
): { field: string; message: string } | null {
  for (const [i, line] of terms.lines.entries()) {
    const item = quote.lineItems.find((candidate) => candidate.sku === line.sku);
    if (item && line.unitPrice > item.maxUnitPrice) {
      return {
        field: `${field}.lines[${i}].unitPrice`,
        message: `Unit price ${formatUnitPrice(line.unitPrice, currencyOf(quote))} for ${line.sku} is above the guardrail of ${formatUnitPrice(item.maxUnitPrice, currencyOf(quote))}`,
      };
    }
  }
  if (terms.leadTimeDays > quote.guardrails.maxLeadTimeDays) {
    return {
      field: `${field}.leadTimeDays`,
      message: `Lead time ${terms.leadTimeDays} days is above the guardrail of ${quote.guardrails.maxLeadTimeDays} days`,
    };
  }
  if (terms.paymentTermsDays < quote.guardrails.minPaymentTermsDays) {
    return {
      field: `${field}.paymentTermsDays`,
      message: `Payment terms of ${terms.paymentTermsDays} days are below the guardrail of ${quote.guardrails.minPaymentTermsDays} days`,
    };
  }
  return null;
}

export function sameTerms(a: Terms, b: Terms): boolean {
  return (
    a.leadTimeDays === b.leadTimeDays &&
    a.paymentTermsDays === b.paymentTermsDays &&
    a.lines.length === b.lines.length &&
    a.lines.every(
      (line, i) =>
        line.sku === b.lines[i].sku && line.quantity === b.lines[i].quantity && line.unitPrice === b.lines[i].unitPrice,
    )
  );
}
