import { v } from "convex/values";
import { memberQuery, ownerMutation } from "./functions";
import { listMembers, removeMember, setRole as changeRole } from "./model/workspaces";
import { role } from "./schema";

export const list = memberQuery({
  args: {},
  handler: async (ctx) => await listMembers(ctx, ctx.access.workspaceId),
});

export const setRole = ownerMutation({
  args: { userId: v.id("users"), role },
  handler: async (ctx, args) => {
    await changeRole(ctx, ctx.access.workspaceId, args.userId, args.role);
    return null;
  },
});

export const remove = ownerMutation({
  args: { userId: v.id("users") },
  handler: async (ctx, { userId }) => {
    await removeMember(ctx, ctx.access.workspaceId, userId);
    return null;
  },
});
