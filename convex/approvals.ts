import { v } from "convex/values";
import { approverMutation, buyerMutation, memberQuery } from "./functions";
import { approvalsOfQuote, approve as approveRequest, reject as rejectRequest, waitingFor, withdraw as withdrawRequest } from "./model/approvals";
import { roleAtLeast } from "./model/roles";

// Award approvals: see convex/model/approvals.ts. A buyer asks for one by
// awarding above the threshold (negotiations.acceptCurrentOffer).

const approvalId = v.id("approvals");

/** The quote's approval requests, newest first: any member sees that an award is awaiting approval. */
export const forQuote = memberQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => await approvalsOfQuote(ctx, quoteId, ctx.access.user._id),
});

/** The pending requests the caller could decide: none below the approver role, never their own. */
export const waiting = memberQuery({
  args: {},
  handler: async (ctx) =>
    roleAtLeast(ctx.access.member.role, "approver") ? await waitingFor(ctx, ctx.access.workspaceId, ctx.access.user._id) : [],
});

/** Approves the request and awards the quote in the same mutation; returns the award's id. */
export const approve = approverMutation({
  args: { approvalId, comment: v.optional(v.string()) },
  handler: async (ctx, args) => await approveRequest(ctx, args.approvalId, ctx.access.user._id, args.comment),
});

export const reject = approverMutation({
  args: { approvalId, comment: v.string() },
  handler: async (ctx, args) => {
    await rejectRequest(ctx, args.approvalId, ctx.access.user._id, args.comment);
    return null;
  },
});

export const withdraw = buyerMutation({
  args: { approvalId },
  handler: async (ctx, args) => {
    await withdrawRequest(ctx, args.approvalId, ctx.access.user._id);
    return null;
  },
});
