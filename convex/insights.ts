import { v } from "convex/values";
import { internal } from "./_generated/api";
import { memberQuery } from "./functions";
import { checkRange, loadInsights } from "./model/insights";
import { backfillQuoteCountsPage } from "./model/quoteOutcomes";
import { internalMutation } from "./model/triggers";

/** The insights over the quotes requested in [from, to) (ms; either open): all time without them. */
export const summary = memberQuery({
  args: { from: v.optional(v.number()), to: v.optional(v.number()) },
  handler: async (ctx, range) => await loadInsights(ctx, ctx.access.workspaceId, checkRange(range)),
});

/**
 * Adds the quotes written before the count aggregates existed (or while they
 * were cleared) to them, a page per transaction, scheduling the next page
 * until done. Idempotent: safe to run again, or alongside live writes.
 * `npx convex run insights:backfillQuoteCounts` (docs/architecture.md).
 */
export const backfillQuoteCounts = internalMutation({
  args: { cursor: v.optional(v.union(v.string(), v.null())) },
  handler: async (ctx, { cursor }) => {
    const next = await backfillQuoteCountsPage(ctx, cursor ?? null);
    if (next !== null) await ctx.scheduler.runAfter(0, internal.insights.backfillQuoteCounts, { cursor: next });
    return { done: next === null };
  },
});
