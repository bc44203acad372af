import { ConvexError } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { markWithdrawn } from "./approvalRequests";
import { type Approval, awardableOffer, awardNegotiation } from "./awards";
import { type ErrorData, fail } from "./errors";
import { logEvent } from "./events";
import { personOf } from "./people";
import { checkNumber, checkText } from "./validate";
import { getWorkspace } from "./workspaces";

// Award approvals. A buyer's award above the workspace's threshold becomes a
// request (awards.ts requestAward); an approver or owner other than the
// requester approves it, which awards in the same mutation, or rejects it with
// a comment, which leaves the quote as it was. The requester may withdraw it.
//
// Four eyes, strictly: the requester never decides their own request, whatever
// their role. A workspace with one person is not stuck by it: its owner set the
// threshold, and can withdraw the request, clear the threshold and award.

/** The highest threshold an owner may set: far above any award the quote limits allow, well inside a double's integers. */
export const MAX_APPROVAL_THRESHOLD = 1_000_000_000_000;

/** An owner sets (a non-negative amount) or clears (null) the workspace's approval threshold. */
export async function setApprovalThreshold(ctx: MutationCtx, workspaceId: Id<"workspaces">, threshold: number | null): Promise<void> {
  const workspace = await getWorkspace(ctx, workspaceId);
  if (threshold !== null) checkNumber(threshold, "approvalThreshold", { min: 0, max: MAX_APPROVAL_THRESHOLD });
  const to = threshold ?? undefined;
  if (workspace.approvalThreshold === to) return;
  await ctx.db.patch(workspaceId, { approvalThreshold: to });
  await logEvent(ctx, {
    workspaceId,
    type: "workspace.approval_threshold_set",
    actor: "user",
    data: { from: workspace.approvalThreshold ?? null, to: threshold },
  });
}

async function getApproval(ctx: QueryCtx, approvalId: Id<"approvals">): Promise<Doc<"approvals">> {
  const approval = await ctx.db.get(approvalId);
  if (!approval) fail("NOT_FOUND", "Approval request not found", "approvalId");
  return approval;
}

function assertPending(approval: Doc<"approvals">): void {
  if (approval.status !== "pending") fail("CONFLICT", `This request was already ${approval.status}`, "approvalId");
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * Why approving this request could not award it now, in words, or null when it
 * could: the same checks awardNegotiation makes, without writing.
 */
export async function unavailableReason(ctx: QueryCtx, approval: Doc<"approvals">): Promise<string | null> {
  const quote = await ctx.db.get(approval.quoteId);
  const negotiation = await ctx.db.get(approval.negotiationId);
  const prefix = "The offer is no longer available";
  if (!quote || !negotiation) return `${prefix}: the quote is gone`;
  if (quote.status === "cancelled") return `${prefix}: the quote was cancelled`;
  try {
    const { offer } = await awardableOffer(ctx, negotiation);
    if (offer._id !== approval.offerId) return `${prefix}: the supplier's offer changed since the request`;
    return null;
  } catch (error) {
    const data = error instanceof ConvexError ? (error.data as ErrorData) : undefined;
    if (!data?.message) throw error;
    return `${prefix}: ${lowerFirst(data.message)}`;
  }
}

/** Approves and awards, or refuses with the reason and changes nothing. */
export async function approve(
  ctx: MutationCtx,
  approvalId: Id<"approvals">,
  approverId: Id<"users">,
  comment: string | undefined,
): Promise<Id<"awards">> {
  const request = await getApproval(ctx, approvalId);
  assertPending(request);
  if (request.requestedBy === approverId) {
    fail("FORBIDDEN", "You asked for this award: another approver or an owner must approve it", "approvalId");
  }
  const text = comment === undefined ? undefined : checkText(comment.trim(), "comment", { required: false });
  const reason = await unavailableReason(ctx, request);
  if (reason) fail("CONFLICT", reason, "approvalId");
  const approvedAt = Date.now();
  const decided = { status: "approved" as const, decidedBy: approverId, decidedAt: approvedAt, ...(text ? { comment: text } : {}) };
  await ctx.db.patch(request._id, decided);
  const approval: Approval = {
    request: { ...request, ...decided },
    approver: await personOf(ctx, approverId),
    approvedAt,
    ...(text ? { comment: text } : {}),
  };
  const awardId = await awardNegotiation(ctx, request.negotiationId, await personOf(ctx, request.requestedBy), approval);
  await logEvent(ctx, {
    workspaceId: request.workspaceId,
    type: "approval.approved",
    actor: "user",
    quoteId: request.quoteId,
    negotiationId: request.negotiationId,
    data: { approvalId, awardId },
  });
  return awardId;
}

/** Rejects with a reason the buyer reads; the quote stays as it was, so they can award another supplier or walk away. */
export async function reject(ctx: MutationCtx, approvalId: Id<"approvals">, deciderId: Id<"users">, comment: string): Promise<void> {
  const request = await getApproval(ctx, approvalId);
  assertPending(request);
  if (request.requestedBy === deciderId) {
    fail("FORBIDDEN", "You asked for this award: withdraw it instead of rejecting it", "approvalId");
  }
  const text = checkText(comment.trim(), "comment", { required: true });
  await ctx.db.patch(request._id, { status: "rejected", decidedBy: deciderId, decidedAt: Date.now(), comment: text });
  await logEvent(ctx, {
    workspaceId: request.workspaceId,
    type: "approval.rejected",
    actor: "user",
    quoteId: request.quoteId,
    negotiationId: request.negotiationId,
    data: { approvalId },
  });
}

/** The requester takes their request back (to award another supplier, or once the threshold changed). */
export async function withdraw(ctx: MutationCtx, approvalId: Id<"approvals">, userId: Id<"users">): Promise<void> {
  const request = await getApproval(ctx, approvalId);
  assertPending(request);
  if (request.requestedBy !== userId) {
    fail("FORBIDDEN", "Only the person who asked for this approval can withdraw it", "approvalId");
  }
  await markWithdrawn(ctx, request, "user", { by: userId });
}

/** A request as the dashboard shows it, for the member `callerId`. */
export async function approvalView(ctx: QueryCtx, approval: Doc<"approvals">, callerId: Id<"users">) {
  const negotiation = await ctx.db.get(approval.negotiationId);
  const supplier = negotiation ? await ctx.db.get(negotiation.supplierId) : null;
  const offer = await ctx.db.get(approval.offerId);
  return {
    _id: approval._id,
    quoteId: approval.quoteId,
    negotiationId: approval.negotiationId,
    offerId: approval.offerId,
    amount: approval.amount,
    status: approval.status,
    supplierName: supplier?.name ?? "Unknown supplier",
    terms: offer?.terms ?? null,
    requestedBy: await personOf(ctx, approval.requestedBy),
    requestedAt: approval.requestedAt,
    decidedBy: approval.decidedBy ? await personOf(ctx, approval.decidedBy) : null,
    decidedAt: approval.decidedAt ?? null,
    comment: approval.comment ?? null,
    /** The caller asked for it: they may withdraw it, never decide it. */
    mine: approval.requestedBy === callerId,
    /** Set while pending when approving could no longer award. */
    unavailable: approval.status === "pending" ? await unavailableReason(ctx, approval) : null,
  };
}

export type ApprovalView = Awaited<ReturnType<typeof approvalView>>;

/** The quote's requests, newest first. */
export async function approvalsOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">, callerId: Id<"users">): Promise<ApprovalView[]> {
  const rows = await ctx.db
    .query("approvals")
    .withIndex("by_quoteId_and_status", (q) => q.eq("quoteId", quoteId))
    .take(50);
  rows.sort((a, b) => b.requestedAt - a.requestedAt);
  const views = [];
  for (const row of rows) views.push(await approvalView(ctx, row, callerId));
  return views;
}

/** The workspace's pending requests that `callerId` could decide (not their own), oldest first. */
export async function waitingFor(ctx: QueryCtx, workspaceId: Id<"workspaces">, callerId: Id<"users">) {
  const rows = await ctx.db
    .query("approvals")
    .withIndex("by_workspaceId_and_status", (q) => q.eq("workspaceId", workspaceId).eq("status", "pending"))
    .take(100);
  return rows
    .filter((row) => row.requestedBy !== callerId)
    .map((row) => ({ _id: row._id, quoteId: row.quoteId, amount: row.amount, requestedAt: row.requestedAt }));
}
