import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { type Actor, logEvent } from "./events";

// Award requests as rows: finding the one waiting on a quote, and withdrawing
// one. Kept apart from approvals.ts (which decides requests and awards) so that
// quotes.ts, which approvals.ts imports through awards.ts, can use them too.

/** The quote's award request that is waiting for an approver, if any (at most one: requestAward sees to it). */
export async function pendingApprovalOf(ctx: QueryCtx, quoteId: Id<"quotes">): Promise<Doc<"approvals"> | null> {
  return await ctx.db
    .query("approvals")
    .withIndex("by_quoteId_and_status", (q) => q.eq("quoteId", quoteId).eq("status", "pending"))
    .first();
}

/**
 * Marks a pending request withdrawn and logs it: by the requester (`by`), or
 * with its quote (`reason`: the quote was cancelled or failed, so no approver
 * is asked to decide what cannot happen).
 */
export async function markWithdrawn(
  ctx: MutationCtx,
  request: Doc<"approvals">,
  actor: Actor,
  opts: { by?: Id<"users">; reason?: "quote_cancelled" | "quote_failed" } = {},
): Promise<void> {
  await ctx.db.patch(request._id, { status: "withdrawn", decidedAt: Date.now(), ...(opts.by ? { decidedBy: opts.by } : {}) });
  await logEvent(ctx, {
    workspaceId: request.workspaceId,
    type: "approval.withdrawn",
    actor,
    quoteId: request.quoteId,
    negotiationId: request.negotiationId,
    data: { approvalId: request._id, ...(opts.reason ? { reason: opts.reason } : {}) },
  });
}
