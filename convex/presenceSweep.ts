import { v } from "convex/values";
import { TERMINAL_NEGOTIATION_STATUSES } from "../src/negotiation";
import { internal } from "./_generated/api";
import { sweepClosedPresence } from "./model/presence";
import { internalMutation } from "./model/triggers";

// The daily sweep of presence rooms closed negotiations left behind (closing
// one removes its rooms already: model/presence.ts). A run takes one page and
// schedules the next, so no transaction grows with the number of negotiations.

const closedStatus = v.union(...TERMINAL_NEGOTIATION_STATUSES.map((status) => v.literal(status)));

/** Run by the cron (from the start) and by itself (from where it stopped); not reachable from clients. */
export const sweepClosed = internalMutation({
  args: { status: v.optional(closedStatus), cursor: v.optional(v.string()) },
  handler: async (ctx, { status, cursor }) => {
    const { swept, next } = await sweepClosedPresence(ctx, { status: status ?? TERMINAL_NEGOTIATION_STATUSES[0], cursor: cursor ?? null });
    if (next) await ctx.scheduler.runAfter(0, internal.presenceSweep.sweepClosed, { status: next.status, ...(next.cursor !== null ? { cursor: next.cursor } : {}) });
    return { swept, done: next === null };
  },
});
