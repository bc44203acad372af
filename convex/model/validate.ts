import type { Infer } from "convex/values";
import type { guardrails as guardrailsValidator, priorities as prioritiesValidator, terms as termsValidator } from "../schema";
import { DAY_LIMITS, DEFAULT_MAX_ROUNDS, type GuardrailBreach, guardrailBreaches, normalisedPriorities } from "../../src/negotiation";
import type * as Engine from "../../src/negotiation/types";
import { currencyOf, formatMoney, formatUnitPrice } from "./currency";
import { invalid } from "./errors";
import { type Incoterm, INCOTERMS } from "./incoterms";

// Bounds on everything a caller may send. Validators in the function signatures
// check types; these check values, and name the offending field.

// The schema's validators and the engine's types are one shape: if they drift, these are `never` and nothing compiles.
type Exactly<Schema, Engine> = [Schema] extends [Engine] ? ([Engine] extends [Schema] ? Schema : never) : never;
export type Terms = Exactly<Infer<typeof termsValidator>, Engine.Terms>;
export type Priorities = Exactly<Infer<typeof prioritiesValidator>, Engine.Priorities>;
export type Guardrails = Exactly<Infer<typeof guardrailsValidator>, Engine.Guardrails>;

export const LIMITS = {
  maxQuantity: 10_000_000,
  maxUnitPrice: 1_000_000,
  maxLeadTimeDays: DAY_LIMITS.maxLeadTimeDays,
  maxPaymentTermsDays: DAY_LIMITS.maxPaymentTermsDays,
  maxLineItems: 50,
  /** Suppliers one quote negotiates with at once (a quote reads its negotiations in one page). */
  maxSuppliersPerQuote: 10,
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
  /** An auto-award policy allows at most this much over each line's target (percent). */
  maxAutoAwardPctOverTarget: 50,
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
  maxPctOverTarget: "Auto-award: at most % over target",
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

/**
 * A guardrail may be a fraction of a day (the scenario format accepts the same);
 * offers stay in whole days, and the engine rounds inside the limit.
 */
export function checkGuardrails(guardrails: Guardrails): Guardrails {
  checkNumber(guardrails.maxLeadTimeDays, "guardrails.maxLeadTimeDays", { min: DAY_LIMITS.minLeadTimeDays, max: LIMITS.maxLeadTimeDays });
  checkNumber(guardrails.minPaymentTermsDays, "guardrails.minPaymentTermsDays", { min: 0, max: LIMITS.maxPaymentTermsDays });
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

/** A guardrail broken, in the words a brand user reads, at the field that breaks it. */
export function breachInWords(breach: GuardrailBreach, currency: string, field = "terms"): { field: string; message: string } {
  switch (breach.issue) {
    case "unknownLine":
      return { field: `${field}.lines[${breach.line}].sku`, message: `Sku "${breach.sku}" is not a line item of this quote` };
    case "missingLine":
      return { field: `${field}.lines`, message: `Terms must price ${breach.sku}, a line item of this quote` };
    case "quantity":
      return { field: `${field}.lines[${breach.line}].quantity`, message: `Quantity for ${breach.sku} must be greater than 0` };
    case "unitPrice":
      return {
        field: `${field}.lines[${breach.line}].unitPrice`,
        message: !(breach.unitPrice > breach.limit)
          ? `Unit price for ${breach.sku} must be a number, 0 or more`
          : `Unit price ${formatUnitPrice(breach.unitPrice, currency)} for ${breach.sku} is above the guardrail of ${formatUnitPrice(breach.limit, currency)}`,
      };
    case "leadTimeDays":
      return {
        field: `${field}.leadTimeDays`,
        message: `Lead time ${formatNumber(breach.value)} days is above the guardrail of ${formatNumber(breach.limit)} days`,
      };
    case "paymentTermsDays":
      return {
        field: `${field}.paymentTermsDays`,
        message: `Payment terms of ${formatNumber(breach.value)} days are below the guardrail of ${formatNumber(breach.limit)} days`,
      };
  }
}

/** The first guardrail these terms break (the engine's own check), or null: what the brand may never agree to. */
export function guardrailViolation(
  terms: Terms,
  quote: QuoteLimits,
  field = "terms",
): { field: string; message: string } | null {
  const [first] = guardrailBreaches(terms, quote.lineItems, quote.guardrails);
  return first ? breachInWords(first, currencyOf(quote), field) : null;
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
