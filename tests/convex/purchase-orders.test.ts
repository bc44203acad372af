import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { HIDDEN_PERSONA_FIELDS } from "../helpers/persona-fields";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  invite,
  type Member,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
  requestQuote,
  signUp,
  terms,
} from "./helpers";

// The purchase order an award writes: numbered per workspace, holding the
// agreed terms and the quote's delivery, and nothing of the brand's targets,
// limits, priorities or the engine's reasoning. Any member reads it; nobody else.

/** A quote in `owner`'s workspace with one supplier offer on its first negotiation. */
async function quoteWithOffer(t: Backend, owner: Member, offerTerms = terms(6.2, 0.86)) {
  const products = await owner.query(api.products.list, {});
  const quoteId = await owner.mutation(api.quotes.request, quoteArgs({ products }));
  await claim(t, quoteId);
  const detail = (await owner.query(api.quotes.get, { quoteId }))!;
  const negotiationId = detail.negotiations[0]!._id;
  const offerId = (await offer(t, negotiationId, 1, "supplier", offerTerms))!;
  const supplierName = detail.negotiations[0]!.supplier!.name;
  return { quoteId, negotiationId, offerId, supplierName };
}

async function award(by: Member, negotiationId: Id<"negotiations">) {
  const result = await by.mutation(api.negotiations.acceptCurrentOffer, { negotiationId });
  expect(result.status).toBe("awarded");
}

describe("numbering", () => {
  test("each workspace counts from PO-0001, one more with every award", async () => {
    const t = newBackend();
    await requestQuote(t);
    const a = brand(t);
    const b = await newWorkspace(t, "owner@beta.test", "Beta Brand");
    const a1 = await quoteWithOffer(t, a);
    const a2 = await quoteWithOffer(t, a);
    const b1 = await quoteWithOffer(t, b);
    const a3 = await quoteWithOffer(t, a);
    expect(await a.query(api.purchaseOrders.forQuote, { quoteId: a1.quoteId })).toBeNull();
    await award(a, a1.negotiationId);
    await award(a, a2.negotiationId);
    await award(b, b1.negotiationId);
    await award(a, a3.negotiationId);
    const ref = async (m: Member, quoteId: Id<"quotes">) => (await m.query(api.purchaseOrders.forQuote, { quoteId }))!.reference;
    expect([await ref(a, a1.quoteId), await ref(a, a2.quoteId), await ref(a, a3.quoteId)]).toEqual(["PO-0001", "PO-0002", "PO-0003"]);
    expect(await ref(b, b1.quoteId)).toBe("PO-0001");
    const numbers = await t.run(async (ctx) => (await ctx.db.query("purchaseOrders").collect()).map((po) => [po.workspaceId, po.number]));
    expect(numbers).toEqual([
      [a.workspaceId, 1],
      [a.workspaceId, 2],
      [b.workspaceId, 1],
      [a.workspaceId, 3],
    ]);
  });

  test("a refused award writes no purchase order and takes no number", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    const first = await quoteWithOffer(t, owner, terms(6.6, 0.8)); // above the tee's maximum of 6.50
    await expectRefused(t, () => owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: first.negotiationId }), "CONFLICT");
    const second = await quoteWithOffer(t, owner);
    await award(owner, second.negotiationId);
    expect((await owner.query(api.purchaseOrders.forQuote, { quoteId: second.quoteId }))!.reference).toBe("PO-0001");
  });
});

describe("contents", () => {
  test("the agreed terms, the supplier, who awarded and when; delivery not given", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    await t.run(async (ctx) => ctx.db.patch(owner.userId, { name: "Ada Owner" }));
    const q = await quoteWithOffer(t, owner, terms(6.2, 0.86, 21, 45));
    await award(owner, q.negotiationId);
    const po = (await owner.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId }))!;
    const awardRow = (await owner.query(api.quotes.get, { quoteId: q.quoteId }))!.award!;
    expect(po).toEqual({
      _id: expect.any(String),
      quoteId: q.quoteId,
      number: 1,
      reference: "PO-0001",
      buyerName: "Acme Goods",
      supplierName: q.supplierName,
      lines: [
        { sku: "APP-TEE-240-BLK", name: expect.stringMatching(/tee/i), quantity: 2000, unitPrice: 6.2, lineTotal: 2000 * 6.2 },
        { sku: "PKG-MAILER-1084", name: expect.stringMatching(/mailer/i), quantity: 5000, unitPrice: 0.86, lineTotal: 5000 * 0.86 },
      ],
      total: 2000 * 6.2 + 5000 * 0.86,
      leadTimeDays: 21,
      paymentTermsDays: 45,
      deliveryAddress: "Not given",
      incoterms: "Not given",
      awardedBy: { userId: owner.userId, name: "Ada Owner" },
      awardedAt: awardRow.awardedAt,
      approval: null,
    });
  });

  test("the quote's delivery address and incoterm, in the rule's words", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    const q = await quoteWithOffer(t, owner);
    await t.run(async (ctx) => ctx.db.patch(q.quoteId, { deliveryAddress: "  Unit 4, Dock Road\nLeeds LS1 4AP  ", incoterms: "FOB" }));
    await award(owner, q.negotiationId);
    const po = (await owner.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId }))!;
    expect(po.deliveryAddress).toBe("Unit 4, Dock Road\nLeeds LS1 4AP");
    expect(po.incoterms).toBe("FOB — Free on Board");
  });

  test("an approved award names the approver, when, and their comment", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    const buyer = await invite(t, owner, "bea@acme.test", "buyer");
    const approver = await invite(t, owner, "abe@acme.test", "approver");
    await owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 1000 });
    const q = await quoteWithOffer(t, owner);
    const result = await buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: q.negotiationId });
    if (result.status !== "approval_requested") throw new Error("expected a request");
    expect(await buyer.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId })).toBeNull();
    await approver.mutation(api.approvals.approve, { approvalId: result.approvalId, comment: "OK for Q3" });
    const po = (await buyer.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId }))!;
    expect(po.awardedBy).toEqual({ userId: buyer.userId, name: "bea@acme.test" });
    expect(po.approval).toEqual({ userId: approver.userId, name: "abe@acme.test", approvedAt: expect.any(Number), comment: "OK for Q3" });
  });

  test("no targets, maximums, guardrails, priorities, notes, persona or engine reasoning", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    const q = await quoteWithOffer(t, owner);
    await t.run(async (ctx) =>
      ctx.db.patch(q.offerId, { ai: { generated: true, confidence: 0.87, reasoning: "SECRET-REASONING their floor is near 6.05" } }),
    );
    await award(owner, q.negotiationId);
    const view = await owner.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId });
    const row = await t.run(async (ctx) => (await ctx.db.query("purchaseOrders").first())!);
    const keys = (value: unknown): string[] =>
      value && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]) : [];
    const allowed = new Set([
      "_id", "_creationTime", "workspaceId", "quoteId", "awardId", "number", "reference", "buyerName", "supplierName",
      "lines", "sku", "name", "quantity", "unitPrice", "lineTotal", "total", "leadTimeDays", "paymentTermsDays",
      "deliveryAddress", "incoterms", "awardedBy", "userId", "awardedAt", "approval",
    ]);
    for (const doc of [view, row]) {
      const found = keys(doc).filter((k) => !/^\d+$/.test(k));
      expect(found.filter((k) => !allowed.has(k))).toEqual([]);
      const text = JSON.stringify(doc);
      for (const secret of ["targetUnitPrice", "maxUnitPrice", "listPrice", "guardrails", "priorities", "reasoning", "confidence", "Spring drop", "SECRET-REASONING", ...HIDDEN_PERSONA_FIELDS]) {
        expect(text).not.toContain(secret);
      }
      // The quote's target (5.50) and maximum (6.50) tee prices, and the mailer's (0.75, 0.90), appear nowhere.
      for (const price of [5.5, 6.5, 0.75, 0.9]) expect(text).not.toMatch(new RegExp(`[:\\[,]${price}[,}\\]]`));
    }
  });
});

describe("who may read it", () => {
  test("every member, a viewer included; a member of another workspace, a stranger and the signed-out may not", async () => {
    const t = newBackend();
    await requestQuote(t);
    const owner = brand(t);
    const viewer = await invite(t, owner, "vic@acme.test", "viewer");
    const q = await quoteWithOffer(t, owner);
    await award(owner, q.negotiationId);
    expect((await viewer.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId }))!.reference).toBe("PO-0001");

    const other = await newWorkspace(t, "eve@other.test", "Other Co");
    await expectRefused(t, () => other.as.query(api.purchaseOrders.forQuote, { workspaceId: owner.workspaceId, quoteId: q.quoteId }), "FORBIDDEN");
    // In its own workspace, the quote's id finds nothing.
    expect(await other.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId })).toBeNull();
    const stranger = await signUp(t, "sam@nowhere.test");
    await expectRefused(t, () => stranger.as.query(api.purchaseOrders.forQuote, { workspaceId: owner.workspaceId, quoteId: q.quoteId }), "FORBIDDEN");
    await expectRefused(t, () => t.query(api.purchaseOrders.forQuote, { workspaceId: owner.workspaceId, quoteId: q.quoteId }), "UNAUTHENTICATED");
    // Removed from the workspace: no longer.
    await owner.mutation(api.members.remove, { userId: viewer.userId });
    await expectRefused(t, () => viewer.query(api.purchaseOrders.forQuote, { quoteId: q.quoteId }), "FORBIDDEN");
  });
});
