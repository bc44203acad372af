// Baseline brand strategies for the tournament: NegMAS-style time-dependent
// tactics that concede on every issue at once (no opponent model, no
// trade-offs), and split-the-difference.

import { type BrandPlan, type BrandStrategy, brandValue, clampToGuardrails, supplierOffers } from "./brand-plan.js";
import type { BrandSetup, OfferRecord } from "./setup-types.js";
import { brandOfferTime, negmasAspiration } from "./tactics.js";
import { brandPricedTerms } from "./terms.js";
import type { Terms } from "./types.js";
import { paymentTermsCeiling } from "./utility.js";

/** The brand's opening ambition: target prices, half the supplier's lead time, 60 more days to pay. */
function idealIssues(setup: BrandSetup, history: OfferRecord[]): { lead: number; pay: number } {
  const opening = supplierOffers(history)[0]?.terms;
  const g = setup.guardrails;
  const lead = Math.floor(0.5 * Math.min(g.maxLeadTimeDays, opening?.leadTimeDays ?? g.maxLeadTimeDays));
  const pay = Math.min(paymentTermsCeiling(g), Math.max(g.minPaymentTermsDays, opening?.paymentTermsDays ?? 0) + 60);
  return { lead, pay: Math.ceil(pay) };
}

/** Concedes a share t^e of the way from the ideal to the guardrails on every issue. */
export function timeDependentStrategy(exponent: number, label: string): BrandStrategy {
  return (setup, history, round) => {
    // The same deadline awareness as Parley's: its last offer is at its limits.
    const t = brandOfferTime(round, setup.maxRounds);
    const conceded = 1 - negmasAspiration(t, exponent);
    const ideal = idealIssues(setup, history);
    const g = setup.guardrails;
    const terms = brandPricedTerms(
      setup.lineItems,
      conceded,
      ideal.lead + conceded * (g.maxLeadTimeDays - ideal.lead),
      ideal.pay - conceded * (ideal.pay - g.minPaymentTermsDays),
    );
    const safe = clampToGuardrails(terms, setup);
    return plan(setup, safe, `${label} (exponent ${exponent}): conceding ${(conceded * 100).toFixed(0)}% of the way to the guardrails.`);
  };
}

/** Opens at the ideal, then meets the supplier halfway between the two standing offers. */
export const splitTheDifference: BrandStrategy = (setup, history) => {
  const own = [...history].reverse().find((h) => h.offeredBy === "brand")?.terms;
  const theirs = [...history].reverse().find((h) => h.offeredBy === "supplier")?.terms;
  if (!own || !theirs) {
    const ideal = idealIssues(setup, history);
    return plan(setup, clampToGuardrails(brandPricedTerms(setup.lineItems, 0, ideal.lead, ideal.pay), setup), "Opening at the brand's ideal terms.");
  }
  const mid: Terms = {
    lines: own.lines.map((l) => {
      const other = theirs.lines.find((o) => o.sku === l.sku)?.unitPrice ?? l.unitPrice;
      return { ...l, unitPrice: (l.unitPrice + other) / 2 };
    }),
    leadTimeDays: (own.leadTimeDays + theirs.leadTimeDays) / 2,
    paymentTermsDays: (own.paymentTermsDays + theirs.paymentTermsDays) / 2,
  };
  return plan(setup, clampToGuardrails(mid, setup), "Splitting the difference between the two standing offers.");
};

function plan(setup: BrandSetup, terms: Terms, reasoning: string): BrandPlan {
  const utility = brandValue(setup, terms);
  return { terms, reasoning, confidence: 0.5, acceptThreshold: utility };
}
