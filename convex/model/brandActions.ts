import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { currencyOf, type Currency, formatUnitPrice } from "./currency";
import { fail } from "./errors";
import { appendAtNextSeq } from "./messages";
import { notifySupplier } from "./notifications";
import { stopTypingOnSend } from "./presence";
import {
  assertOpen,
  getNegotiation,
  recordOffer,
  standingSupplierOffer,
  transitionNegotiation,
} from "./negotiations";
import { checkText, type Terms } from "./validate";

// What the brand user does from the dashboard: take over a negotiation, talk,
// counter, hand back, or walk away. (Accepting is an award: see awards.ts.)

export async function pause(ctx: MutationCtx, negotiationId: Id<"negotiations">): Promise<void> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  assertOpen(negotiation);
  await transitionNegotiation(ctx, negotiation, "paused", {
    actor: "user",
    message: "You took over this negotiation; the AI negotiator is paused.",
    brandOnly: true,
  });
}

export async function resume(ctx: MutationCtx, negotiationId: Id<"negotiations">): Promise<void> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  assertOpen(negotiation);
  if (negotiation.status !== "paused") fail("CONFLICT", "Only a paused negotiation can be resumed", "negotiationId");
  await transitionNegotiation(ctx, negotiation, "active", {
    actor: "user",
    message: "The AI negotiator is back in charge of this negotiation.",
    brandOnly: true,
  });
}

async function requirePaused(ctx: MutationCtx, negotiationId: Id<"negotiations">) {
  const negotiation = await getNegotiation(ctx, negotiationId);
  assertOpen(negotiation);
  if (negotiation.status !== "paused") {
    fail("CONFLICT", "Take over the negotiation (pause the AI) before writing to the supplier", "negotiationId");
  }
  return negotiation;
}

export async function sendMessage(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  content: string,
  userId: Id<"users">,
): Promise<Id<"messages">> {
  checkText(content, "content", { required: true });
  const negotiation = await requirePaused(ctx, negotiationId);
  const id = await appendAtNextSeq(ctx, negotiationId, { sender: "user", kind: "text", content });
  if (negotiation.side === "live") {
    await stopTypingOnSend(ctx, negotiation, "brand", userId);
    await notifySupplier(ctx, { kind: "brand_message", text: `The brand wrote: “${content.slice(0, 120)}${content.length > 120 ? "…" : ""}”`, negotiation });
  }
  return id;
}

/** The brand user's counter-offer to the supplier's standing offer. */
export async function counter(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  terms: Terms,
  message: string | undefined,
): Promise<Id<"offers"> | null> {
  if (message !== undefined) checkText(message, "message", { required: true });
  const negotiation = await requirePaused(ctx, negotiationId);
  if (!(await standingSupplierOffer(ctx, negotiation))) {
    fail("CONFLICT", "There is no standing supplier offer to counter; wait for the supplier", "negotiationId");
  }
  const offerId = await recordOffer(ctx, negotiationId, { offeredBy: "brand", terms }, "user");
  if (offerId) {
    await appendAtNextSeq(ctx, negotiationId, {
      sender: "user",
      kind: "offer",
      content: message ?? counterOfferText(terms, currencyOf(await ctx.db.get(negotiation.quoteId))),
      offerId,
    });
  }
  return offerId;
}

export async function walkAway(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  reason: string | undefined,
): Promise<void> {
  if (reason !== undefined) checkText(reason, "reason", { required: true });
  const negotiation = await getNegotiation(ctx, negotiationId);
  assertOpen(negotiation);
  await appendAtNextSeq(ctx, negotiationId, {
    sender: "user",
    kind: "rejection",
    content: reason ?? "We are walking away from this negotiation.",
  });
  await transitionNegotiation(ctx, negotiation, "rejected", {
    actor: "user",
    outcome: "walked_away",
    ...(reason !== undefined ? { failureReason: reason } : {}),
  });
}

/** The chat message of a brand user's counter-offer written without words of their own, in the quote's currency. */
function counterOfferText(terms: Terms, currency: Currency): string {
  const lines = terms.lines.map((line) => `${line.quantity.toLocaleString("en-US")} × ${line.sku} at ${formatUnitPrice(line.unitPrice, currency)}`);
  return `Our counter-offer: ${lines.join("; ")}; delivery in ${terms.leadTimeDays} days; payment in ${terms.paymentTermsDays} days.`;
}
