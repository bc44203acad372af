import type { Rules } from "convex-helpers/server/rowLevelSecurity";
import type { DataModel, Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { requireUser } from "./access";
import { fail } from "./errors";

// Who a supplier principal is and what it may touch: a signed-in user whose
// supplier contact holds the negotiation it names. Anything else (another
// negotiation, a malformed or unknown id, a negotiation of the same supplier
// that this contact was not invited to) is FORBIDDEN, with one message, so the
// answer says nothing about what exists.

export type SupplierAccess = {
  user: Doc<"users">;
  contact: Doc<"supplierContacts">;
  negotiation: Doc<"negotiations">;
  workspaceId: Id<"workspaces">;
};

const NOT_YOURS = "This negotiation is not one you were invited to";

export async function requireSupplierContact(ctx: QueryCtx, negotiationId: string): Promise<SupplierAccess> {
  const user = await requireUser(ctx);
  const id = ctx.db.normalizeId("negotiations", negotiationId);
  const negotiation = id ? await ctx.db.get(id) : null;
  const contact = negotiation?.contactId ? await ctx.db.get(negotiation.contactId) : null;
  if (!negotiation || negotiation.side !== "live" || !contact || contact.userId !== user._id) {
    fail("FORBIDDEN", NOT_YOURS, "negotiationId");
  }
  return { user, contact, negotiation, workspaceId: negotiation.workspaceId };
}

/** The supplier contacts a user is, across workspaces (one per supplier that invited them). */
export async function contactsOf(ctx: QueryCtx, userId: Id<"users">): Promise<Doc<"supplierContacts">[]> {
  return await ctx.db
    .query("supplierContacts")
    .withIndex("by_userId", (q) => q.eq("userId", userId))
    .take(100);
}

type Check<T> = (access: SupplierAccess, doc: T) => Promise<boolean>;
const ownNegotiation: Check<{ negotiationId: Id<"negotiations"> }> = async (a, doc) => doc.negotiationId === a.negotiation._id;
const ownQuote: Check<{ quoteId: Id<"quotes"> }> = async (a, doc) => doc.quoteId === a.negotiation.quoteId;
const sameWorkspace: Check<{ workspaceId: Id<"workspaces"> }> = async (a, doc) => doc.workspaceId === a.workspaceId;
const never = async () => false;
const perNegotiation = { read: ownNegotiation, modify: ownNegotiation, insert: ownNegotiation };

/**
 * Row-level security for a supplier principal's functions, under the views'
 * allow-lists: its negotiation and what hangs off it, its quote (which a move
 * wakes), the award and purchase order only when they are its own. Notices
 * and events it writes go to the brand's workspace; it reads neither the
 * brand's events nor anyone else's notices. Tables not listed are closed.
 */
export function supplierRules(db: QueryCtx["db"]): Rules<SupplierAccess, DataModel> {
  return {
    negotiations: {
      read: async (a, doc) => doc._id === a.negotiation._id,
      modify: async (a, doc) => doc._id === a.negotiation._id,
    },
    quotes: {
      read: async (a, doc) => doc._id === a.negotiation.quoteId,
      modify: async (a, doc) => doc._id === a.negotiation.quoteId,
    },
    workspaces: { read: async (a, doc) => doc._id === a.workspaceId },
    suppliers: { read: async (a, doc) => doc._id === a.negotiation.supplierId },
    supplierContacts: { read: async (a, doc) => doc._id === a.contact._id },
    users: { read: async (a, doc) => doc._id === a.user._id },
    offers: perNegotiation,
    messages: perNegotiation,
    messageDeltas: perNegotiation,
    typing: perNegotiation,
    supplierInvitations: { read: ownNegotiation, modify: ownNegotiation },
    attachments: { read: ownQuote, modify: never, insert: never },
    awards: { read: async (a, doc) => doc.negotiationId === a.negotiation._id },
    purchaseOrders: {
      read: async (a, doc) => (await ownQuote(a, doc)) && (await db.get(doc.awardId))?.negotiationId === a.negotiation._id,
    },
    // Fan-out of the brand's notices reads who the members are; nothing returns them.
    members: { read: sameWorkspace },
    notifications: {
      read: async (a, doc) => doc.userId === a.user._id,
      modify: async (a, doc) => doc.userId === a.user._id,
      insert: sameWorkspace,
    },
    events: { read: never, insert: async (a, doc) => (await sameWorkspace(a, doc)) && doc.negotiationId === a.negotiation._id },
  };
}
