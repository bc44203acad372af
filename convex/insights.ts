import { query } from "./_generated/server";
import { loadInsights } from "./model/insights";

export const summary = query({
  args: {},
  handler: async (ctx) => await loadInsights(ctx),
});
