import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail } from "./errors";
import { appendAtNextSeq } from "./messages";
import { acceptOffer, assertOpen, getNegotiation, getQuote, standingSupplierOffer } from "./negotiations";
import { closeOpenNegotiations, transitionQuote } from "./quotes";
import { assertQuoteTransition } from "./status";

// The brand's purchase decision. Everything it implies happens in one mutation,
// so the dashboard never sees a half-awarded quote.

/**
 * Awards the quote to this negotiation: either accepting the supplier's standing
 * offer now, or confirming an agreement the AI already reached (the
 * recommendation). The other open negotiations close with a system message.
 */
export async function awardNegotiation(ctx: MutationCtx, negotiationId: Id<"negotiations">): Promise<Id<"awards">> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const quote = await getQuote(ctx, negotiation.quoteId);
  const existing = await ctx.db
    .query("awards")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
    .first();
  if (existing) fail("CONFLICT", "This quote has already been awarded", "quoteId");
  assertQuoteTransition(quote.status, "awarded");

  let offerId: Id<"offers">;
  if (negotiation.status === "accepted") {
    if (!negotiation.currentOfferId) fail("CONFLICT", "This negotiation has no accepted offer", "negotiationId");
    offerId = negotiation.currentOfferId;
  } else {
    assertOpen(negotiation);
    const standing = await standingSupplierOffer(ctx, negotiation);
    if (!standing) fail("CONFLICT", "There is no standing offer from the supplier to accept", "negotiationId");
    offerId = standing._id;
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
    awardedBy: "user",
    awardedAt: Date.now(),
  });
  await closeOpenNegotiations(ctx, quote._id, "rejected", {
    actor: "user",
    except: negotiationId,
    message: `The brand awarded this quote to ${supplier?.name ?? "another supplier"}. This negotiation is closed.`,
  });
  await transitionQuote(ctx, quote, "awarded", "user", {}, { awardId, negotiationId, offerId });
  return awardId;
}
