import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";

// The append-only audit log. Every state change writes one row here, with the
// user who caused it when a person did.

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
  const userId = event.actor === "user" ? await callingUser(ctx) : null;
  await ctx.db.insert("events", { ...event, ...(userId ? { userId } : {}), at: Date.now() });
}

/**
 * Who did it, for an event a person caused: the signed-in caller (the access
 * layer has already checked the session). A service call has no identity.
 */
async function callingUser(ctx: MutationCtx): Promise<Id<"users"> | null> {
  const identity = await ctx.auth.getUserIdentity();
  const userPart = identity?.subject.split("|")[0];
  return userPart ? ctx.db.normalizeId("users", userPart) : null;
}
