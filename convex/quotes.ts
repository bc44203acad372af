import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { internalMutation } from "./model/triggers";
import { buyerMutation, memberQuery } from "./functions";
import { limitQuoteRequests } from "./model/rateLimits";
import { backfillSearchText as backfill, cancelQuote, quoteRequestArgs, requestQuote, rerunQuote, updateQuote } from "./model/quotes";
import { QUOTE_SORTS } from "./model/quoteNames";
import { listQuotes, quoteDetail } from "./model/views";
import { quoteStatus } from "./schema";

export const request = buyerMutation({
  args: quoteRequestArgs,
  handler: async (ctx, args) => {
    await limitQuoteRequests(ctx, ctx.access.user._id, ctx.access.workspaceId);
    return await requestQuote(ctx, ctx.access.workspaceId, args);
  },
});

/** Newest first by default; `search` matches title, reference, product name or SKU (see model/views.ts for its bounds). */
export const list = memberQuery({
  args: {
    status: v.optional(quoteStatus),
    search: v.optional(v.string()),
    sort: v.optional(v.union(...QUOTE_SORTS.map((sort) => v.literal(sort)))),
    paginationOpts: paginationOptsValidator,
  },
  handler: async (ctx, args) => await listQuotes(ctx, ctx.access.workspaceId, args),
});

/** A queued quote, asked again with new inputs: checked as a request; refused once a worker has claimed it. */
export const update = buyerMutation({
  args: { quoteId: v.id("quotes"), ...quoteRequestArgs },
  handler: async (ctx, { quoteId, ...request }) => {
    await updateQuote(ctx, ctx.access.workspaceId, quoteId, request);
    return null;
  },
});

/** The same quote requested again at once with a new seed; returns the new quote's id. */
export const rerun = buyerMutation({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => {
    await limitQuoteRequests(ctx, ctx.access.user._id, ctx.access.workspaceId);
    return await rerunQuote(ctx, ctx.access.workspaceId, quoteId);
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

/** Run by the cron: gives quotes from before the search index their search text; not reachable from clients. */
export const backfillSearchText = internalMutation({
  args: {},
  handler: async (ctx) => await backfill(ctx),
});
