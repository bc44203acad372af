import { actionGeneric, componentsGeneric } from "convex/server";

const components = componentsGeneric();

/** What a component that is not served over HTTP sees as its site URL. */
export const unmountedSite = actionGeneric({
  args: {},
  handler: async (ctx): Promise<unknown> => await ctx.runAction((components as any).unmounted.lib.site, {}),
});
