import type { Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { messageKind, messageMetadata, messageSender, withdrawReason } from "../schema";
import { fail, invalid } from "./errors";
import { logEvent } from "./events";
import { unreadAfter } from "./readState";
import { checkNumber, checkText, LIMITS } from "./validate";

// Messages are keyed by (negotiation, seq). The workflow allocates seq from the
// negotiation's history so a retried or resumed write lands on the same row;
// the dashboard and the system take nextSeq at write time.

export type MessageSender = Infer<typeof messageSender>;
export type MessageKind = Infer<typeof messageKind>;
export type MessageMetadata = Infer<typeof messageMetadata>;
export type WithdrawReason = Infer<typeof withdrawReason>;

/** What a withdrawn message says instead of its unfinished text. */
export const WITHDRAWN_TEXT: Record<WithdrawReason, string> = {
  take_over: "(Withdrawn: the brand user took over before this message was sent.)",
  closed: "(Withdrawn: the negotiation ended before this message was finished.)",
  failed: "(Withdrawn: Parley stopped this negotiation because of an error before this message was finished.)",
};

export type MessageInput = {
  sender: MessageSender;
  kind: MessageKind;
  content: string;
  state: "streaming" | "complete";
  offerId?: Id<"offers">;
  metadata?: MessageMetadata;
  /** For the brand's side only: a live supplier neither sees it nor counts it unread. */
  brandOnly?: boolean;
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
    ...(input.brandOnly ? { brandOnly: true } : {}),
  });
  const fresh = (await ctx.db.get(negotiation._id))!;
  await ctx.db.patch(negotiation._id, { nextSeq: Math.max(fresh.nextSeq, seq + 1), lastActivityAt: now, ...unreadAfter(fresh, input.sender, input.brandOnly === true) });
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
  brandOnly = false,
): Promise<Id<"messages">> {
  return await appendAtNextSeq(ctx, negotiationId, { sender: "system", kind: "system", content, ...(brandOnly ? { brandOnly } : {}) });
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

/** A streaming message's pieces after its first words, in order. */
async function deltasOf(ctx: QueryCtx, messageId: Id<"messages">): Promise<Doc<"messageDeltas">[]> {
  return await ctx.db
    .query("messageDeltas")
    .withIndex("by_messageId_and_start", (q) => q.eq("messageId", messageId))
    .take(MAX_DELTAS);
}

/** A message's text so far: the first words, then every piece streamed since. */
export async function streamedText(ctx: QueryCtx, message: Doc<"messages">): Promise<string> {
  if (message.state !== "streaming") return message.content;
  return message.content + (await deltasOf(ctx, message._id)).map((d) => d.text).join("");
}

/** A message's text is at most 4,000 characters and pieces are whole words: far fewer pieces than this. */
const MAX_DELTAS = 4_000;

/**
 * Appends `text` at offset `start` of a streaming message's text. The offset
 * makes a retry safe: a piece already stored (wholly or in part) is recognised
 * and only what is new is kept; a piece past the end would leave a hole and is
 * refused. A finished message ignores late pieces.
 */
export async function appendStreamingText(ctx: MutationCtx, message: Doc<"messages">, start: number, text: string): Promise<void> {
  checkNumber(start, "start", { integer: true, min: 0 });
  checkText(text, "text", { required: false });
  if (message.state !== "streaming" || text.length === 0) return;
  const last = await ctx.db
    .query("messageDeltas")
    .withIndex("by_messageId_and_start", (q) => q.eq("messageId", message._id))
    .order("desc")
    .first();
  const length = last ? last.start + last.text.length : message.content.length;
  if (start > length) fail("CONFLICT", `The text so far is ${length} characters; a piece at ${start} would leave a gap`, "start");
  const fresh = text.slice(length - start);
  if (fresh.length === 0) return;
  if (length + fresh.length > LIMITS.maxTextLength) {
    invalid("text", `A message is at most ${LIMITS.maxTextLength} characters; this piece would make it ${length + fresh.length}`);
  }
  await ctx.db.insert("messageDeltas", {
    workspaceId: message.workspaceId,
    negotiationId: message.negotiationId,
    messageId: message._id,
    start: length,
    text: fresh,
  });
}

async function dropDeltas(ctx: MutationCtx, messageId: Id<"messages">): Promise<void> {
  for (const delta of await deltasOf(ctx, messageId)) await ctx.db.delete(delta._id);
}

export async function finishStreaming(
  ctx: MutationCtx,
  message: Doc<"messages">,
  final: { content: string; offerId?: Id<"offers">; metadata?: MessageMetadata },
): Promise<void> {
  checkText(final.content, "content", { required: true });
  if (message.state === "complete") return;
  await checkOfferLink(ctx, message.negotiationId, final.offerId);
  await dropDeltas(ctx, message._id);
  await ctx.db.patch(message._id, {
    content: final.content,
    state: "complete",
    // Streaming when the caller read it, and closing its own negotiation (an
    // offer past maxRounds) withdrew it since, in this transaction: finished, not withdrawn.
    withdrawn: undefined,
    ...(final.offerId ? { offerId: final.offerId } : {}),
    ...(final.metadata ? { metadata: final.metadata } : {}),
  });
  await ctx.db.patch(message.negotiationId, { lastActivityAt: Date.now() });
}

/**
 * Ends a message still streaming as withdrawn: its unfinished text is replaced
 * by why. A complete message is left as it is (a replay, or it finished first).
 */
export async function withdrawStreaming(ctx: MutationCtx, message: Doc<"messages">, reason: WithdrawReason): Promise<boolean> {
  if (message.state !== "streaming") return false;
  await dropDeltas(ctx, message._id);
  await ctx.db.patch(message._id, { content: WITHDRAWN_TEXT[reason], state: "complete", withdrawn: reason });
  return true;
}

/** The negotiation's messages still streaming (normally none or one: only the workflow streams, a turn at a time). */
export async function streamingMessages(ctx: QueryCtx, negotiationId: Id<"negotiations">): Promise<Doc<"messages">[]> {
  return await ctx.db
    .query("messages")
    .withIndex("by_negotiationId_and_state", (q) => q.eq("negotiationId", negotiationId).eq("state", "streaming"))
    .take(100);
}

/**
 * Withdraws whatever the negotiation still has streaming: no message outlives
 * the negotiation it belongs to (a walk-away, a cancel, an expiry or a failure
 * mid-message).
 */
export async function withdrawAllStreaming(ctx: MutationCtx, negotiationId: Id<"negotiations">, reason: WithdrawReason): Promise<void> {
  for (const message of await streamingMessages(ctx, negotiationId)) await withdrawStreaming(ctx, message, reason);
}

