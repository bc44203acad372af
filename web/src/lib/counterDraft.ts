import type { Currency } from "../../../convex/model/currency";
import { type GuardrailBreach, guardrailBreaches, type PriceLimit } from "../../../src/negotiation/utility";
import { currencyOf, formatUnitPrice } from "./format";
import type { Quote, Terms } from "./types";

// The brand user's counter-offer form, read as the server will read it: the
// guardrails are the engine's own check (src/negotiation/utility.ts), so the
// form refuses exactly what Convex refuses.

type DraftQuote = Pick<Quote, "guardrails" | "currency"> & { lineItems: PriceLimit[] };

export interface CounterDraft {
  prices: Record<string, string>;
  leadTimeDays: string;
  paymentTermsDays: string;
  message: string;
}

export function draftFrom(terms: Terms, message = ""): CounterDraft {
  return {
    prices: Object.fromEntries(terms.lines.map((l) => [l.sku, String(Math.round(l.unitPrice * 100) / 100)])),
    leadTimeDays: String(terms.leadTimeDays),
    paymentTermsDays: String(terms.paymentTermsDays),
    message,
  };
}

/** The draft as terms, plus what keeps it from being sent (guardrails included, by the engine's own check). */
export function readDraft(draft: CounterDraft, quote: DraftQuote, base: Terms): { terms?: Terms; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const lines = base.lines.map((line, i) => {
    const unitPrice = Number(draft.prices[line.sku]);
    if (draft.prices[line.sku]?.trim() === "" || !Number.isFinite(unitPrice) || unitPrice <= 0)
      errors[`terms.lines.${i}.unitPrice`] = "Enter a unit price above 0.";
    return { sku: line.sku, quantity: line.quantity, unitPrice };
  });
  const leadTimeDays = Number(draft.leadTimeDays);
  if (draft.leadTimeDays.trim() === "" || !Number.isInteger(leadTimeDays) || leadTimeDays < 0)
    errors["terms.leadTimeDays"] = "Whole days, 0 or more.";
  const paymentTermsDays = Number(draft.paymentTermsDays);
  if (draft.paymentTermsDays.trim() === "" || !Number.isInteger(paymentTermsDays) || paymentTermsDays < 0)
    errors["terms.paymentTermsDays"] = "Whole days, 0 or more.";
  const terms = { lines, leadTimeDays, paymentTermsDays };
  for (const breach of guardrailBreaches(terms, quote.lineItems, quote.guardrails)) {
    const [field, words] = breachWords(breach, currencyOf(quote));
    errors[field] ??= words;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { errors, terms };
}

/** A broken guardrail as the form says it, at the field the user fixes. */
function breachWords(breach: GuardrailBreach, currency: Currency): [string, string] {
  switch (breach.issue) {
    case "unitPrice":
      return [`terms.lines.${breach.line}.unitPrice`, `Above your maximum of ${formatUnitPrice(breach.limit, currency)}.`];
    case "leadTimeDays":
      return ["terms.leadTimeDays", `Longer than your maximum of ${breach.limit} days.`];
    case "paymentTermsDays":
      return ["terms.paymentTermsDays", `Shorter than your minimum of ${breach.limit} days.`];
    // The form edits neither quantities nor lines: these come from offers the server checked, so they are the form's error.
    case "quantity":
    case "unknownLine":
    case "missingLine":
      return ["form", `These terms do not match the quote's line item ${breach.sku}; reload the page.`];
  }
}
