import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { MessageSender } from "./messages";

// Read receipts and unread counts, per side of a negotiation. Each side's count
// grows as the other side (or Parley) writes and drops to zero when that side
// reads: kept as messages are written, never counted by scanning them. The
// brand side reads everything but its own members' words; the supplier side,
// on a live negotiation, everything but its contact's.

export type Side = "brand" | "supplier";

/** Whose words a side has no need to read. */
const OWN_SENDER: Record<Side, MessageSender> = { brand: "user", supplier: "contact" };

/** The counters a new message from `sender` moves on `negotiation` (as it is now); a brand-only note is not the supplier's to read. */
export function unreadAfter(negotiation: Doc<"negotiations">, sender: MessageSender, brandOnly = false): Partial<Doc<"negotiations">> {
  const patch: Partial<Doc<"negotiations">> = {};
  if (sender !== OWN_SENDER.brand) patch.brandUnread = (negotiation.brandUnread ?? 0) + 1;
  if (negotiation.side === "live" && !brandOnly && sender !== OWN_SENDER.supplier) patch.supplierUnread = (negotiation.supplierUnread ?? 0) + 1;
  return patch;
}

export function unreadFor(negotiation: Doc<"negotiations">, side: Side): number {
  return (side === "brand" ? negotiation.brandUnread : negotiation.supplierUnread) ?? 0;
}

/**
 * The side has read everything written so far: its count is zero and its
 * read mark moves to the last seq. Returns how many it had unread. Writes
 * nothing when there is nothing new (reading twice costs no commit).
 */
export async function markRead(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side): Promise<number> {
  const unread = unreadFor(negotiation, side);
  const lastSeq = negotiation.nextSeq - 1;
  const readSeq = side === "brand" ? negotiation.brandReadSeq : negotiation.supplierReadSeq;
  if (unread === 0 && (readSeq ?? -1) >= lastSeq) return 0;
  await ctx.db.patch(
    negotiation._id,
    side === "brand" ? { brandUnread: 0, brandReadSeq: lastSeq } : { supplierUnread: 0, supplierReadSeq: lastSeq },
  );
  return unread;
}

/** The last seq the other side has read (-1: none), for the "seen" mark under one's own messages. */
export function seenByOtherSide(negotiation: Doc<"negotiations">, side: Side): number {
  return (side === "brand" ? negotiation.supplierReadSeq : negotiation.brandReadSeq) ?? -1;
}
