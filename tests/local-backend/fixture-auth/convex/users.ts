import { getAuthUserId } from "@convex-dev/auth/server";
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const whoami = queryGeneric({
  args: {},
  handler: async (ctx) => ({ identity: await ctx.auth.getUserIdentity(), userId: await getAuthUserId(ctx) }),
});

export const addNote = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const userId = await getAuthUserId(ctx);
    if (userId === null) throw new Error("Not signed in");
    return await ctx.db.insert("notes", { userId, text });
  },
});

export const myNotes = queryGeneric({
  args: {},
  handler: async (ctx) => {
    const userId = await getAuthUserId(ctx);
    if (userId === null) return null;
    const notes = await ctx.db.query("notes").withIndex("by_user", (q) => q.eq("userId", userId)).collect();
    return notes.map((n) => n.text);
  },
});
