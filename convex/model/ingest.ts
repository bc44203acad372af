import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail, invalid } from "./errors";
import {
  checkSeq,
  findMessageBySeq,
  type MessageInput,
  writeMessageAtSeq,
} from "./messages";
import { assertOpen, getNegotiation, startIfPending, transitionNegotiation } from "./negotiations";
import { type NegotiationOutcome, type NegotiationStatus } from "./status";
import { checkText } from "./validate";

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
  await transitionNegotiation(ctx, negotiationId, status, {
    actor: "system",
    ...(outcome !== undefined ? { outcome } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
  });
}
