// Per-negotiation metrics: what the brand got, what the supplier got, and how
// far the agreement sits from the Pareto frontier and the Nash point. An
// evaluation tool of the simulation and the bench: it reads the persona, and
// is never part of the brand's decisions.

import { agreementSpace, nashDistance, nashPoint, paretoDistance, paretoFrontier } from "./outcome-space.js";
import type { NegotiationMetrics, NegotiationResult, NegotiationSetup } from "./setup-types.js";
import { listTotal, totalPrice } from "./terms.js";
import { brandUtility, hasZoneOfAgreement, supplierUtility } from "./utility.js";

export function computeMetrics(setup: NegotiationSetup, result: Omit<NegotiationResult, "metrics">): NegotiationMetrics {
  const { persona, qualityScore } = setup.supplier;
  const zoneOfAgreement = hasZoneOfAgreement(setup, persona);
  const base: NegotiationMetrics = {
    outcome: result.outcome,
    rounds: result.rounds,
    zoneOfAgreement,
    brandUtility: 0,
    supplierUtility: 0,
    savingsVsOpeningPct: 0,
    savingsVsListPct: 0,
    paymentTermsGainDays: 0,
    leadTimeGainDays: 0,
  };
  const final = result.finalTerms;
  if (result.outcome !== "agreement" || !final) return base;
  const point = {
    brand: brandUtility(final, setup, qualityScore),
    supplier: supplierUtility(final, setup.lineItems, persona),
  };
  const space = agreementSpace(setup, persona, qualityScore);
  const opening = result.openingTerms;
  const openingTotal = opening ? totalPrice(opening) : 0;
  const list = listTotal(setup.lineItems);
  return {
    ...base,
    brandUtility: point.brand,
    supplierUtility: point.supplier,
    savingsVsOpeningPct: openingTotal > 0 ? (100 * (openingTotal - totalPrice(final))) / openingTotal : 0,
    savingsVsListPct: list > 0 ? (100 * (list - totalPrice(final))) / list : 0,
    paymentTermsGainDays: opening ? final.paymentTermsDays - opening.paymentTermsDays : 0,
    leadTimeGainDays: opening ? opening.leadTimeDays - final.leadTimeDays : 0,
    paretoDistance: paretoDistance(point, paretoFrontier(space)),
    nashDistance: nashDistance(point, nashPoint(space)),
  };
}
