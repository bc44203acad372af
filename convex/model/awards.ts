import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { currencyOf, formatMoney } from "./currency";
import { fail } from "./errors";
import { logEvent } from "./events";
import { pendingApprovalOf } from "./approvalRequests";
import { appendAtNextSeq, systemMessage } from "./messages";
import { acceptOffer, assertOpen, getNegotiation, getQuote, negotiationsOfQuote, standingSupplierOffer } from "./negotiations";
import { notifySupplier } from "./notifications";
import type { Person } from "./people";
import { createPurchaseOrder } from "./purchaseOrders";
import { closeOpenNegotiations, transitionQuote } from "./quotes";
import { approvalReason, exceedsThreshold } from "./spendThreshold";
import { assertQuoteTransition } from "./status";
import { guardrailViolation } from "./validate";
import { getWorkspace } from "./workspaces";

// The brand's purchase decision. Everything it implies happens in one mutation,
// so the dashboard never sees a half-awarded quote: the award, the acceptance,
// the closing of the other negotiations and the purchase order.
//
// The approval gate lives here, in awardNegotiation, the one function that
// writes an award: above the workspace's threshold it refuses unless an
// approver's approval of exactly this offer comes with the call. The brand's
// other acceptances are the AI's (ingest.acceptOffer, the service key), which
// reach an agreement but never an award: a person still awards it, through here.

/** Whether awarding this total needs an approver: strictly above the workspace's threshold (none set: never). */
export function needsApproval(workspace: Doc<"workspaces">, quote: Doc<"quotes">, amount: number): boolean {
  return exceedsThreshold(workspace.approvalThreshold, amount, currencyOf(quote) === currencyOf(workspace));
}


/**
 * What awarding this negotiation would take, checked without writing anything:
 * the offer the award would be on, and whether the brand must accept it first
 * (a supplier's standing offer) or already agreed to it (the AI's agreement).
 */
export async function awardableOffer(
  ctx: QueryCtx,
  negotiation: Doc<"negotiations">,
): Promise<{ quote: Doc<"quotes">; offer: Doc<"offers">; accept: boolean }> {
  const quote = await getQuote(ctx, negotiation.quoteId);
  const existing = await ctx.db
    .query("awards")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
    .first();
  if (existing) fail("CONFLICT", "This quote has already been awarded", "quoteId");
  assertQuoteTransition(quote.status, "awarded");

  if (negotiation.status === "accepted") {
    if (!negotiation.currentOfferId) fail("CONFLICT", "This negotiation has no accepted offer", "negotiationId");
    const offer = await ctx.db.get(negotiation.currentOfferId);
    if (!offer || offer.status !== "accepted") fail("CONFLICT", "The agreed offer is not accepted", "negotiationId");
    if (offer.validUntil !== undefined && offer.validUntil <= Date.now()) {
      fail(
        "EXPIRED",
        `This final offer held until ${new Date(offer.validUntil).toUTCString().replace(/:\d\d GMT$/, " UTC")}: it can no longer be awarded. Duplicate the quote to ask again`,
        "negotiationId",
      );
    }
    return { quote, offer, accept: false };
  }
  assertOpen(negotiation);
  const standing = await standingSupplierOffer(ctx, negotiation);
  if (!standing) fail("CONFLICT", "There is no standing offer from the supplier to accept", "negotiationId");
  // acceptOffer checks this again when it writes; asking first keeps a request for it from being made.
  const violation = guardrailViolation(standing.terms, quote);
  if (violation) fail("CONFLICT", `The brand cannot accept this offer: ${violation.message}`, violation.field);
  return { quote, offer: standing, accept: true };
}

/** An approver's yes to an award request: passed to awardNegotiation by approvals.approve only. */
export type Approval = { request: Doc<"approvals">; approver: Person; approvedAt: number; comment?: string };

/**
 * Awards the quote to this negotiation: either accepting the supplier's standing
 * offer now, or confirming an agreement the AI already reached (the
 * recommendation). The other open negotiations close with a system message,
 * and the purchase order is written. `awardedBy` is the person who awarded
 * (the requester, for an approved request).
 */
export async function awardNegotiation(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  awardedBy: Person,
  approval?: Approval,
  /** Set by the quote's auto-award policy (autoAward.ts): Parley awards, under the requester's name. */
  automatic = false,
): Promise<Id<"awards">> {
  const actor = automatic ? "system" : "user";
  const negotiation = await getNegotiation(ctx, negotiationId);
  const { quote, offer: agreed, accept } = await awardableOffer(ctx, negotiation);
  const pending = await pendingApprovalOf(ctx, quote._id);
  if (pending && pending._id !== approval?.request._id) {
    fail("CONFLICT", "An award of this quote is waiting for approval: an approver decides it first", "quoteId");
  }
  const workspace = await getWorkspace(ctx, quote.workspaceId);
  const amount = totalPrice(agreed.terms);
  const approved = approval && approval.request.negotiationId === negotiationId && approval.request.offerId === agreed._id;
  if (needsApproval(workspace, quote, amount) && !approved) {
    fail(
      "FORBIDDEN",
      `This award of ${formatMoney(amount, currencyOf(quote))} is ${approvalReason(workspace.approvalThreshold!, currencyOf(quote), currencyOf(workspace))}: an approver must approve it`,
      "negotiationId",
    );
  }

  const offerId = agreed._id;
  if (accept) {
    await acceptOffer(ctx, negotiationId, offerId, "brand", "user");
    await appendAtNextSeq(ctx, negotiationId, {
      sender: "user",
      kind: "acceptance",
      content: "We accept your offer.",
      offerId,
    });
  }
  const offer = (await ctx.db.get(offerId))!;
  if (offer.status !== "accepted") fail("CONFLICT", "The agreed offer is not accepted", "negotiationId");

  const supplier = await ctx.db.get(negotiation.supplierId);
  const awardId = await ctx.db.insert("awards", {
    workspaceId: quote.workspaceId,
    quoteId: quote._id,
    negotiationId,
    supplierId: negotiation.supplierId,
    offerId,
    terms: offer.terms,
    awardedBy: automatic ? "brand" : "user",
    awardedAt: Date.now(),
  });
  await createPurchaseOrder(ctx, {
    quote,
    award: (await ctx.db.get(awardId))!,
    supplierName: supplier?.name ?? "Unknown supplier",
    awardedBy,
    ...(approval ? { approval: { approver: approval.approver, approvedAt: approval.approvedAt, comment: approval.comment } } : {}),
  });
  // The others are told politely, and never who won or at what terms: that is not theirs to know.
  await closeOpenNegotiations(ctx, quote._id, "rejected", {
    actor,
    except: negotiationId,
    message: NOT_AWARDED,
  });
  await tellFinalOffersNotAwarded(ctx, quote._id, negotiationId);
  await transitionQuote(ctx, quote, "awarded", actor, {}, { awardId, negotiationId, offerId, ...(automatic ? { automatic: true } : {}) });
  await notifySupplier(ctx, {
    kind: "awarded",
    text: "Your final offer was awarded: the purchase order is on the negotiation's page.",
    negotiation: (await ctx.db.get(negotiationId))!,
  });
  return awardId;
}

const NOT_AWARDED = "Thank you for your offer. The brand has awarded this quote to another supplier, and this negotiation is now closed.";

/** Final offers held until the award (accepted, not chosen) hear that it went elsewhere; live suppliers get a notice too. */
async function tellFinalOffersNotAwarded(ctx: MutationCtx, quoteId: Id<"quotes">, winner: Id<"negotiations">) {
  for (const negotiation of await negotiationsOfQuote(ctx, quoteId)) {
    if (negotiation._id === winner || negotiation.status !== "accepted") continue;
    await systemMessage(ctx, negotiation._id, NOT_AWARDED);
    await notifySupplier(ctx, { kind: "not_awarded", text: NOT_AWARDED, negotiation });
  }
}

export type AwardResult =
  | { status: "awarded"; awardId: Id<"awards"> }
  | { status: "approval_requested"; approvalId: Id<"approvals">; amount: number; threshold: number };

/**
 * A buyer's award (negotiations.acceptCurrentOffer): at or below the threshold
 * it awards at once; above it, nothing is accepted or awarded and an approval
 * request waits for an approver (approvals.approve then awards). One request
 * at a time per quote.
 */
export async function requestAward(ctx: MutationCtx, negotiationId: Id<"negotiations">, user: Person): Promise<AwardResult> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const { quote, offer } = await awardableOffer(ctx, negotiation);
  if (await pendingApprovalOf(ctx, quote._id)) {
    fail("CONFLICT", "An award of this quote is already waiting for approval", "quoteId");
  }
  const workspace = await getWorkspace(ctx, quote.workspaceId);
  const amount = totalPrice(offer.terms);
  if (!needsApproval(workspace, quote, amount)) {
    return { status: "awarded", awardId: await awardNegotiation(ctx, negotiationId, user) };
  }
  const approvalId = await ctx.db.insert("approvals", {
    workspaceId: quote.workspaceId,
    quoteId: quote._id,
    negotiationId,
    offerId: offer._id,
    amount,
    requestedBy: user.userId,
    requestedAt: Date.now(),
    status: "pending",
  });
  await logEvent(ctx, {
    workspaceId: quote.workspaceId,
    type: "approval.requested",
    actor: "user",
    quoteId: quote._id,
    negotiationId,
    data: { approvalId, offerId: offer._id, amount },
  });
  return { status: "approval_requested", approvalId, amount, threshold: workspace.approvalThreshold! };
}
