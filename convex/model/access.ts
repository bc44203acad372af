import type { Rules } from "convex-helpers/server/rowLevelSecurity";
import type { DataModel, Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { fail } from "./errors";
import { type Role, roleAtLeast, roleWithArticle } from "./roles";

// Who is calling and what they may see. Every public function goes through the
// builders in convex/functions.ts, which call these; no handler checks by hand.

/**
 * The signed-in user, from a Convex Auth token (`subject` = `userId|sessionId`).
 * The session must still exist, so signing out takes effect at once, not when
 * the token expires.
 */
export async function requireUser(ctx: QueryCtx): Promise<Doc<"users">> {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) fail("UNAUTHENTICATED", "Sign in to continue");
  const [userPart, sessionPart] = identity.subject.split("|");
  const userId = userPart ? ctx.db.normalizeId("users", userPart) : null;
  const sessionId = sessionPart ? ctx.db.normalizeId("authSessions", sessionPart) : null;
  const session = sessionId ? await ctx.db.get(sessionId) : null;
  if (!userId || !session || session.userId !== userId || session.expirationTime <= Date.now()) {
    fail("UNAUTHENTICATED", "Your session has ended: sign in again");
  }
  const user = await ctx.db.get(userId);
  if (!user) fail("UNAUTHENTICATED", "Your account no longer exists");
  return user;
}

export async function membershipOf(db: QueryCtx["db"], workspaceId: Id<"workspaces">, userId: Id<"users">) {
  return await db
    .query("members")
    .withIndex("by_workspaceId_and_userId", (q) => q.eq("workspaceId", workspaceId).eq("userId", userId))
    .unique();
}

export type Access = { user: Doc<"users">; member: Doc<"members">; workspaceId: Id<"workspaces"> };

/** The caller is a member of the workspace with at least `least`; otherwise UNAUTHENTICATED or FORBIDDEN. */
export async function requireMember(ctx: QueryCtx, workspaceId: Id<"workspaces">, least: Role): Promise<Access> {
  const user = await requireUser(ctx);
  const member = await membershipOf(ctx.db, workspaceId, user._id);
  if (!member) fail("FORBIDDEN", "You are not a member of this workspace", "workspaceId");
  if (!roleAtLeast(member.role, least)) {
    fail("FORBIDDEN", `This needs the ${least} role; you are ${roleWithArticle(member.role)} in this workspace`);
  }
  return { user, member, workspaceId };
}

type Scoped = { workspaceId: Id<"workspaces"> };
const inWorkspace = async ({ workspaceId }: Scoped, doc: { workspaceId: Id<"workspaces"> }) =>
  doc.workspaceId === workspaceId;
const scopedTable = { read: inWorkspace, modify: inWorkspace, insert: inWorkspace };

/**
 * Row-level security for a member's functions: every row read or written
 * belongs to the caller's workspace. A row of another workspace reads as absent
 * (so its id is "not found", never "forbidden"), and writing one throws. Tables
 * not listed (the auth tables) are closed.
 */
export function workspaceRules(db: QueryCtx["db"]): Rules<Scoped, DataModel> {
  return {
    workspaces: { read: async ({ workspaceId }, doc) => doc._id === workspaceId, modify: async ({ workspaceId }, doc) => doc._id === workspaceId },
    members: scopedTable,
    invitations: scopedTable,
    products: scopedTable,
    suppliers: scopedTable,
    quotes: scopedTable,
    negotiations: scopedTable,
    offers: scopedTable,
    messages: scopedTable,
    messageDeltas: scopedTable,
    events: scopedTable,
    awards: scopedTable,
    approvals: scopedTable,
    purchaseOrders: scopedTable,
    supplierContacts: scopedTable,
    supplierInvitations: scopedTable,
    notifications: scopedTable,
    typing: scopedTable,
    // Read by the quote's members (attachments.list, any role; a supplier
    // principal of issue 10 will read its own quotes' files through its own
    // builder: convex/model/attachments.ts attachmentsOfQuote). A stored file is
    // held by one quote ever: the insert looks across every workspace (`db` is
    // unscoped) so that no one can attach, or then delete, a file another quote holds.
    attachments: {
      ...scopedTable,
      insert: async (scope, doc) => {
        if (!(await inWorkspace(scope, doc))) return false;
        const holder = await db
          .query("attachments")
          .withIndex("by_storageId", (q) => q.eq("storageId", doc.storageId))
          .first();
        if (holder) fail("CONFLICT", "This file is already attached to a quote: upload it again to attach it here", "storageId");
        return true;
      },
    },
    // A member sees the accounts of the workspace's members, no one else's.
    users: { read: async ({ workspaceId }, user) => (await membershipOf(db, workspaceId, user._id)) !== null },
  };
}
