import { actionGeneric, anyApi, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const whoami = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.auth.getUserIdentity(),
});

export const record = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const who = (await ctx.auth.getUserIdentity())?.tokenIdentifier ?? null;
    await ctx.db.insert("events", { text, who });
    return who;
  },
});

export const events = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("events").collect()).map(({ text, who }) => ({ text, who })),
});

/** What an action and the functions it calls see of its caller. */
export const fromAction = actionGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }): Promise<Record<string, unknown>> => ({
    action: (await ctx.auth.getUserIdentity())?.tokenIdentifier ?? null,
    query: ((await ctx.runQuery(anyApi.identity.whoami, {})) as { tokenIdentifier: string } | null)?.tokenIdentifier ?? null,
    mutation: await ctx.runMutation(anyApi.identity.record, { text }),
  }),
});
