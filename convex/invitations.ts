import { v } from "convex/values";
import { ownerMutation, ownerQuery, userMutation, userQuery } from "./functions";
import {
  acceptInvitation,
  createInvitation,
  pendingInvitations,
  previewInvitation,
  revokeInvitation,
} from "./model/invitations";
import { role } from "./schema";

/** A single-use link for a teammate; the token is returned this once and only its hash is kept. */
export const create = ownerMutation({
  args: { role },
  handler: async (ctx, args) => await createInvitation(ctx, ctx.access.workspaceId, ctx.access.user._id, args.role),
});

export const list = ownerQuery({
  args: {},
  handler: async (ctx) => await pendingInvitations(ctx, ctx.access.workspaceId),
});

export const revoke = ownerMutation({
  args: { invitationId: v.id("invitations") },
  handler: async (ctx, { invitationId }) => {
    await revokeInvitation(ctx, invitationId);
    return null;
  },
});

/** For a signed-in person holding a link: what it invites them to, or why it no longer works. */
export const preview = userQuery({
  args: { token: v.string() },
  handler: async (ctx, { token }) => await previewInvitation(ctx, token, ctx.user._id),
});

export const accept = userMutation({
  args: { token: v.string() },
  handler: async (ctx, { token }) => await acceptInvitation(ctx, token, ctx.user._id),
});
