import { v } from "convex/values";
import { serviceMutation } from "./functions";
import { loadCatalog } from "./model/catalog";
import { createWorkspace, getWorkspace } from "./model/workspaces";

/**
 * A workspace for tools (Mastra Studio, `npm run seed`, benchmarks): found by
 * name, or created with the demo catalog and no members. Idempotent, so it can
 * run on every start. Service only: it reaches across workspaces.
 */
export const workspace = serviceMutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const named = await ctx.db
      .query("workspaces")
      .withIndex("by_name", (q) => q.eq("name", name.trim()))
      .take(100);
    const existing = named.find((workspace) => workspace.createdBy === undefined);
    return existing?._id ?? (await createWorkspace(ctx, name, undefined));
  },
});

/** Reloads a workspace's demo catalog (upsert by sku and slug). */
export const catalog = serviceMutation({
  args: { workspaceId: v.id("workspaces") },
  handler: async (ctx, { workspaceId }) => {
    await getWorkspace(ctx, workspaceId);
    return await loadCatalog(ctx, workspaceId);
  },
});
