import { memberQuery } from "./functions";
import { loadInsights } from "./model/insights";

export const summary = memberQuery({
  args: {},
  handler: async (ctx) => await loadInsights(ctx, ctx.access.workspaceId),
});
