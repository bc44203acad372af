import { memberQuery } from "./functions";

export const list = memberQuery({
  args: {},
  handler: async (ctx) => {
    const products = await ctx.db
      .query("products")
      .withIndex("by_workspaceId_and_sku", (q) => q.eq("workspaceId", ctx.access.workspaceId))
      .take(1000);
    return products.sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
  },
});
