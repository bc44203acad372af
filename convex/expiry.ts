import { internal } from "./_generated/api";
import { internalMutation } from "./model/triggers";
import { expireDueBatch } from "./model/expiry";

/**
 * Run by the cron; not reachable from clients. One bounded batch per
 * transaction (model/expiry.ts); a full batch runs the next at once.
 */
export const expireDue = internalMutation({
  args: {},
  handler: async (ctx) => {
    const { expired, full } = await expireDueBatch(ctx);
    if (full) await ctx.scheduler.runAfter(0, internal.expiry.expireDue, {});
    return expired;
  },
});
