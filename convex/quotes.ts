import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { buyerMutation, memberQuery } from "./functions";
import { cancelQuote, quoteRequestArgs, requestQuote } from "./model/quotes";
import { quoteDetail, quoteRow } from "./model/views";
import { quoteStatus } from "./schema";

export const request = buyerMutation({
  args: quoteRequestArgs,
  handler: async (ctx, args) => await requestQuote(ctx, ctx.access.workspaceId, args),
});

export const list = memberQuery({
  args: { status: v.optional(quoteStatus), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { status, paginationOpts }) => {
    const { workspaceId } = ctx.access;
    const quotes =
      status === undefined
        ? ctx.db.query("quotes").withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
        : ctx.db
            .query("quotes")
            .withIndex("by_workspaceId_and_status", (q) => q.eq("workspaceId", workspaceId).eq("status", status));
    const page = await quotes.order("desc").paginate(paginationOpts);
    const rows = [];
    for (const quote of page.page) rows.push(await quoteRow(ctx, quote));
    return { ...page, page: rows };
  },
});

export const get = memberQuery({
  // A string, not v.id: the id comes from the page's URL, and a mistyped one
  // (or another workspace's) is "no such quote" (null), not an error.
  args: { quoteId: v.string() },
  handler: async (ctx, args) => {
    const quoteId = ctx.db.normalizeId("quotes", args.quoteId);
    const quote = quoteId ? await ctx.db.get(quoteId) : null;
    return quote ? await quoteDetail(ctx, quote) : null;
  },
});

export const cancel = buyerMutation({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => {
    await cancelQuote(ctx, quoteId);
    return null;
  },
});
