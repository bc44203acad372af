import { type Infer, type ObjectType, v } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { autoAwardPolicy, guardrails, priorities, type recommendation } from "../schema";
import { markWithdrawn, pendingApprovalOf } from "./approvalRequests";
import { isWaiting } from "./liveWait";
import { invitationState } from "./supplierInvitations";
import { nextNumberIn } from "./numbering";
import { currencyOf } from "./currency";
import { quoteSearchText } from "./quoteNames";
import { fail, invalid } from "./errors";
import { type Actor, type EventData, logEvent } from "./events";
import { getNegotiation, getQuote, negotiationsOfQuote, transitionNegotiation } from "./negotiations";
import { assertQuoteTransition, isTerminalNegotiation, type NegotiationStatus, type QuoteStatus } from "./status";
import {
  checkGuardrails,
  checkIncoterm,
  checkNumber,
  checkQuantity,
  checkText,
  checkUnitPrice,
  formatNumber,
  LIMITS,
  normalisePriorities,
} from "./validate";

// A quote's life: requested with one negotiation per supplier, claimed by a
// worker under a lease, completed with a recommendation, awarded, cancelled or failed.

/** What a quote request takes, from the dashboard (quotes.request) or a tool (worker.requestQuote). */
export const quoteRequestArgs = {
  lineItems: v.array(
    v.object({
      productId: v.id("products"),
      quantity: v.number(),
      targetUnitPrice: v.number(),
      maxUnitPrice: v.number(),
    }),
  ),
  priorities,
  guardrails,
  notes: v.optional(v.string()),
  maxRounds: v.optional(v.number()),
  seed: v.optional(v.number()),
  /** Blank or absent: the quote is named by its products (quoteNames.ts). */
  title: v.optional(v.string()),
  deliveryAddress: v.optional(v.string()),
  /** An Incoterms 2020 code; a string here so that a wrong one is refused in words at its field. */
  incoterms: v.optional(v.string()),
  /** The suppliers a person answers for (invited by link, supplierInvitations.ts); the others are simulated. */
  liveSupplierIds: v.optional(v.array(v.id("suppliers"))),
  /** Hours each negotiation has to reach agreement once the quote starts (default 48). */
  responseHours: v.optional(v.number()),
  /** Absent: a person awards. Set: the recommended final offer is awarded automatically within the policy (autoAward.ts). */
  autoAward: v.optional(autoAwardPolicy),
};

export type QuoteRequest = ObjectType<typeof quoteRequestArgs>;

export async function requestQuote(
  ctx: MutationCtx,
  workspaceId: Id<"workspaces">,
  request: QuoteRequest,
  actor: Actor = "user",
  eventData: EventData = {},
): Promise<Id<"quotes">> {
  // The workspace's currency now: a later change of it never changes what this quote's prices mean.
  const currency = currencyOf(await ctx.db.get(workspaceId));
  const { fields, suppliers, live } = await validateRequest(ctx, workspaceId, request, currency);
  const now = Date.now();
  const number = await nextNumberIn(ctx, "quotes", workspaceId);
  const quoteId = await ctx.db.insert("quotes", {
    workspaceId,
    number,
    ...withoutUndefined(fields),
    searchText: quoteSearchText({ ...fields, number }),
    currency,
    seed: request.seed ?? now % LIMITS.maxSeed,
    status: "queued",
    requestedAt: now,
    updatedAt: now,
  });
  const { maxRounds } = fields;
  for (const supplier of suppliers) {
    await ctx.db.insert("negotiations", {
      workspaceId,
      quoteId,
      supplierId: supplier._id,
      status: "pending",
      currentRound: 0,
      maxRounds,
      lastActivityAt: now,
      nextSeq: 0,
      side: live.has(supplier._id) ? "live" : "simulated",
    });
  }
  await logEvent(ctx, {
    workspaceId,
    type: "quote.requested",
    actor,
    quoteId,
    data: { lineItems: fields.lineItems.length, suppliers: suppliers.length, ...(live.size ? { live: live.size } : {}), ...eventData },
  });
  return quoteId;
}


/** How long the quote's negotiations have, from its start. */
export function responseWindowMs(quote: Doc<"quotes">): number {
  return (quote.responseHours ?? LIMITS.defaultResponseHours) * 60 * 60 * 1000;
}

/** Insert takes no undefined fields; a patch takes them to mean "remove". */
function withoutUndefined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/**
 * What a quote was asked with, as a request again, for the re-run (under a new
 * seed). The dashboard's Duplicate and Edit fill its form from the quote the
 * same way (web/src/lib/quoteForm.ts draftFromQuote).
 */
export function requestFromQuote(quote: Doc<"quotes">): QuoteRequest {
  return withoutUndefined({
    lineItems: quote.lineItems.map(({ productId, quantity, targetUnitPrice, maxUnitPrice }) => ({
      productId,
      quantity,
      targetUnitPrice,
      maxUnitPrice,
    })),
    priorities: quote.priorities,
    guardrails: quote.guardrails,
    notes: quote.notes,
    maxRounds: quote.maxRounds,
    seed: quote.seed,
    title: quote.title,
    deliveryAddress: quote.deliveryAddress,
    incoterms: quote.incoterms,
    responseHours: quote.responseHours,
    autoAward: quote.autoAward,
  });
}

/** A seed other than `previous`: the re-run replays the same request, not the same negotiation. */
export function freshSeed(previous: number, now = Date.now()): number {
  const seed = now % LIMITS.maxSeed;
  return seed === previous ? (seed + 1) % LIMITS.maxSeed : seed;
}

/** The same request again at once, under a new seed: a new quote, with its own number. */
export async function rerunQuote(ctx: MutationCtx, workspaceId: Id<"workspaces">, quoteId: Id<"quotes">): Promise<Id<"quotes">> {
  const quote = await getQuote(ctx, quoteId);
  // The same sides again: a live supplier stays live (the brand invites its person to the new quote).
  const liveSupplierIds = (await negotiationsOfQuote(ctx, quoteId)).filter((n) => n.side === "live").map((n) => n.supplierId);
  const request = { ...requestFromQuote(quote), seed: freshSeed(quote.seed), ...(liveSupplierIds.length ? { liveSupplierIds } : {}) };
  return await requestQuote(ctx, workspaceId, request, "user", { rerunOf: quote._id });
}

/**
 * Replaces what a queued quote asks for, checked as a request is. Once a
 * worker has claimed it (negotiating, or later) it is refused with CONFLICT and
 * nothing changes. An absent seed keeps the quote's own.
 */
export async function updateQuote(
  ctx: MutationCtx,
  workspaceId: Id<"workspaces">,
  quoteId: Id<"quotes">,
  request: QuoteRequest,
): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  if (quote.status !== "queued") {
    fail(
      "CONFLICT",
      quote.status === "negotiating"
        ? "The negotiations of this quote have started, so it can no longer be edited: duplicate it instead"
        : `This quote is ${quote.status}, so it can no longer be edited: duplicate it instead`,
      "quoteId",
    );
  }
  const { fields, live } = await validateRequest(ctx, workspaceId, request, currencyOf(quote));
  const now = Date.now();
  await ctx.db.patch(quoteId, { ...fields, searchText: quoteSearchText({ ...fields, number: quote.number }), seed: request.seed ?? quote.seed, updatedAt: now });
  // Pending negotiations copied the rounds and the side at request time.
  for (const negotiation of await negotiationsOfQuote(ctx, quoteId)) {
    const side = live.has(negotiation.supplierId) ? "live" : "simulated";
    if (negotiation.side === "live" && side === "simulated" && (await hasInvitation(ctx, negotiation._id))) {
      const supplier = await ctx.db.get(negotiation.supplierId);
      fail("CONFLICT", `${supplier?.name ?? "This supplier"} has been invited to negotiate in person: revoke the invitation before making it simulated`, "liveSupplierIds");
    }
    if (negotiation.maxRounds !== fields.maxRounds || (negotiation.side ?? "simulated") !== side) {
      await ctx.db.patch(negotiation._id, { maxRounds: fields.maxRounds, side });
    }
  }
  await logEvent(ctx, {
    workspaceId,
    type: "quote.edited",
    actor: "user",
    quoteId,
    data: { lineItems: fields.lineItems.length },
  });
}

/** Whether someone joined the negotiation, or holds a link that still works (a revoked or expired one does not count). */
async function hasInvitation(ctx: QueryCtx, negotiationId: Id<"negotiations">): Promise<boolean> {
  const invitations = await ctx.db
    .query("supplierInvitations")
    .withIndex("by_negotiationId", (q) => q.eq("negotiationId", negotiationId))
    .take(50);
  return invitations.some((i) => ["pending", "accepted"].includes(invitationState(i)));
}

/** Trimmed; blank reads as absent. */
function optionalText(value: string | undefined, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  return checkText(trimmed, field, { required: false, max });
}

/**
 * The one check of a quote request, for quotes.request, quotes.update and the
 * worker's requestQuote: returns the quote's fields as they are stored (every
 * optional one present, undefined when absent) and the suppliers it goes to.
 */
async function validateRequest(ctx: MutationCtx, workspaceId: Id<"workspaces">, request: QuoteRequest, currency: string) {
  const title = optionalText(request.title, "title", LIMITS.maxTitleLength);
  if (request.lineItems.length === 0) invalid("lineItems", "A quote needs at least one line item");
  if (request.lineItems.length > LIMITS.maxLineItems) {
    invalid("lineItems", `A quote has at most ${LIMITS.maxLineItems} line items`);
  }
  const items: Doc<"quotes">["lineItems"] = [];
  const seen = new Set<string>();
  for (const [i, item] of request.lineItems.entries()) {
    const at = `lineItems[${i}]`;
    const product = await ctx.db.get(item.productId);
    if (!product || product.workspaceId !== workspaceId) fail("NOT_FOUND", "Product not found", `${at}.productId`);
    if (seen.has(product._id)) invalid(`${at}.productId`, `${product.name} appears twice`);
    seen.add(product._id);
    checkQuantity(item.quantity, `${at}.quantity`);
    checkUnitPrice(item.targetUnitPrice, `${at}.targetUnitPrice`, currency);
    checkUnitPrice(item.maxUnitPrice, `${at}.maxUnitPrice`, currency);
    if (item.maxUnitPrice < item.targetUnitPrice) {
      invalid(`${at}.maxUnitPrice`, "The max unit price must not be below the target unit price");
    }
    items.push({
      productId: product._id,
      sku: product.sku,
      name: product.name,
      quantity: item.quantity,
      listPrice: product.listPrice,
      targetUnitPrice: item.targetUnitPrice,
      maxUnitPrice: item.maxUnitPrice,
    });
  }
  const normalised = normalisePriorities(request.priorities);
  checkGuardrails(request.guardrails);
  if (request.notes !== undefined) checkText(request.notes, "notes", { required: false });
  if (request.maxRounds !== undefined) {
    checkNumber(request.maxRounds, "maxRounds", { integer: true, min: 1, max: LIMITS.maxRounds });
  }
  if (request.seed !== undefined) checkNumber(request.seed, "seed", { integer: true, min: 0, max: LIMITS.maxSeed });
  const deliveryAddress = optionalText(request.deliveryAddress, "deliveryAddress", LIMITS.maxAddressLength);
  const incoterms = request.incoterms === undefined ? undefined : checkIncoterm(request.incoterms, "incoterms");
  const suppliers = await ctx.db
    .query("suppliers")
    .withIndex("by_workspaceId_and_slug", (q) => q.eq("workspaceId", workspaceId))
    .take(LIMITS.maxSuppliersPerQuote + 1);
  if (suppliers.length === 0) {
    fail("CONFLICT", "This workspace has no suppliers yet: load its catalog first (npm run seed)");
  }
  // Every supplier of the workspace is asked: refuse rather than leave some out without a word.
  if (suppliers.length > LIMITS.maxSuppliersPerQuote) {
    fail("CONFLICT", `This workspace has more than ${LIMITS.maxSuppliersPerQuote} suppliers, and a quote negotiates with at most ${LIMITS.maxSuppliersPerQuote} at once`);
  }
  const live = new Set<Id<"suppliers">>();
  for (const [i, supplierId] of (request.liveSupplierIds ?? []).entries()) {
    if (!suppliers.some((s) => s._id === supplierId)) fail("NOT_FOUND", "Supplier not found in this workspace", `liveSupplierIds[${i}]`);
    live.add(supplierId);
  }
  if (request.responseHours !== undefined) {
    checkNumber(request.responseHours, "responseHours", { integer: true, min: 1, max: LIMITS.maxResponseHours });
  }
  // A line no supplier can fill would have every negotiation give up at once: refuse it here, saying why
  // (and not how much any one supplier can make: that is the supplier's to tell).
  for (const [i, item] of items.entries()) {
    if (live.size === 0 && suppliers.every((s) => item.quantity > s.persona.capacityPerLine)) {
      invalid(
        `lineItems[${i}].quantity`,
        `None of this workspace's suppliers can supply ${formatNumber(item.quantity)} × ${item.name} in one order: lower the quantity, or split it over several quotes`,
      );
    }
  }
  if (request.autoAward !== undefined) {
    checkNumber(request.autoAward.maxPctOverTarget, "autoAward.maxPctOverTarget", { min: 0, max: LIMITS.maxAutoAwardPctOverTarget });
  }
  const fields = {
    title,
    responseHours: request.responseHours,
    autoAward: request.autoAward,
    lineItems: items,
    priorities: normalised,
    guardrails: request.guardrails,
    notes: request.notes,
    deliveryAddress,
    incoterms,
    maxRounds: request.maxRounds ?? LIMITS.defaultMaxRounds,
  };
  return { fields, suppliers, live };
}

/** Moves the quote along its table and logs it. */
export async function transitionQuote(
  ctx: MutationCtx,
  quote: Doc<"quotes">,
  to: QuoteStatus,
  actor: Actor,
  extra: Partial<Doc<"quotes">> = {},
  data: EventData = {},
): Promise<void> {
  assertQuoteTransition(quote.status, to);
  const now = Date.now();
  const finished = to !== "negotiating";
  await ctx.db.patch(quote._id, {
    status: to,
    updatedAt: now,
    ...(to === "negotiating" ? { startedAt: now } : {}),
    ...(finished ? { completedAt: quote.completedAt ?? now, claimedBy: undefined, leaseExpiresAt: undefined, suspendedRunId: undefined } : {}),
    ...extra,
  });
  await logEvent(ctx, {
    workspaceId: quote.workspaceId,
    type: `quote.${to}`,
    actor,
    quoteId: quote._id,
    data: { from: quote.status, to, ...(extra.failureReason ? { reason: extra.failureReason } : {}), ...data },
  });
}

/** Closes every negotiation of the quote that is still open. */
export async function closeOpenNegotiations(
  ctx: MutationCtx,
  quoteId: Id<"quotes">,
  to: NegotiationStatus,
  opts: { actor: Actor; except?: Id<"negotiations">; message: string; failureReason?: string },
): Promise<void> {
  for (const negotiation of await negotiationsOfQuote(ctx, quoteId)) {
    if (negotiation._id === opts.except || isTerminalNegotiation(negotiation.status)) continue;
    await transitionNegotiation(ctx, negotiation, to, {
      actor: opts.actor,
      message: opts.message,
      ...(opts.failureReason !== undefined ? { failureReason: opts.failureReason } : {}),
    });
  }
}

export async function cancelQuote(ctx: MutationCtx, quoteId: Id<"quotes">): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  assertQuoteTransition(quote.status, "cancelled");
  await closeOpenNegotiations(ctx, quoteId, "rejected", {
    actor: "user",
    message: "The brand cancelled this quote. The negotiation is closed.",
  });
  await withdrawPendingApprovals(ctx, quote, "user", "quote_cancelled");
  await transitionQuote(ctx, quote, "cancelled", "user");
}

/** A quote that can no longer be awarded takes its waiting award request with it. */
async function withdrawPendingApprovals(ctx: MutationCtx, quote: Doc<"quotes">, actor: Actor, reason: "quote_cancelled" | "quote_failed") {
  const pending = await pendingApprovalOf(ctx, quote._id);
  if (pending) await markWithdrawn(ctx, pending, actor, { reason });
}

export async function failQuote(ctx: MutationCtx, quoteId: Id<"quotes">, reason: string): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  checkText(reason, "reason", { required: true });
  assertQuoteTransition(quote.status, "failed");
  await closeOpenNegotiations(ctx, quoteId, "failed", {
    actor: "system",
    message: "This negotiation stopped because of an internal error.",
    failureReason: reason,
  });
  await withdrawPendingApprovals(ctx, quote, "system", "quote_failed");
  await transitionQuote(ctx, quote, "failed", "system", { failureReason: reason });
}

/** Checks a lease request and reads its quote; `lease` is what holding it for leaseMs from now writes. */
async function leaseRequest(ctx: MutationCtx, quoteId: Id<"quotes">, workerId: string, leaseMs: number) {
  checkNumber(leaseMs, "leaseMs", { integer: true, min: 1_000, max: 60 * 60 * 1000 });
  if (workerId.trim().length === 0 || workerId.length > 200) invalid("workerId", "workerId must be 1–200 characters");
  const quote = await getQuote(ctx, quoteId);
  const now = Date.now();
  return { quote, now, lease: { claimedBy: workerId, leaseExpiresAt: now + leaseMs } };
}

/**
 * A queued quote, or a negotiating one whose lease lapsed or is already ours.
 * Returns the lease epoch the claim holds (one more than the last claim's), or
 * null when the quote is not claimable. Every write of the claimant carries the
 * epoch; once another worker claims, the old epoch's writes are refused.
 */
export async function claimQuote(
  ctx: MutationCtx,
  quoteId: Id<"quotes">,
  workerId: string,
  leaseMs: number,
): Promise<number | null> {
  const { quote, now, lease } = await leaseRequest(ctx, quoteId, workerId, leaseMs);
  const leaseEpoch = (quote.leaseEpoch ?? 0) + 1;
  if (quote.status === "queued") {
    await transitionQuote(ctx, quote, "negotiating", "system", { ...lease, leaseEpoch });
    // The response deadline runs from the quote's start, for every negotiation, a live supplier's not yet opened included.
    const expiresAt = now + responseWindowMs(quote);
    // (A live supplier who joined before the start has an active negotiation with a provisional deadline: the quote's replaces it.)
    for (const negotiation of await negotiationsOfQuote(ctx, quoteId)) {
      if (!isTerminalNegotiation(negotiation.status)) await ctx.db.patch(negotiation._id, { expiresAt });
    }
    return leaseEpoch;
  }
  if (quote.status !== "negotiating") return null;
  // Waiting on a live supplier, and not woken by a move: nothing to do yet (liveWait.ts).
  if (isWaiting(quote)) return null;
  const ours = quote.claimedBy === workerId;
  const lapsed = quote.leaseExpiresAt === undefined || quote.leaseExpiresAt <= now;
  if (!ours && !lapsed) return null;
  await ctx.db.patch(quoteId, { ...lease, leaseEpoch, updatedAt: now });
  if (!ours) {
    await logEvent(ctx, { workspaceId: quote.workspaceId, type: "quote.reclaimed", actor: "system", quoteId, data: { workerId, leaseEpoch } });
  }
  return leaseEpoch;
}

/**
 * What a renewal finds: the lease is the caller's and now runs longer
 * (`held`); the quote ended (completed, cancelled, awarded, failed) while the
 * caller still held it, so there is nothing left to hold (`ended`); or another
 * worker has claimed the quote since (`lost`).
 */
export type LeaseRenewal = "held" | "ended" | "lost";

/** Extends a lease this worker still holds under this epoch. */
export async function renewLease(
  ctx: MutationCtx,
  quoteId: Id<"quotes">,
  workerId: string,
  leaseEpoch: number,
  leaseMs: number,
): Promise<LeaseRenewal> {
  const { quote, lease } = await leaseRequest(ctx, quoteId, workerId, leaseMs);
  // A claim always moves the epoch on; an ended quote keeps its last one (and no holder).
  if (quote.leaseEpoch !== leaseEpoch) return "lost";
  if (quote.status !== "negotiating") return "ended";
  // Suspended under this lease to wait on a live supplier (liveWait.ts): nothing is held any more.
  if (quote.claimedBy === undefined && quote.suspendedRunId !== undefined) return "ended";
  if (quote.claimedBy !== workerId) return "lost";
  await ctx.db.patch(quoteId, { leaseExpiresAt: lease.leaseExpiresAt });
  return "held";
}

/**
 * One writer per quote: a workflow write is taken only under the quote's
 * current lease epoch. A write from a worker whose lease another worker has
 * since claimed (it froze, or lost the network, past its lease) is refused with
 * CONFLICT on `leaseEpoch`, and that worker stops. The epoch stays on the quote
 * after it completes, so a retried last write still lands.
 */
export function requireLease(quote: Doc<"quotes">, leaseEpoch: number): void {
  if (quote.leaseEpoch === undefined) {
    fail("CONFLICT", "This quote has not been claimed by a worker: claim it first", "leaseEpoch");
  }
  if (leaseEpoch !== quote.leaseEpoch) {
    fail("CONFLICT", `This worker's lease (epoch ${leaseEpoch}) was taken over: the quote is now held under epoch ${quote.leaseEpoch}`, "leaseEpoch");
  }
}

/** requireLease for a write that names a negotiation. */
export async function requireLeaseOn(ctx: QueryCtx, negotiationId: Id<"negotiations">, leaseEpoch: number): Promise<void> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  requireLease(await getQuote(ctx, negotiation.quoteId), leaseEpoch);
}

export type RecommendationInput = Omit<Infer<typeof recommendation>, "createdAt"> & { createdAt?: number };

/** Stores the recommendation; a negotiating quote becomes completed. */
export async function setRecommendation(
  ctx: MutationCtx,
  quoteId: Id<"quotes">,
  input: RecommendationInput,
): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  checkText(input.explanation, "recommendation.explanation", { required: true });
  const negotiations = await negotiationsOfQuote(ctx, quoteId);
  const owned = new Set(negotiations.map((negotiation) => negotiation._id));
  if (input.negotiationId !== undefined && !owned.has(input.negotiationId)) {
    invalid("recommendation.negotiationId", "The recommended negotiation is not part of this quote");
  }
  for (const [i, entry] of input.ranking.entries()) {
    if (!owned.has(entry.negotiationId)) {
      invalid(`recommendation.ranking[${i}].negotiationId`, "This negotiation is not part of this quote");
    }
    checkNumber(entry.score, `recommendation.ranking[${i}].score`, { min: 0, max: 1 });
  }
  const value = { ...input, createdAt: input.createdAt ?? Date.now() };
  if (quote.status === "negotiating") {
    await transitionQuote(ctx, quote, "completed", "system", { recommendation: value });
  } else if (quote.status === "completed" || quote.status === "awarded") {
    // A replay, or the brand awarded before the evaluation finished: keep the status.
    await ctx.db.patch(quoteId, { recommendation: value, updatedAt: Date.now() });
  } else {
    fail("CONFLICT", `A ${quote.status} quote takes no recommendation`, "quoteId");
  }
}

/** Quotes a run of the backfill gives their search text to, at most. */
const BACKFILL_BATCH = 200;

/**
 * Gives quotes requested before the search index existed their search text, a
 * batch at a time (by_searchText finds those without one). Returns how many it
 * filled; the cron runs it until none are left, after which a run reads nothing.
 */
export async function backfillSearchText(ctx: MutationCtx): Promise<number> {
  const missing = await ctx.db
    .query("quotes")
    .withIndex("by_searchText", (q) => q.eq("searchText", undefined))
    .take(BACKFILL_BATCH);
  for (const quote of missing) await ctx.db.patch(quote._id, { searchText: quoteSearchText(quote) });
  return missing.length;
}
