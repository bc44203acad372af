import { v } from "convex/values";
import { memberQuery } from "./functions";
import { checkRange, loadInsights } from "./model/insights";

/** The insights over the quotes requested in [from, to) (ms; either open): all time without them. */
export const summary = memberQuery({
  args: { from: v.optional(v.number()), to: v.optional(v.number()) },
  handler: async (ctx, range) => await loadInsights(ctx, ctx.access.workspaceId, checkRange(range)),
});
