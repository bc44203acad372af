import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import { wrapDatabaseReader, wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";
import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { requireMember, requireUser, workspaceRules } from "./model/access";
import type { Role } from "./model/roles";
import { requireServiceKey } from "./model/auth";

// The one layer that says who may call what. Every public function of convex/
// is built with one of these (tests/convex/access.test.ts proves it):
// - member*/buyer*/approver*/owner*: a signed-in member of the `workspaceId` argument with
//   at least that role; `ctx.db` only sees and writes that workspace's rows;
// - user*: any signed-in user, for what comes before a workspace (create one,
//   accept an invitation);
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
export const ownerQuery = scopedQuery("owner");
export const memberMutation = scopedMutation("viewer");
export const buyerMutation = scopedMutation("buyer");
export const approverMutation = scopedMutation("approver");
export const ownerMutation = scopedMutation("owner");

export const userQuery = customQuery(query, customCtx(async (ctx) => ({ user: await requireUser(ctx) })));
export const userMutation = customMutation(mutation, customCtx(async (ctx) => ({ user: await requireUser(ctx) })));

const serviceArgs = { serviceKey: v.string() };
const service = {
  args: serviceArgs,
  input: async (_ctx: unknown, { serviceKey }: { serviceKey: string }) => {
    requireServiceKey(serviceKey);
    return { ctx: {}, args: {} };
  },
};
export const serviceQuery = customQuery(query, service);
export const serviceMutation = customMutation(mutation, service);
