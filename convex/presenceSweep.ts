import { v } from "convex/values";
import { TERMINAL_NEGOTIATION_STATUSES } from "../src/negotiation";
import { internal } from "./_generated/api";
import { SWEEP_WINDOW_MS, sweepClosedPresence } from "./model/presence";
import { internalMutation } from "./model/triggers";

// The daily sweep of presence rooms closed negotiations left behind (closing
// one removes its rooms already: model/presence.ts). It looks at what closed in
// the last SWEEP_WINDOW_MS (`since: 0` looks at everything). A run takes one
// page and schedules the next, so no transaction grows with the number of
// negotiations.

const closedStatus = v.union(...TERMINAL_NEGOTIATION_STATUSES.map((status) => v.literal(status)));

/** Run by the cron (from the start) and by itself (from where it stopped); not reachable from clients. */
export const sweepClosed = internalMutation({
  args: { status: v.optional(closedStatus), cursor: v.optional(v.string()), since: v.optional(v.number()) },
  handler: async (ctx, { status, cursor, since }) => {
    // Fixed by the first run, so every page of one sweep reads the same window.
    const from = since ?? Date.now() - SWEEP_WINDOW_MS;
    const { swept, next } = await sweepClosedPresence(ctx, { status: status ?? TERMINAL_NEGOTIATION_STATUSES[0], cursor: cursor ?? null, since: from });
    if (next) await ctx.scheduler.runAfter(0, internal.presenceSweep.sweepClosed, { status: next.status, since: from, ...(next.cursor !== null ? { cursor: next.cursor } : {}) });
    return { swept, done: next === null };
  },
});
