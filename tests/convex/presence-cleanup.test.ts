import { afterEach, describe, expect, test, vi } from "vitest";
import { api, components, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { SWEEP_PAGE, SWEEP_WINDOW_MS } from "../../convex/model/presence";
import { type Backend, liveQuote, newBackend } from "./helpers";

// A negotiation's presence rooms (convex/model/presence.ts) end when it closes,
// and the daily sweep removes any a closed negotiation still has.

const PAGE = "page-aaaaaaaa";
const roomsOf = (id: Id<"negotiations">) => ["typing", "viewing"].flatMap((kind) => ["brand", "supplier"].map((side) => `${kind}:${id}:${side}`));

/** Everyone the component has in the negotiation's rooms, online or not. */
async function inRooms(t: Backend, id: Id<"negotiations">) {
  const all: string[] = [];
  for (const roomId of roomsOf(id)) {
    for (const p of await t.query(components.presence.public.listRoom, { roomId, onlineOnly: false })) all.push(`${roomId}:${p.userId}`);
  }
  return all;
}

/** A session put in a room straight through the component, as one left from before closing removed rooms; returns the room's token. */
async function strayBeat(t: Backend, id: Id<"negotiations">, userId: string) {
  const roomId = `viewing:${id}:supplier`;
  const { roomToken } = await t.mutation(components.presence.public.heartbeat, { roomId, userId, sessionId: `${roomId}:${userId}:stray`, interval: 10_000 });
  return roomToken;
}

async function everyoneBeats(q: Awaited<ReturnType<typeof liveQuote>>, index: number) {
  const contact = q.contacts[index];
  await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE, viewing: true });
  await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
  await q.owner.mutation(api.notifications.setBrandViewing, { negotiationId: contact.negotiationId, pageId: PAGE, viewing: true });
  await q.owner.mutation(api.notifications.setBrandTyping, { negotiationId: contact.negotiationId, typing: true });
}

describe("closing a negotiation ends its presence", () => {
  test("its four rooms are emptied in the closing transaction, a crashed tab's 'viewing' included; the other negotiation's stay", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 2 });
    const [mine, other] = q.contacts;
    await everyoneBeats(q, 0);
    await everyoneBeats(q, 1);
    expect(await inRooms(t, mine.negotiationId)).toHaveLength(4);
    const roomToken = await strayBeat(t, mine.negotiationId, "another-tab");
    expect(await t.query(components.presence.public.list, { roomToken })).toHaveLength(2);
    // The supplier's page never says goodbye (a crashed tab); the brand walks away.
    expect((await q.owner.query(api.notifications.supplierPresence, { negotiationId: mine.negotiationId })).viewing).toBe(true);

    await q.owner.mutation(api.negotiations.walkAway, { negotiationId: mine.negotiationId });

    expect(await t.query(components.presence.public.list, { roomToken })).toEqual([]);
    expect(await inRooms(t, mine.negotiationId)).toEqual([]);
    const brandSees = await q.owner.query(api.notifications.supplierPresence, { negotiationId: mine.negotiationId });
    expect(brandSees).toMatchObject({ viewing: false, typing: false });
    expect(await mine.query(api.supplierPortal.negotiation, {})).toMatchObject({ brandViewing: false, brandTyping: false });
    // The open negotiation keeps its people.
    expect(await inRooms(t, other.negotiationId)).toHaveLength(4);
    expect(await other.query(api.supplierPortal.negotiation, {})).toMatchObject({ brandViewing: true, brandTyping: true });
  });

  test("beats from pages still open on a closed negotiation bring no room back", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    const [contact] = q.contacts;
    await contact.mutation(api.supplierPortal.decline, { reason: "Cannot meet the price" });
    await everyoneBeats(q, 0);
    expect(await inRooms(t, contact.negotiationId)).toEqual([]);
    // Closing a page, or stopping typing, there is fine too.
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE, viewing: false });
    await q.owner.mutation(api.notifications.setBrandTyping, { negotiationId: contact.negotiationId, typing: false });
    expect(await inRooms(t, contact.negotiationId)).toEqual([]);
  });
});

describe("the daily sweep (presenceSweep.sweepClosed)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("removes rooms closed negotiations were left with, page by page past SWEEP_PAGE, and leaves an open one's alone", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const q = await liveQuote(t, { live: 2 });
    const [closed, open] = q.contacts;
    await q.owner.mutation(api.negotiations.walkAway, { negotiationId: closed.negotiationId });
    // More closed live negotiations of the same status than one page holds (copies of the closed one).
    const copies = await t.run(async (ctx) => {
      const { _id, _creationTime, ...doc } = (await ctx.db.get(closed.negotiationId))!;
      const ids: Id<"negotiations">[] = [];
      for (let i = 0; i < SWEEP_PAGE + 5; i++) ids.push(await ctx.db.insert("negotiations", doc));
      return ids;
    });
    const last = copies[copies.length - 1];
    // Rooms left behind (as by a deployment from before closing removed them), and an open negotiation in use.
    await strayBeat(t, closed.negotiationId, "left-behind");
    const lastToken = await strayBeat(t, last, "left-behind");
    await everyoneBeats(q, 1);
    expect(await inRooms(t, closed.negotiationId)).toHaveLength(1);
    expect(await inRooms(t, last)).toHaveLength(1);

    // The cron's run takes one page and schedules the rest.
    expect(await t.mutation(internal.presenceSweep.sweepClosed, {})).toMatchObject({ done: false });
    await t.finishAllScheduledFunctions(vi.runAllTimers);

    expect(await inRooms(t, closed.negotiationId)).toEqual([]);
    expect(await inRooms(t, last)).toEqual([]);
    expect(await t.query(components.presence.public.list, { roomToken: lastToken })).toEqual([]);
    // The open one's people are still in its rooms (time ran on, so the component itself has marked them offline).
    expect(await inRooms(t, open.negotiationId)).toHaveLength(4);
  });

  test("reads only what closed in the last two days; a run from since: 0 reaches an old one too", async () => {
    vi.useFakeTimers();
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    await q.owner.mutation(api.negotiations.walkAway, { negotiationId: q.contacts[0].negotiationId });
    const old = await t.run(async (ctx) => {
      const { _id, _creationTime, ...doc } = (await ctx.db.get(q.contacts[0].negotiationId))!;
      return await ctx.db.insert("negotiations", { ...doc, lastActivityAt: Date.now() - SWEEP_WINDOW_MS - 60_000 });
    });
    await strayBeat(t, old, "left-behind");
    await strayBeat(t, q.contacts[0].negotiationId, "left-behind");

    await t.mutation(internal.presenceSweep.sweepClosed, {});
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await inRooms(t, q.contacts[0].negotiationId)).toEqual([]);
    expect(await inRooms(t, old)).toHaveLength(1);

    await t.mutation(internal.presenceSweep.sweepClosed, { since: 0 });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await inRooms(t, old)).toEqual([]);
  });

  test("a run at one closed status goes on to the next; the last status's last page ends it; an open status is refused", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    await q.owner.mutation(api.negotiations.walkAway, { negotiationId: q.contacts[0].negotiationId });
    expect(await t.mutation(internal.presenceSweep.sweepClosed, { status: "rejected" })).toEqual({ swept: 1, done: false });
    expect(await t.mutation(internal.presenceSweep.sweepClosed, { status: "failed" })).toEqual({ swept: 0, done: true });
    await expect(t.mutation(internal.presenceSweep.sweepClosed, { status: "active" as "failed" })).rejects.toThrow(/Validator error/);
  });
});
