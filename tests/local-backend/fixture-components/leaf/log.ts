import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const append = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    await ctx.db.insert("entries", { text });
    return null;
  },
});

export const all = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("entries").collect()).map((d) => d.text) });
