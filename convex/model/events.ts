import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";

// The append-only audit log. Every state change writes one row here.

export type Actor = "brand" | "supplier" | "system" | "user";
export type EventData = Record<string, string | number | boolean | null>;

export async function logEvent(
  ctx: MutationCtx,
  event: {
    workspaceId: Id<"workspaces">;
    type: string;
    actor: Actor;
    quoteId?: Id<"quotes">;
    negotiationId?: Id<"negotiations">;
    data?: EventData;
  },
): Promise<void> {
  await ctx.db.insert("events", { ...event, at: Date.now() });
}
