import type { Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";

/**
 * The next reference number in a workspace (Q-0001 for quotes, PO-0001 for
 * purchase orders): its highest so far plus one, 1 for the first. Mutations are
 * serializable, so two at once never get the same one; rows from before
 * numbering have none and sort below every number.
 */
export async function nextNumberIn(ctx: QueryCtx, table: "quotes" | "purchaseOrders", workspaceId: Id<"workspaces">): Promise<number> {
  const last = await ctx.db
    .query(table as "quotes")
    .withIndex("by_workspaceId_and_number", (q) => q.eq("workspaceId", workspaceId))
    .order("desc")
    .first();
  return (last?.number ?? 0) + 1;
}
