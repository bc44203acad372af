import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { membershipOf } from "./access";
import type { Role } from "./roles";
import { fail } from "./errors";
import { logEvent } from "./events";

// Invitations to a workspace: a link carrying a single-use token that expires.
// Only the token's SHA-256 is stored, so a copy of the database opens no door.

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function createInvitation(
  ctx: MutationCtx,
  workspaceId: Id<"workspaces">,
  invitedBy: Id<"users">,
  role: Role,
): Promise<{ invitationId: Id<"invitations">; token: string; expiresAt: number }> {
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const now = Date.now();
  const expiresAt = now + INVITATION_TTL_MS;
  const invitationId = await ctx.db.insert("invitations", {
    workspaceId,
    role,
    tokenHash: await hashToken(token),
    invitedBy,
    createdAt: now,
    expiresAt,
  });
  await logEvent(ctx, { workspaceId, type: "invitation.created", actor: "user", data: { role } });
  return { invitationId, token, expiresAt };
}

/** Why an invitation can no longer be used, in words; null when it can. */
function unusable(invitation: Doc<"invitations">, now: number): { code: "CLOSED" | "EXPIRED"; message: string } | null {
  if (invitation.revokedAt !== undefined) return { code: "CLOSED", message: "This invitation was revoked by the workspace's owner" };
  if (invitation.acceptedAt !== undefined) return { code: "CLOSED", message: "This invitation has already been used" };
  if (invitation.expiresAt <= now) return { code: "EXPIRED", message: "This invitation has expired: ask for a new link" };
  return null;
}

async function invitationByToken(ctx: QueryCtx, token: string): Promise<Doc<"invitations">> {
  const tokenHash = token.length > 0 && token.length <= 200 ? await hashToken(token) : "";
  const found = await ctx.db
    .query("invitations")
    .withIndex("by_tokenHash", (q) => q.eq("tokenHash", tokenHash))
    .unique();
  if (!found) fail("NOT_FOUND", "This invitation link is not valid: check that you copied all of it", "token");
  return found;
}

/** What the person holding a link is invited to, or why the link no longer works. */
export async function previewInvitation(ctx: QueryCtx, token: string, userId: Id<"users">) {
  const invitation = await invitationByToken(ctx, token);
  const problem = unusable(invitation, Date.now());
  const workspace = await ctx.db.get(invitation.workspaceId);
  const alreadyMember = (await membershipOf(ctx.db, invitation.workspaceId, userId)) !== null;
  return {
    workspaceName: workspace?.name ?? "a deleted workspace",
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    alreadyMember,
    ...(problem ? { problem: problem.message } : {}),
  };
}

/** Joins the workspace with the invitation's role; the token is spent. */
export async function acceptInvitation(ctx: MutationCtx, token: string, userId: Id<"users">): Promise<Id<"workspaces">> {
  const invitation = await invitationByToken(ctx, token);
  const problem = unusable(invitation, Date.now());
  if (problem) fail(problem.code, problem.message, "token");
  if (!(await ctx.db.get(invitation.workspaceId))) fail("NOT_FOUND", "The workspace of this invitation no longer exists", "token");
  const now = Date.now();
  await ctx.db.patch(invitation._id, { acceptedBy: userId, acceptedAt: now });
  if (!(await membershipOf(ctx.db, invitation.workspaceId, userId))) {
    await ctx.db.insert("members", { workspaceId: invitation.workspaceId, userId, role: invitation.role, joinedAt: now });
    await logEvent(ctx, { workspaceId: invitation.workspaceId, type: "member.joined", actor: "user", data: { userId, role: invitation.role } });
  }
  return invitation.workspaceId;
}

/** Pending invitations of a workspace, newest first; the token itself is never shown again. */
export async function pendingInvitations(ctx: QueryCtx, workspaceId: Id<"workspaces">) {
  const now = Date.now();
  const all = await ctx.db
    .query("invitations")
    .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
    .order("desc")
    .take(200);
  return all
    .filter((invitation) => unusable(invitation, now) === null)
    .map(({ _id, role, createdAt, expiresAt }) => ({ _id, role, createdAt, expiresAt }));
}

export async function revokeInvitation(ctx: MutationCtx, invitationId: Id<"invitations">): Promise<void> {
  const invitation = await ctx.db.get(invitationId);
  if (!invitation) fail("NOT_FOUND", "Invitation not found", "invitationId");
  if (invitation.revokedAt !== undefined || invitation.acceptedAt !== undefined) return;
  const now = Date.now();
  await ctx.db.patch(invitationId, { revokedAt: now });
  await logEvent(ctx, { workspaceId: invitation.workspaceId, type: "invitation.revoked", actor: "user" });
}
