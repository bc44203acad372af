import type { MutationCtx } from "../_generated/server";
import { transitionNegotiation } from "./negotiations";

// Negotiations have 48 hours to reach agreement. The cron closes the overdue
// ones in batches; a batch that fills up is followed by the next run.

export const EXPIRY_BATCH = 100;

export async function expireDue(ctx: MutationCtx, now = Date.now()): Promise<number> {
  let expired = 0;
  for (const status of ["active", "paused"] as const) {
    const due = await ctx.db
      .query("negotiations")
      .withIndex("by_status_and_expiresAt", (q) => q.eq("status", status).lte("expiresAt", now))
      .take(EXPIRY_BATCH);
    for (const negotiation of due) {
      if (negotiation.expiresAt === undefined) continue;
      await transitionNegotiation(ctx, negotiation, "expired", {
        actor: "system",
        message: "This negotiation expired: no agreement within 48 hours.",
      });
      expired++;
    }
  }
  return expired;
}
