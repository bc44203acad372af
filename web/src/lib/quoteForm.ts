import type { Priorities } from "../../../src/negotiation/types";
import { type Incoterm, INCOTERMS } from "../../../convex/model/incoterms";
import { quoteTitle } from "../../../convex/model/quoteNames";
import { LIMITS } from "../../../convex/model/validate";
import { DEFAULT_PRIORITIES } from "./priorities";
import type { Id, Quote } from "./types";

// The New quote form's state and its checks. The server checks again; these
// only save a round trip and say what is wrong next to the field.

export interface LineDraft {
  key: number;
  productId: string;
  quantity: string;
  targetUnitPrice: string;
  maxUnitPrice: string;
}

export interface QuoteDraft {
  /** Blank: the quote is named by its products. */
  title: string;
  lines: LineDraft[];
  maxLeadTimeDays: string;
  minPaymentTermsDays: string;
  priorities: Priorities;
  notes: string;
  /** Advanced: most rounds per negotiation, and a seed to replay a run exactly. */
  maxRounds: string;
  seed: string;
  deliveryAddress: string;
  /** An Incoterms 2020 code, or "" for none. */
  incoterms: string;
  /** The suppliers a person answers for (invited by link); every other one is simulated. */
  liveSupplierIds: Id<"suppliers">[];
  /** Hours each negotiation has from the quote's start before it expires. */
  responseHours: string;
  /** The auto-award policy's "at most N% over target", or "" for off (a person awards). */
  autoAwardPct: string;
}

/** The form as it opens: no products yet, 30-day guardrails, default priorities. */
export function emptyDraft(): QuoteDraft {
  return {
    title: "",
    lines: [],
    maxLeadTimeDays: "30",
    minPaymentTermsDays: "30",
    priorities: DEFAULT_PRIORITIES,
    notes: "",
    maxRounds: "",
    seed: "",
    deliveryAddress: "",
    incoterms: "",
    liveSupplierIds: [],
    responseHours: String(LIMITS.defaultResponseHours),
    autoAwardPct: "",
  };
}

const COPY = " (copy)";

/**
 * The form filled from a quote: to edit it while it is queued (everything, its
 * seed too), or to request a copy (a new seed, the title marked as a copy).
 * `nextKey` numbers the lines as the form numbers the ones it adds. Which
 * suppliers are live is kept on the negotiations, so the caller passes them:
 * an edit that left them out would quietly make every supplier simulated.
 */
export function draftFromQuote(
  quote: Quote,
  mode: "edit" | "duplicate",
  nextKey: () => number,
  liveSupplierIds: Id<"suppliers">[] = [],
): QuoteDraft {
  const copyTitle = `${quoteTitle(quote).slice(0, LIMITS.maxTitleLength - COPY.length)}${COPY}`;
  return {
    title: mode === "edit" ? (quote.title ?? "") : copyTitle,
    lines: quote.lineItems.map((line) => ({
      key: nextKey(),
      productId: line.productId,
      quantity: String(line.quantity),
      targetUnitPrice: String(line.targetUnitPrice),
      maxUnitPrice: String(line.maxUnitPrice),
    })),
    maxLeadTimeDays: String(quote.guardrails.maxLeadTimeDays),
    minPaymentTermsDays: String(quote.guardrails.minPaymentTermsDays),
    priorities: quote.priorities,
    notes: quote.notes ?? "",
    maxRounds: String(quote.maxRounds),
    seed: mode === "edit" ? String(quote.seed) : "",
    deliveryAddress: quote.deliveryAddress ?? "",
    incoterms: quote.incoterms ?? "",
    liveSupplierIds: [...liveSupplierIds],
    responseHours: String(quote.responseHours ?? LIMITS.defaultResponseHours),
    autoAwardPct: quote.autoAward ? String(quote.autoAward.maxPctOverTarget) : "",
  };
}

export interface QuoteRequestArgs {
  lineItems: { productId: string; quantity: number; targetUnitPrice: number; maxUnitPrice: number }[];
  priorities: Priorities;
  guardrails: { maxLeadTimeDays: number; minPaymentTermsDays: number };
  notes?: string;
  maxRounds?: number;
  seed?: number;
  title?: string;
  deliveryAddress?: string;
  incoterms?: Incoterm;
  liveSupplierIds?: Id<"suppliers">[];
  responseHours: number;
  autoAward?: { maxPctOverTarget: number };
}

/** Where the server and the form put an auto-award policy's error. */
export const AUTO_AWARD_FIELD = "autoAward.maxPctOverTarget";

/** Field path → message; paths look like "lineItems.0.maxUnitPrice". */
export type FieldErrors = Record<string, string>;

function parseNumber(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A target above the catalog's list price is allowed (a scarce item, a rush
 * order), but rarely meant: the engine never pays less than it needs to reach
 * its target, so the brand is told before it asks.
 */
export function targetAboveList(line: Pick<LineDraft, "targetUnitPrice">, listPrice: number | undefined): boolean {
  const target = parseNumber(line.targetUnitPrice);
  return listPrice !== undefined && target !== undefined && target > listPrice;
}

export function validateQuote(draft: QuoteDraft): { errors: FieldErrors; args?: QuoteRequestArgs } {
  const errors: FieldErrors = {};
  if (draft.lines.length === 0) errors.lineItems = "Add at least one product to the quote.";
  const seen = new Set<string>();
  const lineItems = draft.lines.map((line, index) => {
    const at = `lineItems.${index}`;
    if (!line.productId) errors[`${at}.productId`] = "Choose a product.";
    else if (seen.has(line.productId)) errors[`${at}.productId`] = "This product is already in the quote.";
    seen.add(line.productId);

    const quantity = parseNumber(line.quantity);
    if (quantity === undefined) errors[`${at}.quantity`] = "Enter a quantity.";
    else if (!Number.isInteger(quantity) || quantity < 1) errors[`${at}.quantity`] = "Quantity must be a whole number of at least 1.";

    const target = parseNumber(line.targetUnitPrice);
    if (target === undefined) errors[`${at}.targetUnitPrice`] = "Enter the unit price you hope to pay.";
    else if (target <= 0) errors[`${at}.targetUnitPrice`] = "Target unit price must be more than 0.";

    const max = parseNumber(line.maxUnitPrice);
    if (max === undefined) errors[`${at}.maxUnitPrice`] = "Enter the most you will pay per unit.";
    else if (max <= 0) errors[`${at}.maxUnitPrice`] = "Maximum unit price must be more than 0.";
    else if (target !== undefined && max < target)
      errors[`${at}.maxUnitPrice`] = "Maximum unit price cannot be below the target unit price.";

    return { productId: line.productId, quantity: quantity ?? 0, targetUnitPrice: target ?? 0, maxUnitPrice: max ?? 0 };
  });

  const maxLeadTimeDays = parseNumber(draft.maxLeadTimeDays);
  if (maxLeadTimeDays === undefined) errors["guardrails.maxLeadTimeDays"] = "Enter the longest lead time you accept.";
  else if (!Number.isInteger(maxLeadTimeDays) || maxLeadTimeDays < 1)
    errors["guardrails.maxLeadTimeDays"] = "Maximum lead time must be a whole number of days, at least 1.";

  const minPaymentTermsDays = parseNumber(draft.minPaymentTermsDays);
  if (minPaymentTermsDays === undefined) errors["guardrails.minPaymentTermsDays"] = "Enter the shortest payment terms you accept.";
  else if (!Number.isInteger(minPaymentTermsDays) || minPaymentTermsDays < 0)
    errors["guardrails.minPaymentTermsDays"] = "Minimum payment terms must be a whole number of days, 0 or more.";

  const weightSum = Object.values(draft.priorities).reduce((a, b) => a + b, 0);
  if (Math.abs(weightSum - 1) > 1e-6) errors.priorities = "Priorities must add up to 100%.";

  const maxRounds = parseNumber(draft.maxRounds);
  if (draft.maxRounds.trim() !== "" && (maxRounds === undefined || !Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > LIMITS.maxRounds))
    errors.maxRounds = `Rounds must be a whole number from 1 to ${LIMITS.maxRounds}.`;
  const seed = parseNumber(draft.seed);
  if (draft.seed.trim() !== "" && (seed === undefined || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1))
    errors.seed = "The seed must be a whole number from 0 to 2147483647.";

  if (draft.notes.length > 2000) errors.notes = "Notes are limited to 2,000 characters.";
  const title = draft.title.trim();
  if (title.length > LIMITS.maxTitleLength)
    errors.title = `The title is limited to ${LIMITS.maxTitleLength} characters (it has ${title.length}).`;
  const deliveryAddress = draft.deliveryAddress.trim();
  if (deliveryAddress.length > LIMITS.maxAddressLength)
    errors.deliveryAddress = `The delivery address is limited to ${LIMITS.maxAddressLength} characters (it has ${deliveryAddress.length}).`;
  const incoterms = INCOTERMS.find((term) => term.code === draft.incoterms)?.code;
  if (draft.incoterms !== "" && !incoterms) errors.incoterms = "Choose Incoterms from the list.";
  const responseHours = parseNumber(draft.responseHours);
  if (responseHours === undefined) errors.responseHours = "Enter how many hours the suppliers have to answer.";
  else if (!Number.isInteger(responseHours) || responseHours < 1 || responseHours > LIMITS.maxResponseHours)
    errors.responseHours = `The response deadline must be a whole number of hours from 1 to ${LIMITS.maxResponseHours} (${LIMITS.maxResponseHours / 24} days).`;
  const autoAwardPct = parseNumber(draft.autoAwardPct);
  if (draft.autoAwardPct.trim() !== "" && (autoAwardPct === undefined || autoAwardPct < 0 || autoAwardPct > LIMITS.maxAutoAwardPctOverTarget))
    errors[AUTO_AWARD_FIELD] = `Auto-award takes a percentage from 0 to ${LIMITS.maxAutoAwardPctOverTarget} over target, or blank for off.`;
  const liveSupplierIds = [...new Set(draft.liveSupplierIds)];

  if (Object.keys(errors).length > 0) return { errors };
  const notes = draft.notes.trim();
  return {
    errors,
    args: {
      lineItems,
      priorities: draft.priorities,
      guardrails: { maxLeadTimeDays: maxLeadTimeDays!, minPaymentTermsDays: minPaymentTermsDays! },
      ...(notes ? { notes } : {}),
      ...(maxRounds !== undefined ? { maxRounds } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(title ? { title } : {}),
      ...(deliveryAddress ? { deliveryAddress } : {}),
      ...(incoterms ? { incoterms } : {}),
      ...(liveSupplierIds.length > 0 ? { liveSupplierIds } : {}),
      responseHours: responseHours!,
      ...(autoAwardPct !== undefined ? { autoAward: { maxPctOverTarget: autoAwardPct } } : {}),
    },
  };
}
