import { v } from "convex/values";
import { memberQuery, ownerMutation, userMutation, userQuery } from "./functions";
import { setApprovalThreshold as setThreshold } from "./model/approvals";
import { currencyOf } from "./model/currency";
import { createWorkspace, setWorkspaceCurrency, workspacesOf } from "./model/workspaces";

/** The signed-in user and the workspaces they belong to (with their role in each). */
export const mine = userQuery({
  args: {},
  handler: async (ctx) => ({
    user: { _id: ctx.user._id, email: ctx.user.email ?? null, name: ctx.user.name ?? null },
    workspaces: await workspacesOf(ctx, ctx.user._id),
  }),
});

/** A new workspace with the demo catalog; the caller becomes its owner. Its currency (ISO 4217) defaults to USD. */
export const create = userMutation({
  args: { name: v.string(), currency: v.optional(v.string()) },
  handler: async (ctx, { name, currency }) => await createWorkspace(ctx, name, ctx.user._id, currency),
});

/** The workspace's name and the caller's role in it. */
export const get = memberQuery({
  args: {},
  handler: async (ctx) => {
    const workspace = (await ctx.db.get(ctx.access.workspaceId))!;
    return {
      _id: workspace._id,
      name: workspace.name,
      role: ctx.access.member.role,
      /** Awards above this total need an approver; null: none do. */
      approvalThreshold: workspace.approvalThreshold ?? null,
      /** ISO 4217: list prices, the threshold and new quotes are in it. */
      currency: currencyOf(workspace),
    };
  },
});

/** An owner sets the spend threshold above which an award needs an approver's approval; null clears it. */
export const setApprovalThreshold = ownerMutation({
  args: { threshold: v.union(v.number(), v.null()) },
  handler: async (ctx, { threshold }) => {
    await setThreshold(ctx, ctx.access.workspaceId, threshold);
    return null;
  },
});

/** An owner changes the workspace's currency (ISO 4217); quotes already requested keep theirs. */
export const setCurrency = ownerMutation({
  args: { currency: v.string() },
  handler: async (ctx, { currency }) => await setWorkspaceCurrency(ctx, ctx.access.workspaceId, currency),
});
