import { memberQuery } from "./functions";
import { supplierProfileView } from "./model/views";

/** The workspace's suppliers as the brand may see them: their public profile, never the persona. */
export const list = memberQuery({
  args: {},
  handler: async (ctx) => {
    const suppliers = await ctx.db
      .query("suppliers")
      .withIndex("by_workspaceId_and_slug", (q) => q.eq("workspaceId", ctx.access.workspaceId))
      .take(100);
    return suppliers.map(supplierProfileView).sort((a, b) => a.name.localeCompare(b.name));
  },
});
