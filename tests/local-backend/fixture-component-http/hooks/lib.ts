import { actionGeneric, internalMutationGeneric } from "convex/server";
import { v } from "convex/values";

export const record = internalMutationGeneric({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    await ctx.db.insert("events", { body });
    return (await ctx.db.query("events").collect()).length;
  },
});

export const site = actionGeneric({ args: {}, handler: async () => process.env.CONVEX_SITE_URL ?? null });
