import type { PaginationOptions } from "convex/server";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { filesOfQuote } from "./attachments";
import { currencyOf } from "./currency";
import { incotermLabel } from "./incoterms";
import { streamedText, streamingMessages } from "./messages";
import { getQuote } from "./negotiations";
import { isTyping, viewers } from "./presence";
import { purchaseOrderView } from "./purchaseOrders";
import { quoteReference, quoteTitle } from "./quoteNames";
import { seenByOtherSide, unreadFor } from "./readState";
import type { SupplierAccess } from "./supplierAccess";
import { contactsOf } from "./supplierAccess";
import { isTerminalNegotiation } from "./status";
import { awardedTo, negotiationStanding } from "./statusWords";

// What a live supplier sees, by allow-list: what the brand asks for (items,
// quantities, delivery, the deadline), its own conversation and offers, and
// its own award. Never the brand's targets, maximums, guardrails or
// priorities, the engine's reasoning or confidence, the brand's assist
// suggestions, the models' metadata, or anything of another supplier.

/** Who wrote a message, as the supplier reads it: the brand (its agent or a person), Parley, or themselves. */
export type SupplierSideSender = "brand" | "you" | "parley";

const SENDER: Record<Doc<"messages">["sender"], SupplierSideSender> = {
  brand: "brand",
  user: "brand",
  system: "parley",
  contact: "you",
  // A simulated supplier's words never appear on a live negotiation; if they did, they would be the supplier side's.
  supplier: "you",
};

export function supplierMessageView(message: Doc<"messages">) {
  return {
    _id: message._id,
    _creationTime: message._creationTime,
    seq: message.seq,
    sender: SENDER[message.sender],
    kind: message.kind,
    content: message.content,
    state: message.state,
    ...(message.offerId ? { offerId: message.offerId } : {}),
    ...(message.withdrawn ? { withdrawn: message.withdrawn } : {}),
  };
}

/** The brand's assist suggestions and its take-over notes (brandOnly) are the brand's own; the supplier never sees them. */
const VISIBLE = (message: Doc<"messages">) => message.kind !== "ai_suggestion" && message.brandOnly !== true;

export async function supplierMessages(ctx: QueryCtx, negotiationId: Id<"negotiations">, paginationOpts: PaginationOptions) {
  const page = await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId))
    .order("asc")
    .paginate(paginationOpts);
  return { ...page, page: page.page.filter(VISIBLE).map(supplierMessageView) };
}

export async function supplierStreaming(ctx: QueryCtx, negotiationId: Id<"negotiations">) {
  const texts: { messageId: Id<"messages">; content: string }[] = [];
  for (const message of await streamingMessages(ctx, negotiationId)) {
    if (VISIBLE(message)) texts.push({ messageId: message._id, content: await streamedText(ctx, message) });
  }
  return texts;
}

/** Still taking moves: not closed, and its deadline not passed (the cron closes it a little later). */
function isOpen(negotiation: Doc<"negotiations">, now: number): boolean {
  return !isTerminalNegotiation(negotiation.status) && (negotiation.expiresAt === undefined || negotiation.expiresAt > now);
}

const offerView = (offer: Doc<"offers">) => ({
  _id: offer._id,
  round: offer.round,
  offeredBy: offer.offeredBy,
  terms: offer.terms,
  status: offer.status,
  validUntil: offer.validUntil ?? null,
});

export async function supplierNegotiationView(ctx: QueryCtx, access: SupplierAccess) {
  const negotiation = (await ctx.db.get(access.negotiation._id))!;
  const quote = await getQuote(ctx, negotiation.quoteId);
  const [workspace, supplier] = await Promise.all([ctx.db.get(negotiation.workspaceId), ctx.db.get(negotiation.supplierId)]);
  const offers = (
    await ctx.db
      .query("offers")
      .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiation._id))
      .take(200)
  ).map(offerView);
  const standing = offers.find((o) => o._id === negotiation.currentOfferId) ?? null;
  const open = isOpen(negotiation, Date.now());
  // Row-level security shows a supplier only its own award; another's is known by the quote's status alone.
  const ownAward = await ctx.db
    .query("awards")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
    .first();
  const award = ownAward?.negotiationId === negotiation._id ? ownAward : null;
  const po = award
    ? await ctx.db
        .query("purchaseOrders")
        .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
        .first()
    : null;
  const attachments = await filesOfQuote(ctx, quote._id);
  return {
    negotiationId: negotiation._id,
    endedBy: negotiation.status === "rejected" ? await whoEnded(ctx, negotiation._id) : null,
    brandName: workspace?.name ?? "The brand",
    supplierName: supplier?.name ?? "",
    contactName: access.contact.name,
    status: negotiation.status,
    /**
     * "awarded" (its own award) or "not_awarded" (its final offer, the quote awarded elsewhere), else the status: the
     * brand's word too. Another's award is not readable here (row-level security): the quote's status says it.
     */
    standing: negotiationStanding(negotiation.status, award ? true : quote.status === "awarded" ? false : null),
    outcome: negotiation.outcome ?? null,
    currentRound: negotiation.currentRound,
    maxRounds: negotiation.maxRounds,
    expiresAt: negotiation.expiresAt ?? null,
    /** The supplier may offer now: open, and the last offer was not its own. */
    yourTurn: open && negotiation.lastOfferBy !== "supplier",
    canAcceptBrandOffer: open && negotiation.lastOfferBy === "brand" && standing?.status === "pending",
    quote: {
      reference: quoteReference(quote),
      title: quoteTitle(quote),
      currency: currencyOf(quote),
      lineItems: quote.lineItems.map(({ sku, name, quantity }) => ({ sku, name, quantity })),
      notes: quote.notes ?? null,
      deliveryAddress: quote.deliveryAddress ?? null,
      incoterms: quote.incoterms ? incotermLabel(quote.incoterms) : null,
      status: quote.status === "awarded" ? "awarded" : quote.status === "cancelled" ? "cancelled" : "open",
    },
    offers,
    standingOffer: standing,
    unread: unreadFor(negotiation, "supplier"),
    /** The last seq the brand has read: "seen" goes under the supplier's messages up to it. */
    seenByBrandSeq: seenByOtherSide(negotiation, "supplier"),
    /** Whether someone at the brand is typing, and has the negotiation open, now (never who: that is the brand's business). */
    brandTyping: await isTyping(ctx, negotiation._id, "brand"),
    brandViewing: (await viewers(ctx, negotiation._id, "brand")).length > 0,
    award: award
      ? { yours: true as const, purchaseOrder: po ? supplierPurchaseOrder(await purchaseOrderView(ctx, po)) : null }
      : quote.status === "awarded"
        ? { yours: false as const }
        : null,
    attachments,
  };
}

/** Who ended a rejected negotiation, from its closing words: the supplier's person declining, or the brand (walking away, awarding elsewhere, cancelling). */
async function whoEnded(ctx: QueryCtx, negotiationId: Id<"negotiations">): Promise<"you" | "brand"> {
  const last = await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId))
    .order("desc")
    .take(5);
  return last.find((m) => m.kind === "rejection")?.sender === "contact" ? "you" : "brand";
}

/** The purchase order as its supplier reads it: who placed it by name, no account ids. */
function supplierPurchaseOrder(po: Awaited<ReturnType<typeof purchaseOrderView>>) {
  const { awardedBy, approval, ...rest } = po;
  return {
    ...rest,
    awardedBy: { name: awardedBy.name },
    approval: approval ? { name: approval.name, approvedAt: approval.approvedAt } : null,
  };
}

/** Every negotiation the signed-in user was invited to, across brands, newest activity first. */
export async function myNegotiations(ctx: QueryCtx, userId: Id<"users">) {
  const rows = [];
  for (const contact of await contactsOf(ctx, userId)) {
    const negotiations = await ctx.db
      .query("negotiations")
      .withIndex("by_contactId", (q) => q.eq("contactId", contact._id))
      .take(100);
    for (const negotiation of negotiations) {
      const [quote, workspace] = await Promise.all([ctx.db.get(negotiation.quoteId), ctx.db.get(negotiation.workspaceId)]);
      if (!quote) continue;
      const award = await ctx.db
        .query("awards")
        .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
        .first();
      // Whether this negotiation won; another's award known, as above, by the quote's status alone.
      const awarded = awardedTo(award, negotiation._id) ?? (quote.status === "awarded" ? false : null);
      rows.push({
        negotiationId: negotiation._id,
        brandName: workspace?.name ?? "A brand",
        reference: quoteReference(quote),
        title: quoteTitle(quote),
        status: negotiation.status,
        standing: negotiationStanding(negotiation.status, awarded),
        expiresAt: negotiation.expiresAt ?? null,
        lastActivityAt: negotiation.lastActivityAt,
        unread: unreadFor(negotiation, "supplier"),
        yourTurn: isOpen(negotiation, Date.now()) && negotiation.lastOfferBy !== "supplier",
        awarded,
      });
    }
  }
  return rows.sort((a, b) => b.lastActivityAt - a.lastActivityAt);
}
