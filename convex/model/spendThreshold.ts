// The approval rule on its own, free of server code, so the dashboard can say
// before an award whether it will need an approver: strictly above the
// workspace's threshold; with none set, never. The threshold is in the
// workspace's currency: a quote requested in another one (before the workspace
// changed currency) cannot be compared with it, so while a threshold is set
// such an award always needs an approver. convex/model/awards.ts enforces it.

export const exceedsThreshold = (threshold: number | null | undefined, amount: number, sameCurrency = true): boolean =>
  threshold !== undefined && threshold !== null && (!sameCurrency || amount > threshold);
