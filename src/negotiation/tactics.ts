// Time-dependent concession tactics (Faratin, Sierra & Jennings 1998).

/** Time in [0, 1] of the offer made in `round` (round 1 = the opening quote). */
export function negotiationTime(round: number, maxRounds: number): number {
  return maxRounds <= 1 ? 1 : Math.min(1, Math.max(0, (round - 1) / (maxRounds - 1)));
}

/** The round of the brand's last offer: the supplier opens, so the brand offers in even rounds, and the last round is an answer. */
export function lastBrandOfferRound(maxRounds: number): number {
  return maxRounds % 2 === 0 ? maxRounds : maxRounds - 1;
}

/**
 * A brand tactic's clock: 0 at its first offer (round 2), 1 at its last one.
 * Deadline-aware: a tactic whose clock ran to maxRounds would never reach its
 * limits when the supplier has the last word.
 */
export function brandOfferTime(round: number, maxRounds: number): number {
  return negotiationTime(round - 1, lastBrandOfferRound(maxRounds) - 1);
}

/**
 * Faratin's family, share of the range still held: 1 - t^(1/e).
 * e < 1 Boulware (holds firm, concedes late), e = 1 linear, e > 1 conceder.
 */
export function faratinAspiration(t: number, e: number): number {
  return 1 - Math.pow(t, 1 / Math.max(e, 1e-3));
}

/**
 * NegMAS's aspiration form, 1 - t^e, whose named exponents are boulware = 4,
 * linear = 1, conceder = 0.25 (the reciprocal of Faratin's e).
 */
export function negmasAspiration(t: number, exponent: number): number {
  return 1 - Math.pow(t, exponent);
}

export const NEGMAS_EXPONENTS = { boulware: 4, linear: 1, conceder: 0.25 } as const;
