import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { TYPING_MS } from "../../convex/model/presence";
import { type Backend, everyRow, liveQuote, newBackend, SERVICE_KEY } from "./helpers";

// Unread counts, read receipts and "typing…" between the brand and a live supplier.

async function live() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 1 });
  const contact = q.contacts[0];
  return { t, ...q, contact, id: contact.negotiationId };
}

const counters = (t: Backend, id: Id<"negotiations">) =>
  t.run(async (ctx) => {
    const n = (await ctx.db.get(id))!;
    return { brandUnread: n.brandUnread ?? 0, supplierUnread: n.supplierUnread ?? 0, brandReadSeq: n.brandReadSeq, supplierReadSeq: n.supplierReadSeq };
  });

async function agentSays(t: Backend, id: Id<"negotiations">, leaseEpoch: number, sender: "brand" | "system", content: string) {
  const seq = await t.run(async (ctx) => (await ctx.db.get(id))!.nextSeq);
  await t.mutation(api.ingest.appendMessage, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: id, seq, sender, kind: sender === "system" ? "system" : "text", content });
}

describe("unread counts and read receipts", () => {
  test("each side counts what the other side and Parley write, not its own", async () => {
    const { t, owner, contact, id, leaseEpoch, quoteId } = await live();
    await agentSays(t, id, leaseEpoch, "brand", "Hello from the brand");
    expect(await counters(t, id)).toMatchObject({ brandUnread: 1, supplierUnread: 1 });
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Hi" });
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Any news?" });
    expect(await counters(t, id)).toMatchObject({ brandUnread: 3, supplierUnread: 1 });
    await agentSays(t, id, leaseEpoch, "system", "Parley note");
    expect(await counters(t, id)).toMatchObject({ brandUnread: 4, supplierUnread: 2 });
    // A brand member's own words: news to the supplier only.
    await owner.mutation(api.negotiations.pause, { negotiationId: id });
    const paused = await counters(t, id);
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: id, content: "Taking over here" });
    expect(await counters(t, id)).toMatchObject({ brandUnread: paused.brandUnread, supplierUnread: paused.supplierUnread + 1 });
    const supplierUnread = paused.supplierUnread + 1;
    expect((await contact.query(api.supplierPortal.negotiation, {})).unread).toBe(supplierUnread);
    expect((await contact.as.query(api.supplierPortal.myNegotiationsList, {}))[0].unread).toBe(supplierUnread);
    const brandView = (await owner.query(api.quotes.get, { quoteId }))!;
    expect(brandView.negotiations.find((n) => n._id === id)).toMatchObject({ brandUnread: paused.brandUnread });
  });

  test("markRead zeroes the side's count and moves its read mark; the other side sees it; twice writes nothing", async () => {
    const { t, owner, contact, id, leaseEpoch } = await live();
    await agentSays(t, id, leaseEpoch, "brand", "One");
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Two" });
    await agentSays(t, id, leaseEpoch, "brand", "Three");
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).seenSeq).toBe(-1);
    expect((await contact.query(api.supplierPortal.negotiation, {})).seenByBrandSeq).toBe(-1);

    await contact.mutation(api.supplierPortal.markMessagesRead, {});
    expect(await counters(t, id)).toMatchObject({ supplierUnread: 0, supplierReadSeq: 2, brandUnread: 3 });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).seenSeq).toBe(2);
    const before = JSON.stringify(await everyRow(t));
    await contact.mutation(api.supplierPortal.markMessagesRead, {});
    expect(JSON.stringify(await everyRow(t))).toBe(before);

    await owner.mutation(api.messages.markRead, { negotiationId: id });
    expect(await counters(t, id)).toMatchObject({ brandUnread: 0, brandReadSeq: 2 });
    expect((await contact.query(api.supplierPortal.negotiation, {})).seenByBrandSeq).toBe(2);
    const again = JSON.stringify(await everyRow(t));
    await owner.mutation(api.messages.markRead, { negotiationId: id });
    expect(JSON.stringify(await everyRow(t))).toBe(again);

    // New words start the count again from the mark.
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Four" });
    expect(await counters(t, id)).toMatchObject({ brandUnread: 1, brandReadSeq: 2, supplierUnread: 0 });
  });

  test("a simulated negotiation keeps no supplier-side count", async () => {
    const { t, simulated, leaseEpoch } = await live();
    await agentSays(t, simulated[0]._id, leaseEpoch, "brand", "Hello");
    expect(await counters(t, simulated[0]._id)).toMatchObject({ brandUnread: 1, supplierUnread: 0 });
  });
});

describe("typing", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("the supplier's beat shows to the brand for TYPING_MS, stops at false, and lapses by itself", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { t, owner, contact, id } = await live();
    const presence = async () => (await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typingUntil;
    expect(await presence()).toBeNull();
    const start = Date.now();
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect(await presence()).toBe(start + TYPING_MS);
    await contact.mutation(api.supplierPortal.setTypingState, { typing: false });
    expect(await presence()).toBeNull();
    // A stop when already stopped writes nothing.
    const stopped = JSON.stringify(await everyRow(t));
    await contact.mutation(api.supplierPortal.setTypingState, { typing: false });
    expect(JSON.stringify(await everyRow(t))).toBe(stopped);

    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    const beat = Date.now();
    // Beats faster than a second change nothing.
    vi.setSystemTime(beat + 500);
    const held = JSON.stringify(await everyRow(t));
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect(JSON.stringify(await everyRow(t))).toBe(held);
    // A beat two seconds on holds it longer.
    vi.setSystemTime(beat + 2_000);
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect(await presence()).toBe(beat + 2_000 + TYPING_MS);
    // No beat for TYPING_MS: gone.
    vi.setSystemTime(beat + 2_000 + TYPING_MS);
    expect(await presence()).toBeNull();
  });

  test("the brand typing on a simulated negotiation writes nothing", async () => {
    const { t, owner, simulated } = await live();
    const before = JSON.stringify(await everyRow(t));
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: simulated[0]._id, typing: true });
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("a message sent ends the writer's typing at once", async () => {
    const { owner, contact, id } = await live();
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typingUntil).not.toBeNull();
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Done typing" });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typingUntil).toBeNull();
  });

  test("the brand's beat shows in the supplier's view; one side's typing is not the other's", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { owner, contact, id } = await live();
    const start = Date.now();
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true });
    expect((await contact.query(api.supplierPortal.negotiation, {})).brandTypingUntil).toBe(start + TYPING_MS);
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typingUntil).toBeNull();
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: false });
    expect((await contact.query(api.supplierPortal.negotiation, {})).brandTypingUntil).toBeNull();
  });
});
