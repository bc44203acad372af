import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { requireServiceKey } from "./model/auth";
import { loadCatalog } from "./model/catalog";

/**
 * Loads the demo catalog; idempotent, so `npm start` runs it on every start. It
 * overwrites products and suppliers, so only the service (its key) may call it.
 */
export const catalog = mutation({
  args: { serviceKey: v.string() },
  handler: async (ctx, { serviceKey }) => {
    requireServiceKey(serviceKey);
    return await loadCatalog(ctx);
  },
});
