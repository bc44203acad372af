import { v } from "convex/values";
import { buyerMutation, memberMutation, memberQuery } from "./functions";
import { getNegotiation } from "./model/negotiations";
import { markNotificationsRead, notificationsFor } from "./model/notifications";
import { setTyping, typingUntil } from "./model/presence";

// The brand side's notices, and its half of "typing…" (the supplier's half is in supplierPortal.ts).

export const list = memberQuery({
  args: {},
  handler: async (ctx) => await notificationsFor(ctx, ctx.access.user._id, "brand", ctx.access.workspaceId),
});

export const markAllRead = memberMutation({
  args: {},
  handler: async (ctx) => await markNotificationsRead(ctx, ctx.access.user._id, "brand", ctx.access.workspaceId),
});

/** A heartbeat while a brand member types to a live supplier. */
export const setBrandTyping = buyerMutation({
  args: { negotiationId: v.id("negotiations"), typing: v.boolean() },
  handler: async (ctx, { negotiationId, typing }) => {
    const negotiation = await getNegotiation(ctx, negotiationId);
    // A simulated supplier has nobody to see it.
    if (negotiation.side === "live") await setTyping(ctx, negotiation, "brand", ctx.access.user._id, typing);
    return null;
  },
});

/** Until when the live supplier's person is typing (null: not now), and what they have read. */
export const supplierPresence = memberQuery({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    const negotiation = await getNegotiation(ctx, negotiationId);
    return {
      typingUntil: await typingUntil(ctx, negotiationId, "supplier"),
      seenSeq: negotiation.supplierReadSeq ?? -1,
    };
  },
});
