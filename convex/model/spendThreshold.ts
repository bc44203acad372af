import { type Currency, formatMoney } from "./currency";

// The approval rule on its own, free of server code, so the dashboard can say
// before an award whether it will need an approver: strictly above the
// workspace's threshold; with none set, never. The threshold is in the
// workspace's currency: a quote requested in another one (before the workspace
// changed currency) cannot be compared with it, so while a threshold is set
// such an award always needs an approver. convex/model/awards.ts enforces it.

export const exceedsThreshold = (threshold: number | null | undefined, amount: number, sameCurrency = true): boolean =>
  threshold !== undefined && threshold !== null && (!sameCurrency || amount > threshold);

/**
 * Why an award needs an approver, in words, for the server's refusal and the
 * dashboard's notice alike: "above the workspace's approval threshold of
 * €10,000.00", or "in EUR, not the GBP of the workspace's approval threshold".
 */
export function approvalReason(threshold: number, quoteCurrency: Currency, workspaceCurrency: Currency): string {
  return quoteCurrency === workspaceCurrency
    ? `above the workspace's approval threshold of ${formatMoney(threshold, workspaceCurrency)}`
    : `in ${quoteCurrency}, not the ${workspaceCurrency} of the workspace's approval threshold`;
}
