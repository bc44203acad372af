import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { cancelQuote, requestQuote } from "./model/quotes";
import { quoteDetail, quoteRow } from "./model/views";
import { guardrails, priorities, quoteStatus } from "./schema";

export const request = mutation({
  args: {
    lineItems: v.array(
      v.object({
        productId: v.id("products"),
        quantity: v.number(),
        targetUnitPrice: v.number(),
        maxUnitPrice: v.number(),
      }),
    ),
    priorities,
    guardrails,
    notes: v.optional(v.string()),
    maxRounds: v.optional(v.number()),
    seed: v.optional(v.number()),
  },
  handler: async (ctx, args) => await requestQuote(ctx, args),
});

export const list = query({
  args: { status: v.optional(quoteStatus), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { status, paginationOpts }) => {
    const quotes =
      status === undefined
        ? ctx.db.query("quotes")
        : ctx.db.query("quotes").withIndex("by_status", (q) => q.eq("status", status));
    const page = await quotes.order("desc").paginate(paginationOpts);
    const rows = [];
    for (const quote of page.page) rows.push(await quoteRow(ctx, quote));
    return { ...page, page: rows };
  },
});

export const get = query({
  // A string, not v.id: the id comes from the page's URL, and a mistyped one is
  // "no such quote" (null), not an error.
  args: { quoteId: v.string() },
  handler: async (ctx, args) => {
    const quoteId = ctx.db.normalizeId("quotes", args.quoteId);
    const quote = quoteId ? await ctx.db.get(quoteId) : null;
    return quote ? await quoteDetail(ctx, quote) : null;
  },
});

export const cancel = mutation({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => {
    await cancelQuote(ctx, quoteId);
    return null;
  },
});
