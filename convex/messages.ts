import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { memberMutation, memberQuery } from "./functions";
import { streamedText, streamingMessages } from "./model/messages";
import { getNegotiation } from "./model/negotiations";
import { markRead as markSideRead } from "./model/readState";

export const list = memberQuery({
  args: { negotiationId: v.id("negotiations"), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { negotiationId, paginationOpts }) =>
    await ctx.db
      .query("messages")
      .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId))
      .order("asc")
      .paginate(paginationOpts),
});

/**
 * The text so far of the negotiation's messages still streaming, by message id:
 * what the chat shows in place of their first words. Kept apart from `list` so
 * that a streamed piece re-runs only this small query, not the whole page.
 */
export const streaming = memberQuery({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    await getNegotiation(ctx, negotiationId);
    const texts: { messageId: Id<"messages">; content: string }[] = [];
    for (const message of await streamingMessages(ctx, negotiationId)) {
      texts.push({ messageId: message._id, content: await streamedText(ctx, message) });
    }
    return texts;
  },
});

/** Any member, a viewer included: reading is what a viewer does. The brand side's count and read mark. */
export const markRead = memberMutation({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => await markSideRead(ctx, await getNegotiation(ctx, negotiationId), "brand"),
});
