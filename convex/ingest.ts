import { v } from "convex/values";
import { serviceMutation } from "./functions";
import { finishOfferMessage as finishOffer, ingestMessage, updateStatus } from "./model/ingest";
import { finishStreaming, requireMessage, updateStreamingText } from "./model/messages";
import { acceptOffer as accept, recordOffer as record } from "./model/negotiations";
import { setRecommendation as recommend } from "./model/quotes";
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
} from "./schema";

// The workflow's writes: service functions (the key), each safe to retry.

const negotiationId = v.id("negotiations");

export const appendMessage = serviceMutation({
  args: {
    negotiationId,
    seq: v.number(),
    sender: messageSender,
    kind: messageKind,
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { negotiationId, seq, ...message }) => {
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "complete" });
  },
});

export const startMessage = serviceMutation({
  args: { negotiationId, seq: v.number(), sender: messageSender, kind: messageKind, content: v.string() },
  handler: async (ctx, { negotiationId, seq, ...message }) => {
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "streaming" });
  },
});

export const updateMessageText = serviceMutation({
  args: { negotiationId, seq: v.number(), content: v.string() },
  handler: async (ctx, { negotiationId, seq, content }) => {
    await updateStreamingText(ctx, await requireMessage(ctx, negotiationId, seq), content);
    return null;
  },
});

export const finishMessage = serviceMutation({
  args: {
    negotiationId,
    seq: v.number(),
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { negotiationId, seq, ...final }) => {
    const message = await requireMessage(ctx, negotiationId, seq);
    await finishStreaming(ctx, message, final);
    return message._id;
  },
});

/** Returns the offer id, or null when the round was past maxRounds: the negotiation is then in impasse. */
export const recordOffer = serviceMutation({
  args: { negotiationId, round: v.number(), offeredBy: party, terms, ai: v.optional(offerAi) },
  handler: async (ctx, { negotiationId, ...offer }) => {
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
    seq: v.number(),
    content: v.string(),
    metadata: v.optional(messageMetadata),
    round: v.number(),
    offeredBy: party,
    terms,
    ai: v.optional(offerAi),
  },
  handler: async (ctx, { negotiationId, seq, content, metadata, ...offer }) => {
    return await finishOffer(ctx, negotiationId, seq, offer, { content, ...(metadata ? { metadata } : {}) });
  },
});

export const acceptOffer = serviceMutation({
  args: { negotiationId, offerId: v.id("offers"), by: party },
  handler: async (ctx, { negotiationId, offerId, by }) => {
    await accept(ctx, negotiationId, offerId, by, by);
    return null;
  },
});

export const updateNegotiationStatus = serviceMutation({
  args: {
    negotiationId,
    status: negotiationStatus,
    outcome: v.optional(negotiationOutcome),
    failureReason: v.optional(v.string()),
  },
  handler: async (ctx, { negotiationId, status, outcome, failureReason }) => {
    await updateStatus(ctx, negotiationId, status, outcome, failureReason);
    return null;
  },
});

const recommendationInput = v.object({
  ...recommendationValidator.fields,
  createdAt: v.optional(v.number()),
});

export const setRecommendation = serviceMutation({
  args: { quoteId: v.id("quotes"), recommendation: recommendationInput },
  handler: async (ctx, { quoteId, recommendation }) => {
    await recommend(ctx, quoteId, recommendation);
    return null;
  },
});
