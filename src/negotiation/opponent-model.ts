// What the brand learns about a supplier from its offers alone: how fast it
// concedes on price, where its price floor probably lies, and which issues it
// holds on to (issues it rarely moves on matter more to it).

import { clamp01, totalPrice } from "./terms.js";
import { negotiationTime } from "./tactics.js";
import type { Terms } from "./types.js";

interface SupplierOfferObservation {
  round: number;
  terms: Terms;
}

export interface OpponentModel {
  observations: number;
  openingTotal: number;
  lowestTotal: number;
  /** Estimated total below which the supplier will not sell (at its own lead time and terms). */
  reservationTotal: number;
  /** Uncertainty of that estimate, in money. */
  reservationSpread: number;
  /** Fitted Faratin exponent of its price concession (e < 1 Boulware). */
  concessionExponent: number;
  /** Estimated weights of the supplier across issues. */
  weights: { price: number; leadTime: number; paymentTerms: number };
  /** Lead times it has quoted, and the shortest we guess it could do. */
  lead: { opening: number; lowestSeen: number; fastestGuess: number };
  /** Payment terms it has quoted, and the longest we guess it would give. */
  pay: { opening: number; highestSeen: number; maxGuess: number };
  /** How sure the model is of itself, in [0, 1]: see `modelCertainty`. */
  certainty: number;
  /** The total the fitted concession curve expects the supplier to quote in a later round (never above its lowest quote). */
  forecastTotal(round: number): number;
  /** Estimated supplier utility of terms, in [0, 1]. */
  utility(terms: Terms): number;
}

/** A curve missing the quotes by this share of the price drop so far halves the consistency term. */
const HALF_CONSISTENCY_MISS = 0.25;

/**
 * How far the model can be trusted, in [0, 1], whatever terms it is asked
 * about: the product of
 * - evidence, (m + 0.5) / (m + 3) for m quotes after the opening one (1/6
 *   with the opening alone, 1/2 after two more, 0.8 after ten), and
 * - consistency, 1 / (1 + (rms / (0.25 × drop))²): how closely one concession
 *   curve explains the quotes (rms: the fit's root-mean-square miss; drop: how
 *   far it has come down from the opening). A supplier that zigzags leaves
 *   its floor a guess even after many quotes. With nothing to fit (no move
 *   yet, or a firm supplier) it is 1 and evidence alone speaks.
 */
export function modelCertainty(laterQuotes: number, fitRms: number, drop: number): number {
  const evidence = (laterQuotes + 0.5) / (laterQuotes + 3);
  const miss = drop > 1e-9 ? fitRms / (HALF_CONSISTENCY_MISS * drop) : 0;
  return evidence / (1 + miss * miss);
}

/** With one offer only, assume the floor lies this far under the opening quote. */
const PRIOR_FLOOR_DISCOUNT = 0.22;
/** Ordered from linear outwards, so that with too few points to tell, the fit says linear. */
const EXPONENT_GRID = [1, 0.7, 1.5, 0.45, 2.2, 0.3, 3.5, 0.2, 5];
/** No supplier is assumed to go below half its opening quote, however steep its early steps. */
const LOWEST_PLAUSIBLE_FLOOR = 0.5;

/**
 * Fits total(t) = open - (open - R) * t^(1/e) to the supplier's quotes by least
 * squares: for each e on a grid, R has a closed form; keep the best e.
 */
function fitConcession(points: { t: number; total: number }[], openingTotal: number, maxRoundsTime: (t: number) => number) {
  let best = { exponent: 1, reservation: openingTotal * (1 - PRIOR_FLOOR_DISCOUNT), residual: Infinity };
  for (const e of EXPONENT_GRID) {
    let num = 0;
    let den = 0;
    for (const p of points) {
      const g = Math.pow(maxRoundsTime(p.t), 1 / e);
      num += (openingTotal - p.total) * g;
      den += g * g;
    }
    if (den < 1e-12) continue;
    const drop = num / den;
    let residual = 0;
    for (const p of points) {
      const g = Math.pow(maxRoundsTime(p.t), 1 / e);
      residual += (openingTotal - drop * g - p.total) ** 2;
    }
    if (residual < best.residual - 1e-9) best = { exponent: e, reservation: openingTotal - drop, residual };
  }
  return best;
}

export function learnOpponentModel(offers: SupplierOfferObservation[], maxRounds: number): OpponentModel {
  if (offers.length === 0) throw new Error("learnOpponentModel needs at least the supplier's opening quote");
  const opening = offers[0]!.terms;
  const openingTotal = totalPrice(opening);
  const totals = offers.map((o) => totalPrice(o.terms));
  const lowestTotal = Math.min(...totals);
  const leads = offers.map((o) => o.terms.leadTimeDays);
  const pays = offers.map((o) => o.terms.paymentTermsDays);

  // The supplier's last quote falls at t_last < 1: its floor is reached at t = 1.
  const t0 = negotiationTime(offers[0]!.round, maxRounds);
  const points = offers.slice(1).map((o) => ({ t: negotiationTime(o.round, maxRounds), total: totalPrice(o.terms) }));
  const scale = (t: number) => (1 - t0 > 1e-9 ? (t - t0) / (1 - t0) : 1);
  const prior = openingTotal * (1 - PRIOR_FLOOR_DISCOUNT);
  let reservationTotal = prior;
  let concessionExponent = 1;
  let reservationSpread = openingTotal * 0.08;
  let fitRms = 0;
  const conceded = openingTotal - lowestTotal > openingTotal * 1e-4;
  if (points.length > 0 && conceded) {
    const fit = fitConcession(points, openingTotal, scale);
    concessionExponent = fit.exponent;
    // Few points say little about the floor: shrink towards the prior, and never
    // above what it has already offered.
    const trust = Math.min(0.85, points.length / 4);
    const fitted = Math.max(fit.reservation, openingTotal * LOWEST_PLAUSIBLE_FLOOR);
    reservationTotal = Math.min(lowestTotal, trust * fitted + (1 - trust) * prior);
    fitRms = Math.sqrt(fit.residual / points.length);
    reservationSpread = openingTotal * (0.08 - 0.05 * trust) + fitRms;
  } else if (points.length > 0) {
    // It has not moved on price at all: a firm supplier; its floor is near its quote.
    concessionExponent = 0.2;
    reservationTotal = Math.max(prior, lowestTotal * 0.93);
  }

  // Frequency model: the less an issue moved relative to its range, the more the supplier cares.
  let movePrice = 0;
  let moveLead = 0;
  let movePay = 0;
  for (let i = 1; i < offers.length; i++) {
    const a = offers[i - 1]!.terms;
    const b = offers[i]!.terms;
    movePrice += Math.abs(totalPrice(b) - totalPrice(a)) / Math.max(openingTotal * 0.2, 1e-9);
    moveLead += Math.abs(b.leadTimeDays - a.leadTimeDays) / Math.max(opening.leadTimeDays * 0.5, 1);
    movePay += Math.abs(b.paymentTermsDays - a.paymentTermsDays) / 30;
  }
  const raw = { price: 1 / (1 + movePrice), leadTime: 1 / (1 + moveLead), paymentTerms: 1 / (1 + movePay) };
  const sum = raw.price + raw.leadTime + raw.paymentTerms;
  const weights = { price: raw.price / sum, leadTime: raw.leadTime / sum, paymentTerms: raw.paymentTerms / sum };

  const lowestSeen = Math.min(...leads);
  const lead = { opening: opening.leadTimeDays, lowestSeen, fastestGuess: Math.floor(lowestSeen * 0.6) };
  const highestSeen = Math.max(...pays);
  const pay = { opening: opening.paymentTermsDays, highestSeen, maxGuess: Math.max(highestSeen, opening.paymentTermsDays + 45) };

  const utility = (terms: Terms): number => {
    if (terms.leadTimeDays < lead.fastestGuess || terms.paymentTermsDays > pay.maxGuess) return 0;
    const p = clamp01((totalPrice(terms) - reservationTotal) / Math.max(openingTotal - reservationTotal, 1e-9));
    const l = clamp01((terms.leadTimeDays - lead.fastestGuess) / Math.max(lead.opening - lead.fastestGuess, 1));
    const y = clamp01((pay.maxGuess - terms.paymentTermsDays) / Math.max(pay.maxGuess - pay.opening, 1));
    return weights.price * p + weights.leadTime * l + weights.paymentTerms * y;
  };

  const forecastTotal = (round: number): number => {
    const g = Math.pow(clamp01(scale(negotiationTime(round, maxRounds))), 1 / concessionExponent);
    return Math.min(lowestTotal, openingTotal - (openingTotal - reservationTotal) * g);
  };

  return {
    observations: offers.length,
    openingTotal,
    lowestTotal,
    reservationTotal,
    reservationSpread,
    concessionExponent,
    weights,
    lead,
    pay,
    certainty: modelCertainty(points.length, fitRms, openingTotal - lowestTotal),
    forecastTotal,
    utility,
  };
}

/**
 * The supplier's estimated floor total at a lead time and payment terms: the
 * modelled floor, plus rough prices for what it has not offered itself, 0.4%
 * of the floor per day expedited and 10%/yr financing per day of extra credit.
 */
export function floorTotalAt(model: OpponentModel, leadTimeDays: number, paymentTermsDays: number): number {
  const fasterDays = Math.max(0, model.lead.lowestSeen - leadTimeDays);
  const longerDays = Math.max(0, paymentTermsDays - model.pay.highestSeen);
  return model.reservationTotal * (1 + 0.004 * fasterDays + (0.1 * longerDays) / 365);
}

/**
 * Probability the supplier accepts terms: logistic in how far the total sits
 * above the estimated floor, after charging for lead time and payment terms
 * beyond what it has offered itself (expediting and financing cost it money).
 */
export function acceptanceProbability(model: OpponentModel, terms: Terms): number {
  if (terms.leadTimeDays < model.lead.fastestGuess || terms.paymentTermsDays > model.pay.maxGuess) return 0.02;
  const fasterDays = Math.max(0, model.lead.lowestSeen - terms.leadTimeDays);
  const longerDays = Math.max(0, terms.paymentTermsDays - model.pay.highestSeen);
  const required = floorTotalAt(model, terms.leadTimeDays, terms.paymentTermsDays);
  const z = (totalPrice(terms) - required) / Math.max(model.reservationSpread, 1e-9);
  // Lead times and terms it has never offered may simply be impossible for it.
  const leadRisk = fasterDays / Math.max(1, model.lead.lowestSeen - model.lead.fastestGuess);
  const payRisk = longerDays / Math.max(1, model.pay.maxGuess - model.pay.highestSeen);
  return ((1 - 0.7 * Math.min(1, leadRisk)) * (1 - 0.7 * Math.min(1, payRisk))) / (1 + Math.exp(-1.7 * z));
}
