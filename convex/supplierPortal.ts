import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { supplierMutation, supplierQuery, userMutation, userQuery } from "./functions";
import { markNotificationsRead, notificationsFor } from "./model/notifications";
import { leaveViewing, setTyping, viewingBeat } from "./model/presence";
import { markRead } from "./model/readState";
import { acceptBrandOffer, declineNegotiation, makeOffer, sendSupplierMessage, supplierOfferArgs } from "./model/supplierActions";
import { acceptSupplierInvitation, previewSupplierInvitation } from "./model/supplierInvitations";
import { myNegotiations, supplierMessages, supplierNegotiationView, supplierStreaming } from "./model/supplierViews";

// The supplier portal: a live supplier's person, signed in, on the
// negotiations they were invited to (convex/functions.ts supplier*). Every
// answer is built by an allow-list in convex/model/supplierViews.ts.

/** For a signed-in person holding a link: whom it is from, or why it no longer works. */
export const previewInvitation = userQuery({
  args: { token: v.string() },
  handler: async (ctx, { token }) => await previewSupplierInvitation(ctx, token, ctx.user._id),
});

/** Joins the negotiation; returns its id. */
export const acceptInvitation = userMutation({
  args: { token: v.string() },
  handler: async (ctx, { token }) => await acceptSupplierInvitation(ctx, token, ctx.user._id),
});

export const myNegotiationsList = userQuery({
  args: {},
  handler: async (ctx) => await myNegotiations(ctx, ctx.user._id),
});

export const negotiation = supplierQuery({
  args: {},
  handler: async (ctx) => await supplierNegotiationView(ctx, ctx.supplier),
});

export const messages = supplierQuery({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) => await supplierMessages(ctx, ctx.supplier.negotiation._id, paginationOpts),
});

export const streaming = supplierQuery({
  args: {},
  handler: async (ctx) => await supplierStreaming(ctx, ctx.supplier.negotiation._id),
});

export const markMessagesRead = supplierMutation({
  args: {},
  handler: async (ctx) => await markRead(ctx, (await ctx.db.get(ctx.supplier.negotiation._id))!, "supplier"),
});

/** Returns the offer's id, or null when it came after the last round and the negotiation ended without agreement. */
export const makeSupplierOffer = supplierMutation({
  args: supplierOfferArgs,
  handler: async (ctx, args) => await makeOffer(ctx, ctx.supplier, args),
});

export const sendMessage = supplierMutation({
  args: { content: v.string() },
  handler: async (ctx, { content }) => await sendSupplierMessage(ctx, ctx.supplier, content),
});

export const acceptOffer = supplierMutation({
  args: {},
  handler: async (ctx) => {
    await acceptBrandOffer(ctx, ctx.supplier);
    return null;
  },
});

export const decline = supplierMutation({
  args: { reason: v.string() },
  handler: async (ctx, { reason }) => {
    await declineNegotiation(ctx, ctx.supplier, reason);
    return null;
  },
});

/** A heartbeat while the supplier's person types (typing: false when they stop). */
export const setTypingState = supplierMutation({
  args: { typing: v.boolean() },
  handler: async (ctx, { typing }) => {
    await setTyping(ctx, ctx.supplier.negotiation, "supplier", ctx.supplier.user._id, typing);
    return null;
  },
});

/** A beat from the supplier's person's open page (`viewing: false` when it closes): the brand sees them "viewing". */
export const setViewingState = supplierMutation({
  args: { pageId: v.string(), viewing: v.boolean() },
  handler: async (ctx, { pageId, viewing }) => {
    const { negotiation, user } = ctx.supplier;
    if (viewing) await viewingBeat(ctx, negotiation, "supplier", user._id, pageId);
    else await leaveViewing(ctx, negotiation, "supplier", user._id, pageId);
    return null;
  },
});

export const notifications = userQuery({
  args: {},
  handler: async (ctx) => await notificationsFor(ctx, ctx.user._id, "supplier"),
});

export const markNotificationsSeen = userMutation({
  args: {},
  handler: async (ctx) => await markNotificationsRead(ctx, ctx.user._id, "supplier"),
});
