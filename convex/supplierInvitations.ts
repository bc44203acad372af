import { v } from "convex/values";
import { buyerMutation, buyerQuery } from "./functions";
import { inviteContact, invitationsOfQuote, resendInvitation, revokeInvitation } from "./model/supplierInvitations";

// The brand inviting a person at a live supplier into a negotiation. Buyers
// and owners only: a link lets its holder speak for the supplier, so viewers
// do not see links.

/** Returns the link's token; the dashboard shows the link, and the quote worker emails it when mail is set up. */
export const create = buyerMutation({
  args: { negotiationId: v.id("negotiations"), name: v.string(), email: v.string() },
  handler: async (ctx, { negotiationId, name, email }) => await inviteContact(ctx, negotiationId, { name, email }, ctx.access.user._id),
});

/** The quote's invitations, with each pending one's link. */
export const listForQuote = buyerQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => await invitationsOfQuote(ctx, quoteId),
});

/** A new link (the old one stops working), emailed again when mail is set up. */
export const resend = buyerMutation({
  args: { invitationId: v.id("supplierInvitations") },
  handler: async (ctx, { invitationId }) => await resendInvitation(ctx, invitationId),
});

export const revoke = buyerMutation({
  args: { invitationId: v.id("supplierInvitations") },
  handler: async (ctx, { invitationId }) => {
    await revokeInvitation(ctx, invitationId);
    return null;
  },
});
