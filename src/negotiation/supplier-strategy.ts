// How a simulated supplier plays, driven only by its persona's parameters:
// concede in its own utility along its aspiration curve (or tit-for-tat), and
// pick, among terms worth that much to it, the ones closest to what the brand
// last asked for (Faratin's similarity trade-off).

import { integerSteps } from "./outcome-space.js";
import { drawFor } from "./prng.js";
import type { Move, NegotiationSetup, OfferRecord } from "./setup-types.js";
import { faratinAspiration, negotiationTime } from "./tactics.js";
import { buildTerms, totalPrice } from "./terms.js";
import type { LineItem, SupplierPersona, Terms } from "./types.js";
import { supplierAcceptable, supplierOpeningTerms, supplierUtility } from "./utility.js";

/** Random salt for the supplier's jitter stream. */
const SUPPLIER_STREAM = 0x5;
/** Aspiration jitter: +/- half of this, so transcripts differ across seeds. */
const JITTER = 0.04;

function supplierTermsAt(lineItems: LineItem[], persona: SupplierPersona, level: number, lead: number, pay: number): Terms {
  // level 0 = unit cost, 1 = opening price; rounded up to the cent so the margin never rounds below target.
  return buildTerms(
    lineItems,
    (item) => {
      const cost = item.listPrice * persona.unitCostRatio;
      return Math.ceil((cost + level * (item.listPrice * persona.openingMarkup - cost)) * 100 - 1e-6) / 100;
    },
    lead,
    pay,
  );
}

/** The cheapest terms at this lead time and payment terms that give the supplier at least `aspiration`. */
function cheapestAtAspiration(lineItems: LineItem[], persona: SupplierPersona, aspiration: number, lead: number, pay: number): Terms | undefined {
  // Acceptable and worth the aspiration: monotone in the price level, so bisect.
  const ok = (level: number) => {
    const terms = supplierTermsAt(lineItems, persona, level, lead, pay);
    return supplierAcceptable(terms, lineItems, persona) && supplierUtility(terms, lineItems, persona) >= aspiration;
  };
  let hi = 1.5;
  if (!ok(hi)) return undefined;
  let lo = 0;
  for (let i = 0; i < 28; i++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return supplierTermsAt(lineItems, persona, hi, lead, pay);
}

/**
 * The supplier's first quote: its list-price-plus-markup opening, or, when a
 * persona's markup, lead times or terms leave that below its own reservation,
 * the cheapest price that clears it at terms it can deliver; undefined when no
 * price does (financing eats the whole revenue).
 */
export function supplierOpeningQuote(lineItems: LineItem[], persona: SupplierPersona): Terms | undefined {
  const opening = supplierOpeningTerms(lineItems, persona);
  if (supplierAcceptable(opening, lineItems, persona)) return opening;
  const lead = Math.max(persona.leadTimeDays.standard, persona.leadTimeDays.fastest);
  const pay = Math.min(persona.paymentTermsDays.preferred, persona.paymentTermsDays.max);
  // Priced as a multiple of unit cost (the opening may sit below cost, so the
  // cost-to-opening scale of supplierTermsAt can run backwards); margin rises with it.
  const at = (multiple: number) =>
    buildTerms(lineItems, (item) => Math.ceil(item.listPrice * persona.unitCostRatio * multiple * 100 - 1e-6) / 100, lead, pay);
  const ok = (multiple: number) => supplierAcceptable(at(multiple), lineItems, persona);
  let hi = 2;
  while (!ok(hi)) {
    if (hi > 1024) return undefined;
    hi *= 2;
  }
  let lo = 0;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

/** Distance between terms in issue space, each issue scaled to its usual range. */
function dissimilarity(a: Terms, b: Terms, scale: { total: number; lead: number; pay: number }): number {
  return (
    Math.abs(totalPrice(a) - totalPrice(b)) / scale.total +
    Math.abs(a.leadTimeDays - b.leadTimeDays) / scale.lead +
    Math.abs(a.paymentTermsDays - b.paymentTermsDays) / scale.pay
  );
}

/**
 * A concession schedule that replaces the persona's: the utility (0 = its
 * reservation, 1 = its opening) the supplier wants from its offer in `round`.
 * For evaluation against classic negotiators (opponents.ts); the persona's
 * costs, limits and acceptance rule still apply.
 */
export type SupplierTactic = (context: {
  setup: NegotiationSetup;
  history: OfferRecord[];
  round: number;
  /** Time of the offer in [0, 1] (negotiationTime). */
  t: number;
  /** The supplier's own utility of terms. */
  utility: (terms: Terms) => number;
}) => number;

/** The utility level the supplier wants from the offer it makes in `round`. */
function supplierAspiration(setup: NegotiationSetup, history: OfferRecord[], round: number, tactic?: SupplierTactic): number {
  const { persona } = setup.supplier;
  const t = negotiationTime(round, setup.maxRounds);
  if (tactic) return Math.min(1, Math.max(0, tactic({ setup, history, round, t, utility: (terms) => supplierUtility(terms, setup.lineItems, persona) })));
  const jitter = (drawFor(setup.seed, SUPPLIER_STREAM, round) - 0.5) * JITTER;
  const timeBased = faratinAspiration(t, persona.concessionExponent);
  if (persona.concession !== "tit_for_tat") return Math.min(1, Math.max(0, timeBased + jitter));
  // Relative tit-for-tat: give up, in its own utility, what the brand gave up
  // in its last step; never less than its time schedule demands.
  const own = history.filter((h) => h.offeredBy === "supplier");
  const brand = history.filter((h) => h.offeredBy === "brand");
  const last = own[own.length - 1];
  if (!last || brand.length < 2) return Math.min(1, Math.max(0, Math.max(timeBased, faratinAspiration(t, 0.5)) + jitter));
  const u = (terms: Terms) => supplierUtility(terms, setup.lineItems, persona);
  const brandStep = Math.max(0, u(brand[brand.length - 1]!.terms) - u(brand[brand.length - 2]!.terms));
  const mirrored = u(last.terms) - brandStep;
  return Math.min(1, Math.max(0, Math.max(mirrored, timeBased) + jitter));
}

/** The supplier's offer for `round`, answering the brand's standing offer. */
function supplierOffer(setup: NegotiationSetup, history: OfferRecord[], round: number, tactic?: SupplierTactic): Terms | undefined {
  const { lineItems } = setup;
  const { persona } = setup.supplier;
  const opening = supplierOpeningTerms(lineItems, persona);
  const standing = [...history].reverse().find((h) => h.offeredBy === "brand")?.terms;
  if (!standing) return supplierOpeningQuote(lineItems, persona);
  const aspiration = supplierAspiration(setup, history, round, tactic);
  const leads = integerSteps(persona.leadTimeDays.fastest, Math.max(persona.leadTimeDays.standard, persona.leadTimeDays.fastest), 7);
  const pays = integerSteps(Math.min(persona.paymentTermsDays.preferred, persona.paymentTermsDays.max), persona.paymentTermsDays.max, 7);
  // Also consider the brand's own lead time and terms, when the supplier can meet them.
  if (standing.leadTimeDays >= persona.leadTimeDays.fastest) leads.push(standing.leadTimeDays);
  if (standing.paymentTermsDays <= persona.paymentTermsDays.max) pays.push(standing.paymentTermsDays);
  const scale = { total: Math.max(totalPrice(opening) * 0.2, 1e-6), lead: Math.max(persona.leadTimeDays.standard, 1), pay: 30 };
  let best: Terms | undefined;
  let bestDistance = Infinity;
  for (const lead of leads) {
    for (const pay of pays) {
      const terms = cheapestAtAspiration(lineItems, persona, aspiration, lead, pay);
      if (!terms) continue;
      const d = dissimilarity(terms, standing, scale);
      if (d < bestDistance - 1e-12) {
        best = terms;
        bestDistance = d;
      }
    }
  }
  return best ?? supplierOpeningQuote(lineItems, persona);
}

/** The supplier's move: open, accept the brand's standing offer (AC_next), counter, or declare impasse. `tactic`: a schedule replacing the persona's. */
export function supplierMove(setup: NegotiationSetup, history: OfferRecord[], tactic?: SupplierTactic): Move {
  const round = history.length + 1;
  const { lineItems } = setup;
  const { persona, name } = setup.supplier;
  if (history.length === 0) {
    const short = lineItems.find((i) => i.quantity > persona.capacityPerLine);
    if (short) {
      return { kind: "impasse", party: "supplier", round: 1, reasoning: `${name} cannot supply ${short.quantity} × ${short.sku} (capacity ${persona.capacityPerLine}).` };
    }
    const opening = supplierOpeningQuote(lineItems, persona);
    if (!opening) return { kind: "impasse", party: "supplier", round: 1, reasoning: `${name} cannot quote at any price that covers its costs.` };
    return { kind: "offer", party: "supplier", round: 1, terms: opening, reasoning: "Opening quote at list price plus markup, standard lead time, preferred payment terms.", confidence: 1 };
  }
  const standing = history[history.length - 1]!.terms;
  const acceptable = supplierAcceptable(standing, lineItems, persona);
  const worth = supplierUtility(standing, lineItems, persona);
  if (history.length >= setup.maxRounds) {
    return acceptable
      ? { kind: "accept", party: "supplier", round: history.length, terms: standing, reasoning: "Final offer clears the supplier's reservation; a deal beats no deal." }
      : { kind: "impasse", party: "supplier", round: history.length, reasoning: "Final offer is below the supplier's reservation; no more rounds." };
  }
  const counter = supplierOffer(setup, history, round, tactic);
  if (!counter) {
    return acceptable
      ? { kind: "accept", party: "supplier", round: history.length, terms: standing, reasoning: "The brand's offer clears the supplier's reservation and it has no counter that does." }
      : { kind: "impasse", party: "supplier", round: history.length, reasoning: "No counter-offer clears the supplier's reservation." };
  }
  if (acceptable && worth >= supplierUtility(counter, lineItems, persona) - 1e-9) {
    return { kind: "accept", party: "supplier", round: history.length, terms: standing, reasoning: "The brand's offer is worth at least as much as the supplier's own next offer (AC_next)." };
  }
  return {
    kind: "offer",
    party: "supplier",
    round,
    terms: counter,
    reasoning: `Counter-offer at supplier aspiration ${supplierUtility(counter, lineItems, persona).toFixed(2)}.`,
    confidence: 0.5 + supplierUtility(counter, lineItems, persona) / 2,
  };
}
