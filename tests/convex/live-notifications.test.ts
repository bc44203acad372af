import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { contactOn, everyRow, invite, joinLive, liveQuote, memberOf, newBackend, newWorkspace, offer, quoteArgs, terms } from "./helpers";

// Notices: one row per person, each reads and clears their own, and each side
// and workspace sees only its own.

const form = {
  lines: [
    { sku: "APP-TEE-240-BLK", unitPrice: 6.4 },
    { sku: "PKG-MAILER-1084", unitPrice: 0.85 },
  ],
  leadTimeDays: 30,
  paymentTermsDays: 30,
};

describe("notifications", () => {
  test("every member is told; each clears only their own", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1, join: 0 });
    const buyer = await invite(t, q.owner, "buyer@acme.test", "buyer");
    const contact = await joinLive(t, q.owner, q.live[0]._id, "ana@supplier.test", "Ana");
    await contact.mutation(api.supplierPortal.makeSupplierOffer, form);
    const ownerList = await q.owner.query(api.notifications.list, {});
    expect(ownerList.items.map((n) => n.kind)).toEqual(["supplier_offer", "supplier_joined"]);
    expect(ownerList.items[0].text).toMatch(/made an offer: \$17,050\.00 in total/);
    expect(ownerList.unread).toBe(2);
    expect((await buyer.query(api.notifications.list, {})).unread).toBe(2);

    await q.owner.mutation(api.notifications.markAllRead, {});
    expect((await q.owner.query(api.notifications.list, {})).unread).toBe(0);
    expect((await q.owner.query(api.notifications.list, {})).items.every((n) => n.read)).toBe(true);
    expect((await buyer.query(api.notifications.list, {})).unread).toBe(2);
    const before = JSON.stringify(await everyRow(t));
    await q.owner.mutation(api.notifications.markAllRead, {});
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("the supplier hears of the brand's offers and of nothing on simulated negotiations", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1 });
    const [contact] = q.contacts;
    await contact.mutation(api.supplierPortal.makeSupplierOffer, form);
    await offer(t, contact.negotiationId, 2, "brand", terms(6, 0.8, 40, 30));
    await offer(t, q.simulated[0]._id, 1, "supplier", terms(6.3, 0.86));
    await offer(t, q.simulated[0]._id, 2, "brand", terms(6, 0.8, 40, 30));
    const mine = await contact.as.query(api.supplierPortal.notifications, {});
    expect(mine.items.map((n) => [n.kind, n.negotiationId])).toEqual([["brand_offer", contact.negotiationId]]);
    expect(mine.unread).toBe(1);
    await contact.as.mutation(api.supplierPortal.markNotificationsSeen, {});
    expect((await contact.as.query(api.supplierPortal.notifications, {})).unread).toBe(0);
    const supplierNotices = ((await everyRow(t)).notifications as { audience: string }[]).filter((n) => n.audience === "supplier");
    expect(supplierNotices).toHaveLength(1);
  });

  test("each workspace's list shows its own notices, each side its own; each clear clears its own", async () => {
    const t = newBackend();
    const q = await liveQuote(t, { live: 1, join: 0 });
    // The other brand's owner is the first brand's live supplier's person.
    const pat = await newWorkspace(t, "pat@both.test", "Other Co");
    const { token } = await q.owner.mutation(api.supplierInvitations.create, { negotiationId: q.live[0]._id, name: "Pat", email: "pat@both.test" });
    await pat.as.mutation(api.supplierPortal.acceptInvitation, { token });
    // The first brand's owner is also a viewer at the other brand.
    const { token: memberToken } = await pat.mutation(api.invitations.create, { role: "viewer" });
    await q.owner.as.mutation(api.invitations.accept, { token: memberToken });
    const ownerInOther = memberOf(q.owner, pat.workspaceId);
    // A live supplier joins at the other brand; Pat offers to the first; the first brand answers Pat.
    const otherProducts = await pat.query(api.products.list, {});
    const otherSuppliers = await pat.query(api.suppliers.list, {});
    const otherQuote = await pat.mutation(api.quotes.request, { ...quoteArgs({ products: otherProducts }), liveSupplierIds: [otherSuppliers[0]._id] });
    const otherLive = (await pat.query(api.quotes.get, { quoteId: otherQuote }))!.negotiations.find((n) => n.side === "live")!;
    await joinLive(t, pat, otherLive._id, "sam@s.test");
    const patOn = contactOn(pat, q.live[0]._id);
    await patOn.mutation(api.supplierPortal.makeSupplierOffer, form);
    await offer(t, q.live[0]._id, 2, "brand", terms(6, 0.8, 40, 30));

    const first = await q.owner.query(api.notifications.list, {});
    const other = await ownerInOther.query(api.notifications.list, {});
    expect(first.items.map((n) => n.kind)).toEqual(["supplier_offer", "supplier_joined"]);
    expect(other.items.map((n) => n.kind)).toEqual(["supplier_joined"]);
    expect([first.unread, other.unread]).toEqual([2, 1]);
    expect((await pat.query(api.notifications.list, {})).items.map((n) => n.kind)).toEqual(["supplier_joined"]);
    expect((await pat.as.query(api.supplierPortal.notifications, {})).items.map((n) => n.kind)).toEqual(["brand_offer"]);

    await ownerInOther.mutation(api.notifications.markAllRead, {});
    expect((await q.owner.query(api.notifications.list, {})).unread).toBe(2);
    expect((await ownerInOther.query(api.notifications.list, {})).unread).toBe(0);
    await pat.as.mutation(api.supplierPortal.markNotificationsSeen, {});
    expect((await pat.as.query(api.supplierPortal.notifications, {})).unread).toBe(0);
    expect((await pat.query(api.notifications.list, {})).unread).toBe(1);
  });
});
