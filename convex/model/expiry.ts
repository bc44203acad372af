import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { transitionNegotiation } from "./negotiations";
import { notifyBrand, notifySupplier } from "./notifications";

// Each quote gives its negotiations a response deadline (quotes.responseHours,
// from the quote's start). The cron closes the overdue ones in batches, a
// live supplier's not yet opened included, and tells both sides; a batch that
// fills up is followed by the next run. Before that, live negotiations whose
// deadline is near are flagged once to both sides.

/**
 * Negotiations one transaction expires (or flags as near their deadline), all
 * statuses together. Closing a negotiation re-derives its quote's insights
 * aggregates (triggers.ts), about 120 index ranges read; 10 of them stay well
 * inside Convex's 4,096 per transaction. A full batch schedules the next
 * transaction at once (convex/expiry.ts), so a backlog drains in a row of runs
 * rather than one that fails at the limit and never succeeds.
 */
export const EXPIRY_BATCH = 10;
/** "The deadline is near": this long before it. */
export const DEADLINE_NOTICE_MS = 6 * 60 * 60 * 1000;

const OPEN = ["pending", "active", "paused"] as const;

function hoursWords(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/** Expires up to EXPIRY_BATCH overdue negotiations, then flags those near their deadline with what is left of the batch; how many it expired and whether it used the whole batch (more may be waiting). */
export async function expireDueBatch(ctx: MutationCtx, now = Date.now()): Promise<{ expired: number; full: boolean }> {
  let expired = 0;
  for (const status of OPEN) {
    if (expired >= EXPIRY_BATCH) break;
    const due = await ctx.db
      .query("negotiations")
      .withIndex("by_status_and_expiresAt", (q) => q.eq("status", status).gt("expiresAt", undefined).lte("expiresAt", now))
      .take(EXPIRY_BATCH - expired);
    for (const negotiation of due) {
      const quote = await ctx.db.get(negotiation.quoteId);
      const window = quote?.startedAt !== undefined && negotiation.expiresAt !== undefined ? negotiation.expiresAt - quote.startedAt : undefined;
      const message = `This negotiation expired: no agreement was reached by the response deadline${window ? ` (${hoursWords(window)})` : ""}.`;
      await transitionNegotiation(ctx, negotiation, "expired", { actor: "system", message });
      if (negotiation.side === "live") await notifyBrand(ctx, { kind: "expired", text: await withSupplier(ctx, negotiation, "expired without agreement"), negotiation });
      expired++;
    }
  }
  const flagged = expired < EXPIRY_BATCH ? await noticeDeadlinesNear(ctx, now, EXPIRY_BATCH - expired) : 0;
  return { expired, full: expired + flagged >= EXPIRY_BATCH };
}

/** expireDueBatch's count alone. */
export async function expireDue(ctx: MutationCtx, now = Date.now()): Promise<number> {
  return (await expireDueBatch(ctx, now)).expired;
}

async function withSupplier(ctx: MutationCtx, negotiation: Doc<"negotiations">, what: string) {
  return `The negotiation with ${(await ctx.db.get(negotiation.supplierId))?.name ?? "a supplier"} ${what}.`;
}

/** Flags up to `budget` live negotiations near their deadline, once each; how many it flagged. */
async function noticeDeadlinesNear(ctx: MutationCtx, now: number, budget: number): Promise<number> {
  let flagged = 0;
  for (const status of OPEN) {
    // Reads at most 100 per status; those already flagged, or simulated, are passed over.
    const near = await ctx.db
      .query("negotiations")
      .withIndex("by_status_and_expiresAt", (q) => q.eq("status", status).gt("expiresAt", now).lte("expiresAt", now + DEADLINE_NOTICE_MS))
      .take(100);
    for (const negotiation of near) {
      if (flagged >= budget) return flagged;
      if (negotiation.side !== "live" || negotiation.deadlineNoticeAt !== undefined) continue;
      flagged++;
      const left = hoursWords(Math.max(negotiation.expiresAt! - now, 3_600_000));
      await ctx.db.patch(negotiation._id, { deadlineNoticeAt: now });
      await notifyBrand(ctx, { kind: "deadline_near", text: await withSupplier(ctx, negotiation, `expires in about ${left}`), negotiation });
      await notifySupplier(ctx, { kind: "deadline_near", text: `The response deadline is in about ${left}: make or accept an offer before it passes.`, negotiation });
    }
  }
  return flagged;
}
