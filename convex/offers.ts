import { v } from "convex/values";
import { memberQuery } from "./functions";

export const list = memberQuery({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    const offers = await ctx.db
      .query("offers")
      .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiationId))
      .take(200);
    // Within a round, the order of creation is the order of speaking.
    return offers.sort((a, b) => a.round - b.round || a._creationTime - b._creationTime);
  },
});
