import type { Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { offerAi } from "../schema";
import { fail, invalid } from "./errors";
import { type Actor, logEvent } from "./events";
import { wakeQuote } from "./liveWait";
import { systemMessage, withdrawAllStreaming } from "./messages";
import { notifySupplier } from "./notifications";
import { endPresence } from "./presence";
import {
  assertNegotiationTransition,
  DEFAULT_OUTCOME,
  isTerminalNegotiation,
  type NegotiationOutcome,
  type NegotiationStatus,
} from "./status";
import { checkNumber, checkTerms, guardrailViolation, sameTerms, type Terms } from "./validate";

// The rules of one negotiation: who may offer when, who may accept, and what
// closing it does to its standing offer.

export const NEGOTIATION_TTL_MS = 48 * 60 * 60 * 1000;
/** How long a final offer holds for the brand to award it: two weeks, the usual validity of a supplier's quotation. */
export const FINAL_OFFER_HOLD_MS = 14 * 24 * 60 * 60 * 1000;

export type Party = "brand" | "supplier";
export type OfferAi = Infer<typeof offerAi>;

export async function getNegotiation(ctx: QueryCtx, id: Id<"negotiations">): Promise<Doc<"negotiations">> {
  const negotiation = await ctx.db.get(id);
  if (!negotiation) fail("NOT_FOUND", "Negotiation not found", "negotiationId");
  return negotiation;
}

export async function getQuote(ctx: QueryCtx, id: Id<"quotes">): Promise<Doc<"quotes">> {
  const quote = await ctx.db.get(id);
  if (!quote) fail("NOT_FOUND", "Quote not found", "quoteId");
  return quote;
}

/** Nothing happens after a terminal status or past expiresAt. */
export function assertOpen(negotiation: Doc<"negotiations">, now = Date.now()): void {
  if (negotiation.status === "expired") fail("EXPIRED", "This negotiation has expired: its response deadline passed", "negotiationId");
  if (isTerminalNegotiation(negotiation.status)) {
    fail("CLOSED", `This negotiation is closed (${negotiation.status})`, "negotiationId");
  }
  if (negotiation.expiresAt !== undefined && now >= negotiation.expiresAt) {
    fail("EXPIRED", "This negotiation has expired", "negotiationId");
  }
}

const EVENT_FOR: Record<NegotiationStatus, string> = {
  pending: "negotiation.pending",
  active: "negotiation.resumed",
  paused: "negotiation.paused",
  accepted: "negotiation.accepted",
  rejected: "negotiation.rejected",
  impasse: "negotiation.impasse",
  expired: "negotiation.expired",
  failed: "negotiation.failed",
};

/**
 * Moves a negotiation along the transition table. Starting it sets startedAt and
 * expiresAt; closing it records the outcome and retires a standing offer that
 * nobody accepted. `negotiation` is the caller's copy: its status and standing
 * offer must be current.
 */
export async function transitionNegotiation(
  ctx: MutationCtx,
  negotiation: Doc<"negotiations">,
  to: NegotiationStatus,
  opts: { actor: Actor; outcome?: NegotiationOutcome; failureReason?: string; message?: string; brandOnly?: boolean },
): Promise<void> {
  const negotiationId = negotiation._id;
  assertNegotiationTransition(negotiation.status, to);
  const now = Date.now();
  const starting = negotiation.status === "pending" && to === "active";
  const closing = isTerminalNegotiation(to);
  await ctx.db.patch(negotiationId, {
    status: to,
    lastActivityAt: now,
    // The deadline set when the quote started stands; a negotiation without one gets the default from now.
    ...(starting ? { startedAt: now, expiresAt: negotiation.expiresAt ?? now + NEGOTIATION_TTL_MS } : {}),
    ...(closing ? { outcome: opts.outcome ?? DEFAULT_OUTCOME[to] } : {}),
    ...(opts.failureReason !== undefined ? { failureReason: opts.failureReason } : {}),
  });
  if (closing) await withdrawAllStreaming(ctx, negotiationId, to === "failed" ? "failed" : "closed");
  // Nobody types or views a closed negotiation: its presence rooms go with it (only a live one has any).
  if (closing && negotiation.side === "live") await endPresence(ctx, negotiationId);
  if (closing && to !== "accepted" && negotiation.currentOfferId) {
    const standing = await ctx.db.get(negotiation.currentOfferId);
    if (standing?.status === "pending") {
      await ctx.db.patch(standing._id, { status: to === "expired" ? "expired" : "rejected", respondedAt: now });
    }
  }
  await logEvent(ctx, {
    workspaceId: negotiation.workspaceId,
    type: starting ? "negotiation.started" : EVENT_FOR[to],
    actor: opts.actor,
    quoteId: negotiation.quoteId,
    negotiationId,
    data: {
      from: negotiation.status,
      to,
      ...(opts.failureReason !== undefined ? { reason: opts.failureReason } : {}),
    },
  });
  if (opts.message !== undefined) await systemMessage(ctx, negotiationId, opts.message, opts.brandOnly);
  // A live supplier hears how its negotiation ended unless it ended it itself; the quote's waiting run wakes to see it.
  if (closing && opts.actor !== "contact") {
    await notifySupplier(ctx, { kind: to === "expired" ? "expired" : "closed", text: opts.message ?? CLOSED_WORDS[to] ?? "The negotiation has closed.", negotiation });
  }
  await wakeQuote(ctx, negotiation.quoteId);
}

/** What a live supplier is told when its negotiation closes without a message of its own. */
const CLOSED_WORDS: Partial<Record<NegotiationStatus, string>> = {
  accepted: "The brand accepted your offer. It is held as your final offer until the brand awards the quote.",
  rejected: "The brand closed this negotiation.",
  impasse: "This negotiation ended without agreement.",
  failed: "This negotiation stopped because of an error on Parley's side.",
};

/** A pending negotiation starts with its first message or offer. */
export async function startIfPending(ctx: MutationCtx, negotiation: Doc<"negotiations">, actor: Actor): Promise<void> {
  if (negotiation.status === "pending") await transitionNegotiation(ctx, negotiation, "active", { actor });
}

async function findOffer(
  ctx: QueryCtx,
  negotiationId: Id<"negotiations">,
  round: number,
  offeredBy: Party,
): Promise<Doc<"offers"> | null> {
  const inRound = await ctx.db
    .query("offers")
    .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiationId).eq("round", round))
    .take(2);
  return inRound.find((offer) => offer.offeredBy === offeredBy) ?? null;
}

/**
 * Every offer is a round, as in the engine (src/negotiation): the supplier's
 * opening quote is round 1, the brand's answer round 2, and so on; maxRounds
 * counts offers.
 */
export function expectedRound(negotiation: Doc<"negotiations">): number {
  return negotiation.currentRound + 1;
}

export type OfferInput = {
  offeredBy: Party;
  terms: Terms;
  /** The round the writer believes this is; checked. Omitted: the next one. */
  round?: number;
  ai?: OfferAi;
};

/**
 * Records an offer, which counters the standing one. Offers alternate; a brand
 * offer must sit inside the guardrails. Idempotent on (negotiation, round,
 * offeredBy). An offer past maxRounds is not recorded: the negotiation ends in
 * impasse and the result is null.
 */
export async function recordOffer(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  input: OfferInput,
  actor: Actor,
): Promise<Id<"offers"> | null> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const quote = await getQuote(ctx, negotiation.quoteId);
  checkTerms(input.terms, quote);
  if (input.offeredBy === "brand") {
    const violation = guardrailViolation(input.terms, quote);
    if (violation) invalid(violation.field, violation.message);
  }
  if (input.ai?.confidence !== undefined) checkNumber(input.ai.confidence, "ai.confidence", { min: 0, max: 1 });
  if (input.round !== undefined) {
    checkNumber(input.round, "round", { integer: true, min: 1 });
    const replay = await findOffer(ctx, negotiationId, input.round, input.offeredBy);
    if (replay) {
      if (!sameTerms(replay.terms, input.terms)) {
        fail("CONFLICT", `Round ${input.round} already holds a different ${input.offeredBy} offer`, "round");
      }
      return replay._id;
    }
    if (negotiation.status === "impasse" && input.round > negotiation.maxRounds) return null;
  }
  assertOpen(negotiation);
  if (negotiation.lastOfferBy === input.offeredBy) {
    fail("CONFLICT", `The ${input.offeredBy} cannot counter its own offer; wait for the other party`, "offeredBy");
  }
  if (negotiation.status === "paused" && input.offeredBy === "brand" && actor !== "user") {
    fail("CONFLICT", "The brand user has taken over this negotiation", "negotiationId");
  }
  const round = expectedRound(negotiation);
  if (input.round !== undefined && input.round !== round) {
    fail("CONFLICT", `This offer belongs to round ${round}, not ${input.round}`, "round");
  }
  if (round > negotiation.maxRounds) {
    await transitionNegotiation(ctx, negotiation, "impasse", {
      actor,
      message: `No agreement after ${negotiation.maxRounds} offers: this negotiation ended in impasse.`,
    });
    return null;
  }
  await startIfPending(ctx, negotiation, actor);
  const now = Date.now();
  if (negotiation.currentOfferId) {
    const standing = await ctx.db.get(negotiation.currentOfferId);
    if (standing?.status === "pending") await ctx.db.patch(standing._id, { status: "countered", respondedAt: now });
  }
  const offerId = await ctx.db.insert("offers", {
    workspaceId: negotiation.workspaceId,
    negotiationId,
    round,
    offeredBy: input.offeredBy,
    terms: input.terms,
    status: "pending",
    ...(input.ai ? { ai: input.ai } : {}),
    ...(negotiation.expiresAt !== undefined ? { validUntil: negotiation.expiresAt } : {}),
  });
  await ctx.db.patch(negotiationId, {
    currentRound: round,
    currentTerms: input.terms,
    currentOfferId: offerId,
    lastOfferBy: input.offeredBy,
    lastActivityAt: now,
  });
  await logEvent(ctx, {
    workspaceId: negotiation.workspaceId,
    type: "offer_made",
    actor,
    quoteId: negotiation.quoteId,
    negotiationId,
    data: { offerId, round, offeredBy: input.offeredBy },
  });
  if (input.offeredBy === "brand") {
    await notifySupplier(ctx, { kind: "brand_offer", text: `The brand made a new offer (round ${round} of ${negotiation.maxRounds}).`, negotiation });
  }
  await wakeQuote(ctx, negotiation.quoteId);
  return offerId;
}

/**
 * The counterparty accepts the standing offer: the negotiation reaches agreement.
 * The brand never agrees outside its guardrails. Replaying an acceptance is a no-op.
 */
export async function acceptOffer(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  offerId: Id<"offers">,
  by: Party,
  actor: Actor,
): Promise<void> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const offer = await ctx.db.get(offerId);
  if (!offer || offer.negotiationId !== negotiationId) {
    fail("NOT_FOUND", "Offer not found in this negotiation", "offerId");
  }
  if (negotiation.status === "accepted" && offer.status === "accepted") return;
  assertOpen(negotiation);
  if (negotiation.currentOfferId !== offerId || offer.status !== "pending") {
    fail("CONFLICT", "Only the standing offer can be accepted", "offerId");
  }
  if (by === offer.offeredBy) fail("CONFLICT", `The ${by} cannot accept its own offer`, "by");
  if (negotiation.status === "paused" && by === "brand" && actor !== "user") {
    fail("CONFLICT", "The brand user has taken over this negotiation", "negotiationId");
  }
  if (by === "brand") {
    const quote = await getQuote(ctx, negotiation.quoteId);
    const violation = guardrailViolation(offer.terms, quote);
    if (violation) fail("CONFLICT", `The brand cannot accept this offer: ${violation.message}`, violation.field);
  }
  const now = Date.now();
  await ctx.db.patch(offerId, { status: "accepted", respondedAt: now, validUntil: now + FINAL_OFFER_HOLD_MS });
  await transitionNegotiation(ctx, negotiation, "accepted", { actor, outcome: "agreement" });
}

/** The standing offer, when the supplier made it and it is still open. */
export async function standingSupplierOffer(
  ctx: QueryCtx,
  negotiation: Doc<"negotiations">,
): Promise<Doc<"offers"> | null> {
  if (negotiation.lastOfferBy !== "supplier" || !negotiation.currentOfferId) return null;
  const offer = await ctx.db.get(negotiation.currentOfferId);
  return offer?.status === "pending" ? offer : null;
}

export async function negotiationsOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">): Promise<Doc<"negotiations">[]> {
  return await ctx.db
    .query("negotiations")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId))
    .take(20);
}
