import type { FunctionReference } from "convex/server";
import type { ConvexError } from "convex/values";
import { afterEach, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { expireDue } from "../../convex/expiry";
import { constantTimeEqual } from "../../convex/model/auth";
import type { ErrorData } from "../../convex/model/errors";
import { HIDDEN_PERSONA_FIELDS } from "../helpers/persona-fields";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  invite,
  newBackend,
  newWorkspace,
  offer,
  requestQuote,
  SERVICE_KEY,
  signUp,
  snapshot,
  terms,
} from "./helpers";

// Who may call what, for every public function of convex/. Each row names the
// least a caller needs; the test calls each function as nobody, as a member of
// another workspace, with too small a role, and with a signed-out session, and
// each call must be refused (UNAUTHENTICATED or FORBIDDEN) with every table
// byte-identical. A public function without a row fails the test.

describe("constantTimeEqual", () => {
  test.each([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["", "", true],
    ["", "a", false],
    ["a\u0000", "a", false],
  ])("%j vs %j → %s", (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});

async function setup() {
  const t = newBackend();
  const { quoteId, negotiations, products } = await requestQuote(t);
  const owner = brand(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  const negotiationId = negotiations[0]._id;
  const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.85), leaseEpoch))!;
  await t.mutation(api.ingest.startMessage, {
    serviceKey: SERVICE_KEY,
    leaseEpoch,
    negotiationId,
    seq: 0,
    sender: "supplier",
    kind: "offer",
    content: "Our",
  });
  const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
  const approver = await invite(t, owner, "approver@acme.test", "approver");
  const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
  const signedOut = await invite(t, owner, "gone@acme.test", "owner");
  await t.run(async (ctx) => ctx.db.delete(signedOut.sessionId));
  const invitation = await owner.mutation(api.invitations.create, { role: "viewer" });
  const other = await newWorkspace(t, "someone@other.test", "Other Co");
  const stranger = await signUp(t, "stranger@nowhere.test");
  return {
    t,
    owner,
    buyer,
    approver,
    viewer,
    signedOut,
    other,
    stranger,
    quoteId,
    leaseEpoch,
    negotiationId,
    offerId,
    productId: products[0]._id,
    invitation,
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/**
 * Calls into the target workspace (`workspaceId` added), with whatever identity
 * `as` carries. Untyped on purpose: the table calls functions of every shape.
 */
type Caller = {
  query: (fn: FunctionReference<"query", "public">, args: object) => Promise<unknown>;
  mutation: (fn: FunctionReference<"mutation", "public">, args: object) => Promise<unknown>;
};
function caller(as: Pick<Backend, "query" | "mutation">, workspaceId: Id<"workspaces">): Caller {
  return {
    query: (fn, args) => as.query(fn as FunctionReference<"query">, { ...args, workspaceId }),
    mutation: (fn, args) => as.mutation(fn as FunctionReference<"mutation">, { ...args, workspaceId }),
  };
}

type Row =
  | {
      least: "viewer" | "buyer" | "approver" | "owner";
      call: (s: Setup, c: Caller) => Promise<unknown>;
      /** Brings the data to the state the call needs, so that only the caller decides. */
      given?: (s: Setup) => Promise<unknown>;
    }
  | { least: "user"; call: (s: Setup, as: Pick<Backend, "query" | "mutation">) => Promise<unknown> }
  | { least: "service"; call: (s: Setup, serviceKey: string) => Promise<unknown> }
  | { least: "anyone"; why: string };

const page = { numItems: 50, cursor: null };
const paused = (s: Setup) => s.owner.mutation(api.negotiations.pause, { negotiationId: s.negotiationId });
/** Any award needs an approval; the buyer asks for one on the standing offer. */
const requested = async (s: Setup) => {
  await s.owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 0 });
  await s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.negotiationId });
};
const smallRequest = (s: Setup) => ({
  lineItems: [{ productId: s.productId, quantity: 100, targetUnitPrice: 1, maxUnitPrice: 2 }],
  priorities: { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
  guardrails: { maxLeadTimeDays: 40, minPaymentTermsDays: 10 },
});
const queuedQuote = (s: Setup) =>
  s.t.run(async (ctx) => (await ctx.db.query("quotes").withIndex("by_status", (q) => q.eq("status", "queued")).first())!._id);
const pendingApproval = (s: Setup) => s.t.run(async (ctx) => (await ctx.db.query("approvals").first())!._id);
/** A PDF in file storage, as an upload leaves it (convex-test's store keeps no type: it is set as the POST would). */
const uploaded = (s: Setup) =>
  s.t.run(async (ctx) => {
    const storageId = await ctx.storage.store(new Blob(["%PDF-1.7"]));
    await (ctx.db as unknown as { patch: (id: string, v: object) => Promise<void> }).patch(storageId, { contentType: "application/pdf" });
    return storageId;
  });
const unattachedUpload = (s: Setup) => s.t.run(async (ctx) => (await ctx.db.system.query("_storage").first())!._id);
const withAttachment = async (s: Setup) =>
  s.owner.mutation(api.attachments.attach, { quoteId: s.quoteId, storageId: await uploaded(s), name: "spec.pdf" });
const firstAttachment = (s: Setup) => s.t.run(async (ctx) => (await ctx.db.query("attachments").first())!._id);

const ROWS: Record<string, Row> = {
  // Convex Auth's own endpoints: signing in is what an anonymous caller does.
  "auth.signIn": { least: "anyone", why: "sign-in and sign-up (Convex Auth)" },
  "auth.signOut": { least: "anyone", why: "ends the caller's own session (Convex Auth)" },
  "auth.isAuthenticated": { least: "anyone", why: "whether the caller's token is valid (Convex Auth)" },

  "workspaces.mine": { least: "user", call: (_s, as) => as.query(api.workspaces.mine, {}) },
  "workspaces.create": { least: "user", call: (_s, as) => as.mutation(api.workspaces.create, { name: "New Co" }) },
  "invitations.preview": { least: "user", call: (s, as) => as.query(api.invitations.preview, { token: s.invitation.token }) },
  "invitations.accept": { least: "user", call: (s, as) => as.mutation(api.invitations.accept, { token: s.invitation.token }) },

  "workspaces.get": { least: "viewer", call: (_s, c) => c.query(api.workspaces.get, {}) },
  "products.list": { least: "viewer", call: (_s, c) => c.query(api.products.list, {}) },
  "suppliers.list": { least: "viewer", call: (_s, c) => c.query(api.suppliers.list, {}) },
  "quotes.list": { least: "viewer", call: (_s, c) => c.query(api.quotes.list, { paginationOpts: page }) },
  "quotes.get": { least: "viewer", call: (s, c) => c.query(api.quotes.get, { quoteId: s.quoteId }) },
  "messages.list": {
    least: "viewer",
    call: (s, c) => c.query(api.messages.list, { negotiationId: s.negotiationId, paginationOpts: page }),
  },
  "messages.streaming": { least: "viewer", call: (s, c) => c.query(api.messages.streaming, { negotiationId: s.negotiationId }) },
  "messages.markRead": { least: "viewer", call: (s, c) => c.mutation(api.messages.markRead, { negotiationId: s.negotiationId }) },
  "offers.list": { least: "viewer", call: (s, c) => c.query(api.offers.list, { negotiationId: s.negotiationId }) },
  "insights.summary": { least: "viewer", call: (_s, c) => c.query(api.insights.summary, {}) },
  "events.timeline": { least: "viewer", call: (s, c) => c.query(api.events.timeline, { quoteId: s.quoteId }) },
  "members.list": { least: "viewer", call: (_s, c) => c.query(api.members.list, {}) },
  "purchaseOrders.forQuote": { least: "viewer", call: (s, c) => c.query(api.purchaseOrders.forQuote, { quoteId: s.quoteId }) },
  "attachments.list": { least: "viewer", given: withAttachment, call: (s, c) => c.query(api.attachments.list, { quoteId: s.quoteId }) },
  "approvals.forQuote": { least: "viewer", given: requested, call: (s, c) => c.query(api.approvals.forQuote, { quoteId: s.quoteId }) },
  "approvals.waiting": { least: "viewer", given: requested, call: (_s, c) => c.query(api.approvals.waiting, {}) },
  "negotiations.suggestCounter": {
    least: "viewer",
    call: (s, c) => c.query(api.negotiations.suggestCounter, { negotiationId: s.negotiationId }),
  },
  "negotiations.predictAcceptance": {
    least: "viewer",
    call: (s, c) => c.query(api.negotiations.predictAcceptance, { negotiationId: s.negotiationId, terms: terms(6.2, 0.82) }),
  },

  "quotes.request": {
    least: "buyer",
    call: (s, c) =>
      c.mutation(api.quotes.request, {
        lineItems: [{ productId: s.productId, quantity: 100, targetUnitPrice: 1, maxUnitPrice: 2 }],
        priorities: { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
        guardrails: { maxLeadTimeDays: 40, minPaymentTermsDays: 10 },
      }),
  },
  "quotes.cancel": { least: "buyer", call: (s, c) => c.mutation(api.quotes.cancel, { quoteId: s.quoteId }) },
  "quotes.update": {
    least: "buyer",
    // Only a queued quote can be edited: the owner requests a second one (the first is claimed).
    given: (s) => s.owner.mutation(api.quotes.request, smallRequest(s)),
    call: async (s, c) => c.mutation(api.quotes.update, { quoteId: await queuedQuote(s), ...smallRequest(s), title: "Edited" }),
  },
  "quotes.rerun": { least: "buyer", call: (s, c) => c.mutation(api.quotes.rerun, { quoteId: s.quoteId }) },
  "negotiations.pause": { least: "buyer", call: (s, c) => c.mutation(api.negotiations.pause, { negotiationId: s.negotiationId }) },
  "negotiations.resume": { least: "buyer", given: (s) => paused(s), call: (s, c) => c.mutation(api.negotiations.resume, { negotiationId: s.negotiationId }) },
  "negotiations.sendMessage": {
    least: "buyer",
    given: (s) => paused(s),
    call: (s, c) => c.mutation(api.negotiations.sendMessage, { negotiationId: s.negotiationId, content: "Hello" }),
  },
  "negotiations.counter": {
    least: "buyer",
    given: (s) => paused(s),
    call: (s, c) => c.mutation(api.negotiations.counter, { negotiationId: s.negotiationId, terms: terms(6, 0.8, 40, 30) }),
  },
  "negotiations.acceptCurrentOffer": {
    least: "buyer",
    call: (s, c) => c.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.negotiationId }),
  },
  "negotiations.walkAway": {
    least: "buyer",
    call: (s, c) => c.mutation(api.negotiations.walkAway, { negotiationId: s.negotiationId, reason: "No" }),
  },

  "attachments.generateUploadUrl": {
    least: "buyer",
    call: (s, c) => c.mutation(api.attachments.generateUploadUrl, { quoteId: s.quoteId, name: "spec.pdf", size: 8, contentType: "application/pdf" }),
  },
  "attachments.attach": {
    least: "buyer",
    given: uploaded,
    call: async (s, c) => c.mutation(api.attachments.attach, { quoteId: s.quoteId, storageId: await unattachedUpload(s), name: "spec.pdf" }),
  },
  "attachments.remove": {
    least: "buyer",
    given: withAttachment,
    call: async (s, c) => c.mutation(api.attachments.remove, { attachmentId: await firstAttachment(s) }),
  },
  "approvals.withdraw": {
    least: "buyer",
    given: requested,
    call: async (s, c) => c.mutation(api.approvals.withdraw, { approvalId: await pendingApproval(s) }),
  },
  "approvals.approve": {
    least: "approver",
    given: requested,
    call: async (s, c) => c.mutation(api.approvals.approve, { approvalId: await pendingApproval(s), comment: "Fine" }),
  },
  "approvals.reject": {
    least: "approver",
    given: requested,
    call: async (s, c) => c.mutation(api.approvals.reject, { approvalId: await pendingApproval(s), comment: "Too much" }),
  },

  "workspaces.setApprovalThreshold": {
    least: "owner",
    call: (_s, c) => c.mutation(api.workspaces.setApprovalThreshold, { threshold: 5000 }),
  },
  "workspaces.setCurrency": {
    least: "owner",
    call: (_s, c) => c.mutation(api.workspaces.setCurrency, { currency: "EUR" }),
  },
  "members.setRole": {
    least: "owner",
    call: (s, c) => c.mutation(api.members.setRole, { userId: s.buyer.userId, role: "viewer" }),
  },
  "members.remove": { least: "owner", call: (s, c) => c.mutation(api.members.remove, { userId: s.buyer.userId }) },
  "invitations.create": { least: "owner", call: (_s, c) => c.mutation(api.invitations.create, { role: "buyer" }) },
  "invitations.list": { least: "owner", call: (_s, c) => c.query(api.invitations.list, {}) },
  "events.exportPage": { least: "owner", call: (_s, c) => c.query(api.events.exportPage, { paginationOpts: page }) },
  "invitations.revoke": {
    least: "owner",
    call: (s, c) => c.mutation(api.invitations.revoke, { invitationId: s.invitation.invitationId }),
  },

  "seed.workspace": { least: "service", call: (s, serviceKey) => s.t.mutation(api.seed.workspace, { serviceKey, name: "Tools" }) },
  "seed.catalog": {
    least: "service",
    call: (s, serviceKey) => s.t.mutation(api.seed.catalog, { serviceKey, workspaceId: s.owner.workspaceId }),
  },
  "mastra.storage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.mastra.storage, { serviceKey, request: { op: "queryTable", tableName: "mastra_workflow_snapshot" } }),
  },
  "worker.claimable": { least: "service", call: (s, serviceKey) => s.t.query(api.worker.claimable, { serviceKey }) },
  "worker.nextLeaseExpiresAt": { least: "service", call: (s, serviceKey) => s.t.query(api.worker.nextLeaseExpiresAt, { serviceKey }) },
  "worker.claimQuote": {
    least: "service",
    call: (s, serviceKey) => s.t.mutation(api.worker.claimQuote, { serviceKey, quoteId: s.quoteId, workerId: "worker-1", leaseMs: 60_000 }),
  },
  "worker.renewLease": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.worker.renewLease, { serviceKey, quoteId: s.quoteId, workerId: "worker-1", leaseEpoch: s.leaseEpoch, leaseMs: 60_000 }),
  },
  "worker.getQuoteState": { least: "service", call: (s, serviceKey) => s.t.query(api.worker.getQuoteState, { serviceKey, quoteId: s.quoteId }) },
  "worker.negotiationControl": {
    least: "service",
    call: (s, serviceKey) => s.t.query(api.worker.negotiationControl, { serviceKey, negotiationId: s.negotiationId }),
  },
  "worker.failQuote": {
    least: "service",
    call: (s, serviceKey) => s.t.mutation(api.worker.failQuote, { serviceKey, quoteId: s.quoteId, leaseEpoch: s.leaseEpoch, reason: "x" }),
  },
  "worker.products": {
    least: "service",
    call: (s, serviceKey) => s.t.query(api.worker.products, { serviceKey, workspaceId: s.owner.workspaceId }),
  },
  "worker.requestQuote": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.worker.requestQuote, {
        serviceKey,
        workspaceId: s.owner.workspaceId,
        lineItems: [{ productId: s.productId, quantity: 100, targetUnitPrice: 1, maxUnitPrice: 2 }],
        priorities: { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
        guardrails: { maxLeadTimeDays: 40, minPaymentTermsDays: 10 },
      }),
  },
  "ingest.appendMessage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.appendMessage, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.negotiationId,
        seq: 1,
        sender: "brand",
        kind: "text",
        content: "hi",
      }),
  },
  "ingest.startMessage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.startMessage, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.negotiationId,
        seq: 1,
        sender: "brand",
        kind: "text",
        content: "",
      }),
  },
  "ingest.appendMessageText": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.appendMessageText, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.negotiationId,
        seq: 0,
        start: 3,
        text: " opening",
      }),
  },
  "ingest.finishMessage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.finishMessage, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, seq: 0, content: "Hello" }),
  },
  "ingest.withdrawMessage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.withdrawMessage, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, seq: 0, reason: "take_over" }),
  },
  "ingest.recordOffer": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.recordOffer, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.negotiationId,
        round: 2,
        offeredBy: "brand",
        terms: terms(6, 0.8),
      }),
  },
  "ingest.finishOfferMessage": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.finishOfferMessage, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        negotiationId: s.negotiationId,
        seq: 0,
        content: "Our opening",
        round: 1,
        offeredBy: "supplier",
        terms: terms(6.4, 0.85),
      }),
  },
  "ingest.acceptOffer": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.acceptOffer, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, offerId: s.offerId, by: "brand" }),
  },
  "ingest.updateNegotiationStatus": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, status: "failed" }),
  },
  "ingest.setRecommendation": {
    least: "service",
    call: (s, serviceKey) =>
      s.t.mutation(api.ingest.setRecommendation, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        quoteId: s.quoteId,
        recommendation: { explanation: "none", ranking: [] },
      }),
  },
};

/** Every public function that convex/ registers, as "module.export". */
const modules = import.meta.glob("../../convex/*.ts", { eager: true }) as Record<string, Record<string, unknown>>;
const publicFunctions = Object.entries(modules).flatMap(([file, exports]) => {
  const module = file.replace(/^.*\/convex\//, "").replace(/\.ts$/, "");
  return Object.entries(exports)
    .filter(([, value]) => (value as { isPublic?: boolean } | null)?.isPublic === true)
    .map(([name]) => `${module}.${name}`);
});


const byLeast = (least: Row["least"]) => Object.entries(ROWS).filter(([, row]) => row.least === least);
const scopedRows = [...byLeast("viewer"), ...byLeast("buyer"), ...byLeast("approver"), ...byLeast("owner")] as [
  string,
  Extract<Row, { least: "viewer" | "buyer" | "approver" | "owner" }>,
][];

describe("every public function has a row", () => {
  test("the table and convex/ name the same functions", () => {
    expect(publicFunctions.length).toBeGreaterThan(30);
    expect([...publicFunctions].sort()).toEqual(Object.keys(ROWS).sort());
  });

  test("the expiry function is internal: clients cannot reach it", () => {
    const registered = expireDue as unknown as { isInternal: boolean; isPublic: boolean };
    expect(registered.isInternal).toBe(true);
    expect(registered.isPublic).toBeFalsy();
  });
});

describe("workspace functions refuse whoever is not a member with the role", () => {
  test.each(scopedRows)("%s", async (_name, row) => {
    const s = await setup();
    await row.given?.(s);
    const ws = s.owner.workspaceId;
    await expectRefused(s.t, () => row.call(s, caller(s.t, ws)), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, caller(s.signedOut.as, ws)), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, caller(s.stranger.as, ws)), "FORBIDDEN");
    await expectRefused(s.t, () => row.call(s, caller(s.other.as, ws)), "FORBIDDEN");
    if (row.least !== "viewer") await expectRefused(s.t, () => row.call(s, caller(s.viewer.as, ws)), "FORBIDDEN");
    if (row.least === "approver" || row.least === "owner") await expectRefused(s.t, () => row.call(s, caller(s.buyer.as, ws)), "FORBIDDEN");
    if (row.least === "owner") await expectRefused(s.t, () => row.call(s, caller(s.approver.as, ws)), "FORBIDDEN");
    // The same call by the least role that may make it goes through: the refusals above were about the caller.
    const allowed = { viewer: s.viewer, buyer: s.buyer, approver: s.approver, owner: s.owner }[row.least];
    await row.call(s, caller(allowed.as, ws));
  });

  test.each(scopedRows)("%s: another workspace's ids, in the caller's own workspace, are not found", async (_name, row) => {
    const s = await setup();
    await row.given?.(s);
    const own = caller(s.other.as, s.other.workspaceId);
    const rowsOfA = async () =>
      JSON.stringify(
        Object.values(await snapshot(s.t)).flatMap((rows) =>
          (rows as { _id: string; workspaceId?: string }[]).filter((r) => r.workspaceId === s.owner.workspaceId || r._id === s.owner.workspaceId),
        ),
      );
    const before = await rowsOfA();
    let result: unknown;
    try {
      result = await row.call(s, own);
    } catch (error) {
      const data = (error as ConvexError<ErrorData>).data;
      if (data === undefined) throw error;
      expect(["NOT_FOUND", "FORBIDDEN"]).toContain(data.code);
    }
    const text = JSON.stringify(result ?? null);
    for (const id of [s.owner.workspaceId, s.quoteId, s.negotiationId, s.offerId, s.productId]) expect(text).not.toContain(id);
    expect(await rowsOfA()).toBe(before);
  });
});

describe("messages.streaming guards a negotiation as messages.list does", () => {
  test("a member of another workspace gets the same refusal from both; in its own workspace neither shows the negotiation", async () => {
    const s = await setup();
    const outcome = async (call: () => Promise<unknown>) => {
      const before = JSON.stringify(await snapshot(s.t));
      const result = await call().then(
        (value) => ({ value }),
        (error: unknown) => ({ refused: (error as ConvexError<ErrorData>).data }),
      );
      expect(JSON.stringify(await snapshot(s.t))).toBe(before);
      return result;
    };
    const into = caller(s.other.as, s.owner.workspaceId);
    const list = await outcome(() => into.query(api.messages.list, { negotiationId: s.negotiationId, paginationOpts: page }));
    const streaming = await outcome(() => into.query(api.messages.streaming, { negotiationId: s.negotiationId }));
    expect(list).toEqual({ refused: expect.objectContaining({ code: "FORBIDDEN" }) });
    expect(streaming).toEqual(list);
    // With the negotiation's id in its own workspace: an empty page, and no such negotiation.
    const own = caller(s.other.as, s.other.workspaceId);
    const ownList = await outcome(() => own.query(api.messages.list, { negotiationId: s.negotiationId, paginationOpts: page }));
    const ownStreaming = await outcome(() => own.query(api.messages.streaming, { negotiationId: s.negotiationId }));
    expect(ownList).toEqual({ value: expect.objectContaining({ page: [] }) });
    expect(ownStreaming).toEqual({ refused: expect.objectContaining({ code: "NOT_FOUND", field: "negotiationId" }) });
    // The negotiation's streaming message is there for its own members.
    expect(await caller(s.viewer.as, s.owner.workspaceId).query(api.messages.streaming, { negotiationId: s.negotiationId })).toEqual([
      { messageId: expect.any(String), content: "Our" },
    ]);
  });
});

describe("user functions need a signed-in user", () => {
  test.each(byLeast("user") as [string, Extract<Row, { least: "user" }>][])("%s", async (_name, row) => {
    const s = await setup();
    await expectRefused(s.t, () => row.call(s, s.t), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, s.signedOut.as), "UNAUTHENTICATED");
    await row.call(s, s.stranger.as);
  });
});

describe("service functions need the service key", () => {
  afterEach(() => {
    process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
  });
  const rows = byLeast("service") as [string, Extract<Row, { least: "service" }>][];

  test.each(rows)("%s", async (_name, row) => {
    const s = await setup();
    for (const key of ["wrong-key", "", SERVICE_KEY.slice(0, -1)]) await expectRefused(s.t, () => row.call(s, key), "UNAUTHENTICATED");
    delete process.env.PARLEY_SERVICE_KEY;
    await expectRefused(s.t, () => row.call(s, ""), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, SERVICE_KEY), "UNAUTHENTICATED");
    process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
    await row.call(s, SERVICE_KEY);
  });
});

describe("no persona field reaches a brand client", () => {
  const keysOf = (value: unknown, out = new Set<string>()): Set<string> => {
    if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        out.add(key);
        keysOf(v, out);
      }
    }
    return out;
  };

  test("every member query's answer, after a negotiation has offers", async () => {
    const s = await setup();
    const queries = scopedRows.filter(([name]) => publicFunctions.includes(name) && isQuery(name));
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const [name, row] of queries) {
      const keys = keysOf(await row.call(s, caller(s.owner.as, s.owner.workspaceId)));
      for (const field of HIDDEN_PERSONA_FIELDS) expect(keys.has(field), `${name} returns ${field}`).toBe(false);
    }
  });
});

function isQuery(name: string): boolean {
  const [module, fnName] = name.split(".");
  const registered = modules[`../../convex/${module}.ts`]?.[fnName] as { isQuery?: boolean } | undefined;
  return registered?.isQuery === true;
}
