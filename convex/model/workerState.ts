import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { fail } from "./errors";
import { streamedText } from "./messages";
import { getNegotiation, getQuote, negotiationsOfQuote } from "./negotiations";

// What the quote worker reads to run or resume a negotiation: the negotiation
// with its supplier, its offers in round order and its messages in seq order.

export type NegotiationState = Doc<"negotiations"> & {
  supplier: Doc<"suppliers">;
  offers: Doc<"offers">[];
  messages: Doc<"messages">[];
};

export async function negotiationState(ctx: QueryCtx, negotiation: Doc<"negotiations">): Promise<NegotiationState> {
  const supplier = await ctx.db.get(negotiation.supplierId);
  if (!supplier) fail("NOT_FOUND", "The negotiation's supplier is missing", "supplierId");
  const offers = await ctx.db
    .query("offers")
    .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiation._id))
    .take(200);
  const messages = await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiation._id))
    .take(1000);
  offers.sort((a, b) => a.round - b.round || a._creationTime - b._creationTime);
  for (const [i, message] of messages.entries()) {
    if (message.state === "streaming") messages[i] = { ...message, content: await streamedText(ctx, message) };
  }
  return { ...negotiation, supplier, offers, messages };
}

export async function quoteState(
  ctx: QueryCtx,
  quoteId: Id<"quotes">,
): Promise<{ quote: Doc<"quotes">; negotiations: NegotiationState[] }> {
  const quote = await getQuote(ctx, quoteId);
  const negotiations: NegotiationState[] = [];
  for (const negotiation of await negotiationsOfQuote(ctx, quoteId)) {
    negotiations.push(await negotiationState(ctx, negotiation));
  }
  return { quote, negotiations };
}

/**
 * The few fields that tell a running workflow that someone else acted on a
 * negotiation: the brand user pausing, resuming, countering, accepting or
 * walking away, or the quote closing. Small on purpose: the workflow
 * subscribes to it, and it is re-run on every write to the negotiation.
 */
export async function negotiationControl(ctx: QueryCtx, negotiationId: Id<"negotiations">) {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const quote = await getQuote(ctx, negotiation.quoteId);
  return {
    status: negotiation.status,
    nextSeq: negotiation.nextSeq,
    currentRound: negotiation.currentRound,
    currentOfferId: negotiation.currentOfferId ?? null,
    quoteStatus: quote.status,
  };
}

/** The earliest lease among the quotes being negotiated, or null: when the next one can lapse. */
export async function nextLeaseExpiry(ctx: QueryCtx): Promise<number | null> {
  const first = await ctx.db
    .query("quotes")
    .withIndex("by_status_and_leaseExpiresAt", (q) => q.eq("status", "negotiating").gt("leaseExpiresAt", undefined))
    .first();
  return first?.leaseExpiresAt ?? null;
}
