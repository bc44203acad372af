import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { requireServiceKey } from "./model/auth";
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

// The workflow's writes. Every function needs the service key and is safe to retry.

const serviceKey = v.string();
const negotiationId = v.id("negotiations");

export const appendMessage = mutation({
  args: {
    serviceKey,
    negotiationId,
    seq: v.number(),
    sender: messageSender,
    kind: messageKind,
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { serviceKey, negotiationId, seq, ...message }) => {
    requireServiceKey(serviceKey);
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "complete" });
  },
});

export const startMessage = mutation({
  args: { serviceKey, negotiationId, seq: v.number(), sender: messageSender, kind: messageKind, content: v.string() },
  handler: async (ctx, { serviceKey, negotiationId, seq, ...message }) => {
    requireServiceKey(serviceKey);
    return await ingestMessage(ctx, negotiationId, seq, { ...message, state: "streaming" });
  },
});

export const updateMessageText = mutation({
  args: { serviceKey, negotiationId, seq: v.number(), content: v.string() },
  handler: async (ctx, { serviceKey, negotiationId, seq, content }) => {
    requireServiceKey(serviceKey);
    await updateStreamingText(ctx, await requireMessage(ctx, negotiationId, seq), content);
    return null;
  },
});

export const finishMessage = mutation({
  args: {
    serviceKey,
    negotiationId,
    seq: v.number(),
    content: v.string(),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
  },
  handler: async (ctx, { serviceKey, negotiationId, seq, ...final }) => {
    requireServiceKey(serviceKey);
    const message = await requireMessage(ctx, negotiationId, seq);
    await finishStreaming(ctx, message, final);
    return message._id;
  },
});

/** Returns the offer id, or null when the round was past maxRounds: the negotiation is then in impasse. */
export const recordOffer = mutation({
  args: { serviceKey, negotiationId, round: v.number(), offeredBy: party, terms, ai: v.optional(offerAi) },
  handler: async (ctx, { serviceKey, negotiationId, ...offer }) => {
    requireServiceKey(serviceKey);
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
export const finishOfferMessage = mutation({
  args: {
    serviceKey,
    negotiationId,
    seq: v.number(),
    content: v.string(),
    metadata: v.optional(messageMetadata),
    round: v.number(),
    offeredBy: party,
    terms,
    ai: v.optional(offerAi),
  },
  handler: async (ctx, { serviceKey, negotiationId, seq, content, metadata, ...offer }) => {
    requireServiceKey(serviceKey);
    return await finishOffer(ctx, negotiationId, seq, offer, { content, ...(metadata ? { metadata } : {}) });
  },
});

export const acceptOffer = mutation({
  args: { serviceKey, negotiationId, offerId: v.id("offers"), by: party },
  handler: async (ctx, { serviceKey, negotiationId, offerId, by }) => {
    requireServiceKey(serviceKey);
    await accept(ctx, negotiationId, offerId, by, by);
    return null;
  },
});

export const updateNegotiationStatus = mutation({
  args: {
    serviceKey,
    negotiationId,
    status: negotiationStatus,
    outcome: v.optional(negotiationOutcome),
    failureReason: v.optional(v.string()),
  },
  handler: async (ctx, { serviceKey, negotiationId, status, outcome, failureReason }) => {
    requireServiceKey(serviceKey);
    await updateStatus(ctx, negotiationId, status, outcome, failureReason);
    return null;
  },
});

const recommendationInput = v.object({
  ...recommendationValidator.fields,
  createdAt: v.optional(v.number()),
});

export const setRecommendation = mutation({
  args: { serviceKey, quoteId: v.id("quotes"), recommendation: recommendationInput },
  handler: async (ctx, { serviceKey, quoteId, recommendation }) => {
    requireServiceKey(serviceKey);
    await recommend(ctx, quoteId, recommendation);
    return null;
  },
});
