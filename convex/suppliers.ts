import { query } from "./_generated/server";

export const list = query({
  args: {},
  handler: async (ctx) => {
    const suppliers = await ctx.db.query("suppliers").take(100);
    return suppliers.sort((a, b) => a.name.localeCompare(b.name));
  },
});
