import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Side } from "./readState";

// In-app notices. The brand side's go to every member of the workspace; a
// supplier's to the user behind the negotiation's contact. Each is one row
// per person, so each reads and clears their own.

export type NoticeKind =
  | "supplier_offer"
  | "supplier_message"
  | "supplier_accepted"
  | "supplier_declined"
  | "supplier_joined"
  | "deadline_near"
  | "expired"
  | "brand_offer"
  | "brand_message"
  | "awarded"
  | "not_awarded"
  | "closed";

type Notice = { kind: NoticeKind; text: string; negotiation: Doc<"negotiations"> };

/** Members told at most: a workspace is a team, not a mailing list. */
const MAX_RECIPIENTS = 100;
export const NOTIFICATION_PAGE = 50;

export async function notifyBrand(ctx: MutationCtx, { kind, text, negotiation }: Notice): Promise<void> {
  const members = await ctx.db
    .query("members")
    .withIndex("by_workspaceId_and_userId", (q) => q.eq("workspaceId", negotiation.workspaceId))
    .take(MAX_RECIPIENTS);
  const now = Date.now();
  for (const member of members) {
    await ctx.db.insert("notifications", {
      workspaceId: negotiation.workspaceId,
      userId: member.userId,
      audience: "brand",
      kind,
      text,
      quoteId: negotiation.quoteId,
      negotiationId: negotiation._id,
      createdAt: now,
    });
  }
}

/** Tells the live supplier's person, once one has accepted the invitation; a simulated supplier has nobody to tell. */
export async function notifySupplier(ctx: MutationCtx, { kind, text, negotiation }: Notice): Promise<void> {
  if (negotiation.side !== "live" || !negotiation.contactId) return;
  const contact = await ctx.db.get(negotiation.contactId);
  if (!contact?.userId) return;
  await ctx.db.insert("notifications", {
    workspaceId: negotiation.workspaceId,
    userId: contact.userId,
    audience: "supplier",
    kind,
    text,
    quoteId: negotiation.quoteId,
    negotiationId: negotiation._id,
    createdAt: Date.now(),
  });
}

/** The rows of one person's notices on one side: in one workspace (the brand's), or across them (a supplier's). */
function noticesOf(ctx: QueryCtx, userId: Id<"users">, audience: Side, workspaceId: Id<"workspaces"> | undefined, unreadOnly: boolean) {
  const query = ctx.db.query("notifications");
  if (workspaceId === undefined) {
    return unreadOnly
      ? query.withIndex("by_userId_and_audience_and_readAt", (q) => q.eq("userId", userId).eq("audience", audience).eq("readAt", undefined))
      : query.withIndex("by_userId_and_audience_and_createdAt", (q) => q.eq("userId", userId).eq("audience", audience));
  }
  return unreadOnly
    ? query.withIndex("by_userId_and_workspaceId_and_audience_and_readAt", (q) =>
        q.eq("userId", userId).eq("workspaceId", workspaceId).eq("audience", audience).eq("readAt", undefined),
      )
    : query.withIndex("by_userId_and_workspaceId_and_audience_and_createdAt", (q) =>
        q.eq("userId", userId).eq("workspaceId", workspaceId).eq("audience", audience),
      );
}

/** Unread notices counted at most (the badge says "99+" before). */
const UNREAD_CAP = 100;

export async function notificationsFor(ctx: QueryCtx, userId: Id<"users">, audience: Side, workspaceId?: Id<"workspaces">) {
  const recent = await noticesOf(ctx, userId, audience, workspaceId, false).order("desc").take(NOTIFICATION_PAGE);
  const unread = await noticesOf(ctx, userId, audience, workspaceId, true).take(UNREAD_CAP);
  return {
    items: recent.map(({ _id, kind, text, quoteId, negotiationId, createdAt, readAt }) => ({
      _id,
      kind,
      text,
      quoteId: quoteId ?? null,
      negotiationId: negotiationId ?? null,
      createdAt,
      read: readAt !== undefined,
    })),
    unread: unread.length,
  };
}

export async function markNotificationsRead(ctx: MutationCtx, userId: Id<"users">, audience: Side, workspaceId?: Id<"workspaces">): Promise<number> {
  const unread = await noticesOf(ctx, userId, audience, workspaceId, true).take(UNREAD_CAP);
  const now = Date.now();
  for (const n of unread) await ctx.db.patch(n._id, { readAt: now });
  return unread.length;
}
