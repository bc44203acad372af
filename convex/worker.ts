import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { requireServiceKey } from "./model/auth";
import { claimQuote as claim, failQuote as fail, renewLease as renew } from "./model/quotes";
import { negotiationControl as control, nextLeaseExpiry, quoteState } from "./model/workerState";

// The quote worker: find work, hold it under a lease, read everything needed to
// resume, or give up on a quote.

const serviceKey = v.string();
const lease = { serviceKey, quoteId: v.id("quotes"), workerId: v.string(), leaseMs: v.number() };

export const claimable = query({
  args: { serviceKey },
  handler: async (ctx, { serviceKey }) => {
    requireServiceKey(serviceKey);
    const queued = await ctx.db
      .query("quotes")
      .withIndex("by_status", (q) => q.eq("status", "queued"))
      .take(50);
    const lapsed = await ctx.db
      .query("quotes")
      .withIndex("by_status_and_leaseExpiresAt", (q) =>
        q.eq("status", "negotiating").lt("leaseExpiresAt", Date.now()),
      )
      .take(50);
    return [...queued, ...lapsed].map((quote) => quote._id);
  },
});

/** When the next lease can lapse, so a worker sets a timer instead of polling (a lapsed lease changes no document). */
export const nextLeaseExpiresAt = query({
  args: { serviceKey },
  handler: async (ctx, { serviceKey }) => {
    requireServiceKey(serviceKey);
    return await nextLeaseExpiry(ctx);
  },
});

export const claimQuote = mutation({
  args: lease,
  handler: async (ctx, { serviceKey, quoteId, workerId, leaseMs }) => {
    requireServiceKey(serviceKey);
    return await claim(ctx, quoteId, workerId, leaseMs);
  },
});

export const renewLease = mutation({
  args: lease,
  handler: async (ctx, { serviceKey, quoteId, workerId, leaseMs }) => {
    requireServiceKey(serviceKey);
    return await renew(ctx, quoteId, workerId, leaseMs);
  },
});

export const getQuoteState = query({
  args: { serviceKey, quoteId: v.id("quotes") },
  handler: async (ctx, { serviceKey, quoteId }) => {
    requireServiceKey(serviceKey);
    return await quoteState(ctx, quoteId);
  },
});

/** What a running negotiation subscribes to, to see the brand user act (pause, resume, counter, accept, walk away). */
export const negotiationControl = query({
  args: { serviceKey, negotiationId: v.id("negotiations") },
  handler: async (ctx, { serviceKey, negotiationId }) => {
    requireServiceKey(serviceKey);
    return await control(ctx, negotiationId);
  },
});

export const failQuote = mutation({
  args: { serviceKey, quoteId: v.id("quotes"), reason: v.string() },
  handler: async (ctx, { serviceKey, quoteId, reason }) => {
    requireServiceKey(serviceKey);
    await fail(ctx, quoteId, reason);
    return null;
  },
});
