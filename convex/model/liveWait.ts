import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail } from "./errors";
import { logEvent } from "./events";
import { getQuote, negotiationsOfQuote } from "./negotiations";
import { isTerminalNegotiation } from "./status";

// A quote whose open negotiations all wait on live suppliers is not held by
// anyone. The worker's run suspends (a Mastra suspend), and this marks the
// quote: no lease, no worker, the run's id kept. The next move on any of its
// negotiations wakes it: its lease is made to lapse now, so the quote is
// claimable like one whose worker died, and the claimant resumes the run.

/** What the worker saw of a negotiation it waits on; a change since means someone moved. */
export type SeenNegotiation = { negotiationId: Id<"negotiations">; nextSeq: number; currentRound: number; status: Doc<"negotiations">["status"] };

export type SuspendResult = "suspended" | "moved";

/**
 * Suspends the quote if nothing moved since the worker looked: otherwise
 * "moved", and the worker goes on (the supplier was quicker than the suspend).
 * Only the lease's holder may suspend.
 */
export async function suspendQuote(
  ctx: MutationCtx,
  quoteId: Id<"quotes">,
  lease: { workerId: string; leaseEpoch: number },
  runId: string,
  seen: SeenNegotiation[],
): Promise<SuspendResult> {
  const quote = await getQuote(ctx, quoteId);
  // A retry whose first call landed (its answer was lost): the same answer again.
  if (isWaiting(quote) && quote.suspendedRunId === runId && quote.leaseEpoch === lease.leaseEpoch) return "suspended";
  if (quote.leaseEpoch !== lease.leaseEpoch || quote.claimedBy !== lease.workerId) {
    fail("CONFLICT", `This worker's lease (epoch ${lease.leaseEpoch}) was taken over`, "leaseEpoch");
  }
  if (quote.status !== "negotiating") fail("CONFLICT", `A ${quote.status} quote does not wait`, "quoteId");
  const current = new Map((await negotiationsOfQuote(ctx, quoteId)).map((n) => [n._id, n]));
  for (const s of seen) {
    const n = current.get(s.negotiationId);
    if (!n) fail("NOT_FOUND", "This negotiation is not part of the quote", "negotiationId");
    if (n.nextSeq !== s.nextSeq || n.currentRound !== s.currentRound || n.status !== s.status) return "moved";
  }
  // A move on an open negotiation the worker did not look at would be missed by the check above and never wake the run.
  const unseen = [...current.values()].find((n) => !isTerminalNegotiation(n.status) && !seen.some((s) => s.negotiationId === n._id));
  if (unseen) fail("CONFLICT", "Every open negotiation of the quote must be among those the worker waits on", "seen");
  await ctx.db.patch(quoteId, { claimedBy: undefined, leaseExpiresAt: undefined, suspendedRunId: runId, updatedAt: Date.now() });
  if (quote.suspendedRunId !== runId) {
    await logEvent(ctx, { workspaceId: quote.workspaceId, type: "quote.waiting", actor: "system", quoteId, data: { negotiations: seen.length } });
  }
  return "suspended";
}

/** Whether the quote is suspended, waiting on a live supplier, with nobody holding it. */
export function isWaiting(quote: Doc<"quotes">): boolean {
  return quote.status === "negotiating" && quote.suspendedRunId !== undefined && quote.claimedBy === undefined && quote.leaseExpiresAt === undefined;
}

/** A move on one of the quote's negotiations: a waiting quote becomes claimable now. */
export async function wakeQuote(ctx: MutationCtx, quoteId: Id<"quotes">): Promise<void> {
  const quote = await ctx.db.get(quoteId);
  // Just past: the claimable list takes leases strictly before its own now.
  if (quote && isWaiting(quote)) await ctx.db.patch(quoteId, { leaseExpiresAt: Date.now() - 1 });
}
