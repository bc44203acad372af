import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { memberQuery, ownerQuery } from "./functions";
import { invalid } from "./model/errors";
import { EXPORT_PAGE_MAX, eventDescriber, type EventEntry, quoteTimeline } from "./model/events";
import { checkRange } from "./model/insights";
import { getQuote } from "./model/negotiations";

// The audit log as people read it: a quote's timeline for every member, and
// the whole workspace's log, page by page, for owners to export.

export const timeline = memberQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => {
    // Another workspace's quote reads as absent: "not found", as quotes.get.
    await getQuote(ctx, quoteId);
    return await quoteTimeline(ctx, quoteId);
  },
});

export const exportPage = ownerQuery({
  args: { from: v.optional(v.number()), to: v.optional(v.number()), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { from, to, paginationOpts }) => {
    checkRange({ from, to });
    if (!Number.isInteger(paginationOpts.numItems) || paginationOpts.numItems < 1 || paginationOpts.numItems > EXPORT_PAGE_MAX) {
      invalid("paginationOpts.numItems", `A page holds 1 to ${EXPORT_PAGE_MAX} events`);
    }
    const { workspaceId } = ctx.access;
    const page = await ctx.db
      .query("events")
      .withIndex("by_workspaceId_and_at", (q) => {
        const start = q.eq("workspaceId", workspaceId);
        const bounded = from === undefined ? start : start.gte("at", from);
        return to === undefined ? bounded : bounded.lt("at", to);
      })
      .paginate(paginationOpts);
    const describe = eventDescriber(ctx);
    const entries: EventEntry[] = [];
    for (const event of page.page) entries.push((await describe(event, { all: true }))!);
    return { ...page, page: entries };
  },
});
