import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Side } from "./readState";

// "Typing…": a person writing on either side sends a heartbeat while they
// type; each beat holds the indicator for TYPING_MS, so it lapses by itself
// when they stop or their tab closes. The query returns the time it lapses at
// and the client hides it then (a query does not re-run as time passes).
//
// Written by hand rather than with @convex-dev/presence: that component needs
// Convex components, which the embedded backend does not run yet.

export const TYPING_MS = 6_000;
/** A client beats at most this often (the dashboard every 2 s); faster beats change nothing. */
const MIN_BEAT_MS = 1_000;

export async function setTyping(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">, typing: boolean): Promise<void> {
  const mine = (await rowsOf(ctx, negotiation._id, side)).find((row) => row.userId === userId);
  const now = Date.now();
  const until = typing ? now + TYPING_MS : now;
  if (mine) {
    if (typing && mine.until - TYPING_MS + MIN_BEAT_MS > now) return;
    if (!typing && mine.until <= now) return;
    await ctx.db.patch(mine._id, { until });
  } else if (typing) {
    await ctx.db.insert("typing", { workspaceId: negotiation.workspaceId, negotiationId: negotiation._id, side, userId, until });
  }
}

/** Until when someone on `side` is typing (null: nobody now). */
export async function typingUntil(ctx: QueryCtx, negotiationId: Id<"negotiations">, side: Side): Promise<number | null> {
  const now = Date.now();
  const latest = Math.max(0, ...(await rowsOf(ctx, negotiationId, side)).map((row) => row.until));
  return latest > now ? latest : null;
}

async function rowsOf(ctx: QueryCtx, negotiationId: Id<"negotiations">, side: Side) {
  return await ctx.db
    .query("typing")
    .withIndex("by_negotiationId_and_side", (q) => q.eq("negotiationId", negotiationId).eq("side", side))
    .take(20);
}

/** A message sent ends its writer's "typing…" at once. */
export async function stopTypingOnSend(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">) {
  await setTyping(ctx, negotiation, side, userId, false);
}
