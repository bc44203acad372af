import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { expireDue } from "../../convex/model/expiry";
import {
  type Backend,
  everyRow,
  expectRefusedEverywhere as expectRefused,
  invite,
  liveQuote,
  newBackend,
  offer,
  terms,
} from "./helpers";

// What a live supplier's person does in the portal, and what each move writes.

const TEE = "APP-TEE-240-BLK";
const MAILER = "PKG-MAILER-1084";
const good: { lines: { sku: string; unitPrice: number }[]; leadTimeDays: number; paymentTermsDays: number; message?: string } = {
  lines: [
    { sku: TEE, unitPrice: 6.4 },
    { sku: MAILER, unitPrice: 0.85 },
  ],
  leadTimeDays: 30,
  paymentTermsDays: 30,
};

async function live(opts: { maxRounds?: number } = {}) {
  const t = newBackend();
  const q = await liveQuote(t, { live: 1, ...opts });
  const buyer = await invite(t, q.owner, "buyer@acme.test", "buyer");
  const viewer = await invite(t, q.owner, "viewer@acme.test", "viewer");
  const contact = q.contacts[0];
  return { t, ...q, buyer, viewer, contact, id: contact.negotiationId };
}

const negotiationOf = (t: Backend, id: Id<"negotiations">) => t.run(async (ctx) => (await ctx.db.get(id))!);
const messagesOf = (t: Backend, id: Id<"negotiations">) =>
  t.run(async (ctx) => await ctx.db.query("messages").withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", id)).collect());
/** The notices written after `since`, as [audience, kind, recipient]. */
const noticesSince = async (t: Backend, since: number) =>
  ((await everyRow(t)).notifications as { audience: string; kind: string; userId: string; createdAt: number }[])
    .filter((n) => n.createdAt >= since)
    .map((n) => [n.audience, n.kind, n.userId])
    .sort();

describe("makeSupplierOffer: bad input is refused at its field and writes nothing", () => {
  const cases: [string, Partial<typeof good>, string][] = [
    ["a missing line", { lines: [{ sku: TEE, unitPrice: 6.4 }] }, "lines"],
    ["no lines", { lines: [] }, "lines"],
    ["an extra line", { lines: [...good.lines, { sku: "EXTRA", unitPrice: 1 }] }, "lines"],
    ["a duplicate sku", { lines: [{ sku: TEE, unitPrice: 6.4 }, { sku: TEE, unitPrice: 6.3 }] }, "lines[0].unitPrice"],
    ["an unknown sku", { lines: [{ sku: TEE, unitPrice: 6.4 }, { sku: "PKG-OTHER", unitPrice: 0.85 }] }, "lines[1].unitPrice"],
    ["a negative price", { lines: [{ sku: TEE, unitPrice: -6.4 }, good.lines[1]] }, "lines[0].unitPrice"],
    ["a zero price", { lines: [good.lines[0], { sku: MAILER, unitPrice: 0 }] }, "lines[1].unitPrice"],
    ["a price that rounds to zero", { lines: [good.lines[0], { sku: MAILER, unitPrice: 0.004 }] }, "lines[1].unitPrice"],
    ["a NaN price", { lines: [{ sku: TEE, unitPrice: Number.NaN }, good.lines[1]] }, "lines[0].unitPrice"],
    ["an infinite price", { lines: [{ sku: TEE, unitPrice: Number.POSITIVE_INFINITY }, good.lines[1]] }, "lines[0].unitPrice"],
    ["too large a price", { lines: [{ sku: TEE, unitPrice: 1_000_001 }, good.lines[1]] }, "lines[0].unitPrice"],
    ["a fractional lead time", { leadTimeDays: 10.5 }, "leadTimeDays"],
    ["a zero lead time", { leadTimeDays: 0 }, "leadTimeDays"],
    ["a negative lead time", { leadTimeDays: -3 }, "leadTimeDays"],
    ["too long a lead time", { leadTimeDays: 366 }, "leadTimeDays"],
    ["a NaN lead time", { leadTimeDays: Number.NaN }, "leadTimeDays"],
    ["negative payment terms", { paymentTermsDays: -1 }, "paymentTermsDays"],
    ["fractional payment terms", { paymentTermsDays: 30.5 }, "paymentTermsDays"],
    ["too long payment terms", { paymentTermsDays: 181 }, "paymentTermsDays"],
    ["too long a message", { message: "x".repeat(4_001) }, "message"],
  ];
  test.each(cases)("%s", async (_what, change, field) => {
    const { t, contact } = await live();
    await expectRefused(t, () => contact.mutation(api.supplierPortal.makeSupplierOffer, { ...good, ...change }), "INVALID_ARGUMENT", field);
  });
});

describe("makeSupplierOffer", () => {
  test("records the offer at the quote's quantities, in the quote's line order, rounded to cents; the brand is told once per member", async () => {
    const { t, contact, id, owner, buyer, viewer } = await live();
    const since = Date.now();
    const offerId = await contact.mutation(api.supplierPortal.makeSupplierOffer, {
      lines: [{ sku: MAILER, unitPrice: 0.854 }, { sku: TEE, unitPrice: 6.456 }],
      leadTimeDays: 30,
      paymentTermsDays: 45,
    });
    expect(offerId).not.toBeNull();
    const stored = await t.run(async (ctx) => (await ctx.db.get(offerId!))!);
    expect(stored).toMatchObject({ offeredBy: "supplier", round: 1, status: "pending", terms: terms(6.46, 0.85, 30, 45) });
    expect(stored).not.toHaveProperty("ai");
    expect(await negotiationOf(t, id)).toMatchObject({ status: "active", currentRound: 1, lastOfferBy: "supplier", currentOfferId: offerId });
    const messages = await messagesOf(t, id);
    expect(messages.map((m) => [m.seq, m.sender, m.kind, m.offerId])).toEqual([[0, "contact", "offer", offerId]]);
    expect(messages[0].content).toMatch(/2,000 × APP-TEE-240-BLK at \$6\.46.*45 days/);
    expect(await noticesSince(t, since)).toEqual(
      [owner, buyer, viewer].map((m) => ["brand", "supplier_offer", m.userId]).sort(),
    );
    // The brand's own view shows who wrote it.
    const list = await owner.query(api.messages.list, { negotiationId: id, paginationOpts: { numItems: 10, cursor: null } });
    expect(list.page.map((m) => m.sender)).toEqual(["contact"]);
  });

  test("its own words go with it; a blank message is none", async () => {
    const { t, contact, id } = await live();
    await contact.mutation(api.supplierPortal.makeSupplierOffer, { ...good, message: "  Best we can do.  " });
    await offer(t, id, 2, "brand", terms(6, 0.8, 40, 30));
    await contact.mutation(api.supplierPortal.makeSupplierOffer, { ...good, message: "   " });
    const contents = (await messagesOf(t, id)).filter((m) => m.sender === "contact").map((m) => m.content);
    expect(contents[0]).toBe("Best we can do.");
    expect(contents[1]).toMatch(/^Our offer: /);
  });

  test("not the supplier's turn: CONFLICT, nothing written", async () => {
    const { t, contact } = await live();
    await contact.mutation(api.supplierPortal.makeSupplierOffer, good);
    await expectRefused(t, () => contact.mutation(api.supplierPortal.makeSupplierOffer, good), "CONFLICT", "negotiationId");
  });

  test("past the last round: null, the negotiation ends in impasse and the brand hears of it", async () => {
    const { t, contact, id } = await live({ maxRounds: 2 });
    await contact.mutation(api.supplierPortal.makeSupplierOffer, good);
    await offer(t, id, 2, "brand", terms(6, 0.8, 40, 30));
    expect(await contact.mutation(api.supplierPortal.makeSupplierOffer, good)).toBeNull();
    expect(await negotiationOf(t, id)).toMatchObject({ status: "impasse", currentRound: 2 });
    const notices = await noticesSince(t, 0);
    expect(notices.filter(([audience, kind]) => audience === "brand" && kind === "supplier_declined")).toHaveLength(3);
    // The supplier's own move ended it: only the brand's offer was news to it.
    expect(notices.filter(([audience]) => audience === "supplier").map(([, kind]) => kind)).toEqual(["brand_offer"]);
  });
});

describe("acceptOffer", () => {
  test("accepts the brand's standing offer: the negotiation is agreed, the brand told", async () => {
    const { t, contact, id, owner } = await live();
    await contact.mutation(api.supplierPortal.makeSupplierOffer, good);
    const brandOffer = (await offer(t, id, 2, "brand", terms(6, 0.8, 40, 30)))!;
    expect((await contact.query(api.supplierPortal.negotiation, {})).canAcceptBrandOffer).toBe(true);
    const since = Date.now();
    await contact.mutation(api.supplierPortal.acceptOffer, {});
    expect(await negotiationOf(t, id)).toMatchObject({ status: "accepted", outcome: "agreement" });
    expect(await t.run(async (ctx) => (await ctx.db.get(brandOffer))!.status)).toBe("accepted");
    expect((await messagesOf(t, id)).at(-1)).toMatchObject({ sender: "contact", kind: "acceptance", offerId: brandOffer });
    const brandNotices = (await owner.query(api.notifications.list, {})).items.filter((n) => n.createdAt >= since);
    expect(brandNotices.map((n) => n.kind)).toEqual(["supplier_accepted"]);
    expect(brandNotices[0].text).toMatch(/accepted your offer of \$16,000\.00/);
    // Nothing more to do for the supplier.
    await expectRefused(t, () => contact.mutation(api.supplierPortal.acceptOffer, {}), "CLOSED", "negotiationId");
    await expectRefused(t, () => contact.mutation(api.supplierPortal.makeSupplierOffer, good), "CLOSED", "negotiationId");
  });

  test("no brand offer to accept: CONFLICT", async () => {
    const { t, contact } = await live();
    await expectRefused(t, () => contact.mutation(api.supplierPortal.acceptOffer, {}), "CONFLICT", "negotiationId");
    await contact.mutation(api.supplierPortal.makeSupplierOffer, good);
    await expectRefused(t, () => contact.mutation(api.supplierPortal.acceptOffer, {}), "CONFLICT", "negotiationId");
  });
});

describe("decline and messages", () => {
  test.each([[""], ["   "], ["x".repeat(1_001)]])("decline needs a reason (%#)", async (reason) => {
    const { t, contact } = await live();
    await expectRefused(t, () => contact.mutation(api.supplierPortal.decline, { reason }), "INVALID_ARGUMENT", "reason");
  });

  test("decline closes the negotiation with the reason; the brand is told; nothing after", async () => {
    const { t, contact, id } = await live();
    const since = Date.now();
    await contact.mutation(api.supplierPortal.decline, { reason: " We cannot make these quantities " });
    expect(await negotiationOf(t, id)).toMatchObject({ status: "rejected", outcome: "walked_away", failureReason: "We cannot make these quantities" });
    expect((await messagesOf(t, id)).map((m) => [m.sender, m.kind, m.content])).toEqual([["contact", "rejection", "We cannot make these quantities"]]);
    const notices = await noticesSince(t, since);
    expect(notices.filter(([a]) => a === "brand").map(([, k]) => k)).toContain("supplier_declined");
    expect(notices.filter(([a]) => a === "supplier")).toEqual([]);
    await expectRefused(t, () => contact.mutation(api.supplierPortal.sendMessage, { content: "Wait" }), "CLOSED", "negotiationId");
    await expectRefused(t, () => contact.mutation(api.supplierPortal.decline, { reason: "Again" }), "CLOSED", "negotiationId");
  });

  test.each([[""], ["  "], ["x".repeat(4_001)]])("sendMessage refuses empty or too long text (%#)", async (content) => {
    const { t, contact } = await live();
    await expectRefused(t, () => contact.mutation(api.supplierPortal.sendMessage, { content }), "INVALID_ARGUMENT", "content");
  });

  test("sendMessage writes a contact message and tells the brand, without starting the negotiation's rounds", async () => {
    const { t, contact, id } = await live();
    await contact.mutation(api.supplierPortal.sendMessage, { content: "Can you tell us more about the print?" });
    expect((await messagesOf(t, id)).map((m) => [m.sender, m.kind])).toEqual([["contact", "text"]]);
    expect(await negotiationOf(t, id)).toMatchObject({ currentRound: 0 });
  });
});

describe("the response deadline", () => {
  async function expired() {
    const s = await live();
    const { expiresAt, startedAt } = { ...(await negotiationOf(s.t, s.id)), ...(await s.t.run(async (ctx) => (await ctx.db.get(s.quoteId))!)) };
    return { ...s, expiresAt: expiresAt!, startedAt: startedAt! };
  }

  test("past expiresAt, before the cron: a move is EXPIRED and writes nothing", async () => {
    const { t, contact, id } = await expired();
    await t.run(async (ctx) => ctx.db.patch(id, { expiresAt: Date.now() - 1 }));
    await expectRefused(t, () => contact.mutation(api.supplierPortal.makeSupplierOffer, good), "EXPIRED", "negotiationId");
    await expectRefused(t, () => contact.mutation(api.supplierPortal.sendMessage, { content: "Hi" }), "EXPIRED", "negotiationId");
    expect((await contact.query(api.supplierPortal.negotiation, {})).yourTurn).toBe(false);
    expect((await contact.as.query(api.supplierPortal.myNegotiationsList, {}))[0].yourTurn).toBe(false);
  });

  test("the cron expires it: a system message, both sides told, a late offer EXPIRED", async () => {
    const { t, contact, id, expiresAt, startedAt } = await expired();
    expect(expiresAt - startedAt).toBe(48 * 3600_000);
    await contact.mutation(api.supplierPortal.makeSupplierOffer, good);
    const kinds = async (kind: string) => (await noticesSince(t, 0)).filter(([, k]) => k === kind).map(([audience]) => audience);
    // Just before: not expired, but both sides are told the deadline is near, once.
    expect(await t.run(async (ctx) => await expireDue(ctx, expiresAt - 1))).toBe(0);
    expect(await t.run(async (ctx) => await expireDue(ctx, expiresAt - 1))).toBe(0);
    expect(await kinds("deadline_near")).toEqual(["brand", "brand", "brand", "supplier"]);
    expect(await t.run(async (ctx) => await expireDue(ctx, expiresAt))).toBeGreaterThanOrEqual(1);
    expect(await negotiationOf(t, id)).toMatchObject({ status: "expired" });
    const system = (await messagesOf(t, id)).filter((m) => m.sender === "system");
    expect(system.map((m) => m.content)).toEqual([expect.stringMatching(/expired.*48 hours/)]);
    expect(await kinds("expired")).toEqual(["brand", "brand", "brand", "supplier"]);
    expect((await contact.as.query(api.supplierPortal.notifications, {})).items[0]).toMatchObject({ kind: "expired", negotiationId: id });
    await offer(t, id, 2, "brand", terms(6, 0.8, 40, 30)).then(
      () => expect.unreachable("a brand offer after expiry"),
      (error) => expect(error.data).toMatchObject({ code: "EXPIRED" }),
    );
    await expectRefused(t, () => contact.mutation(api.supplierPortal.acceptOffer, {}), "EXPIRED", "negotiationId");
    await expectRefused(t, () => contact.mutation(api.supplierPortal.decline, { reason: "Late" }), "EXPIRED", "negotiationId");
  });
});
