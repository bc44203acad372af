import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { awardNegotiation } from "../../convex/model/awards";
import {
  brand,
  claim,
  expectRefused,
  invite,
  newBackend,
  newWorkspace,
  offer,
  requestQuote,
  say,
  SERVICE_KEY,
  signUp,
  snapshot,
  terms,
} from "./helpers";

// Award approvals: above the workspace's threshold no path awards without an
// approver's yes, the requester never decides their own request, and an
// approval whose offer went away fails with the reason and changes nothing.

// Totals of the offers below: A 2000 × 6.4 + 5000 × 0.88 = 17,200; B 2000 × 6.2 + 5000 × 0.86 = 16,700.
const TOTAL_A = 17_200;
const TOTAL_B = 16_700;

async function scenario(threshold: number | null = 10_000) {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const owner = brand(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  const [a, b, c] = negotiations.map((n) => n._id);
  const offerA = (await offer(t, a, 1, "supplier", terms(6.4, 0.88)))!;
  const offerB = (await offer(t, b, 1, "supplier", terms(6.2, 0.86)))!;
  const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
  const approver = await invite(t, owner, "approver@acme.test", "approver");
  const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
  if (threshold !== null) await owner.mutation(api.workspaces.setApprovalThreshold, { threshold });
  return { t, quoteId, leaseEpoch, a, b, c, offerA, offerB, owner, buyer, approver, viewer };
}
type Scenario = Awaited<ReturnType<typeof scenario>>;

/** The AI reached agreement on A and B and the quote completed with a recommendation of B. */
async function completed(s: Scenario) {
  const { t, leaseEpoch, a, b, c, offerA, offerB, quoteId } = s;
  await say(t, c, 0, "supplier", "Let me check with my team.");
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: offerA, by: "brand" });
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: b, offerId: offerB, by: "brand" });
  await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: c, status: "impasse" });
  const supplierId = (await t.run(async (ctx) => (await ctx.db.get(b))!.supplierId));
  await t.mutation(api.ingest.setRecommendation, {
    serviceKey: SERVICE_KEY,
    leaseEpoch,
    quoteId,
    recommendation: { negotiationId: b, supplierId, explanation: "Cheapest within guardrails", ranking: [] },
  });
}

const rows = (t: Scenario["t"]) =>
  t.run(async (ctx) => ({
    quote: (await ctx.db.query("quotes").first())!,
    awards: await ctx.db.query("awards").collect(),
    purchaseOrders: await ctx.db.query("purchaseOrders").collect(),
    approvals: await ctx.db.query("approvals").collect(),
    offers: await ctx.db.query("offers").collect(),
    negotiations: await ctx.db.query("negotiations").collect(),
  }));

async function request(s: Scenario, negotiationId: Id<"negotiations">, by = s.buyer) {
  const result = await by.mutation(api.negotiations.acceptCurrentOffer, { negotiationId });
  if (result.status !== "approval_requested") throw new Error(`expected an approval request, got ${JSON.stringify(result)}`);
  return result.approvalId;
}

describe("the spend threshold", () => {
  test("owners set and clear it; every member reads it", async () => {
    const s = await scenario(null);
    expect((await s.viewer.query(api.workspaces.get, {})).approvalThreshold).toBeNull();
    await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 25_000.5 });
    expect((await s.viewer.query(api.workspaces.get, {})).approvalThreshold).toBe(25_000.5);
    await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 0 });
    expect((await s.buyer.query(api.workspaces.get, {})).approvalThreshold).toBe(0);
    await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: null });
    expect((await s.buyer.query(api.workspaces.get, {})).approvalThreshold).toBeNull();
    const events = await s.t.run(async (ctx) => (await ctx.db.query("events").collect()).filter((e) => e.type === "workspace.approval_threshold_set"));
    expect(events.map((e) => e.data?.to)).toEqual([25_000.5, 0, null]);
    expect(events.every((e) => e.userId === s.owner.userId)).toBe(true);
  });

  test.each([
    [-1, "Approval threshold must be at least 0"],
    [-0.01, "Approval threshold must be at least 0"],
    [Number.NaN, "Approval threshold must be a number"],
    [Number.POSITIVE_INFINITY, "Approval threshold must be a number"],
    [2e12, "Approval threshold must be at most 1,000,000,000,000"],
  ])("%s is refused in plain words", async (threshold, message) => {
    const s = await scenario(5_000);
    const error = await expectRefused(
      s.t,
      () => s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold }),
      "INVALID_ARGUMENT",
      "approvalThreshold",
    );
    expect(error.message).toBe(message);
  });

  test("buyers, approvers, viewers and other workspaces cannot set it", async () => {
    const s = await scenario(5_000);
    for (const who of [s.buyer, s.approver, s.viewer]) {
      await expectRefused(s.t, () => who.mutation(api.workspaces.setApprovalThreshold, { threshold: 1e9 }), "FORBIDDEN");
    }
    const other = await newWorkspace(s.t, "other@other.test", "Other Co");
    await expectRefused(
      s.t,
      () => other.as.mutation(api.workspaces.setApprovalThreshold, { workspaceId: s.owner.workspaceId, threshold: 1e9 }),
      "FORBIDDEN",
    );
  });
});

describe("nothing above the threshold is awarded without an approval", () => {
  test("a supplier's standing offer: a request, and nothing accepted, awarded or ordered", async () => {
    const s = await scenario();
    const before = await rows(s.t);
    const result = await s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.b });
    expect(result).toEqual({ status: "approval_requested", approvalId: expect.any(String), amount: TOTAL_B, threshold: 10_000 });
    const after = await rows(s.t);
    expect(after.awards).toEqual([]);
    expect(after.purchaseOrders).toEqual([]);
    expect(after.offers).toEqual(before.offers);
    expect(after.negotiations).toEqual(before.negotiations);
    expect(after.quote.status).toBe("negotiating");
    expect(after.approvals).toEqual([
      expect.objectContaining({
        quoteId: s.quoteId,
        negotiationId: s.b,
        offerId: s.offerB,
        amount: TOTAL_B,
        requestedBy: s.buyer.userId,
        status: "pending",
      }),
    ]);
    expect(after.approvals[0]).not.toHaveProperty("decidedBy");
  });

  test("the AI's agreement (accepting the recommendation): a request, the quote stays completed", async () => {
    const s = await scenario();
    await completed(s);
    await request(s, s.b);
    const after = await rows(s.t);
    expect(after.quote.status).toBe("completed");
    expect(after.awards).toEqual([]);
    expect(after.purchaseOrders).toEqual([]);
    expect(after.approvals).toEqual([expect.objectContaining({ negotiationId: s.b, offerId: s.offerB, amount: TOTAL_B })]);
  });

  test("a negotiation the buyer took over (Accept and award): a request, the negotiation stays paused", async () => {
    const s = await scenario();
    await s.buyer.mutation(api.negotiations.pause, { negotiationId: s.a });
    await request(s, s.a);
    const after = await rows(s.t);
    expect(after.negotiations.find((n) => n._id === s.a)).toMatchObject({ status: "paused" });
    expect(after.offers.find((o) => o._id === s.offerA)).toMatchObject({ status: "pending" });
    expect(after.awards).toEqual([]);
    expect(after.approvals).toEqual([expect.objectContaining({ negotiationId: s.a, offerId: s.offerA, amount: TOTAL_A })]);
  });

  test("awardNegotiation itself, called without an approval, refuses: the gate is where awards are written", async () => {
    const s = await scenario();
    await completed(s);
    const before = JSON.stringify(await snapshot(s.t));
    const user = { userId: s.buyer.userId, name: "Buyer" };
    await expect(s.t.run(async (ctx) => await awardNegotiation(ctx, s.b, user))).rejects.toMatchObject({
      data: { code: "FORBIDDEN", field: "negotiationId", message: expect.stringMatching(/above the workspace's approval threshold of \$10,000\.00/) },
    });
    await expect(s.t.run(async (ctx) => await awardNegotiation(ctx, s.a, user))).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect(JSON.stringify(await snapshot(s.t))).toBe(before);
    // Nor with another request's approval: it is for another offer.
    const approvalId = await request(s, s.a);
    const other = await s.t.run(async (ctx) => (await ctx.db.get(approvalId))!);
    await expect(
      s.t.run(async (ctx) =>
        await awardNegotiation(ctx, s.b, user, { request: other, approver: { userId: s.approver.userId, name: "A" }, approvedAt: 1 }),
      ),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN", field: "negotiationId" } });
    const after = await rows(s.t);
    expect(after.awards).toEqual([]);
    expect(after.purchaseOrders).toEqual([]);
    expect(after.quote.status).toBe("completed");
  });

  test("the AI accepting for the brand (service key) reaches an agreement, never an award", async () => {
    const s = await scenario();
    await completed(s);
    const after = await rows(s.t);
    expect(after.quote.status).toBe("completed");
    expect(after.awards).toEqual([]);
    expect(after.purchaseOrders).toEqual([]);
  });

  test("at the threshold or below, the award goes through at once; with no threshold, always", async () => {
    const exactly = await scenario(TOTAL_B);
    expect(await exactly.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: exactly.b })).toEqual({
      status: "awarded",
      awardId: expect.any(String),
    });
    expect((await rows(exactly.t)).approvals).toEqual([]);
    const none = await scenario(null);
    expect((await none.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: none.a })).status).toBe("awarded");
    const below = await scenario(TOTAL_B - 0.01);
    expect((await below.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: below.b })).status).toBe("approval_requested");
  });

  test("a pending request blocks a second request and any award on the quote", async () => {
    const s = await scenario();
    await request(s, s.b);
    await expectRefused(s.t, () => s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.a }), "CONFLICT", "quoteId");
    await expectRefused(s.t, () => s.owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.b }), "CONFLICT", "quoteId");
    // Even with the threshold cleared, the request decides first.
    await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: null });
    await expectRefused(s.t, () => s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.a }), "CONFLICT", "quoteId");
  });

  test("a viewer cannot ask for an approval", async () => {
    const s = await scenario();
    await expectRefused(s.t, () => s.viewer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.b }), "FORBIDDEN");
  });
});

describe("the approver role", () => {
  test("sits between buyer and owner: it does what a buyer does, and not what an owner does", async () => {
    const s = await scenario(null);
    // Like a buyer: negotiate and award (no threshold set).
    await s.approver.mutation(api.negotiations.pause, { negotiationId: s.a });
    expect((await s.approver.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.a })).status).toBe("awarded");
    // Not like an owner.
    await expectRefused(s.t, () => s.approver.mutation(api.invitations.create, { role: "viewer" }), "FORBIDDEN");
    const refused = await expectRefused(s.t, () => s.approver.mutation(api.members.setRole, { userId: s.buyer.userId, role: "approver" }), "FORBIDDEN");
    expect(refused.message).toBe("This needs the owner role; you are an approver in this workspace");
    // Owners invite approvers and make members approvers.
    await s.owner.mutation(api.members.setRole, { userId: s.buyer.userId, role: "approver" });
    expect((await s.buyer.query(api.workspaces.get, {})).role).toBe("approver");
    const members = await s.owner.query(api.members.list, {});
    expect(members.map((m) => m.role)).toEqual(["owner", "approver", "approver", "viewer"]);
  });
});

describe("deciding a request", () => {
  test("an approver approves: the award, its PO, the approval and the events are written together", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    const awardId = await s.approver.mutation(api.approvals.approve, { approvalId, comment: "  Within budget  " });
    const after = await rows(s.t);
    expect(after.quote.status).toBe("awarded");
    expect(after.awards).toEqual([expect.objectContaining({ _id: awardId, negotiationId: s.b, offerId: s.offerB })]);
    expect(after.approvals[0]).toMatchObject({ status: "approved", decidedBy: s.approver.userId, comment: "Within budget" });
    expect(after.offers.find((o) => o._id === s.offerB)).toMatchObject({ status: "accepted" });
    expect(after.purchaseOrders).toEqual([
      expect.objectContaining({
        awardId,
        awardedBy: { userId: s.buyer.userId, name: "buyer@acme.test" },
        approval: { userId: s.approver.userId, name: "approver@acme.test", approvedAt: expect.any(Number), comment: "Within budget" },
      }),
    ]);
    const events = await s.t.run(async (ctx) => await ctx.db.query("events").collect());
    expect(events.find((e) => e.type === "approval.requested")).toMatchObject({ userId: s.buyer.userId });
    expect(events.find((e) => e.type === "approval.approved")).toMatchObject({ userId: s.approver.userId });
    expect(await s.viewer.query(api.approvals.forQuote, { quoteId: s.quoteId })).toEqual([
      expect.objectContaining({ status: "approved", decidedBy: { userId: s.approver.userId, name: "approver@acme.test" }, unavailable: null }),
    ]);
    await expectRefused(s.t, () => s.owner.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
  });

  test("an owner approves too, on the AI's agreement", async () => {
    const s = await scenario();
    await completed(s);
    const approvalId = await request(s, s.b);
    await s.owner.mutation(api.approvals.approve, { approvalId });
    const after = await rows(s.t);
    expect(after.quote.status).toBe("awarded");
    expect(after.purchaseOrders[0]!.approval).toEqual({ userId: s.owner.userId, name: "owner@brand.test", approvedAt: expect.any(Number) });
  });

  test("viewers and buyers cannot approve or reject; the requester cannot decide their own, whatever their role", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b, s.approver);
    for (const who of [s.viewer, s.buyer]) {
      await expectRefused(s.t, () => who.mutation(api.approvals.approve, { approvalId }), "FORBIDDEN");
      await expectRefused(s.t, () => who.mutation(api.approvals.reject, { approvalId, comment: "No" }), "FORBIDDEN");
    }
    const own = await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "FORBIDDEN", "approvalId");
    expect(own.message).toBe("You asked for this award: another approver or an owner must approve it");
    await expectRefused(s.t, () => s.approver.mutation(api.approvals.reject, { approvalId, comment: "No" }), "FORBIDDEN", "approvalId");
    // An owner's own request is no different.
    const s2 = await scenario();
    const ownerRequest = await request(s2, s2.a, s2.owner);
    await expectRefused(s2.t, () => s2.owner.mutation(api.approvals.approve, { approvalId: ownerRequest }), "FORBIDDEN");
    await s2.approver.mutation(api.approvals.approve, { approvalId: ownerRequest });
    expect((await rows(s2.t)).quote.status).toBe("awarded");
  });

  test("another workspace cannot see or decide a request", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    const other = await newWorkspace(s.t, "other@other.test", "Other Co");
    await expectRefused(s.t, () => other.as.mutation(api.approvals.approve, { workspaceId: s.owner.workspaceId, approvalId }), "FORBIDDEN");
    await expectRefused(s.t, () => other.as.query(api.approvals.forQuote, { workspaceId: s.owner.workspaceId, quoteId: s.quoteId }), "FORBIDDEN");
    // In its own workspace the ids are not there.
    await expectRefused(s.t, () => other.mutation(api.approvals.approve, { approvalId }), "NOT_FOUND", "approvalId");
    await expectRefused(s.t, () => other.mutation(api.approvals.reject, { approvalId, comment: "x" }), "NOT_FOUND", "approvalId");
    expect(await other.query(api.approvals.forQuote, { quoteId: s.quoteId })).toEqual([]);
    expect(await other.query(api.approvals.waiting, {})).toEqual([]);
    const stranger = await signUp(s.t, "stranger@nowhere.test");
    await expectRefused(s.t, () => stranger.as.query(api.approvals.waiting, { workspaceId: s.owner.workspaceId }), "FORBIDDEN");
  });

  test("rejecting needs a comment; it leaves the quote as it was, so the buyer awards another supplier or walks away", async () => {
    const s = await scenario();
    await completed(s);
    const approvalId = await request(s, s.b);
    const empty = await expectRefused(s.t, () => s.approver.mutation(api.approvals.reject, { approvalId, comment: "   " }), "INVALID_ARGUMENT", "comment");
    expect(empty.message).toBe("Comment must not be empty");
    await expectRefused(s.t, () => s.approver.mutation(api.approvals.reject, { approvalId, comment: "x".repeat(4001) }), "INVALID_ARGUMENT", "comment");
    await s.approver.mutation(api.approvals.reject, { approvalId, comment: "Over this quarter's budget" });
    const after = await rows(s.t);
    expect(after.quote.status).toBe("completed");
    expect(after.awards).toEqual([]);
    expect(after.approvals[0]).toMatchObject({ status: "rejected", decidedBy: s.approver.userId, comment: "Over this quarter's budget" });
    const [view] = await s.buyer.query(api.approvals.forQuote, { quoteId: s.quoteId });
    expect(view).toMatchObject({ status: "rejected", comment: "Over this quarter's budget", mine: true, supplierName: expect.any(String) });
    await expectRefused(s.t, () => s.owner.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    // Another supplier, under a raised threshold, awards at once.
    await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 20_000 });
    expect((await s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.a })).status).toBe("awarded");
  });

  test("the requester withdraws; nobody else can", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    await expectRefused(s.t, () => s.owner.mutation(api.approvals.withdraw, { approvalId }), "FORBIDDEN", "approvalId");
    await expectRefused(s.t, () => s.viewer.mutation(api.approvals.withdraw, { approvalId }), "FORBIDDEN");
    await s.buyer.mutation(api.approvals.withdraw, { approvalId });
    expect((await rows(s.t)).approvals[0]).toMatchObject({ status: "withdrawn" });
    await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    // The quote is free again: a new request on another supplier.
    await request(s, s.a);
  });

  test("approvers are told: the waiting list holds others' pending requests only", async () => {
    const s = await scenario();
    expect(await s.approver.query(api.approvals.waiting, {})).toEqual([]);
    const approvalId = await request(s, s.b);
    expect(await s.approver.query(api.approvals.waiting, {})).toEqual([
      { _id: approvalId, quoteId: s.quoteId, amount: TOTAL_B, requestedAt: expect.any(Number) },
    ]);
    expect(await s.owner.query(api.approvals.waiting, {})).toHaveLength(1);
    expect(await s.buyer.query(api.approvals.waiting, {})).toEqual([]);
    expect(await s.viewer.query(api.approvals.waiting, {})).toEqual([]);
    const [view] = await s.viewer.query(api.approvals.forQuote, { quoteId: s.quoteId });
    expect(view).toMatchObject({ status: "pending", mine: false, unavailable: null, amount: TOTAL_B, terms: terms(6.2, 0.86) });
    const listed = async () => (await s.viewer.query(api.quotes.list, { paginationOpts: { numItems: 10, cursor: null } })).page.find((q: { _id: string }) => q._id === s.quoteId);
    expect(await listed()).toMatchObject({ awaitingApproval: true });
    await s.approver.mutation(api.approvals.approve, { approvalId });
    expect(await s.approver.query(api.approvals.waiting, {})).toEqual([]);
    expect(await listed()).toMatchObject({ awaitingApproval: false, status: "awarded" });
  });
});

describe("a stale approval fails with the reason and changes nothing", () => {
  const stale: [string, (s: Scenario) => Promise<unknown>, RegExp][] = [
    [
      "the negotiation was closed",
      (s) => s.buyer.mutation(api.negotiations.walkAway, { negotiationId: s.b, reason: "Changed our mind" }),
      /this negotiation is closed \(rejected\)/,
    ],
    [
      "the buyer countered, so the supplier's offer no longer stands",
      async (s) => {
        await s.buyer.mutation(api.negotiations.pause, { negotiationId: s.b });
        await s.buyer.mutation(api.negotiations.counter, { negotiationId: s.b, terms: terms(6.0, 0.8, 30, 30) });
      },
      /there is no standing offer from the supplier/,
    ],
    [
      "the supplier made a new offer",
      // The AI counters, the supplier answers: a new standing offer.
      async (s) => {
        await offer(s.t, s.b, 2, "brand", terms(5.9, 0.8));
        await offer(s.t, s.b, 3, "supplier", terms(6.1, 0.85));
      },
      /the supplier's offer changed since the request/,
    ],
  ];

  test.each(stale)("%s", async (_name, change, reason) => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    await change(s);
    const [view] = await s.approver.query(api.approvals.forQuote, { quoteId: s.quoteId });
    expect(view!.unavailable).toMatch(reason);
    const error = await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    expect(error.message).toMatch(/^The offer is no longer available: /);
    expect(error.message).toMatch(reason);
    // Still pending: it can be rejected (or withdrawn).
    await s.approver.mutation(api.approvals.reject, { approvalId, comment: "No longer available" });
  });

  test("cancelling the quote withdraws its waiting request, so no approver is asked to decide it", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    await s.buyer.mutation(api.quotes.cancel, { quoteId: s.quoteId });
    expect((await rows(s.t)).approvals[0]).toMatchObject({ _id: approvalId, status: "withdrawn" });
    expect(await s.approver.query(api.approvals.waiting, {})).toEqual([]);
    const error = await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    expect(error.message).toBe("This request was already withdrawn");
    const { entries } = await s.buyer.query(api.events.timeline, { quoteId: s.quoteId });
    expect(entries.map((e: { what: string }) => e.what)).toContainEqual(expect.stringMatching(/withdrew the request to award the quote to .*, as the quote was cancelled$/));
  });

  test("another award meanwhile: the old request no longer awards", async () => {
    const s = await scenario();
    const approvalId = await request(s, s.b);
    await s.buyer.mutation(api.approvals.withdraw, { approvalId });
    const second = await request(s, s.a);
    await s.owner.mutation(api.approvals.approve, { approvalId: second });
    await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    // A pending request from before an award (written straight to the table) reads as unavailable too.
    await s.t.run(async (ctx) => ctx.db.patch(approvalId, { status: "pending" }));
    const views = await s.approver.query(api.approvals.forQuote, { quoteId: s.quoteId });
    expect(views.find((v) => v._id === approvalId)!.unavailable).toMatch(/already been awarded/);
    const error = await expectRefused(s.t, () => s.approver.mutation(api.approvals.approve, { approvalId }), "CONFLICT", "approvalId");
    expect(error.message).toBe("The offer is no longer available: this quote has already been awarded");
    expect((await rows(s.t)).awards).toHaveLength(1);
  });
});
