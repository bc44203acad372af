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
import { brandPricedTerms, totalPrice } from "./terms.js";
import type { Terms } from "./types.js";
import { brandIssueScores, normalisedPriorities, paymentTermsCeiling, withinGuardrails } from "./utility.js";

/** Faratin e of the brand's own aspiration: below 1, it holds firm early. */
const BRAND_EXPONENT = 0.6;
const PRICE_GRID = 51;
/** The final offer must be this likely to be accepted, when any such offer exists. */
const FINAL_OFFER_MIN_ACCEPTANCE = 0.98;
/** How much staying near the supplier's last quote counts against its modelled utility. */
const SIMILARITY_WEIGHT = 0.5;

interface Candidate {
  terms: Terms;
  brand: number;
  supplier: number;
  acceptance: number;
}

/** Lead times and payment terms worth trying, given what the supplier has shown. */
function issueGrid(setup: NegotiationSetup, model: OpponentModel): { leads: number[]; pays: number[] } {
  const g = setup.guardrails;
  const maxLead = Math.floor(g.maxLeadTimeDays);
  const minPay = Math.ceil(g.minPaymentTermsDays);
  // Never empty: the guardrail limits themselves are always on the grid.
  const leads = integerSteps(Math.min(Math.max(0, model.lead.fastestGuess), maxLead), maxLead, 8);
  if (model.lead.lowestSeen <= g.maxLeadTimeDays) leads.push(model.lead.lowestSeen);
  const pays = integerSteps(minPay, Math.max(minPay, Math.min(paymentTermsCeiling(g), model.pay.maxGuess)), 8);
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

function dissimilarity(a: Terms, b: Terms, model: OpponentModel): number {
  const w = model.weights;
  return (
    (w.price * Math.abs(totalPrice(a) - totalPrice(b))) / Math.max(model.openingTotal * 0.2, 1e-9) +
    (w.leadTime * Math.abs(a.leadTimeDays - b.leadTimeDays)) / Math.max(model.lead.opening, 1) +
    (w.paymentTerms * Math.abs(a.paymentTermsDays - b.paymentTermsDays)) / 30
  );
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

/**
 * The last offer: the supplier can only take it or leave it, and an impasse
 * costs the brand everything. The opponent model is least reliable exactly
 * here (a Boulware supplier may already sit on its floor), so the time guard
 * takes a standing quote inside the guardrails; otherwise it offers the best
 * terms the model all but guarantees, or the guardrail limits at the
 * supplier's own lead time, which any supplier with a zone of agreement takes.
 */
function finalOffer(setup: NegotiationSetup, history: OfferRecord[], model: OpponentModel, grid: Candidate[], opening: Terms): BrandPlan {
  const standing = history[history.length - 1]!;
  const standingOk = standing.offeredBy === "supplier" && withinGuardrails(standing.terms, setup.lineItems, setup.guardrails);
  const safe = grid.filter((c) => c.acceptance >= FINAL_OFFER_MIN_ACCEPTANCE);
  let pick: Candidate | undefined;
  for (const c of safe) if (!pick || c.brand > pick.brand) pick = c;
  pick ??= candidate(setup, model, brandPricedTerms(setup.lineItems, 1, Math.min(opening.leadTimeDays, setup.guardrails.maxLeadTimeDays), setup.guardrails.minPaymentTermsDays));
  return {
    terms: pick.terms,
    reasoning: standingOk
      ? "Last round: the supplier's quote is inside the guardrails; taking it rather than risking an impasse."
      : `Final offer: predicted acceptance ${(pick.acceptance * 100).toFixed(0)}% at utility ${pick.brand.toFixed(2)}; estimated supplier floor ${model.reservationTotal.toFixed(2)}.`,
    confidence: pick.acceptance,
    acceptThreshold: standingOk ? 0 : pick.brand,
    acceptanceProbability: pick.acceptance,
  };
}

export function parleyPlan(setup: NegotiationSetup, history: OfferRecord[], round: number): BrandPlan {
  const quotes = supplierOffers(history);
  const model = learnOpponentModel(quotes.map((q) => ({ round: q.round, terms: q.terms })), setup.maxRounds);
  const best = bestAcceptableQuote(setup, history);
  const grid = allCandidates(setup, model);

  if (round >= setup.maxRounds) return finalOffer(setup, history, model, grid, quotes[0]!.terms);


  // Aspiration runs from the best plausible deal down to a floor that moves from
  // the guardrails towards the deal the supplier likely accepts as evidence
  // about its floor accumulates; never below the best quote already on the table.
  const plausible = grid.filter((c) => c.supplier > 0);
  const ceiling = Math.max(...plausible.map((c) => c.brand), best?.utility ?? 0);
  const likely = grid.filter((c) => c.acceptance >= 0.6);
  const atLimits = Math.min(...grid.map((c) => c.brand));
  const modelled = likely.length ? Math.max(...likely.map((c) => c.brand)) : atLimits;
  const trust = Math.min(0.8, (quotes.length - 1) / 4);
  const floor = Math.max(best?.utility ?? 0, Math.min(ceiling, trust * modelled + (1 - trust) * atLimits));
  const t = negotiationTime(round, setup.maxRounds);
  const aspiration = floor + (ceiling - floor) * faratinAspiration(t, BRAND_EXPONENT);

  // Trade-off (Faratin's similarity criterion): of the offers worth the
  // aspiration to the brand, the one nearest the supplier's last quote under
  // its estimated weights, i.e. what it should value most.
  const last = quotes[quotes.length - 1]!.terms;
  const { leads, pays } = issueGrid(setup, model);
  let pick: Candidate | undefined;
  let pickScore = -Infinity;
  for (const lead of leads) for (const pay of pays) {
    const level = levelFor(setup, aspiration, lead, pay);
    if (level === undefined) continue;
    const c = candidate(setup, model, brandPricedTerms(setup.lineItems, Math.max(0, level), lead, pay));
    const score = c.supplier - SIMILARITY_WEIGHT * dissimilarity(c.terms, last, model);
    if (score > pickScore + 1e-9) {
      pick = c;
      pickScore = score;
    }
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
