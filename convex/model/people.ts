import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";

// How a person is named wherever Parley names one (the timeline, purchase
// orders, approvals, attachments): one definition.

export type Person = { userId: Id<"users">; name: string };

/** Their name, else their email; a user the caller can no longer see (they left the workspace) is "A former member". */
export function personName(user: Doc<"users"> | null): string {
  if (!user) return "A former member";
  return user.name?.trim() || user.email?.trim() || "A member";
}

export async function personOf(ctx: QueryCtx, userId: Id<"users">): Promise<Person> {
  return { userId, name: personName(await ctx.db.get(userId)) };
}
