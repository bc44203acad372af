// Scoring the final offers of a quote's negotiations under the brand's
// priorities, ranking them, and explaining the pick with the numbers. The
// brand's side only: each supplier's public profile (its qualityScore), no persona.

import type { BrandContext } from "./setup-types.js";
import { describeTerms, totalPrice } from "./terms.js";
import type { NegotiationOutcome, RankedOffer, Recommendation, SupplierProfile, Terms } from "./types.js";
import { brandUtility, normalisedPriorities } from "./utility.js";

export interface NegotiationSummary {
  supplier: SupplierProfile;
  outcome: NegotiationOutcome;
  finalTerms?: Terms;
  openingTerms?: Terms;
  rounds: number;
}

export interface EvaluationInput extends BrandContext {
  results: NegotiationSummary[];
  /** The quote's currency (ISO 4217), for the money in the words; absent: the default. */
  currency?: string;
}

const OUTCOME_WORDS: Record<NegotiationOutcome, string> = {
  agreement: "agreed",
  impasse: "reached no agreement",
  walked_away: "was walked away from",
  expired: "expired",
  failed: "failed",
};

function percent(x: number): string {
  const abs = Math.abs(x);
  return `${abs >= 10 || Number.isInteger(Math.round(abs * 10) / 10) ? Math.round(abs) : (Math.round(abs * 10) / 10).toFixed(1)}%`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "A is 3% cheaper but 14 days slower": how `other` differs from the winner, pros first. */
function compareOffers(other: RankedOffer, winner: RankedOffer, ctx: BrandContext, qualities: Map<string, number>): string {
  const a = other.terms!;
  const w = winner.terms!;
  const pros: string[] = [];
  const cons: string[] = [];
  const priceDiff = (100 * (totalPrice(a) - totalPrice(w))) / Math.max(totalPrice(w), 1e-9);
  if (priceDiff <= -0.05) pros.push(`${percent(priceDiff)} cheaper`);
  else if (priceDiff >= 0.05) cons.push(`${percent(priceDiff)} more expensive`);
  const leadDiff = a.leadTimeDays - w.leadTimeDays;
  if (leadDiff < 0) pros.push(`${plural(-leadDiff, "day")} faster`);
  else if (leadDiff > 0) cons.push(`${plural(leadDiff, "day")} slower`);
  const payDiff = a.paymentTermsDays - w.paymentTermsDays;
  if (payDiff > 0) pros.push(`${plural(payDiff, "day")} longer to pay (net ${a.paymentTermsDays})`);
  else if (payDiff < 0) cons.push(`${plural(-payDiff, "day")} less to pay (net ${a.paymentTermsDays})`);
  if (normalisedPriorities(ctx.priorities).quality > 0) {
    const qa = qualities.get(other.supplierId) ?? 0;
    const qw = qualities.get(winner.supplierId) ?? 0;
    if (qa - qw >= 0.05) pros.push(`higher quality (${qa.toFixed(2)} vs ${qw.toFixed(2)})`);
    else if (qw - qa >= 0.05) cons.push(`lower quality (${qa.toFixed(2)} vs ${qw.toFixed(2)})`);
  }
  const score = `scores ${other.score.toFixed(2)}`;
  if (pros.length && cons.length) return `${other.supplierName} is ${pros.join(", ")} but ${cons.join(" and ")} (${score})`;
  if (cons.length) return `${other.supplierName} is ${cons.join(" and ")} (${score})`;
  if (pros.length) return `${other.supplierName} is ${pros.join(" and ")} yet ${score} under the brand's priorities`;
  return `${other.supplierName} offers the same terms (${score})`;
}

export function evaluateNegotiations(input: EvaluationInput): Recommendation {
  const qualities = new Map(input.results.map((r) => [r.supplier.id, r.supplier.qualityScore]));
  const utilities = new WeakMap<RankedOffer, number>();
  const entries: RankedOffer[] = input.results.map((r) => {
    const agreed = r.outcome === "agreement" && r.finalTerms !== undefined;
    const utility = agreed ? brandUtility(r.finalTerms!, input, r.supplier.qualityScore) : 0;
    // The published score stays in 0–1 (1: every target met); utility above 1
    // (cheaper than the targets) still ranks, so a cheaper offer that is as
    // good on every other issue always comes first.
    const score = Math.min(1, utility);
    const entry: RankedOffer = {
      supplierId: r.supplier.id,
      supplierName: r.supplier.name,
      score,
      rank: 0,
      outcome: r.outcome,
      terms: agreed ? r.finalTerms : undefined,
      summary: agreed
        ? `${r.supplier.name}: ${describeTerms(r.finalTerms!, input.currency)} (score ${score.toFixed(2)}, ${plural(r.rounds, "round")})`
        : `${r.supplier.name}: ${OUTCOME_WORDS[r.outcome]} after ${plural(r.rounds, "round")}`,
    };
    utilities.set(entry, utility);
    return entry;
  });
  // Agreements first, by utility; ties go to the cheaper offer, then to the name for a stable order.
  entries.sort((a, b) => {
    if (!!a.terms !== !!b.terms) return a.terms ? -1 : 1;
    const ua = utilities.get(a)!;
    const ub = utilities.get(b)!;
    if (Math.abs(ub - ua) > 1e-9) return ub - ua;
    if (a.terms && b.terms && totalPrice(a.terms) !== totalPrice(b.terms)) return totalPrice(a.terms) - totalPrice(b.terms);
    return a.supplierName.localeCompare(b.supplierName);
  });
  entries.forEach((e, i) => (e.rank = i + 1));
  const winner = entries[0];
  if (!winner || !winner.terms) {
    const why = entries.map((e) => `${e.supplierName} ${OUTCOME_WORDS[e.outcome]}`).join(", ");
    return { explanation: `No supplier reached an agreement${why ? `: ${why}` : ""}.`, ranking: entries };
  }
  const others = entries.slice(1).map((e) =>
    e.terms ? compareOffers(e, winner, input, qualities) : `${e.supplierName} ${OUTCOME_WORDS[e.outcome]}`,
  );
  const head = `${winner.supplierName}: ${describeTerms(winner.terms, input.currency)} — best overall (score ${winner.score.toFixed(2)})`;
  return { supplierId: winner.supplierId, explanation: [head, ...others].join("; ") + ".", ranking: entries };
}
