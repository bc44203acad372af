// The approval rule on its own, free of server code, so the dashboard can say
// before an award whether it will need an approver: strictly above the
// workspace's threshold; with none set, never. convex/model/awards.ts enforces it.

export const exceedsThreshold = (threshold: number | null | undefined, amount: number): boolean =>
  threshold !== undefined && threshold !== null && amount > threshold;
