// Parley's brand strategy: a Boulware-leaning time-dependent aspiration over
// the brand's utility, bounded below by what the opponent model says the
// supplier will accept; each offer is the trade-off (lead time and payment
// terms against price) that the supplier likely values most among those
// worth the aspiration to the brand; the brand's last offer is the best one
// the supplier surely (or, under a cautious model, all but surely) accepts.

import { type BrandPlan, bestAcceptableQuote, brandValue, capAtAsk, supplierOffers } from "./brand-plan.js";
import { type OpponentModel, acceptanceProbability, floorTotalAt, learnOpponentModel } from "./opponent-model.js";
import { integerSteps } from "./outcome-space.js";
import type { BrandSetup, OfferRecord } from "./setup-types.js";
import { faratinAspiration, negotiationTime } from "./tactics.js";
import { brandPricedTerms, totalPrice } from "./terms.js";
import type { Terms } from "./types.js";
import { brandIssueScores, normalisedPriorities, paymentTermsCeiling, withinGuardrails } from "./utility.js";

/**
 * Faratin e of the brand's own aspiration: well below 1, it holds firm until
 * late (Boulware). Its end-game makes the deal safe, so conceding early only
 * gives away value: against suppliers that hold out (HardHeaded, last-round,
 * noisy Boulware) a faster pace lets them accept a generous mid-game offer.
 */
const BRAND_EXPONENT = 0.3;
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
function issueGrid(setup: BrandSetup, model: OpponentModel): { leads: number[]; pays: number[] } {
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
function levelFor(setup: BrandSetup, aspiration: number, lead: number, pay: number): number | undefined {
  // Brand utility is linear in the level for fixed lead time and terms.
  const w = normalisedPriorities(setup.priorities);
  const s = brandIssueScores(brandPricedTerms(setup.lineItems, 0, lead, pay), setup);
  const atTarget = w.price + w.leadTime * s.leadTime + w.paymentTerms * s.paymentTerms + w.quality * setup.supplier.qualityScore;
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

function candidate(setup: BrandSetup, model: OpponentModel, terms: Terms): Candidate {
  return { terms, brand: brandValue(setup, terms), supplier: model.utility(terms), acceptance: acceptanceProbability(model, terms) };
}

/** Every grid offer, for the expected-utility search of the final round. */
function allCandidates(setup: BrandSetup, model: OpponentModel): Candidate[] {
  const { leads, pays } = issueGrid(setup, model);
  const out: Candidate[] = [];
  for (const lead of leads) for (const pay of pays) for (let i = 0; i < PRICE_GRID; i++) {
    out.push(candidate(setup, model, brandPricedTerms(setup.lineItems, i / (PRICE_GRID - 1), lead, pay)));
  }
  return out;
}

/**
 * The model's floor is fitted to a concession curve, but a supplier that
 * concedes in its own utility can reach its price floor well before the last
 * round (a Boulware supplier often does). For the end-game the brand assumes
 * it concedes only this share of the way from its lowest quote to the fitted
 * floor: an offer missed there is an impasse, which costs the brand everything.
 */
const END_GAME_CAUTION = 0.8;

function cautiousModel(model: OpponentModel): OpponentModel {
  return { ...model, reservationTotal: model.lowestTotal - (model.lowestTotal - model.reservationTotal) * (1 - END_GAME_CAUTION) };
}

/** At least its own quote's price, lead time and payment terms: surely acceptable to a supplier that quoted it. */
function noWorseForSupplier(terms: Terms, quote: Terms): boolean {
  return totalPrice(terms) >= totalPrice(quote) - 1e-6 && terms.leadTimeDays >= quote.leadTimeDays && terms.paymentTermsDays <= quote.paymentTermsDays;
}

/**
 * The brand's last offer: the supplier can take it, or leave it and (when
 * maxRounds is odd) make one closing quote the brand can only take or leave.
 * It offers the terms best for the brand among those the supplier surely
 * accepts (no worse for it than one of its own quotes) or the cautious model
 * all but guarantees, or else the guardrail limits at the supplier's own lead
 * time, which any supplier with a zone of agreement takes; it takes a standing
 * quote instead when that is worth more than the offer's expected value.
 */
function finalOffer(setup: BrandSetup, history: OfferRecord[], model: OpponentModel, grid: Candidate[], opening: Terms): BrandPlan {
  const standing = history[history.length - 1]!;
  const standingOk = standing.offeredBy === "supplier" && withinGuardrails(standing.terms, setup.lineItems, setup.guardrails);
  const cautious = cautiousModel(model);
  const quotes = supplierOffers(history);
  const ask = quotes[quotes.length - 1]!.terms;
  let pick: Candidate | undefined;
  for (const raw of grid) {
    // Judged as it will be sent: capped at the supplier's ask, line by line.
    const c = candidate(setup, model, capAtAsk(raw.terms, ask, setup.lineItems));
    if (pick && c.brand <= pick.brand) continue;
    const acceptance = quotes.some((q) => noWorseForSupplier(c.terms, q.terms)) ? 1 : acceptanceProbability(cautious, c.terms);
    if (acceptance >= FINAL_OFFER_MIN_ACCEPTANCE) pick = { ...c, acceptance };
  }
  pick ??= candidate(setup, cautious, brandPricedTerms(setup.lineItems, 1, Math.min(opening.leadTimeDays, setup.guardrails.maxLeadTimeDays), setup.guardrails.minPaymentTermsDays));
  const expected = pick.brand * pick.acceptance;
  return {
    terms: pick.terms,
    reasoning:
      standingOk && brandValue(setup, standing.terms) >= expected
        ? `Last offer: the supplier's quote inside the guardrails is worth more than a final offer's expected ${expected.toFixed(2)}; taking it.`
        : `Final offer: predicted acceptance ${(pick.acceptance * 100).toFixed(0)}% at utility ${pick.brand.toFixed(2)}; cautious supplier floor ${cautious.reservationTotal.toFixed(2)}.`,
    confidence: pick.acceptance,
    acceptThreshold: expected,
    acceptanceProbability: pick.acceptance,
  };
}

/**
 * What a supplier that concedes over time quotes when it closes an odd-length
 * negotiation: its last quote brought down to the model's floor estimate (a
 * clock-driven supplier's last word is at or near its floor).
 */
function closingQuote(quotes: OfferRecord[], model: OpponentModel): Terms {
  const last = quotes[quotes.length - 1]!.terms;
  const ratio = Math.min(1, model.reservationTotal / Math.max(totalPrice(last), 1e-9));
  return { ...last, lines: last.lines.map((l) => ({ ...l, unitPrice: l.unitPrice * ratio })) };
}

/**
 * When the supplier has the last word, a supplier that concedes over time
 * closes at or near its floor, at terms near those the brand last asked for.
 * If the supplier's ask meets the brand's lead time, the brand bids its target
 * prices at a lead time no slower than the ask's and payment terms inside its
 * guardrails and no shorter than the ask's, chosen where the closing quote it
 * expects (the model's floor, cautious once there is a concession curve to
 * fit, priced up for faster delivery and longer terms) is worth most and still
 * lands inside the guardrails: the supplier takes the bid, or answers with its
 * closing quote near the bid's terms, which the brand can take. Otherwise
 * there is no bet (undefined).
 */
function closingBet(setup: BrandSetup, quotes: OfferRecord[], model: OpponentModel): BrandPlan | undefined {
  const ask = quotes[quotes.length - 1]!.terms;
  const g = setup.guardrails;
  // A supplier quoting slower delivery than the brand allows tends to return
  // to it in its closing quote (faster delivery costs it, and its closing
  // quote is its cheapest near the bid), and the brand could only walk away.
  // Shorter payment terms than the brand allows are safe to bet against on
  // the opening quote alone; a supplier that kept to them in answer to the
  // brand's offers (always inside the guardrails) would keep to them again.
  if (ask.leadTimeDays > g.maxLeadTimeDays || (quotes.length > 1 && ask.paymentTermsDays < g.minPaymentTermsDays)) return undefined;
  const payFloor = Math.max(ask.paymentTermsDays, Math.ceil(g.minPaymentTermsDays));
  const judged = quotes.length > 1 ? cautiousModel(model) : model;
  const floorQuote = closingQuote(quotes, judged);
  let best: { lead: number; pay: number; value: number } | undefined;
  const { leads, pays } = issueGrid(setup, model);
  for (const lead of [ask.leadTimeDays, ...leads]) for (const pay of [payFloor, ...pays]) {
    if (lead > ask.leadTimeDays || pay < payFloor) continue;
    const ratio = floorTotalAt(judged, lead, pay) / Math.max(floorTotalAt(judged, ask.leadTimeDays, ask.paymentTermsDays), 1e-9);
    const predicted: Terms = { lines: floorQuote.lines.map((l) => ({ ...l, unitPrice: l.unitPrice * ratio })), leadTimeDays: lead, paymentTermsDays: pay };
    if (!withinGuardrails(predicted, setup.lineItems, g)) continue;
    const value = brandValue(setup, predicted);
    if (!best || value > best.value + 1e-9) best = { lead, pay, value };
  }
  const safe = !best && quotes.length === 1 ? safeOpeningBet(setup, ask) : undefined;
  const bet = best ?? safe;
  if (!bet) return undefined;
  const terms = brandPricedTerms(setup.lineItems, 0, bet.lead, bet.pay);
  const acceptance = acceptanceProbability(model, terms);
  return {
    terms,
    reasoning: safe
      ? `The supplier has the last word: bidding the target prices at ${bet.lead} days and ${bet.pay} days' terms, where the brand's limits would otherwise be offered; a closing quote at any floor that would take those limits stays inside them.`
      : `The supplier has the last word: bidding the target prices at ${bet.lead} days and ${bet.pay} days' terms; its closing quote is expected inside the guardrails (floor estimate ${model.reservationTotal.toFixed(2)}).`,
    confidence: acceptance,
    acceptThreshold: brandValue(setup, terms),
    acceptanceProbability: acceptance,
  };
}

/**
 * The closing bet that loses no deal, when the opening quote is all the brand
 * has seen and the model's floor (then only a prior, set cautiously high for
 * the final offer's sake) sees no closing quote inside the guardrails. The
 * alternative is the final offer at the brand's limits at the supplier's lead
 * time and the shortest terms the brand allows. A supplier that would take it
 * has a floor at those terms no higher than the limits' total; bid the target
 * prices at the same terms instead, and its closing quote at that floor,
 * priced line by line as it priced its quote, is inside every line's limit
 * whenever no line's limit sits lower, relative to the quote, than the total's.
 * The brand then takes a closing quote no dearer than the offer it would have
 * made. Undefined when a line's limit is the tighter one.
 */
function safeOpeningBet(setup: BrandSetup, ask: Terms): { lead: number; pay: number } | undefined {
  const limitOf = (sku: string) => setup.lineItems.find((item) => item.sku === sku)?.maxUnitPrice ?? 0;
  const lineRoom = Math.min(...ask.lines.map((l) => limitOf(l.sku) / Math.max(l.unitPrice, 1e-9)));
  const totalRoom = totalPrice({ ...ask, lines: ask.lines.map((l) => ({ ...l, unitPrice: limitOf(l.sku) })) }) / Math.max(totalPrice(ask), 1e-9);
  if (lineRoom < totalRoom * (1 - 1e-9)) return undefined;
  return { lead: ask.leadTimeDays, pay: Math.ceil(setup.guardrails.minPaymentTermsDays) };
}

/**
 * The brand's own clock: 0 at its opening counter (round 2), so it anchors at
 * its full aspiration, and 1 at the last round. Against a reciprocating
 * supplier a generous opening is mirrored by nothing, and it only raises the
 * bar its later concessions must clear.
 */
function brandTime(round: number, maxRounds: number): number {
  return negotiationTime(round - 1, maxRounds - 1);
}

/**
 * Parley's plan, with every line capped at the supplier's latest ask: the
 * protocol caps every strategy, and this keeps the assist's suggested counter
 * (which calls the plan directly) from bidding above the ask too.
 */
export function parleyPlan(setup: BrandSetup, history: OfferRecord[], round: number): BrandPlan {
  const plan = uncappedPlan(setup, history, round);
  const quotes = supplierOffers(history);
  const ask = quotes.at(-1)?.terms;
  if (!ask) return plan;
  const capped = capAtAsk(plan.terms, ask, setup.lineItems);
  if (capped === plan.terms) return plan;
  // An end-game offer is sized to be accepted; cut to the ask on price, it is
  // only safe at the supplier's own lead time and terms (then, on a single
  // line, it is the ask itself, and the protocol accepts that instead).
  if (round >= setup.maxRounds - 1) {
    const terms = { ...capped, leadTimeDays: Math.max(capped.leadTimeDays, ask.leadTimeDays), paymentTermsDays: Math.min(capped.paymentTermsDays, ask.paymentTermsDays) };
    return { ...plan, terms: withinGuardrails(terms, setup.lineItems, setup.guardrails) ? terms : capped };
  }
  return { ...plan, terms: capped };
}

function uncappedPlan(setup: BrandSetup, history: OfferRecord[], round: number): BrandPlan {
  const quotes = supplierOffers(history);
  const model = learnOpponentModel(quotes.map((q) => ({ round: q.round, terms: q.terms })), setup.maxRounds);
  const best = bestAcceptableQuote(setup, history);
  const grid = allCandidates(setup, model);

  // The brand's last offer is in round maxRounds, or maxRounds - 1 when the
  // supplier closes. There it holds out only if the supplier's expected closing
  // quote lands inside the guardrails and beats the final offer.
  if (round >= setup.maxRounds - 1) {
    const final = finalOffer(setup, history, model, grid, quotes[0]!.terms);
    if (round >= setup.maxRounds) return final;
    // Safe only if even the cautious model's closing quote lands inside the
    // guardrails; worth it if the quote the model expects beats the final offer.
    const safe = closingQuote(quotes, cautiousModel(model));
    const holdOut = withinGuardrails(safe, setup.lineItems, setup.guardrails) && brandValue(setup, closingQuote(quotes, model)) >= brandValue(setup, final.terms);
    if (!holdOut) return closingBet(setup, quotes, model) ?? final;
  }

  // The offer before the last, when the supplier has never quoted delivery as
  // fast as the brand needs: its ask keeps falling at its own slower lead
  // time, and the ask cap holds the brand's last offer to it, so by the last
  // round the brand may no longer offer what the faster delivery costs the
  // supplier. The last offer is made now instead, while the ask allows it.
  // (Closes more deals against suppliers that drop late, for less per deal:
  // docs/engine.md, "The ask cap against a lead-time need".)
  if (round >= setup.maxRounds - 3 && round < setup.maxRounds - 1 && quotes.length > 1 && model.lead.lowestSeen > setup.guardrails.maxLeadTimeDays) {
    const early = finalOffer(setup, history, model, grid, quotes[0]!.terms);
    return {
      ...early,
      reasoning: `The supplier has quoted no delivery within ${setup.guardrails.maxLeadTimeDays} days, and its falling ask caps what the brand may offer for faster delivery: making the last offer now. ${early.reasoning}`,
    };
  }

  // Aspiration runs from the best plausible deal down to a floor that moves from
  // the guardrails towards the deal the supplier likely accepts as evidence
  // about its floor accumulates; never below the best quote already on the table.
  // When the guardrails need faster delivery (or longer terms) than the model
  // thinks the supplier can give, nothing is plausible and the aspiration is
  // the guardrail limits at once: the lead time the brand needs, at its price
  // limits (capped at the ask). The ask cap keeps the brand from paying more than the
  // supplier's standing ask, and that ask falls as the supplier concedes at its
  // own slower lead time, so speed is only affordable early. (Anchoring at the
  // best it could ask for instead wins more per deal but loses more deals, for
  // the same mean utility: docs/engine.md.)
  const plausible = grid.filter((c) => c.supplier > 0);
  const ceiling = Math.max(...plausible.map((c) => c.brand), best?.utility ?? 0);
  const likely = grid.filter((c) => c.acceptance >= 0.6);
  const atLimits = Math.min(...grid.map((c) => c.brand));
  const modelled = likely.length ? Math.max(...likely.map((c) => c.brand)) : atLimits;
  const trust = Math.min(0.8, (quotes.length - 1) / 4);
  const floor = Math.max(best?.utility ?? 0, Math.min(ceiling, trust * modelled + (1 - trust) * atLimits));
  const t = brandTime(round, setup.maxRounds);
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
    reasoning: !plausible.length
      ? `The guardrails need faster delivery or longer terms than the supplier seems able to give (it quotes ${last.leadTimeDays} days, net ${last.paymentTermsDays}): offering them at the brand's price limits, while its ask still allows that.`
      : `Aspiration ${aspiration.toFixed(2)} (range ${floor.toFixed(2)}–${ceiling.toFixed(2)}); trade-off chosen for the supplier's likely weights (price ${model.weights.price.toFixed(2)}, lead ${model.weights.leadTime.toFixed(2)}, terms ${model.weights.paymentTerms.toFixed(2)}).`,
    confidence: pick.acceptance,
    acceptThreshold: pick.brand,
    acceptanceProbability: pick.acceptance,
  };
}
