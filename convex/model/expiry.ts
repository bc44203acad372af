import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { transitionNegotiation } from "./negotiations";
import { notifyBrand, notifySupplier } from "./notifications";

// Each quote gives its negotiations a response deadline (quotes.responseHours,
// from the quote's start). The cron closes the overdue ones in batches, a
// live supplier's not yet opened included, and tells both sides; a batch that
// fills up is followed by the next run. Before that, live negotiations whose
// deadline is near are flagged once to both sides.

export const EXPIRY_BATCH = 100;
/** "The deadline is near": this long before it. */
export const DEADLINE_NOTICE_MS = 6 * 60 * 60 * 1000;

const OPEN = ["pending", "active", "paused"] as const;

function hoursWords(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

export async function expireDue(ctx: MutationCtx, now = Date.now()): Promise<number> {
  let expired = 0;
  for (const status of OPEN) {
    const due = await ctx.db
      .query("negotiations")
      .withIndex("by_status_and_expiresAt", (q) => q.eq("status", status).gt("expiresAt", undefined).lte("expiresAt", now))
      .take(EXPIRY_BATCH);
    for (const negotiation of due) {
      const quote = await ctx.db.get(negotiation.quoteId);
      const window = quote?.startedAt !== undefined && negotiation.expiresAt !== undefined ? negotiation.expiresAt - quote.startedAt : undefined;
      const message = `This negotiation expired: no agreement was reached by the response deadline${window ? ` (${hoursWords(window)})` : ""}.`;
      await transitionNegotiation(ctx, negotiation, "expired", { actor: "system", message });
      if (negotiation.side === "live") await notifyBrand(ctx, { kind: "expired", text: await withSupplier(ctx, negotiation, "expired without agreement"), negotiation });
      expired++;
    }
  }
  await noticeDeadlinesNear(ctx, now);
  return expired;
}

async function withSupplier(ctx: MutationCtx, negotiation: Doc<"negotiations">, what: string) {
  return `The negotiation with ${(await ctx.db.get(negotiation.supplierId))?.name ?? "a supplier"} ${what}.`;
}

async function noticeDeadlinesNear(ctx: MutationCtx, now: number): Promise<void> {
  for (const status of OPEN) {
    const near = await ctx.db
      .query("negotiations")
      .withIndex("by_status_and_expiresAt", (q) => q.eq("status", status).gt("expiresAt", now).lte("expiresAt", now + DEADLINE_NOTICE_MS))
      .take(EXPIRY_BATCH);
    for (const negotiation of near) {
      if (negotiation.side !== "live" || negotiation.deadlineNoticeAt !== undefined) continue;
      const left = hoursWords(Math.max(negotiation.expiresAt! - now, 3_600_000));
      await ctx.db.patch(negotiation._id, { deadlineNoticeAt: now });
      await notifyBrand(ctx, { kind: "deadline_near", text: await withSupplier(ctx, negotiation, `expires in about ${left}`), negotiation });
      await notifySupplier(ctx, { kind: "deadline_near", text: `The response deadline is in about ${left}: make or accept an offer before it passes.`, negotiation });
    }
  }
}
