import { Presence } from "@convex-dev/presence";
import { TERMINAL_NEGOTIATION_STATUSES, type TerminalNegotiationStatus } from "../../src/negotiation";
import { components } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { invalid } from "./errors";
import type { Side } from "./readState";
import { isTerminalNegotiation } from "./status";

// "Typing…" and "viewing", on @convex-dev/presence (convex/convex.config.ts).
// Each negotiation has one room per side for each: `typing:<id>:<side>` holds
// whoever on that side is writing, `viewing:<id>:<side>` whoever has it open.
// A person is in a room while their heartbeats come; the component's own
// worker takes them out 2.5 beat intervals after the last one, so an indicator
// lapses by itself when they stop or their tab closes, and the queries below
// re-run only when someone comes or goes, not on every beat.
//
// The component's functions are not callable by clients: Parley's functions
// (notifications.ts, supplierPortal.ts) check who asks, then call these.
//
// A closed negotiation has nobody left to tell: closing it removes its rooms
// in the same transaction (endPresence, from transitionNegotiation), beats on
// it are dropped so no room comes back, and a daily sweep (presenceSweep.ts)
// removes any room of a closed negotiation still there, e.g. from before.

/** How long a typing beat holds "typing…" when no other follows. */
export const TYPING_MS = 6_000;
/** How long an open page stays "viewing" without a beat (pages beat every 10 s: web/src/components/useViewingBeat.ts). */
export const VIEWING_MS = 25_000;
/** The component disconnects a session this many of its intervals after the last heartbeat. */
const INTERVALS_PER_TIMEOUT = 2.5;

const presence = new Presence<string, Id<"users">>(components.presence);

type Kind = "typing" | "viewing";
const KINDS: readonly Kind[] = ["typing", "viewing"];
const SIDES: readonly Side[] = ["brand", "supplier"];
const roomOf = (kind: Kind, negotiationId: Id<"negotiations">, side: Side) => `${kind}:${negotiationId}:${side}`;

async function isOnline(ctx: QueryCtx, room: string, userId: Id<"users">): Promise<boolean> {
  return (await presence.listRoom(ctx, room, true)).some((p) => p.userId === userId);
}

async function onlineIn(ctx: QueryCtx, room: string): Promise<Id<"users">[]> {
  return (await presence.listRoom(ctx, room, true)).map((p) => p.userId);
}

/** A typing beat (`typing`), or its end: someone stopped, emptied the box, or sent. */
export async function setTyping(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">, typing: boolean): Promise<void> {
  const room = roomOf("typing", negotiation._id, side);
  if (typing) {
    if (isTerminalNegotiation(negotiation.status)) return;
    // One session a person a room: the same person typing in two tabs is one person typing.
    await presence.heartbeat(ctx, room, userId, `${room}:${userId}`, TYPING_MS / INTERVALS_PER_TIMEOUT);
  } else if (await isOnline(ctx, room, userId)) {
    // Out of the typing room at once (removeRoomUser ends every session of theirs there).
    await presence.removeRoomUser(ctx, room, userId);
  }
}

/** Whether someone on `side` is typing now. */
export async function isTyping(ctx: QueryCtx, negotiationId: Id<"negotiations">, side: Side): Promise<boolean> {
  return (await onlineIn(ctx, roomOf("typing", negotiationId, side))).length > 0;
}

/** A message sent ends its writer's "typing…" at once. */
export async function stopTypingOnSend(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">) {
  await setTyping(ctx, negotiation, side, userId, false);
}

const PAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * The viewing session of one open page (`pageId`, made by the page) of
 * `userId` on `side`. It is named by the server from the room and the person,
 * so no page's id can clash with, or stand for, another person's session.
 */
function viewingSession(negotiationId: Id<"negotiations">, side: Side, userId: Id<"users">, pageId: string) {
  if (!PAGE_ID.test(pageId)) invalid("pageId", "Page id must be 8 to 64 letters, digits, '-' or '_'");
  const room = roomOf("viewing", negotiationId, side);
  return { room, sessionId: `${room}:${userId}:${pageId}` };
}

/** A beat from an open page: its person counts as viewing the negotiation for VIEWING_MS more. */
export async function viewingBeat(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">, pageId: string): Promise<void> {
  const { room, sessionId } = viewingSession(negotiation._id, side, userId, pageId);
  // A page left open on a closed negotiation keeps beating: it must not bring the removed room back.
  if (isTerminalNegotiation(negotiation.status)) return;
  await presence.heartbeat(ctx, room, userId, sessionId, VIEWING_MS / INTERVALS_PER_TIMEOUT);
}

/**
 * The page closed: its session ends now; its person stays "viewing" while
 * another page of theirs still beats. The component ends a session by its
 * token, which a heartbeat hands back: asking for it here keeps tokens on the
 * server, so a caller can only ever end their own sessions.
 */
export async function leaveViewing(ctx: MutationCtx, negotiation: Doc<"negotiations">, side: Side, userId: Id<"users">, pageId: string): Promise<void> {
  const { room, sessionId } = viewingSession(negotiation._id, side, userId, pageId);
  if (!(await isOnline(ctx, room, userId))) return;
  // Were this page's session already lapsed (another page of theirs beating), the beat makes it and the disconnect ends it again.
  const { sessionToken } = await presence.heartbeat(ctx, room, userId, sessionId, VIEWING_MS / INTERVALS_PER_TIMEOUT);
  await presence.disconnect(ctx, sessionToken);
}

/** Who on `side` has the negotiation open now. */
export async function viewers(ctx: QueryCtx, negotiationId: Id<"negotiations">, side: Side): Promise<Id<"users">[]> {
  return await onlineIn(ctx, roomOf("viewing", negotiationId, side));
}

/**
 * Ends all presence on a negotiation: every room of it (both kinds, both
 * sides) goes, sessions and tokens too, so "viewing" ends now rather than
 * VIEWING_MS after a crashed tab's last beat. Run when it closes.
 */
export async function endPresence(ctx: MutationCtx, negotiationId: Id<"negotiations">): Promise<void> {
  for (const kind of KINDS) {
    for (const side of SIDES) await presence.removeRoom(ctx, roomOf(kind, negotiationId, side));
  }
}

/** Closed negotiations a sweep run looks at: 4 rooms each, so a run stays far inside a transaction's limits. */
export const SWEEP_PAGE = 25;

/**
 * How far back the daily sweep looks: closing a negotiation removes its rooms,
 * so the sweep is a backstop for what closed since the last run (twice its
 * interval, so a late or failed run loses nothing). A run from `since: 0`
 * sweeps every closed negotiation ever, e.g. after restoring old data.
 */
export const SWEEP_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * One page of the sweep: the rooms of up to SWEEP_PAGE live negotiations of
 * closed `status` that last moved at or after `since`, from `cursor`, removed.
 * Says where the next page starts (the next terminal status once this one is
 * done), or `null` when all have been seen. Its reads grow with what closed in
 * the window, not with every negotiation there ever was.
 */
export async function sweepClosedPresence(
  ctx: MutationCtx,
  at: { status: TerminalNegotiationStatus; cursor: string | null; since: number },
): Promise<{ swept: number; next: { status: TerminalNegotiationStatus; cursor: string | null } | null }> {
  const page = await ctx.db
    .query("negotiations")
    .withIndex("by_side_and_status_and_lastActivityAt", (q) => q.eq("side", "live").eq("status", at.status).gte("lastActivityAt", at.since))
    .paginate({ cursor: at.cursor, numItems: SWEEP_PAGE });
  for (const negotiation of page.page) await endPresence(ctx, negotiation._id);
  const swept = page.page.length;
  if (!page.isDone) return { swept, next: { status: at.status, cursor: page.continueCursor } };
  const following = TERMINAL_NEGOTIATION_STATUSES[TERMINAL_NEGOTIATION_STATUSES.indexOf(at.status) + 1];
  return { swept, next: following ? { status: following, cursor: null } : null };
}
