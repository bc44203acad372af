import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { SUPPLIER_INVITATION_TTL_MS } from "../../convex/model/supplierInvitations";
import {
  type Backend,
  claim,
  everyRow,
  expectRefusedEverywhere as expectRefused,
  invite,
  liveQuote,
  type Member,
  newBackend,
  offer,
  quoteArgs,
  seed,
  SERVICE_KEY,
  signUp,
  terms,
} from "./helpers";

// The lead's fixes to live suppliers: the brand's words reach the supplier's
// person, a queued quote keeps an invited supplier live, the mail queue holds
// only links someone may still use, and a waiting quote is claimed only once woken.

afterEach(() => {
  vi.useRealTimers();
});

const form = {
  lines: [
    { sku: "APP-TEE-240-BLK", unitPrice: 6.4 },
    { sku: "PKG-MAILER-1084", unitPrice: 0.85 },
  ],
  leadTimeDays: 30,
  paymentTermsDays: 30,
};

const rowsOf = async <T>(t: Backend, table: string) => ((await everyRow(t))[table] as T[]);
const negotiationOf = (t: Backend, id: Id<"negotiations">) => t.run(async (ctx) => (await ctx.db.get(id))!);
const invitationOf = (t: Backend, id: Id<"supplierInvitations">) => t.run(async (ctx) => (await ctx.db.get(id))!);
const pendingMail = (t: Backend) => t.query(api.worker.pendingMail, { serviceKey: SERVICE_KEY });
const recordMail = (t: Backend, invitationId: Id<"supplierInvitations">, nonce: string, status: "sent" | "failed" | "not_configured" = "sent") =>
  t.mutation(api.worker.recordMailResult, { serviceKey: SERVICE_KEY, invitationId, nonce, status });

describe("negotiations.sendMessage on a live negotiation", () => {
  /** A live negotiation the contact opened with an offer, taken over by the owner. */
  async function takenOver() {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    const [contact] = q.contacts;
    await contact.mutation(api.supplierPortal.makeSupplierOffer, form);
    await q.owner.mutation(api.negotiations.pause, { negotiationId: contact.negotiationId });
    return { t, ...q, contact, id: contact.negotiationId };
  }

  test("tells the supplier's person: one supplier notice, kind brand_message, with the words", async () => {
    const { t, owner, contact, id, quoteId } = await takenOver();
    expect((await contact.as.query(api.supplierPortal.notifications, {})).items).toEqual([]);
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: id, content: "Can you do 6.10 on the tees?" });
    const mine = await contact.as.query(api.supplierPortal.notifications, {});
    expect(mine.unread).toBe(1);
    expect(mine.items).toEqual([
      expect.objectContaining({ kind: "brand_message", text: "The brand wrote: “Can you do 6.10 on the tees?”", negotiationId: id, quoteId, read: false }),
    ]);
    const supplierRows = (await rowsOf<Doc<"notifications">>(t, "notifications")).filter((n) => n.audience === "supplier");
    expect(supplierRows).toEqual([expect.objectContaining({ userId: contact.userId, kind: "brand_message", negotiationId: id })]);
    // The brand member's own words are no news to the brand.
    expect((await owner.query(api.notifications.list, {})).items.map((n) => n.kind)).not.toContain("brand_message");
  });

  test("a long message is quoted up to 120 characters, then an ellipsis", async () => {
    const { owner, contact, id } = await takenOver();
    const long = "a".repeat(120) + "TAIL";
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: id, content: long });
    const [notice] = (await contact.as.query(api.supplierPortal.notifications, {})).items;
    expect(notice.text).toBe(`The brand wrote: “${"a".repeat(120)}…”`);
  });

  test("ends the writer's typing at once; another member still typing stays shown", async () => {
    const { t, owner, contact, id } = await takenOver();
    const brandTyping = async () => (await contact.query(api.supplierPortal.negotiation, {})).brandTyping;
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true });
    expect(await brandTyping()).toBe(true);
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: id, content: "Here is where we stand" });
    expect(await brandTyping()).toBe(false);

    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    await buyer.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true });
    await owner.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: true });
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: id, content: "One more thing" });
    expect(await brandTyping()).toBe(true);
    await buyer.mutation(api.notifications.setBrandTyping, { negotiationId: id, typing: false });
    expect(await brandTyping()).toBe(false);
  });

  test("refused while the AI is in charge: CONFLICT, no notice and nothing else written", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    const [contact] = q.contacts;
    await contact.mutation(api.supplierPortal.makeSupplierOffer, form);
    await expectRefused(t, () => q.owner.mutation(api.negotiations.sendMessage, { negotiationId: contact.negotiationId, content: "Hello" }), "CONFLICT", "negotiationId");
    await q.owner.mutation(api.negotiations.pause, { negotiationId: contact.negotiationId });
    await expectRefused(t, () => q.owner.mutation(api.negotiations.sendMessage, { negotiationId: contact.negotiationId, content: "   " }), "INVALID_ARGUMENT", "content");
  });

  test("on a simulated negotiation no supplier notice is written, to anyone", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    const [contact] = q.contacts;
    const simulated = q.simulated[0]._id;
    await offer(t, simulated, 1, "supplier", terms(6.3, 0.86));
    await q.owner.mutation(api.negotiations.pause, { negotiationId: simulated });
    const before = (await rowsOf<Doc<"notifications">>(t, "notifications")).length;
    await q.owner.mutation(api.negotiations.sendMessage, { negotiationId: simulated, content: "To the simulated supplier" });
    const notices = await rowsOf<Doc<"notifications">>(t, "notifications");
    expect(notices).toHaveLength(before);
    expect(notices.filter((n) => n.audience === "supplier")).toEqual([]);
    expect((await contact.as.query(api.supplierPortal.notifications, {})).items).toEqual([]);
    // The message itself was written.
    const messages = (await rowsOf<Doc<"messages">>(t, "messages")).filter((m) => m.negotiationId === simulated && m.sender === "user");
    expect(messages.map((m) => m.content)).toEqual(["To the simulated supplier"]);
  });
});

/** A quote nobody has claimed (so it stays queued) with the first `live` suppliers live. */
async function queuedQuote(t: Backend, live = 2) {
  const { products, suppliers, owner } = await seed(t);
  const liveSupplierIds = suppliers.slice(0, live).map((s) => s._id);
  const args = { ...quoteArgs({ products }), liveSupplierIds };
  const quoteId = await owner.mutation(api.quotes.request, args);
  const negotiations = (await owner.query(api.quotes.get, { quoteId }))!.negotiations;
  const on = (supplierId: Id<"suppliers">) => negotiations.find((n) => n.supplierId === supplierId)!;
  const edit = (over: Partial<typeof args>) => owner.mutation(api.quotes.update, { quoteId, ...args, ...over });
  return { owner, quoteId, suppliers, args, on, edit };
}

const sideOf = async (t: Backend, id: Id<"negotiations">) => (await negotiationOf(t, id)).side ?? "simulated";

describe("quotes.update of a queued quote with live suppliers", () => {
  test("making a supplier with a pending invitation simulated: CONFLICT at liveSupplierIds, nothing changed", async () => {
    const t = newBackend();
    const { owner, quoteId, suppliers, on, edit } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const data = await expectRefused(t, () => edit({ liveSupplierIds: [suppliers[1]._id], notes: "Changed" }), "CONFLICT", "liveSupplierIds");
    expect(data.message).toMatch(/revoke the invitation/);
    // Nor by dropping the list altogether.
    await expectRefused(t, () => edit({ liveSupplierIds: undefined }), "CONFLICT", "liveSupplierIds");
    await expectRefused(t, () => edit({ liveSupplierIds: [] }), "CONFLICT", "liveSupplierIds");
    expect((await owner.query(api.quotes.get, { quoteId }))!.quote.status).toBe("queued");
  });

  test("making a supplier whose person accepted simulated: CONFLICT at liveSupplierIds, nothing changed", async () => {
    const t = newBackend();
    const { owner, suppliers, on, edit } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await (await signUp(t, "ana@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token });
    await expectRefused(t, () => edit({ liveSupplierIds: [suppliers[1]._id] }), "CONFLICT", "liveSupplierIds");
    // An edit that keeps the supplier live goes through.
    await edit({ notes: "Still live" });
    expect(await sideOf(t, target)).toBe("live");
  });

  test("once the pending invitation is revoked, the same edit goes through and the negotiation is simulated", async () => {
    const t = newBackend();
    const { owner, quoteId, suppliers, on, edit } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    const { invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    await edit({ liveSupplierIds: [suppliers[1]._id], notes: "Changed" });
    expect(await sideOf(t, target)).toBe("simulated");
    expect(await sideOf(t, on(suppliers[1]._id)._id)).toBe("live");
    expect((await owner.query(api.quotes.get, { quoteId }))!.quote).toMatchObject({ status: "queued", notes: "Changed" });
  });

  test("a simulated supplier made live while queued, and a live one without an invitation made simulated", async () => {
    const t = newBackend();
    const { suppliers, on, edit } = await queuedQuote(t, 1);
    await edit({ liveSupplierIds: [suppliers[1]._id, suppliers[2]._id] });
    expect(await sideOf(t, on(suppliers[0]._id)._id)).toBe("simulated");
    expect(await sideOf(t, on(suppliers[1]._id)._id)).toBe("live");
    expect(await sideOf(t, on(suppliers[2]._id)._id)).toBe("live");
  });

  test("a supplier of another workspace in liveSupplierIds: NOT_FOUND at its index, nothing changed", async () => {
    const t = newBackend();
    const { suppliers, edit } = await queuedQuote(t);
    const other = await newWorkspaceSuppliers(t);
    await expectRefused(t, () => edit({ liveSupplierIds: [suppliers[0]._id, other[0]._id] }), "NOT_FOUND", "liveSupplierIds[1]");
  });

  test("once claimed, no edit: CONFLICT at quoteId, nothing changed", async () => {
    const t = newBackend();
    const { quoteId, suppliers, edit } = await queuedQuote(t);
    await claim(t, quoteId);
    await expectRefused(t, () => edit({ liveSupplierIds: [suppliers[2]._id] }), "CONFLICT", "quoteId");
  });

  // A lapsed link lets nobody in, and revoke cannot touch it: it must not pin the supplier live.
  test("an invitation that expired unused does not keep the supplier live", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t = newBackend();
    const { owner, suppliers, on, edit } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    const { invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    vi.setSystemTime(Date.now() + SUPPLIER_INVITATION_TTL_MS + 1);
    await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    await edit({ liveSupplierIds: [suppliers[1]._id] });
    expect(await sideOf(t, target)).toBe("simulated");
  });

  // Re-sending revives a revoked link: on a simulated negotiation it would let a person in beside the persona.
  test("a revoked invitation cannot be re-sent into a negotiation made simulated since", async () => {
    const t = newBackend();
    const { owner, suppliers, on, edit } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    const { invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    await edit({ liveSupplierIds: [suppliers[1]._id] });
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.resend, { invitationId }), "CONFLICT");
    expect((await negotiationOf(t, target)).contactId).toBeUndefined();
  });
});

async function newWorkspaceSuppliers(t: Backend) {
  const user = await signUp(t, "other@brand.test");
  const workspaceId = await user.as.mutation(api.workspaces.create, { name: "Other Co" });
  return await user.as.query(api.suppliers.list, { workspaceId });
}

describe("the invitation mail queue (worker.pendingMail)", () => {
  test("a revoked invitation leaves it: mail cleared; a late report on it changes nothing", async () => {
    const t = newBackend();
    const { owner, suppliers, on } = await queuedQuote(t);
    const a = await owner.mutation(api.supplierInvitations.create, { negotiationId: on(suppliers[0]._id)._id, name: "Ana", email: "ana@s.test" });
    const b = await owner.mutation(api.supplierInvitations.create, { negotiationId: on(suppliers[1]._id)._id, name: "Bo", email: "bo@s.test" });
    const queued = await pendingMail(t);
    expect(queued.map((m) => m.invitationId).sort()).toEqual([a.invitationId, b.invitationId].sort());
    const nonceOfA = queued.find((m) => m.invitationId === a.invitationId)!.nonce;
    await owner.mutation(api.supplierInvitations.revoke, { invitationId: a.invitationId });
    expect((await pendingMail(t)).map((m) => m.invitationId)).toEqual([b.invitationId]);
    expect((await invitationOf(t, a.invitationId)).mail).toBeUndefined();
    const before = JSON.stringify(await everyRow(t));
    await recordMail(t, a.invitationId, nonceOfA, "sent");
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("an invitation accepted before any mail was recorded leaves it: mail cleared; a late report changes nothing", async () => {
    const t = newBackend();
    const { owner, quoteId, suppliers, on } = await queuedQuote(t);
    const a = await owner.mutation(api.supplierInvitations.create, { negotiationId: on(suppliers[0]._id)._id, name: "Ana", email: "ana@s.test" });
    const [queued] = await pendingMail(t);
    expect(queued).toMatchObject({ invitationId: a.invitationId, token: a.token, to: "ana@s.test" });
    await (await signUp(t, "ana@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token: a.token });
    expect(await pendingMail(t)).toEqual([]);
    expect((await invitationOf(t, a.invitationId)).mail).toBeUndefined();
    expect((await owner.query(api.supplierInvitations.listForQuote, { quoteId }))[0]).toMatchObject({ state: "accepted", mail: null });
    const before = JSON.stringify(await everyRow(t));
    await recordMail(t, a.invitationId, queued.nonce, "sent");
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("a re-sent link replaces the old one in the queue; the one it revoked leaves; reports on old nonces change nothing", async () => {
    const t = newBackend();
    const { owner, suppliers, on } = await queuedQuote(t);
    const target = on(suppliers[0]._id)._id;
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const [firstMail] = await pendingMail(t);
    // A second invitation to the same negotiation revokes the first, so only the second waits.
    const second = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Bo", email: "bo@s.test" });
    const [secondMail] = await pendingMail(t);
    expect((await pendingMail(t)).map((m) => m.invitationId)).toEqual([second.invitationId]);
    expect((await invitationOf(t, first.invitationId)).mail).toBeUndefined();
    // Re-sending the first revokes the second in turn.
    const resent = await owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    const queue = await pendingMail(t);
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ invitationId: first.invitationId, token: resent.token });
    expect(queue[0].nonce).not.toBe(firstMail.nonce);
    expect(queue[0].token).not.toBe(first.token);
    expect((await invitationOf(t, second.invitationId)).mail).toBeUndefined();

    const before = JSON.stringify(await everyRow(t));
    await recordMail(t, first.invitationId, firstMail.nonce, "sent");
    await recordMail(t, second.invitationId, secondMail.nonce, "failed");
    // Another invitation's current nonce does not fit this one.
    await recordMail(t, second.invitationId, queue[0].nonce, "sent");
    await recordMail(t, first.invitationId, "", "sent");
    expect(JSON.stringify(await everyRow(t))).toBe(before);
    expect(await pendingMail(t)).toEqual(queue);

    await recordMail(t, first.invitationId, queue[0].nonce, "sent");
    expect(await pendingMail(t)).toEqual([]);
    expect((await invitationOf(t, first.invitationId)).mail).toMatchObject({ status: "sent" });
  });

  test("an expired invitation is not listed, and 25 lapsed or revoked ones do not keep a fresh one out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t = newBackend();
    const quotes: Awaited<ReturnType<typeof queuedQuote>>[] = [];
    // Three suppliers a quote, all live: nine quotes give 27 negotiations.
    for (let i = 0; i < 9; i++) quotes.push(await queuedQuote(t, 3));
    const targets = quotes.flatMap((q) => q.suppliers.map((s) => q.on(s._id)._id));
    const owner: Member = quotes[0].owner;
    const made: Id<"supplierInvitations">[] = [];
    for (const [i, negotiationId] of targets.slice(0, 25).entries()) {
      made.push((await owner.mutation(api.supplierInvitations.create, { negotiationId, name: `P${i}`, email: `p${i}@s.test` })).invitationId);
    }
    for (const invitationId of made.slice(0, 4)) await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    // 21 still wait: the mailer takes 20 at a time.
    const full = await pendingMail(t);
    expect(full).toHaveLength(20);
    expect(full.every((m) => made.slice(4).includes(m.invitationId))).toBe(true);

    vi.setSystemTime(Date.now() + SUPPLIER_INVITATION_TTL_MS + 1);
    expect(await pendingMail(t)).toEqual([]);
    const lapsed = await invitationOf(t, made[24]);
    expect(lapsed.mail?.status).toBe("pending");
    expect((await owner.query(api.supplierInvitations.listForQuote, { quoteId: quotes[8].quoteId }))[0]).toMatchObject({ state: "expired" });

    const fresh = await owner.mutation(api.supplierInvitations.create, { negotiationId: targets[25], name: "Fresh", email: "fresh@s.test" });
    const queue = await pendingMail(t);
    expect(queue).toEqual([expect.objectContaining({ invitationId: fresh.invitationId, token: fresh.token, to: "fresh@s.test" })]);
  });

  test("refused without the service key: FORBIDDEN, nothing listed or written", async () => {
    const t = newBackend();
    const { owner, suppliers, on } = await queuedQuote(t);
    const a = await owner.mutation(api.supplierInvitations.create, { negotiationId: on(suppliers[0]._id)._id, name: "Ana", email: "ana@s.test" });
    const [queued] = await pendingMail(t);
    await expectRefused(t, () => owner.as.query(api.worker.pendingMail, { serviceKey: "wrong-key-0123456789" }), "FORBIDDEN");
    await expectRefused(
      t,
      () => owner.as.mutation(api.worker.recordMailResult, { serviceKey: "wrong-key-0123456789", invitationId: a.invitationId, nonce: queued.nonce, status: "sent" }),
      "FORBIDDEN",
    );
  });
});

describe("worker.claimQuote on a quote waiting on live suppliers", () => {
  async function suspended() {
    const t = newBackend();
    const q = await liveQuote(t, { live: 3 });
    const seen = await t.run(async (ctx) =>
      (await ctx.db.query("negotiations").withIndex("by_quoteId", (x) => x.eq("quoteId", q.quoteId)).collect()).map((n) => ({
        negotiationId: n._id,
        nextSeq: n.nextSeq,
        currentRound: n.currentRound,
        status: n.status,
      })),
    );
    const result = await t.mutation(api.worker.suspendQuote, { serviceKey: SERVICE_KEY, quoteId: q.quoteId, workerId: "worker-1", leaseEpoch: q.leaseEpoch, runId: "run-1", seen });
    expect(result).toBe("suspended");
    return { t, ...q };
  }

  test("nothing woke it: null for any worker, its last holder included, and nothing written", async () => {
    const { t, quoteId } = await suspended();
    const before = JSON.stringify(await everyRow(t));
    expect(await claim(t, quoteId, "worker-2")).toBeNull();
    expect(await claim(t, quoteId, "worker-1")).toBeNull();
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("a supplier's offer wakes it: the next claim holds a new epoch, and a second claim gets null", async () => {
    const { t, quoteId, leaseEpoch, contacts } = await suspended();
    await contacts[0].mutation(api.supplierPortal.makeSupplierOffer, form);
    const epoch = await claim(t, quoteId, "worker-2");
    expect(epoch).toBe(leaseEpoch + 1);
    expect(await t.run(async (ctx) => (await ctx.db.get(quoteId))!)).toMatchObject({ claimedBy: "worker-2", leaseEpoch: epoch, suspendedRunId: "run-1" });
    expect(await claim(t, quoteId, "worker-3")).toBeNull();
  });
});

describe("a supplier who joins before the quote starts", () => {
  test("gets the quote's response deadline at its start, as every negotiation does", async () => {
    const t = newBackend();
    const { products, suppliers, owner } = await seed(t);
    const quoteId = await owner.mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [suppliers[0]._id], responseHours: 720 });
    const live = (await owner.query(api.quotes.get, { quoteId }))!.negotiations.find((n) => n.side === "live")!;
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: live._id, name: "Early Bird", email: "early@supplier.test" });
    const person = await signUp(t, "early@supplier.test");
    await person.as.mutation(api.supplierPortal.acceptInvitation, { token });
    // Joining starts the negotiation, while the quote still waits for a worker.
    expect((await negotiationOf(t, live._id)).status).toBe("active");
    await claim(t, quoteId);
    const quote = await t.run(async (ctx) => (await ctx.db.get(quoteId))!);
    const negotiations = await t.run(async (ctx) => await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
    expect(negotiations).toHaveLength(3);
    for (const n of negotiations) expect(n.expiresAt! - quote.startedAt!).toBe(720 * 3600 * 1000);
  });
});

describe("a re-run", () => {
  test("keeps which suppliers are live, and the response deadline", async () => {
    const t = newBackend();
    const { products, suppliers, owner } = await seed(t);
    const quoteId = await owner.mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [suppliers[1]._id], responseHours: 12 });
    const again = await owner.mutation(api.quotes.rerun, { quoteId });
    const detail = (await owner.query(api.quotes.get, { quoteId: again }))!;
    expect(detail.quote.responseHours).toBe(12);
    expect(detail.negotiations.filter((n) => n.side === "live").map((n) => n.supplierId)).toEqual([suppliers[1]._id]);
    // Nobody is invited to the new quote yet: its links are the brand's to send.
    expect(await owner.query(api.supplierInvitations.listForQuote, { quoteId: again })).toEqual([]);
  });
});

describe("the brand's take-over notes", () => {
  test("stay on the brand's side: the supplier neither sees nor counts them", async () => {
    const t = newBackend();
    const { owner, live, contacts } = await liveQuote(t, { live: 1 });
    const negotiationId = live[0]._id;
    const contact = contacts[0];
    await contact.mutation(api.supplierPortal.markMessagesRead, {});
    await owner.mutation(api.negotiations.pause, { negotiationId });
    await owner.mutation(api.negotiations.resume, { negotiationId });
    const page = await contact.query(api.supplierPortal.messages, { paginationOpts: { numItems: 50, cursor: null } });
    expect(page.page.map((m) => m.content).join(" ")).not.toMatch(/took over|back in charge/);
    expect((await contact.query(api.supplierPortal.negotiation, {})).unread).toBe(0);
    // The brand's own page shows both notes.
    const brandPage = await owner.query(api.messages.list, { negotiationId, paginationOpts: { numItems: 50, cursor: null } });
    expect(brandPage.page.filter((m) => m.brandOnly).map((m) => m.content)).toEqual([
      "You took over this negotiation; the AI negotiator is paused.",
      "The AI negotiator is back in charge of this negotiation.",
    ]);
  });
});
