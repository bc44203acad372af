import { v } from "convex/values";
import { serviceMutation, serviceQuery } from "./functions";
import {
  claimQuote as claim,
  failQuote as giveUp,
  quoteRequestArgs,
  renewLease as renew,
  requestQuote as requestFor,
  requireLease,
} from "./model/quotes";
import { getQuote } from "./model/negotiations";
import { negotiationControl as control, nextLeaseExpiry, quoteState } from "./model/workerState";
import { getWorkspace } from "./model/workspaces";
import { suspendQuote as suspend } from "./model/liveWait";
import { claimMail as claimSend, mailQueue, recordMail } from "./model/supplierInvitations";
import { negotiationStatus } from "./schema";

// The quote worker: find work, hold it under a lease, read everything needed to
// resume, or give up on a quote.

const lease = { quoteId: v.id("quotes"), workerId: v.string(), leaseMs: v.number() };

export const claimable = serviceQuery({
  args: {},
  handler: async (ctx) => {
    const queued = await ctx.db
      .query("quotes")
      .withIndex("by_status", (q) => q.eq("status", "queued"))
      .take(50);
    const lapsed = await ctx.db
      .query("quotes")
      .withIndex("by_status_and_leaseExpiresAt", (q) =>
        // A quote waiting on a live supplier holds no lease (undefined): it is claimable once a move wakes it.
        q.eq("status", "negotiating").gt("leaseExpiresAt", undefined).lt("leaseExpiresAt", Date.now()),
      )
      .take(50);
    return [...queued, ...lapsed].map((quote) => quote._id);
  },
});

/** When the next lease can lapse, so a worker sets a timer instead of polling (a lapsed lease changes no document). */
export const nextLeaseExpiresAt = serviceQuery({
  args: {},
  handler: async (ctx) => await nextLeaseExpiry(ctx),
});

/** The lease epoch this claim holds (every later write carries it), or null when the quote is not claimable. */
export const claimQuote = serviceMutation({
  args: lease,
  handler: async (ctx, { quoteId, workerId, leaseMs }) => {
    return await claim(ctx, quoteId, workerId, leaseMs);
  },
});

/** False when the lease is no longer this worker's under this epoch: the worker must stop. */
export const renewLease = serviceMutation({
  args: { ...lease, leaseEpoch: v.number() },
  handler: async (ctx, { quoteId, workerId, leaseEpoch, leaseMs }) => {
    return await renew(ctx, quoteId, workerId, leaseEpoch, leaseMs);
  },
});

export const getQuoteState = serviceQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => {
    return await quoteState(ctx, quoteId);
  },
});

/** What a running negotiation subscribes to, to see the brand user act (pause, resume, counter, accept, walk away). */
export const negotiationControl = serviceQuery({
  args: { negotiationId: v.id("negotiations") },
  handler: async (ctx, { negotiationId }) => {
    return await control(ctx, negotiationId);
  },
});

export const failQuote = serviceMutation({
  args: { quoteId: v.id("quotes"), leaseEpoch: v.number(), reason: v.string() },
  handler: async (ctx, { quoteId, leaseEpoch, reason }) => {
    requireLease(await getQuote(ctx, quoteId), leaseEpoch);
    await giveUp(ctx, quoteId, reason);
    return null;
  },
});

// Tools acting for a workspace (Mastra Studio, the seed and the benchmarks):
// they name the workspace, since the service key belongs to none.

const workspaceId = v.id("workspaces");

export const products = serviceQuery({
  args: { workspaceId },
  handler: async (ctx, { workspaceId }) =>
    await ctx.db
      .query("products")
      .withIndex("by_workspaceId_and_sku", (q) => q.eq("workspaceId", workspaceId))
      .take(1000),
});

/** quotes.request on behalf of a workspace; the event log names the system as the actor. */
export const requestQuote = serviceMutation({
  args: { workspaceId, ...quoteRequestArgs },
  handler: async (ctx, { workspaceId, ...request }) => {
    await getWorkspace(ctx, workspaceId);
    return await requestFor(ctx, workspaceId, request, "system");
  },
});

/**
 * Every open negotiation of the quote waits on a live supplier: the worker's
 * run suspends and gives the quote up ("suspended"), unless one of them moved
 * since the worker looked ("moved": go on). A later move wakes the quote.
 */
export const suspendQuote = serviceMutation({
  args: {
    quoteId: v.id("quotes"),
    workerId: v.string(),
    leaseEpoch: v.number(),
    runId: v.string(),
    seen: v.array(
      v.object({ negotiationId: v.id("negotiations"), nextSeq: v.number(), currentRound: v.number(), status: negotiationStatus }),
    ),
  },
  handler: async (ctx, { quoteId, workerId, leaseEpoch, runId, seen }) => await suspend(ctx, quoteId, { workerId, leaseEpoch }, runId, seen),
});

// The mailer in the worker's process (src/mastra/worker/mailer.ts): invitation
// emails waiting to go, with their links, and what became of each.

export const pendingMail = serviceQuery({
  args: {},
  handler: async (ctx) => await mailQueue(ctx, 20),
});

/** A mailer process's claim to send one invitation's email for claimMs (supplierInvitations.claimMail). */
export const claimMail = serviceMutation({
  args: { invitationId: v.id("supplierInvitations"), nonce: v.string(), claimant: v.string(), claimMs: v.number() },
  handler: async (ctx, { invitationId, nonce, claimant, claimMs }) => await claimSend(ctx, invitationId, nonce, claimant, claimMs),
});

export const recordMailResult = serviceMutation({
  args: {
    invitationId: v.id("supplierInvitations"),
    nonce: v.string(),
    status: v.union(v.literal("sent"), v.literal("failed"), v.literal("not_configured")),
    error: v.optional(v.string()),
  },
  handler: async (ctx, { invitationId, nonce, status, error }) => {
    await recordMail(ctx, invitationId, nonce, status, error);
    return null;
  },
});

/** The Mastra run a claimed quote was waiting in (liveWait.ts), to resume; null: start a run. */
export const suspendedRun = serviceQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => (await getQuote(ctx, quoteId)).suspendedRunId ?? null,
});
