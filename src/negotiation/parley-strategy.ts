// Parley's brand strategy: a Boulware-leaning time-dependent aspiration over
// the brand's utility, bounded below by what the opponent model says the
// supplier will accept; each offer is the trade-off (lead time and payment
// terms against price) that the supplier likely values most among those
// worth the aspiration to the brand; the last offer maximises expected
// utility against the model's acceptance probability (AC_next time guard).

import { type BrandPlan, bestAcceptableQuote, brandValue, supplierOffers } from "./brand-plan.js";
import { type OpponentModel, acceptanceProbability, learnOpponentModel } from "./opponent-model.js";
import { integerSteps } from "./outcome-space.js";
import type { NegotiationSetup, OfferRecord } from "./setup-types.js";
import { faratinAspiration, negotiationTime } from "./tactics.js";
import { brandPricedTerms } from "./terms.js";
import type { Terms } from "./types.js";
import { brandIssueScores, normalisedPriorities, paymentTermsCeiling } from "./utility.js";

/** Faratin e of the brand's own aspiration: below 1, it holds firm early. */
const BRAND_EXPONENT = 0.6;
const PRICE_GRID = 51;

interface Candidate {
  terms: Terms;
  brand: number;
  supplier: number;
  acceptance: number;
}

/** Lead times and payment terms worth trying, given what the supplier has shown. */
function issueGrid(setup: NegotiationSetup, model: OpponentModel): { leads: number[]; pays: number[] } {
  const g = setup.guardrails;
  const leads = integerSteps(Math.max(0, model.lead.fastestGuess), g.maxLeadTimeDays, 8);
  if (model.lead.lowestSeen <= g.maxLeadTimeDays) leads.push(model.lead.lowestSeen);
  const pays = integerSteps(g.minPaymentTermsDays, Math.min(paymentTermsCeiling(g), Math.max(model.pay.maxGuess, g.minPaymentTermsDays)), 8);
  if (model.pay.highestSeen >= g.minPaymentTermsDays) pays.push(model.pay.highestSeen);
  return { leads: [...new Set(leads)], pays: [...new Set(pays)] };
}

/** The price level (0 = targets, 1 = limits) at which terms reach `aspiration`; undefined if out of reach. */
function levelFor(setup: NegotiationSetup, aspiration: number, lead: number, pay: number): number | undefined {
  // Brand utility is linear in the level for fixed lead time and terms.
  const w = normalisedPriorities(setup.priorities);
  const s = brandIssueScores(brandPricedTerms(setup.lineItems, 0, lead, pay), setup);
  const atTarget = w.price + w.leadTime * s.leadTime + w.paymentTerms * s.paymentTerms + w.quality * setup.supplier.persona.qualityScore;
  if (atTarget < aspiration - 1e-9) return undefined;
  if (w.price <= 1e-9) return 1;
  return Math.min(1, (atTarget - aspiration) / w.price);
}

function candidate(setup: NegotiationSetup, model: OpponentModel, terms: Terms): Candidate {
  return { terms, brand: brandValue(setup, terms), supplier: model.utility(terms), acceptance: acceptanceProbability(model, terms) };
}

/** Every grid offer, for the expected-utility search of the final round. */
function allCandidates(setup: NegotiationSetup, model: OpponentModel): Candidate[] {
  const { leads, pays } = issueGrid(setup, model);
  const out: Candidate[] = [];
  for (const lead of leads) for (const pay of pays) for (let i = 0; i < PRICE_GRID; i++) {
    out.push(candidate(setup, model, brandPricedTerms(setup.lineItems, i / (PRICE_GRID - 1), lead, pay)));
  }
  return out;
}

export function parleyPlan(setup: NegotiationSetup, history: OfferRecord[], round: number): BrandPlan {
  const quotes = supplierOffers(history);
  const model = learnOpponentModel(quotes.map((q) => ({ round: q.round, terms: q.terms })), setup.maxRounds);
  const best = bestAcceptableQuote(setup, history);
  const grid = allCandidates(setup, model);

  if (round >= setup.maxRounds) {
    // Last offer: the supplier can only take it or leave it. Maximise expected utility.
    let pick = grid[0]!;
    for (const c of grid) if (c.acceptance * c.brand > pick.acceptance * pick.brand) pick = c;
    const expected = pick.acceptance * pick.brand;
    return {
      terms: pick.terms,
      reasoning: `Final offer: expected value ${expected.toFixed(2)} (acceptance ${(pick.acceptance * 100).toFixed(0)}% × utility ${pick.brand.toFixed(2)}); estimated supplier floor ${model.reservationTotal.toFixed(2)}.`,
      confidence: pick.acceptance,
      acceptThreshold: expected,
      acceptanceProbability: pick.acceptance,
    };
  }

  // Aspiration runs from the best plausible deal to the best deal the supplier likely accepts.
  const plausible = grid.filter((c) => c.supplier > 0);
  const ceiling = Math.max(...plausible.map((c) => c.brand), best?.utility ?? 0);
  const likely = grid.filter((c) => c.acceptance >= 0.5);
  const floor = Math.max(best?.utility ?? 0, likely.length ? Math.max(...likely.map((c) => c.brand)) : 0);
  const t = negotiationTime(round, setup.maxRounds);
  const aspiration = Math.max(floor, floor + (ceiling - floor) * faratinAspiration(t, BRAND_EXPONENT));

  // Trade-off: of the offers worth the aspiration to the brand, the one the supplier likely values most.
  const { leads, pays } = issueGrid(setup, model);
  let pick: Candidate | undefined;
  for (const lead of leads) for (const pay of pays) {
    const level = levelFor(setup, aspiration, lead, pay);
    if (level === undefined) continue;
    const c = candidate(setup, model, brandPricedTerms(setup.lineItems, Math.max(0, level), lead, pay));
    if (!pick || c.supplier > pick.supplier + 1e-9 || (Math.abs(c.supplier - pick.supplier) <= 1e-9 && c.brand > pick.brand)) pick = c;
  }
  pick ??= candidate(setup, model, brandPricedTerms(setup.lineItems, 0, leads[0]!, pays[pays.length - 1]!));
  return {
    terms: pick.terms,
    reasoning: `Aspiration ${aspiration.toFixed(2)} (range ${floor.toFixed(2)}–${ceiling.toFixed(2)}); trade-off chosen for the supplier's likely weights (price ${model.weights.price.toFixed(2)}, lead ${model.weights.leadTime.toFixed(2)}, terms ${model.weights.paymentTerms.toFixed(2)}).`,
    confidence: pick.acceptance,
    acceptThreshold: pick.brand,
    acceptanceProbability: pick.acceptance,
  };
}
