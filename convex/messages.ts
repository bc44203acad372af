import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { memberMutation, memberQuery } from "./functions";
import { getNegotiation } from "./model/negotiations";

export const list = memberQuery({
  args: { negotiationId: v.id("negotiations"), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { negotiationId, paginationOpts }) =>
    await ctx.db
      .query("messages")
      .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId))
      .order("asc")
      .paginate(paginationOpts),
});

/** Any member, a viewer included: reading is what a viewer does. */
export const markRead = memberMutation({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    await getNegotiation(ctx, negotiationId);
    const unread = await ctx.db
      .query("messages")
      .withIndex("by_negotiationId_and_readAt", (q) => q.eq("negotiationId", negotiationId).eq("readAt", undefined))
      .take(1000);
    const now = Date.now();
    for (const message of unread) await ctx.db.patch(message._id, { readAt: now });
    return unread.length;
  },
});
