import { mutation } from "./_generated/server";
import { loadCatalog } from "./model/catalog";

/** Loads the demo catalog; idempotent, so `npm run seed` can run on every start. */
export const catalog = mutation({
  args: {},
  handler: async (ctx) => await loadCatalog(ctx),
});
