import { query } from "./_generated/server";

export const list = query({
  args: {},
  handler: async (ctx) => {
    const products = await ctx.db.query("products").take(1000);
    return products.sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
  },
});
