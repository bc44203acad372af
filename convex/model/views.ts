import type { Doc } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { unreadCount } from "./messages";
import { negotiationsOfQuote } from "./negotiations";
import type { Terms } from "./validate";

// The shapes the dashboard reads: a quote row, a quote with its negotiations.
// A supplier appears by its public profile only; its persona (costs,
// reservation, concession style) never leaves the server.

export function supplierProfileView({ _id, name, slug, profile }: Doc<"suppliers">) {
  return { _id, name, slug, profile };
}

export async function negotiationView(ctx: QueryCtx, negotiation: Doc<"negotiations">) {
  const found = await ctx.db.get(negotiation.supplierId);
  const supplier = found ? supplierProfileView(found) : null;
  const latestOffer = negotiation.currentOfferId ? await ctx.db.get(negotiation.currentOfferId) : null;
  return {
    ...negotiation,
    supplier,
    unreadCount: await unreadCount(ctx, negotiation._id),
    ...(latestOffer ? { latestOffer } : {}),
  };
}

/** Terms the supplier stands behind: its standing offer, or an agreement. */
function supplierTerms(negotiation: Doc<"negotiations">): Terms | undefined {
  if (!negotiation.currentTerms) return undefined;
  if (negotiation.status === "accepted" || negotiation.lastOfferBy === "supplier") return negotiation.currentTerms;
  return undefined;
}

export async function quoteRow(ctx: QueryCtx, quote: Doc<"quotes">) {
  const negotiations = await negotiationsOfQuote(ctx, quote._id);
  let bestOffer: { supplierName: string; totalPrice: number; terms: Terms } | undefined;
  let unread = 0;
  const negotiationStatuses = [];
  for (const negotiation of negotiations) {
    const supplier = await ctx.db.get(negotiation.supplierId);
    const supplierName = supplier?.name ?? "Unknown supplier";
    unread += await unreadCount(ctx, negotiation._id);
    negotiationStatuses.push({
      negotiationId: negotiation._id,
      supplierId: negotiation.supplierId,
      supplierName,
      status: negotiation.status,
    });
    const terms = supplierTerms(negotiation);
    if (terms && (!bestOffer || totalPrice(terms) < bestOffer.totalPrice)) {
      bestOffer = { supplierName, totalPrice: totalPrice(terms), terms };
    }
  }
  return { ...quote, ...(bestOffer ? { bestOffer } : {}), unreadCount: unread, negotiationStatuses };
}

export async function quoteDetail(ctx: QueryCtx, quote: Doc<"quotes">) {
  const negotiations = [];
  for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
    negotiations.push(await negotiationView(ctx, negotiation));
  }
  const award = await ctx.db
    .query("awards")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
    .first();
  return { quote, negotiations, ...(award ? { award } : {}) };
}
