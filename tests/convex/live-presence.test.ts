import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { TYPING_MS, VIEWING_MS } from "../../convex/model/presence";
import { type Backend, everyRow, expectRefusedEverywhere, invite, liveQuote, newBackend, newWorkspace, SERVICE_KEY } from "./helpers";

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

/** Time passes: the presence component's disconnect worker (scheduled functions) runs as it would. */
async function advance(t: Backend, ms: number) {
  for (let step = 0; step < ms; step += 500) {
    vi.advanceTimersByTime(Math.min(500, ms - step));
    await t.finishInProgressScheduledFunctions();
  }
}

describe("typing (@convex-dev/presence)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("the supplier's beat shows to the brand, stops at false, holds while beats come, and lapses TYPING_MS after the last", async () => {
    vi.useFakeTimers();
    const { t, owner, contact, id } = await live();
    const typing = async () => (await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing;
    expect(await typing()).toBe(false);
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect(await typing()).toBe(true);
    await contact.mutation(api.supplierPortal.setTypingState, { typing: false });
    expect(await typing()).toBe(false);
    // A stop when already stopped is fine and changes nothing.
    await contact.mutation(api.supplierPortal.setTypingState, { typing: false });
    expect(await typing()).toBe(false);

    // Beats every two seconds hold it well past one beat's TYPING_MS.
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    for (let i = 0; i < 5; i++) {
      await advance(t, 2_000);
      expect(await typing()).toBe(true);
      await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    }
    // No beat: still shown just short of TYPING_MS, gone by itself after it.
    await advance(t, TYPING_MS - 1_000);
    expect(await typing()).toBe(true);
    await advance(t, 2_000);
    expect(await typing()).toBe(false);
    // And it comes back with the next beat.
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect(await typing()).toBe(true);
  });

  test("the brand typing on a simulated negotiation writes nothing and shows nowhere", async () => {
    const { t, owner, simulated } = await live();
    const before = JSON.stringify(await everyRow(t));
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: simulated[0]._id, typing: true });
    expect(JSON.stringify(await everyRow(t))).toBe(before);
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: simulated[0]._id })).typing).toBe(false);
  });

  test("a message sent ends the writer's typing at once", async () => {
    const { owner, contact, id } = await live();
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(true);
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Done typing" });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(false);
  });

  test("an offer sent ends it too", async () => {
    const { owner, contact, id } = await live();
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    await contact.mutation(api.supplierPortal.makeSupplierOffer, {
      lines: [
        { sku: "APP-TEE-240-BLK", unitPrice: 6.4 },
        { sku: "PKG-MAILER-1084", unitPrice: 0.85 },
      ],
      leadTimeDays: 30,
      paymentTermsDays: 30,
    });
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(false);
  });

  test("the brand's beat shows in the supplier's view; one side's typing is not the other's", async () => {
    const { owner, contact, id } = await live();
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true });
    expect((await contact.query(api.supplierPortal.negotiation, {})).brandTyping).toBe(true);
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(false);
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: false });
    expect((await contact.query(api.supplierPortal.negotiation, {})).brandTyping).toBe(false);
  });

  test("one negotiation's typing never shows in another's: a rival live supplier sees none of it", async () => {
    const t = newBackend();
    const { owner, contacts } = await liveQuote(t, { live: 2 });
    const [mine, rival] = contacts;
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: mine.negotiationId, typing: true });
    await mine.mutation(api.supplierPortal.setTypingState, { typing: true });
    expect((await mine.query(api.supplierPortal.negotiation, {})).brandTyping).toBe(true);
    expect((await rival.query(api.supplierPortal.negotiation, {})).brandTyping).toBe(false);
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: rival.negotiationId })).typing).toBe(false);
    // The rival's contact naming the other negotiation is refused, as every supplier function is.
    await expectRefusedEverywhere(t, () => rival.as.mutation(api.supplierPortal.setTypingState, { negotiationId: mine.negotiationId, typing: false }), "FORBIDDEN", "negotiationId");
    await expectRefusedEverywhere(t, () => rival.as.query(api.supplierPortal.negotiation, { negotiationId: mine.negotiationId }), "FORBIDDEN", "negotiationId");
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: mine.negotiationId })).typing).toBe(true);
  });

  test("a member of another workspace can neither see nor set it", async () => {
    const { t, owner, contact, id } = await live();
    await contact.mutation(api.supplierPortal.setTypingState, { typing: true });
    const into = await newWorkspace(t, "other@elsewhere.test", "Elsewhere");
    const other = into.as;
    // Into the brand's workspace: not a member. In its own: no such negotiation.
    await expectRefusedEverywhere(t, () => other.query(api.notifications.supplierPresence, { workspaceId: owner.workspaceId, negotiationId: id }), "FORBIDDEN");
    await expectRefusedEverywhere(t, () => other.mutation(api.notifications.setBrandTyping, { workspaceId: owner.workspaceId, negotiationId: id, typing: true }), "FORBIDDEN");
    await expect(into.query(api.notifications.supplierPresence, { negotiationId: id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(into.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    expect((await contact.query(api.supplierPortal.negotiation, {})).brandTyping).toBe(false);
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(true);
  });
});

describe("viewing (@convex-dev/presence)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const PAGE_A = "page-aaaaaaaa";
  const PAGE_B = "page-bbbbbbbb";

  test("the supplier's open page shows to the brand; a second tab keeps it after the first closes; the last one closing ends it", async () => {
    const { owner, contact, id } = await live();
    const viewing = async () => (await owner.query(api.notifications.supplierPresence, { negotiationId: id })).viewing;
    expect(await viewing()).toBe(false);
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_A, viewing: true });
    expect(await viewing()).toBe(true);
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_B, viewing: true });
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_A, viewing: false });
    expect(await viewing()).toBe(true);
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_B, viewing: false });
    expect(await viewing()).toBe(false);
    // Closing again, or a page never opened, changes nothing.
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_B, viewing: false });
    expect(await viewing()).toBe(false);
    // Viewing is not typing.
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).typing).toBe(false);
  });

  test("a page that stops beating lapses VIEWING_MS after its last beat", async () => {
    vi.useFakeTimers();
    const { t, owner, contact, id } = await live();
    const viewing = async () => (await owner.query(api.notifications.supplierPresence, { negotiationId: id })).viewing;
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_A, viewing: true });
    await advance(t, 10_000);
    await contact.mutation(api.supplierPortal.setViewingState, { pageId: PAGE_A, viewing: true });
    await advance(t, VIEWING_MS - 2_000);
    expect(await viewing()).toBe(true);
    await advance(t, 3_000);
    expect(await viewing()).toBe(false);
  });

  test("any member's open page shows to the supplier, never who; it is that negotiation's alone", async () => {
    const t = newBackend();
    const { owner, contacts } = await liveQuote(t, { live: 2 });
    const [mine, rival] = contacts;
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    await viewer.mutation(api.notifications.setBrandViewing, { negotiationId: mine.negotiationId, pageId: PAGE_A, viewing: true });
    const view = await mine.query(api.supplierPortal.negotiation, {});
    expect(view.brandViewing).toBe(true);
    expect(JSON.stringify(view)).not.toContain(viewer.userId);
    expect((await rival.query(api.supplierPortal.negotiation, {})).brandViewing).toBe(false);
    // Another member closing a page of the same id ends only their own session.
    await owner.mutation(api.notifications.setBrandViewing, { negotiationId: mine.negotiationId, pageId: PAGE_A, viewing: false });
    expect((await mine.query(api.supplierPortal.negotiation, {})).brandViewing).toBe(true);
    await viewer.mutation(api.notifications.setBrandViewing, { negotiationId: mine.negotiationId, pageId: PAGE_A, viewing: false });
    expect((await mine.query(api.supplierPortal.negotiation, {})).brandViewing).toBe(false);
    // The rival's contact cannot say it views the other negotiation.
    await expectRefusedEverywhere(t, () => rival.as.mutation(api.supplierPortal.setViewingState, { negotiationId: mine.negotiationId, pageId: PAGE_A, viewing: true }), "FORBIDDEN", "negotiationId");
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: mine.negotiationId })).viewing).toBe(false);
  });

  test("a simulated negotiation records nothing; a malformed page id is refused", async () => {
    const { t, owner, contact, simulated, id } = await live();
    const before = JSON.stringify(await everyRow(t));
    await owner.mutation(api.notifications.setBrandViewing, { negotiationId: simulated[0]._id, pageId: PAGE_A, viewing: true });
    expect(JSON.stringify(await everyRow(t))).toBe(before);
    for (const pageId of ["", "short", "x".repeat(65), "has space in it", "a:b:c:d:e:f"]) {
      await expectRefusedEverywhere(t, () => contact.mutation(api.supplierPortal.setViewingState, { pageId, viewing: true }), "INVALID_ARGUMENT", "pageId");
      await expectRefusedEverywhere(t, () => owner.mutation(api.notifications.setBrandViewing, { negotiationId: id, pageId, viewing: true }), "INVALID_ARGUMENT", "pageId");
    }
    expect((await owner.query(api.notifications.supplierPresence, { negotiationId: id })).viewing).toBe(false);
  });
});
