import type { Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { messageKind, messageMetadata, messageSender } from "../schema";
import { fail } from "./errors";
import { logEvent } from "./events";
import { checkNumber, checkText } from "./validate";

// Messages are keyed by (negotiation, seq). The workflow allocates seq from the
// negotiation's history so a retried or resumed write lands on the same row;
// the dashboard and the system take nextSeq at write time.

export type MessageSender = Infer<typeof messageSender>;
export type MessageKind = Infer<typeof messageKind>;
export type MessageMetadata = Infer<typeof messageMetadata>;

export type MessageInput = {
  sender: MessageSender;
  kind: MessageKind;
  content: string;
  state: "streaming" | "complete";
  offerId?: Id<"offers">;
  metadata?: MessageMetadata;
};

export async function findMessageBySeq(
  ctx: QueryCtx,
  negotiationId: Id<"negotiations">,
  seq: number,
): Promise<Doc<"messages"> | null> {
  return await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", negotiationId).eq("seq", seq))
    .unique();
}

export async function checkOfferLink(
  ctx: QueryCtx,
  negotiationId: Id<"negotiations">,
  offerId: Id<"offers"> | undefined,
): Promise<void> {
  if (offerId === undefined) return;
  const offer = await ctx.db.get(offerId);
  if (!offer || offer.negotiationId !== negotiationId) {
    fail("NOT_FOUND", "The linked offer does not belong to this negotiation", "offerId");
  }
}

export function checkSeq(seq: number): number {
  return checkNumber(seq, "seq", { integer: true, min: 0 });
}

/**
 * Writes the message at `seq` once. The same seq again with the same sender and
 * kind is a replay and returns the stored id; with another sender or kind it is a
 * CONFLICT (the writer's view of the history is stale).
 * Returns the id and whether it was newly written.
 */
export async function writeMessageAtSeq(
  ctx: MutationCtx,
  negotiation: Doc<"negotiations">,
  seq: number,
  input: MessageInput,
): Promise<{ id: Id<"messages">; created: boolean }> {
  checkSeq(seq);
  checkText(input.content, "content", { required: input.state === "complete" });
  const existing = await findMessageBySeq(ctx, negotiation._id, seq);
  if (existing) {
    if (existing.sender !== input.sender || existing.kind !== input.kind) {
      fail(
        "CONFLICT",
        `Seq ${seq} already holds a ${existing.sender} ${existing.kind} message; re-read the negotiation`,
        "seq",
      );
    }
    return { id: existing._id, created: false };
  }
  await checkOfferLink(ctx, negotiation._id, input.offerId);
  const now = Date.now();
  const id = await ctx.db.insert("messages", {
    workspaceId: negotiation.workspaceId,
    negotiationId: negotiation._id,
    seq,
    sender: input.sender,
    kind: input.kind,
    content: input.content,
    state: input.state,
    ...(input.offerId ? { offerId: input.offerId } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    // A brand user's own words are read by definition.
    ...(input.sender === "user" ? { readAt: now } : {}),
  });
  const fresh = (await ctx.db.get(negotiation._id))!;
  await ctx.db.patch(negotiation._id, { nextSeq: Math.max(fresh.nextSeq, seq + 1), lastActivityAt: now });
  await logEvent(ctx, {
    workspaceId: negotiation.workspaceId,
    type: "message_sent",
    actor: input.sender,
    quoteId: negotiation.quoteId,
    negotiationId: negotiation._id,
    data: { seq, kind: input.kind },
  });
  return { id, created: true };
}

/** Dashboard and system messages: the next free seq. */
export async function appendAtNextSeq(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  input: Omit<MessageInput, "state">,
): Promise<Id<"messages">> {
  const negotiation = (await ctx.db.get(negotiationId))!;
  const { id } = await writeMessageAtSeq(ctx, negotiation, negotiation.nextSeq, { ...input, state: "complete" });
  return id;
}

export async function systemMessage(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  content: string,
): Promise<Id<"messages">> {
  return await appendAtNextSeq(ctx, negotiationId, { sender: "system", kind: "system", content });
}

export async function requireMessage(
  ctx: QueryCtx,
  negotiationId: Id<"negotiations">,
  seq: number,
): Promise<Doc<"messages">> {
  checkSeq(seq);
  const message = await findMessageBySeq(ctx, negotiationId, seq);
  if (!message) fail("NOT_FOUND", `No message at seq ${seq}; start it first`, "seq");
  return message;
}

/** Streaming text is the full text so far; a shorter one is a late replay and is ignored. */
export async function updateStreamingText(ctx: MutationCtx, message: Doc<"messages">, content: string): Promise<void> {
  checkText(content, "content", { required: false });
  if (message.state !== "streaming" || content.length <= message.content.length) return;
  await ctx.db.patch(message._id, { content });
}

export async function finishStreaming(
  ctx: MutationCtx,
  message: Doc<"messages">,
  final: { content: string; offerId?: Id<"offers">; metadata?: MessageMetadata },
): Promise<void> {
  checkText(final.content, "content", { required: true });
  if (message.state === "complete") return;
  await checkOfferLink(ctx, message.negotiationId, final.offerId);
  await ctx.db.patch(message._id, {
    content: final.content,
    state: "complete",
    ...(final.offerId ? { offerId: final.offerId } : {}),
    ...(final.metadata ? { metadata: final.metadata } : {}),
  });
  await ctx.db.patch(message.negotiationId, { lastActivityAt: Date.now() });
}

/** Unread messages of a negotiation (bounded: the badge says "99+" long before). */
export async function unreadCount(ctx: QueryCtx, negotiationId: Id<"negotiations">): Promise<number> {
  const unread = await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_readAt", (q) => q.eq("negotiationId", negotiationId).eq("readAt", undefined))
    .take(1000);
  return unread.length;
}
