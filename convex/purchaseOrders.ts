import { v } from "convex/values";
import { memberQuery } from "./functions";
import { purchaseOrderOfQuote } from "./model/purchaseOrders";

/** The purchase order of an awarded quote (null before the award): any member of the workspace reads it. */
export const forQuote = memberQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => await purchaseOrderOfQuote(ctx, quoteId),
});
