import { v } from "convex/values";
import { buyerMutation, memberMutation, memberQuery } from "./functions";
import { getNegotiation } from "./model/negotiations";
import { markNotificationsRead, notificationsFor } from "./model/notifications";
import { isTyping, leaveViewing, setTyping, viewers, viewingBeat } from "./model/presence";

// The brand side's notices, and its half of "typing…" and "viewing" (the
// supplier's half is in supplierPortal.ts; both on convex/model/presence.ts).

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

/** A beat from a member's open page on a live negotiation (`viewing: false` when the page closes); any member may look. */
export const setBrandViewing = memberMutation({
  args: { negotiationId: v.id("negotiations"), pageId: v.string(), viewing: v.boolean() },
  handler: async (ctx, { negotiationId, pageId, viewing }) => {
    const negotiation = await getNegotiation(ctx, negotiationId);
    if (negotiation.side !== "live") return null;
    if (viewing) await viewingBeat(ctx, negotiation, "brand", ctx.access.user._id, pageId);
    else await leaveViewing(ctx, negotiation, "brand", ctx.access.user._id, pageId);
    return null;
  },
});

/** Whether the live supplier's person is typing, and has the negotiation open, now; and what they have read. */
export const supplierPresence = memberQuery({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    const negotiation = await getNegotiation(ctx, negotiationId);
    return {
      typing: await isTyping(ctx, negotiationId, "supplier"),
      viewing: (await viewers(ctx, negotiationId, "supplier")).length > 0,
      seenSeq: negotiation.supplierReadSeq ?? -1,
    };
  },
});
