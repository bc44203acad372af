import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import { wrapDatabaseReader, wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";
import { v } from "convex/values";
import { query, type QueryCtx } from "./_generated/server";
// Triggers wrapped: writes keep the aggregates in step (model/triggers.ts).
import { mutation } from "./model/triggers";
import { requireMember, requireUser, workspaceRules } from "./model/access";
import type { Role } from "./model/roles";
import { requireServiceKey } from "./model/auth";
import { requireSupplierContact, supplierRules } from "./model/supplierAccess";

// The one layer that says who may call what. Every public function of convex/
// is built with one of these (tests/convex/access.test.ts proves it):
// - member*/buyer*/approver*/owner*: a signed-in member of the `workspaceId` argument with
//   at least that role; `ctx.db` only sees and writes that workspace's rows;
// - user*: any signed-in user, for what comes before a workspace (create one,
//   accept an invitation);
// - supplier*: a live supplier's contact, signed in, on the negotiation it was
//   invited to (`negotiationId` argument); `ctx.db` sees only that negotiation
//   and what hangs off it (convex/model/supplierAccess.ts);
// - service*: the quote worker, with the service key (`serviceKey` argument).

const workspaceArgs = { workspaceId: v.id("workspaces") };
const DENY = { defaultPolicy: "deny" } as const;

function scopedQuery(least: Role) {
  return customQuery(query, {
    args: workspaceArgs,
    input: async (ctx, { workspaceId }) => {
      const access = await requireMember(ctx, workspaceId, least);
      return { ctx: { access, db: wrapDatabaseReader({ workspaceId }, ctx.db, workspaceRules(ctx.db), DENY) }, args: {} };
    },
  });
}

function scopedMutation(least: Role) {
  return customMutation(mutation, {
    args: workspaceArgs,
    input: async (ctx, { workspaceId }) => {
      const access = await requireMember(ctx, workspaceId, least);
      return { ctx: { access, db: wrapDatabaseWriter({ workspaceId }, ctx.db, workspaceRules(ctx.db), DENY) }, args: {} };
    },
  });
}

export const memberQuery = scopedQuery("viewer");
export const buyerQuery = scopedQuery("buyer");
export const ownerQuery = scopedQuery("owner");
export const memberMutation = scopedMutation("viewer");
export const buyerMutation = scopedMutation("buyer");
export const approverMutation = scopedMutation("approver");
export const ownerMutation = scopedMutation("owner");

export const userQuery = customQuery(query, customCtx(async (ctx) => ({ user: await requireUser(ctx) })));
export const userMutation = customMutation(mutation, customCtx(async (ctx) => ({ user: await requireUser(ctx) })));

// A string, not v.id: an id of another table, or none at all, is FORBIDDEN like any other negotiation not the caller's.
const supplierArgs = { negotiationId: v.string() };

export const supplierQuery = customQuery(query, {
  args: supplierArgs,
  input: async (ctx, { negotiationId }) => {
    const supplier = await requireSupplierContact(ctx, negotiationId);
    return { ctx: { supplier, db: wrapDatabaseReader(supplier, ctx.db, supplierRules(ctx.db), DENY) }, args: {} };
  },
});

export const supplierMutation = customMutation(mutation, {
  args: supplierArgs,
  input: async (ctx, { negotiationId }) => {
    const supplier = await requireSupplierContact(ctx, negotiationId);
    return { ctx: { supplier, db: wrapDatabaseWriter(supplier, ctx.db, supplierRules(ctx.db), DENY) }, args: {} };
  },
});

const serviceArgs = { serviceKey: v.string() };
const service = {
  args: serviceArgs,
  input: async (ctx: { auth: QueryCtx["auth"] }, { serviceKey }: { serviceKey: string }) => {
    // A signed-in person (a member, a supplier's contact) is known and still not the worker: FORBIDDEN.
    requireServiceKey(serviceKey, (await ctx.auth.getUserIdentity()) !== null);
    return { ctx: {}, args: {} };
  },
};
export const serviceQuery = customQuery(query, service);
export const serviceMutation = customMutation(mutation, service);
