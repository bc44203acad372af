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
  expectRefusedEverywhere as expectRefused,
  invite,
  joinLive,
  liveQuote,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
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
// byte-identical. A supplier function is refused to the brand's own members and
// to every live supplier's contact but the negotiation's. A public function
// without a row fails the test.

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
  // A live quote of the brand: two suppliers' people joined, a third live supplier not yet.
  const live = await liveQuote(t, { live: 3, join: 2 });
  const [contact, rival] = live.contacts;
  // Another live supplier's person on another quote of the brand.
  const nextQuote = await liveQuote(t, { live: 1, join: 0 });
  const colleague = await joinLive(t, owner, nextQuote.live[0]._id, "colleague@supplier0.test");
  // Another workspace's live supplier, joined, and a link there that nobody has used yet.
  const otherProducts = await other.query(api.products.list, {});
  const otherSuppliers = await other.query(api.suppliers.list, {});
  const otherQuoteId = await other.mutation(api.quotes.request, {
    ...quoteArgs({ products: otherProducts }),
    liveSupplierIds: otherSuppliers.slice(0, 2).map((supplier) => supplier._id),
  });
  const otherLive = (await other.query(api.quotes.get, { quoteId: otherQuoteId }))!.negotiations.filter((n) => n.side === "live");
  const elsewhere = await joinLive(t, other, otherLive[0]._id, "rival@elsewhere.test");
  const supplierLink = await other.mutation(api.supplierInvitations.create, { negotiationId: otherLive[1]._id, name: "Pat", email: "pat@elsewhere.test" });
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
    liveQuoteId: live.quoteId,
    liveEpoch: live.leaseEpoch,
    contact,
    rival,
    colleague,
    elsewhere,
    uninvitedId: live.live[2]._id,
    supplierLink,
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** The supplier link's mail as the mailer names it: the invitation and its current nonce. */
async function supplierLinkMail(s: Setup) {
  const { invitationId } = s.supplierLink;
  return { invitationId, nonce: await s.t.run(async (ctx) => (await ctx.db.get(invitationId))!.nonce) };
}

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
  | {
      least: "supplier";
      /** `negotiationId` is the negotiation the caller names: the contact's own, or one that is not theirs. */
      call: (s: Setup, as: Pick<Backend, "query" | "mutation">, negotiationId: string) => Promise<unknown>;
      given?: (s: Setup) => Promise<unknown>;
    }
  | { least: "service"; call: (s: Setup, serviceKey: string, as: Pick<Backend, "query" | "mutation">) => Promise<unknown> }
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
  s.t.run(
    async (ctx) =>
      (await ctx.db
        .query("quotes")
        .withIndex("by_status", (q) => q.eq("status", "queued"))
        .filter((q) => q.eq(q.field("workspaceId"), s.owner.workspaceId))
        .first())!._id,
  );
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

/** A pending link on the live negotiation nobody has joined. */
const invitedUninvited = (s: Setup) =>
  s.owner.mutation(api.supplierInvitations.create, { negotiationId: s.uninvitedId, name: "Kim", email: "kim@supplier.test" });
const pendingInvitation = (s: Setup) =>
  s.t.run(async (ctx) => (await ctx.db.query("supplierInvitations").withIndex("by_negotiationId", (q) => q.eq("negotiationId", s.uninvitedId)).first())!._id);
/** The brand's agent writes on the contact's negotiation (the engine plays the brand side of a live one). */
const brandSays = async (s: Setup, content: string) => {
  const next = await s.t.run(async (ctx) => (await ctx.db.get(s.contact.negotiationId))!.nextSeq);
  await s.t.mutation(api.ingest.appendMessage, {
    serviceKey: SERVICE_KEY,
    leaseEpoch: s.liveEpoch,
    negotiationId: s.contact.negotiationId,
    seq: next,
    sender: "brand",
    kind: "text",
    content,
  });
};
/** The contact's opening offer and the brand's counter, which stands. */
const brandOffered = async (s: Setup) => {
  await s.contact.mutation(api.supplierPortal.makeSupplierOffer, {
    lines: [
      { sku: "APP-TEE-240-BLK", unitPrice: 6.4 },
      { sku: "PKG-MAILER-1084", unitPrice: 0.85 },
    ],
    leadTimeDays: 30,
    paymentTermsDays: 30,
  });
  await offer(s.t, s.contact.negotiationId, 2, "brand", terms(6, 0.8, 40, 30), s.liveEpoch);
};

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

  "seed.workspace": { least: "service", call: (s, serviceKey, as) => as.mutation(api.seed.workspace, { serviceKey, name: "Tools" }) },
  "seed.catalog": {
    least: "service",
    call: (s, serviceKey, as) => as.mutation(api.seed.catalog, { serviceKey, workspaceId: s.owner.workspaceId }),
  },
  "mastra.storage": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.mastra.storage, { serviceKey, request: { op: "queryTable", tableName: "mastra_workflow_snapshot" } }),
  },
  "worker.claimable": { least: "service", call: (s, serviceKey, as) => as.query(api.worker.claimable, { serviceKey }) },
  "worker.nextLeaseExpiresAt": { least: "service", call: (s, serviceKey, as) => as.query(api.worker.nextLeaseExpiresAt, { serviceKey }) },
  "worker.claimQuote": {
    least: "service",
    call: (s, serviceKey, as) => as.mutation(api.worker.claimQuote, { serviceKey, quoteId: s.quoteId, workerId: "worker-1", leaseMs: 60_000 }),
  },
  "worker.renewLease": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.worker.renewLease, { serviceKey, quoteId: s.quoteId, workerId: "worker-1", leaseEpoch: s.leaseEpoch, leaseMs: 60_000 }),
  },
  "worker.getQuoteState": { least: "service", call: (s, serviceKey, as) => as.query(api.worker.getQuoteState, { serviceKey, quoteId: s.quoteId }) },
  "worker.negotiationControl": {
    least: "service",
    call: (s, serviceKey, as) => as.query(api.worker.negotiationControl, { serviceKey, negotiationId: s.negotiationId }),
  },
  "worker.failQuote": {
    least: "service",
    call: (s, serviceKey, as) => as.mutation(api.worker.failQuote, { serviceKey, quoteId: s.quoteId, leaseEpoch: s.leaseEpoch, reason: "x" }),
  },
  "worker.products": {
    least: "service",
    call: (s, serviceKey, as) => as.query(api.worker.products, { serviceKey, workspaceId: s.owner.workspaceId }),
  },
  "worker.requestQuote": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.worker.requestQuote, {
        serviceKey,
        workspaceId: s.owner.workspaceId,
        lineItems: [{ productId: s.productId, quantity: 100, targetUnitPrice: 1, maxUnitPrice: 2 }],
        priorities: { price: 1, leadTime: 0, paymentTerms: 0, quality: 0 },
        guardrails: { maxLeadTimeDays: 40, minPaymentTermsDays: 10 },
      }),
  },
  "ingest.appendMessage": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.appendMessage, {
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
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.startMessage, {
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
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.appendMessageText, {
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
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.finishMessage, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, seq: 0, content: "Hello" }),
  },
  "ingest.withdrawMessage": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.withdrawMessage, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, seq: 0, reason: "take_over" }),
  },
  "ingest.recordOffer": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.recordOffer, {
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
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.finishOfferMessage, {
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
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.acceptOffer, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, offerId: s.offerId, by: "brand" }),
  },
  "ingest.updateNegotiationStatus": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.updateNegotiationStatus, { serviceKey, leaseEpoch: s.leaseEpoch, negotiationId: s.negotiationId, status: "failed" }),
  },
  "ingest.setRecommendation": {
    least: "service",
    call: (s, serviceKey, as) =>
      as.mutation(api.ingest.setRecommendation, {
        serviceKey,
        leaseEpoch: s.leaseEpoch,
        quoteId: s.quoteId,
        recommendation: { explanation: "none", ranking: [] },
      }),
  },
  "worker.suspendQuote": {
    least: "service",
    call: async (s, serviceKey, as) =>
      as.mutation(api.worker.suspendQuote, {
        serviceKey,
        quoteId: s.liveQuoteId,
        workerId: "worker-1",
        leaseEpoch: s.liveEpoch,
        runId: "run-1",
        seen: await s.t.run(async (ctx) =>
          (await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", s.liveQuoteId)).collect()).map((n) => ({
            negotiationId: n._id,
            nextSeq: n.nextSeq,
            currentRound: n.currentRound,
            status: n.status,
          })),
        ),
      }),
  },
  "worker.suspendedRun": { least: "service", call: (s, serviceKey, as) => as.query(api.worker.suspendedRun, { serviceKey, quoteId: s.liveQuoteId }) },
  "worker.pendingMail": { least: "service", call: (_s, serviceKey, as) => as.query(api.worker.pendingMail, { serviceKey }) },
  "worker.claimMail": {
    least: "service",
    call: async (s, serviceKey, as) =>
      as.mutation(api.worker.claimMail, {
        serviceKey,
        ...(await supplierLinkMail(s)),
        claimant: "access-test",
        claimMs: 60_000,
      }),
  },
  "worker.recordMailResult": {
    least: "service",
    call: async (s, serviceKey, as) =>
      as.mutation(api.worker.recordMailResult, {
        serviceKey,
        ...(await supplierLinkMail(s)),
        status: "sent",
      }),
  },

  // The brand's side of live suppliers.
  "supplierInvitations.create": {
    least: "buyer",
    call: (s, c) => c.mutation(api.supplierInvitations.create, { negotiationId: s.uninvitedId, name: "Kim", email: "kim@supplier.test" }),
  },
  "supplierInvitations.listForQuote": { least: "buyer", call: (s, c) => c.query(api.supplierInvitations.listForQuote, { quoteId: s.liveQuoteId }) },
  "supplierInvitations.resend": {
    least: "buyer",
    given: invitedUninvited,
    call: async (s, c) => c.mutation(api.supplierInvitations.resend, { invitationId: await pendingInvitation(s) }),
  },
  "supplierInvitations.revoke": {
    least: "buyer",
    given: invitedUninvited,
    call: async (s, c) => c.mutation(api.supplierInvitations.revoke, { invitationId: await pendingInvitation(s) }),
  },
  "notifications.list": { least: "viewer", call: (_s, c) => c.query(api.notifications.list, {}) },
  "notifications.markAllRead": { least: "viewer", call: (_s, c) => c.mutation(api.notifications.markAllRead, {}) },
  "notifications.setBrandTyping": {
    least: "buyer",
    call: (s, c) => c.mutation(api.notifications.setBrandTyping, { negotiationId: s.contact.negotiationId, typing: true }),
  },
  "notifications.setBrandViewing": {
    least: "viewer",
    call: (s, c) => c.mutation(api.notifications.setBrandViewing, { negotiationId: s.contact.negotiationId, pageId: "page-0123456789", viewing: true }),
  },
  "notifications.supplierPresence": {
    least: "viewer",
    call: (s, c) => c.query(api.notifications.supplierPresence, { negotiationId: s.contact.negotiationId }),
  },

  // The supplier portal: before a negotiation, any signed-in person holding a link...
  "supplierPortal.previewInvitation": {
    least: "user",
    call: (s, as) => as.query(api.supplierPortal.previewInvitation, { token: s.supplierLink.token }),
  },
  "supplierPortal.acceptInvitation": {
    least: "user",
    call: (s, as) => as.mutation(api.supplierPortal.acceptInvitation, { token: s.supplierLink.token }),
  },
  "supplierPortal.myNegotiationsList": { least: "user", call: (_s, as) => as.query(api.supplierPortal.myNegotiationsList, {}) },
  "supplierPortal.notifications": { least: "user", call: (_s, as) => as.query(api.supplierPortal.notifications, {}) },
  "supplierPortal.markNotificationsSeen": { least: "user", call: (_s, as) => as.mutation(api.supplierPortal.markNotificationsSeen, {}) },
  // ... and on one, only its contact.
  "supplierPortal.negotiation": { least: "supplier", call: (_s, as, negotiationId) => as.query(api.supplierPortal.negotiation, { negotiationId }) },
  "supplierPortal.messages": {
    least: "supplier",
    call: (_s, as, negotiationId) => as.query(api.supplierPortal.messages, { negotiationId, paginationOpts: page }),
  },
  "supplierPortal.streaming": { least: "supplier", call: (_s, as, negotiationId) => as.query(api.supplierPortal.streaming, { negotiationId }) },
  "supplierPortal.markMessagesRead": {
    least: "supplier",
    given: (s) => s.contact.mutation(api.supplierPortal.sendMessage, { content: "Hello" }).then(() => brandSays(s, "Welcome")),
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.markMessagesRead, { negotiationId }),
  },
  "supplierPortal.makeSupplierOffer": {
    least: "supplier",
    call: (_s, as, negotiationId) =>
      as.mutation(api.supplierPortal.makeSupplierOffer, {
        negotiationId,
        lines: [
          { sku: "APP-TEE-240-BLK", unitPrice: 6.4 },
          { sku: "PKG-MAILER-1084", unitPrice: 0.85 },
        ],
        leadTimeDays: 30,
        paymentTermsDays: 30,
      }),
  },
  "supplierPortal.sendMessage": {
    least: "supplier",
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.sendMessage, { negotiationId, content: "Hello" }),
  },
  "supplierPortal.acceptOffer": {
    least: "supplier",
    given: brandOffered,
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.acceptOffer, { negotiationId }),
  },
  "supplierPortal.decline": {
    least: "supplier",
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.decline, { negotiationId, reason: "We cannot make these quantities" }),
  },
  "supplierPortal.setTypingState": {
    least: "supplier",
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.setTypingState, { negotiationId, typing: true }),
  },
  "supplierPortal.setViewingState": {
    least: "supplier",
    call: (_s, as, negotiationId) => as.mutation(api.supplierPortal.setViewingState, { negotiationId, pageId: "page-0123456789", viewing: true }),
  },
};

/** Every public function that convex/ registers, as "module.export". */
const modules = import.meta.glob(["../../convex/*.ts", "!../../convex/convex.config.ts"], { eager: true }) as Record<string, Record<string, unknown>>;
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
    for (const id of [s.owner.workspaceId, s.quoteId, s.negotiationId, s.offerId, s.productId, s.liveQuoteId, s.contact.negotiationId, s.uninvitedId]) {
      expect(text).not.toContain(id);
    }
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

describe("supplier functions are for the negotiation's own contact", () => {
  test.each(byLeast("supplier") as [string, Extract<Row, { least: "supplier" }>][])("%s", async (_name, row) => {
    const s = await setup();
    await row.given?.(s);
    const own = s.contact.negotiationId;
    await expectRefused(s.t, () => row.call(s, s.t, own), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, s.signedOut.as, own), "UNAUTHENTICATED");
    // Nobody else, the brand's own owner and members and the other live suppliers' people included.
    for (const who of [s.stranger, s.owner, s.buyer, s.viewer, s.other, s.rival, s.colleague, s.elsewhere]) {
      const refusal = await expectRefused(s.t, () => row.call(s, who.as, own), "FORBIDDEN");
      expect(refusal.message).not.toContain(own);
    }
    // The contact naming what is not theirs: a rival's negotiation, a colleague's, one not yet joined, a simulated one, another brand's, not a negotiation.
    for (const wrong of [s.rival.negotiationId, s.colleague.negotiationId, s.uninvitedId, s.negotiationId, s.elsewhere.negotiationId, s.liveQuoteId, "not-an-id", ""]) {
      await expectRefused(s.t, () => row.call(s, s.contact.as, wrong), "FORBIDDEN", "negotiationId");
    }
    await row.call(s, s.contact.as, own);
  });
});

describe("service functions need the service key", () => {
  afterEach(() => {
    process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
  });
  const rows = byLeast("service") as [string, Extract<Row, { least: "service" }>][];

  test.each(rows)("%s", async (_name, row) => {
    const s = await setup();
    for (const key of ["wrong-key", "", SERVICE_KEY.slice(0, -1)]) await expectRefused(s.t, () => row.call(s, key, s.t), "UNAUTHENTICATED");
    // Signed in is someone known, and still not the worker.
    for (const who of [s.owner, s.stranger, s.contact]) await expectRefused(s.t, () => row.call(s, "wrong-key", who.as), "FORBIDDEN");
    delete process.env.PARLEY_SERVICE_KEY;
    await expectRefused(s.t, () => row.call(s, "", s.t), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, SERVICE_KEY, s.t), "UNAUTHENTICATED");
    await expectRefused(s.t, () => row.call(s, SERVICE_KEY, s.owner.as), "FORBIDDEN");
    process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
    await row.call(s, SERVICE_KEY, s.t);
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
