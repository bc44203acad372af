import { v } from "convex/values";
import { buyerMutation, memberQuery } from "./functions";
import { acceptancePrediction, counterSuggestion } from "./model/assist";
import { requestAward } from "./model/awards";
import { counter as counterOffer, pause as pauseNegotiation, resume as resumeNegotiation, sendMessage as send, walkAway as walk } from "./model/brandActions";
import { personOf } from "./model/people";
import { terms } from "./schema";

const negotiationId = v.id("negotiations");

export const pause = buyerMutation({
  args: { negotiationId },
  handler: async (ctx, args) => {
    await pauseNegotiation(ctx, args.negotiationId);
    return null;
  },
});

export const resume = buyerMutation({
  args: { negotiationId },
  handler: async (ctx, args) => {
    await resumeNegotiation(ctx, args.negotiationId);
    return null;
  },
});

export const sendMessage = buyerMutation({
  args: { negotiationId, content: v.string() },
  handler: async (ctx, args) => await send(ctx, args.negotiationId, args.content, ctx.access.user._id),
});

/** Returns the new offer's id, or null when it was past maxRounds and the negotiation ended in impasse. */
export const counter = buyerMutation({
  args: { negotiationId, terms, message: v.optional(v.string()) },
  handler: async (ctx, args) => await counterOffer(ctx, args.negotiationId, args.terms, args.message),
});

/**
 * Accepts the supplier's standing offer (or confirms the AI's agreement) and awards the quote;
 * above the workspace's approval threshold it asks an approver instead (see convex/model/awards.ts).
 */
export const acceptCurrentOffer = buyerMutation({
  args: { negotiationId },
  handler: async (ctx, args) =>
    await requestAward(ctx, args.negotiationId, await personOf(ctx, ctx.access.user._id)),
});

export const walkAway = buyerMutation({
  args: { negotiationId, reason: v.optional(v.string()) },
  handler: async (ctx, args) => {
    await walk(ctx, args.negotiationId, args.reason);
    return null;
  },
});

/** The engine's counter-offer for the brand user (null until the supplier has quoted). */
export const suggestCounter = memberQuery({
  args: { negotiationId },
  handler: async (ctx, args) => await counterSuggestion(ctx, args.negotiationId),
});

/** How likely the supplier accepts these drafted terms (null until the supplier has quoted). */
export const predictAcceptance = memberQuery({
  args: { negotiationId, terms },
  handler: async (ctx, args) => await acceptancePrediction(ctx, args.negotiationId, args.terms),
});
