import { v } from "convex/values";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { currencyOf, formatMoney, formatUnitPrice } from "./currency";
import { fail, invalid } from "./errors";
import { appendAtNextSeq } from "./messages";
import { acceptOffer, assertOpen, getNegotiation, getQuote, recordOffer, transitionNegotiation } from "./negotiations";
import { wakeQuote } from "./liveWait";
import { notifyBrand } from "./notifications";
import { stopTypingOnSend } from "./presence";
import type { SupplierAccess } from "./supplierAccess";
import { checkNumber, checkText, LIMITS, type Terms } from "./validate";

// What a live supplier's person does in the portal: offer (numbers from a
// form, never from their words), write, accept the brand's offer, or decline.
// Each move wakes the quote's waiting run (negotiations.ts does it) and tells
// the brand.

/** The offer form: a unit price per line of the quote (its quantities are the brand's), a lead time and payment terms. */
export const supplierOfferArgs = {
  lines: v.array(v.object({ sku: v.string(), unitPrice: v.number() })),
  leadTimeDays: v.number(),
  paymentTermsDays: v.number(),
  message: v.optional(v.string()),
};

export type SupplierOfferInput = {
  lines: { sku: string; unitPrice: number }[];
  leadTimeDays: number;
  paymentTermsDays: number;
  message?: string;
};

/** The negotiation as it is now, open; the access check read it before. */
async function openNegotiation(ctx: MutationCtx, access: SupplierAccess) {
  const negotiation = await getNegotiation(ctx, access.negotiation._id);
  assertOpen(negotiation);
  return negotiation;
}

async function supplierName(ctx: MutationCtx, supplierId: Id<"suppliers">) {
  return (await ctx.db.get(supplierId))?.name ?? "The supplier";
}

export async function makeOffer(ctx: MutationCtx, access: SupplierAccess, input: SupplierOfferInput): Promise<Id<"offers"> | null> {
  const negotiation = await openNegotiation(ctx, access);
  if (negotiation.lastOfferBy === "supplier") {
    fail("CONFLICT", "Your offer is with the brand: wait for its answer before you offer again", "negotiationId");
  }
  const quote = await getQuote(ctx, negotiation.quoteId);
  const currency = currencyOf(quote);
  if (input.lines.length !== quote.lineItems.length) {
    invalid("lines", `Give a unit price for each of the ${quote.lineItems.length} line items`);
  }
  const lines = quote.lineItems.map((item, i) => {
    const given = input.lines.filter((line) => line.sku === item.sku);
    if (given.length !== 1) invalid(`lines[${i}].unitPrice`, `Give one unit price for ${item.name}`);
    // Checked in cents, as stored: a price that rounds to nothing is no price.
    const unitPrice = Math.round(given[0]!.unitPrice * 100) / 100;
    checkNumber(unitPrice, `lines[${i}].unitPrice`, { positive: true, max: LIMITS.maxUnitPrice, currency });
    return { sku: item.sku, quantity: item.quantity, unitPrice };
  });
  const terms: Terms = {
    lines,
    leadTimeDays: checkNumber(input.leadTimeDays, "leadTimeDays", { integer: true, min: 1, max: LIMITS.maxLeadTimeDays }),
    paymentTermsDays: checkNumber(input.paymentTermsDays, "paymentTermsDays", { integer: true, min: 0, max: LIMITS.maxPaymentTermsDays }),
  };
  const message = input.message === undefined || input.message.trim() === "" ? undefined : checkText(input.message.trim(), "message", { required: true });
  const offerId = await recordOffer(ctx, negotiation._id, { offeredBy: "supplier", terms }, "contact");
  const name = await supplierName(ctx, negotiation.supplierId);
  if (offerId === null) {
    // Past the last round: recordOffer ended the negotiation in impasse and said so.
    await notifyBrand(ctx, { kind: "supplier_declined", text: `${name}'s negotiation ended without agreement after ${negotiation.maxRounds} offers.`, negotiation });
    return null;
  }
  const lineWords = lines.map((line) => `${line.quantity.toLocaleString("en-US")} × ${line.sku} at ${formatUnitPrice(line.unitPrice, currency)}`);
  await appendAtNextSeq(ctx, negotiation._id, {
    sender: "contact",
    kind: "offer",
    content: message ?? `Our offer: ${lineWords.join("; ")}; delivery in ${terms.leadTimeDays} days; payment in ${terms.paymentTermsDays} days.`,
    offerId,
  });
  await stopTypingOnSend(ctx, negotiation, "supplier", access.user._id);
  await notifyBrand(ctx, { kind: "supplier_offer", text: `${name} made an offer: ${formatMoney(totalPrice(terms), currency)} in total.`, negotiation });
  return offerId;
}

export async function sendSupplierMessage(ctx: MutationCtx, access: SupplierAccess, content: string): Promise<Id<"messages">> {
  const text = checkText(content.trim(), "content", { required: true });
  const negotiation = await openNegotiation(ctx, access);
  const id = await appendAtNextSeq(ctx, negotiation._id, { sender: "contact", kind: "text", content: text });
  // Words are a move too (suspendQuote counts nextSeq): the waiting run wakes to answer them.
  await wakeQuote(ctx, negotiation.quoteId);
  await stopTypingOnSend(ctx, negotiation, "supplier", access.user._id);
  await notifyBrand(ctx, { kind: "supplier_message", text: `${await supplierName(ctx, negotiation.supplierId)} wrote: “${text.slice(0, 120)}${text.length > 120 ? "…" : ""}”`, negotiation });
  return id;
}

/** Accepts the brand's standing offer: it becomes the supplier's final offer, held until the brand awards the quote. */
export async function acceptBrandOffer(ctx: MutationCtx, access: SupplierAccess): Promise<void> {
  const negotiation = await openNegotiation(ctx, access);
  if (negotiation.lastOfferBy !== "brand" || !negotiation.currentOfferId) {
    fail("CONFLICT", "There is no offer from the brand to accept yet", "negotiationId");
  }
  const offerId = negotiation.currentOfferId;
  await acceptOffer(ctx, negotiation._id, offerId, "supplier", "contact");
  await appendAtNextSeq(ctx, negotiation._id, { sender: "contact", kind: "acceptance", content: "We accept your offer.", offerId });
  const offer = (await ctx.db.get(offerId))!;
  const quote = await getQuote(ctx, negotiation.quoteId);
  await notifyBrand(ctx, {
    kind: "supplier_accepted",
    text: `${await supplierName(ctx, negotiation.supplierId)} accepted your offer of ${formatMoney(totalPrice(offer.terms), currencyOf(quote))}: it is their final offer, ready to award.`,
    negotiation,
  });
}

export async function declineNegotiation(ctx: MutationCtx, access: SupplierAccess, reason: string): Promise<void> {
  const why = checkText(reason.trim(), "reason", { required: true, max: 1_000 });
  const negotiation = await openNegotiation(ctx, access);
  await appendAtNextSeq(ctx, negotiation._id, { sender: "contact", kind: "rejection", content: why });
  await transitionNegotiation(ctx, negotiation, "rejected", { actor: "contact", outcome: "walked_away", failureReason: why });
  await notifyBrand(ctx, { kind: "supplier_declined", text: `${await supplierName(ctx, negotiation.supplierId)} declined: “${why.slice(0, 120)}”`, negotiation });
}
