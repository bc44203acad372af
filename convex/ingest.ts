import { v } from "convex/values";
import { serviceMutation } from "./functions";
import { finishOfferMessage as finishOffer, ingestMessage, updateStatus } from "./model/ingest";
import { appendStreamingText, finishStreaming, requireMessage, withdrawStreaming } from "./model/messages";
import { acceptOffer as accept, recordOffer as record } from "./model/negotiations";
import { getQuote } from "./model/negotiations";
import { requireLease, requireLeaseOn, setRecommendation as recommend } from "./model/quotes";
import { autoAwardIfPolicyAllows } from "./model/autoAward";
import {
  messageKind,
  messageMetadata,
  messageSender,
  negotiationOutcome,
  negotiationStatus,
  offerAi,
  party,
  recommendation as recommendationValidator,
  terms,
  withdrawReason,
} from "./schema";

// The workflow's writes: service functions (the key), each safe to retry, each
// taken only under the quote's current lease epoch (`leaseEpoch`, from
// worker.claimQuote): one writer per quote, enforced here.

const negotiationId = v.id("negotiations");
const leaseEpoch = v.number();

export const appendMessage = serviceMutation({
  args: {
    negotiationId,
    leaseEpoch,
    seq: v.number(),
    sender: messageSender,
    kind: messageKind,
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, ...message }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "complete" });
  },
});

export const startMessage = serviceMutation({
  args: { negotiationId, leaseEpoch, seq: v.number(), sender: messageSender, kind: messageKind, content: v.string() },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, ...message }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "streaming" });
  },
});

/** The next piece of a streaming message's text, at offset `start` of it (a retried piece is recognised). */
export const appendMessageText = serviceMutation({
  args: { negotiationId, leaseEpoch, seq: v.number(), start: v.number(), text: v.string() },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, start, text }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    await appendStreamingText(ctx, await requireMessage(ctx, negotiationId, seq), start, text);
    return null;
  },
});

export const finishMessage = serviceMutation({
  args: {
    negotiationId,
    leaseEpoch,
    seq: v.number(),
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, ...final }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    const message = await requireMessage(ctx, negotiationId, seq);
    await finishStreaming(ctx, message, final);
    return message._id;
  },
});

/** Ends the streaming message at `seq` unfinished, saying why (a replay, or a finished message, is left as it is). */
export const withdrawMessage = serviceMutation({
  args: { negotiationId, leaseEpoch, seq: v.number(), reason: withdrawReason },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, reason }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    await withdrawStreaming(ctx, await requireMessage(ctx, negotiationId, seq), reason);
    return null;
  },
});

/** Returns the offer id, or null when the round was past maxRounds: the negotiation is then in impasse. */
export const recordOffer = serviceMutation({
  args: { negotiationId, leaseEpoch, round: v.number(), offeredBy: party, terms, ai: v.optional(offerAi) },
  handler: async (ctx, { negotiationId, leaseEpoch, ...offer }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    return await record(ctx, negotiationId, offer, offer.offeredBy);
  },
});

/**
 * recordOffer and finishMessage in one transaction (one round trip per offer
 * turn): the offer stated by the streaming message at `seq`. Idempotent on seq
 * and on (negotiationId, round, offeredBy); `offerId` is null when the round was
 * past maxRounds (the negotiation is then in impasse and the message is
 * finished without an offer). Returns the negotiation as worker.getQuoteState
 * would show it.
 */
export const finishOfferMessage = serviceMutation({
  args: {
    negotiationId,
    leaseEpoch,
    seq: v.number(),
    content: v.string(),
    metadata: v.optional(messageMetadata),
    round: v.number(),
    offeredBy: party,
    terms,
    ai: v.optional(offerAi),
  },
  handler: async (ctx, { negotiationId, leaseEpoch, seq, content, metadata, ...offer }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    return await finishOffer(ctx, negotiationId, seq, offer, { content, ...(metadata ? { metadata } : {}) });
  },
});

export const acceptOffer = serviceMutation({
  args: { negotiationId, leaseEpoch, offerId: v.id("offers"), by: party },
  handler: async (ctx, { negotiationId, leaseEpoch, offerId, by }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    await accept(ctx, negotiationId, offerId, by, by);
    return null;
  },
});

export const updateNegotiationStatus = serviceMutation({
  args: {
    negotiationId,
    leaseEpoch,
    status: negotiationStatus,
    outcome: v.optional(negotiationOutcome),
    failureReason: v.optional(v.string()),
  },
  handler: async (ctx, { negotiationId, leaseEpoch, status, outcome, failureReason }) => {
    await requireLeaseOn(ctx, negotiationId, leaseEpoch);
    await updateStatus(ctx, negotiationId, status, outcome, failureReason);
    return null;
  },
});

const recommendationInput = v.object({
  ...recommendationValidator.fields,
  createdAt: v.optional(v.number()),
});

export const setRecommendation = serviceMutation({
  args: { quoteId: v.id("quotes"), leaseEpoch, recommendation: recommendationInput },
  handler: async (ctx, { quoteId, leaseEpoch, recommendation }) => {
    requireLease(await getQuote(ctx, quoteId), leaseEpoch);
    await recommend(ctx, quoteId, recommendation);
    await autoAwardIfPolicyAllows(ctx, quoteId);
    return null;
  },
});
