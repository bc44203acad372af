import { ConvexError } from "convex/values";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { shouldAutoAccept, totalPrice } from "../../src/negotiation";
import { awardableOffer, awardNegotiation, needsApproval } from "./awards";
import { currencyOf, formatMoney } from "./currency";
import { logEvent } from "./events";
import { getNegotiation, getQuote } from "./negotiations";
import { personName } from "./people";
import { getWorkspace } from "./workspaces";

// A quote's optional auto-award policy (off unless the requester set one): once
// the negotiations end and Parley recommends a final offer, that offer is
// awarded without asking when it is inside the guardrails and every line is at
// most the policy's percentage over its target. The rule itself is the engine's
// (shouldAutoAccept), the one the take-over assist uses. Whatever happens, the
// timeline says so: awarded automatically, or why not.

/** Awards the completed quote's recommendation if its policy allows; otherwise logs why a person must. */
export async function autoAwardIfPolicyAllows(ctx: MutationCtx, quoteId: Id<"quotes">): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  const policy = quote.autoAward;
  if (!policy || quote.status !== "completed") return;
  const skip = (reason: string) =>
    logEvent(ctx, { workspaceId: quote.workspaceId, type: "quote.autoAwardSkipped", actor: "system", quoteId, data: { reason } });

  const negotiationId = quote.recommendation?.negotiationId;
  if (!negotiationId) return await skip("no supplier reached a final offer to award");
  const negotiation = await getNegotiation(ctx, negotiationId);
  if (negotiation.status !== "accepted") return await skip("the recommended supplier has no final offer held for the award");
  const check = await checkAwardable(ctx, negotiationId);
  if (typeof check === "string") return await skip(check);

  const currency = currencyOf(quote);
  const verdict = shouldAutoAccept(check.terms, { maxPriceOverTarget: 1 + policy.maxPctOverTarget / 100 }, { ...quote, currency });
  if (!verdict.accept) return await skip(verdict.reason);
  const workspace = await getWorkspace(ctx, quote.workspaceId);
  const amount = totalPrice(check.terms);
  if (needsApproval(workspace, quote, amount)) {
    return await skip(`${formatMoney(amount, currency)} needs an approver's approval, which no policy can give`);
  }
  const requester = await requesterOf(ctx, quoteId);
  if (!requester) return await skip("no person requested this quote, so no one can be named on the purchase order");
  const name = `${personName(await ctx.db.get(requester))} (auto-award policy)`;
  await awardNegotiation(ctx, negotiationId, { userId: requester, name }, undefined, true);
}

/** The award's own checks (not yet awarded, offer still held), asked before anything is written. */
async function checkAwardable(ctx: MutationCtx, negotiationId: Id<"negotiations">) {
  try {
    const { offer } = await awardableOffer(ctx, await getNegotiation(ctx, negotiationId));
    return offer;
  } catch (error) {
    if (error instanceof ConvexError && typeof error.data?.message === "string") return error.data.message as string;
    throw error;
  }
}

/** The person who requested the quote: the one the purchase order names. */
async function requesterOf(ctx: MutationCtx, quoteId: Id<"quotes">): Promise<Id<"users"> | null> {
  const requested = await ctx.db
    .query("events")
    .withIndex("by_quoteId_and_at", (q) => q.eq("quoteId", quoteId))
    .filter((q) => q.eq(q.field("type"), "quote.requested"))
    .first();
  return requested?.userId ?? null;
}
