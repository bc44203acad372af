import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail, invalid } from "./errors";
import {
  checkSeq,
  findMessageBySeq,
  finishStreaming,
  type MessageInput,
  type MessageMetadata,
  writeMessageAtSeq,
} from "./messages";
import {
  assertOpen,
  getNegotiation,
  type OfferInput,
  recordOffer,
  startIfPending,
  transitionNegotiation,
} from "./negotiations";
import { type NegotiationOutcome, type NegotiationStatus } from "./status";
import { checkText } from "./validate";
import { negotiationState, type NegotiationState } from "./workerState";

// What the workflow writes. A retried call must land exactly where the first one
// did, so each function first recognises a replay, and only then applies the rules.

/** A new message from the workflow at its own seq; a replay returns the stored id. */
export async function ingestMessage(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  seq: number,
  input: MessageInput,
): Promise<Id<"messages">> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  checkSeq(seq);
  if (input.sender === "user") invalid("sender", "The workflow cannot write as the brand user");
  const existing = await findMessageBySeq(ctx, negotiationId, seq);
  if (!existing) {
    assertOpen(negotiation);
    if (negotiation.status === "paused" && input.sender === "brand") {
      fail("CONFLICT", "The brand user has taken over this negotiation", "negotiationId");
    }
    await startIfPending(ctx, negotiation, input.sender === "supplier" ? "supplier" : "brand");
  }
  const { id } = await writeMessageAtSeq(ctx, negotiation, seq, input);
  return id;
}

/** The workflow's own status moves: start, impasse, failure, and so on (never agreement: see acceptOffer). */
export async function updateStatus(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  status: NegotiationStatus,
  outcome: NegotiationOutcome | undefined,
  failureReason: string | undefined,
): Promise<void> {
  if (failureReason !== undefined) checkText(failureReason, "failureReason", { required: true });
  if (status === "accepted") invalid("status", "Agreement is reached by accepting an offer: use ingest.acceptOffer");
  const negotiation = await getNegotiation(ctx, negotiationId);
  if (negotiation.status === status) return;
  const closingAnyway = status === "expired" || status === "failed";
  if (!closingAnyway && negotiation.expiresAt !== undefined && Date.now() >= negotiation.expiresAt) {
    fail("EXPIRED", "This negotiation has expired", "negotiationId");
  }
  await transitionNegotiation(ctx, negotiation, status, {
    actor: "system",
    ...(outcome !== undefined ? { outcome } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
  });
}

/**
 * An offer and the message that states it, in one transaction: the offer is
 * recorded (or recognised as a replay) and the message at `seq` is finished
 * linked to it: the streaming one, or, when its text came all at once and it
 * was never started, a new complete one (as ingestMessage writes it). The same
 * rules as recordOffer and finishMessage, so a retry lands where the first
 * attempt did. Returns the negotiation as it now stands, so the writer need not
 * read it back before its next turn.
 */
export async function finishOfferMessage(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  seq: number,
  offer: OfferInput,
  final: { content: string; metadata?: MessageMetadata },
): Promise<{ offerId: Id<"offers"> | null; messageId: Id<"messages">; negotiation: NegotiationState }> {
  checkSeq(seq);
  // Never started: started here, under ingestMessage's rules, then finished as a streamed one is.
  const message =
    (await findMessageBySeq(ctx, negotiationId, seq)) ??
    (await ctx.db.get(await ingestMessage(ctx, negotiationId, seq, { sender: offer.offeredBy, kind: "offer", content: final.content, state: "streaming" })))!;
  if (message.sender !== offer.offeredBy || message.kind !== "offer") {
    fail("CONFLICT", `Seq ${seq} holds a ${message.sender} ${message.kind} message, not the ${offer.offeredBy}'s offer`, "seq");
  }
  const offerId = await recordOffer(ctx, negotiationId, offer, offer.offeredBy);
  await finishStreaming(ctx, message, { ...final, ...(offerId ? { offerId } : {}) });
  const negotiation = await negotiationState(ctx, await getNegotiation(ctx, negotiationId));
  return { offerId, messageId: message._id, negotiation };
}
