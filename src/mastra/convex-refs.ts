import { makeFunctionReference, type DefaultFunctionArgs, type FunctionReference } from "convex/server";
import type { Doc, Id } from "../../convex/_generated/dataModel.js";
import type { Terms } from "../negotiation/types.js";

// The service functions of convex/README.md that the workflow and the worker
// call, typed here by the contract so that this code does not depend on when
// convex/_generated/api is regenerated. Names are the Convex paths.

type Mutation<A, R> = FunctionReference<"mutation", "public", A & { serviceKey: string }, R>;
type Query<A, R> = FunctionReference<"query", "public", A & { serviceKey: string }, R>;

export type MessageSender = Doc<"messages">["sender"];
export type MessageKind = Doc<"messages">["kind"];
export type MessageMetadata = NonNullable<Doc<"messages">["metadata"]>;
export type NegotiationStatus = Doc<"negotiations">["status"];
export type NegotiationOutcome = NonNullable<Doc<"negotiations">["outcome"]>;
export type ConvexRecommendation = NonNullable<Doc<"quotes">["recommendation"]>;

export interface NegotiationState extends Doc<"negotiations"> {
  supplier: Doc<"suppliers">;
  offers: Doc<"offers">[];
  messages: Doc<"messages">[];
}

export interface QuoteState {
  quote: Doc<"quotes">;
  negotiations: NegotiationState[];
}

const ref = makeFunctionReference;

export const service = {
  claimable: ref<"query">("worker:claimable") as Query<Record<never, never>, Id<"quotes">[]>,
  claimQuote: ref<"mutation">("worker:claimQuote") as Mutation<
    { quoteId: Id<"quotes">; workerId: string; leaseMs: number },
    boolean
  >,
  renewLease: ref<"mutation">("worker:renewLease") as Mutation<
    { quoteId: Id<"quotes">; workerId: string; leaseMs: number },
    boolean
  >,
  getQuoteState: ref<"query">("worker:getQuoteState") as Query<{ quoteId: Id<"quotes"> }, QuoteState | null>,
  failQuote: ref<"mutation">("worker:failQuote") as Mutation<{ quoteId: Id<"quotes">; reason: string }, unknown>,
  appendMessage: ref<"mutation">("ingest:appendMessage") as Mutation<
    {
      negotiationId: Id<"negotiations">;
      seq: number;
      sender: MessageSender;
      kind: MessageKind;
      content: string;
      offerId?: Id<"offers">;
      metadata?: MessageMetadata;
    },
    Id<"messages">
  >,
  startMessage: ref<"mutation">("ingest:startMessage") as Mutation<
    { negotiationId: Id<"negotiations">; seq: number; sender: MessageSender; kind: MessageKind; content: string },
    Id<"messages">
  >,
  updateMessageText: ref<"mutation">("ingest:updateMessageText") as Mutation<
    { negotiationId: Id<"negotiations">; seq: number; content: string },
    unknown
  >,
  finishMessage: ref<"mutation">("ingest:finishMessage") as Mutation<
    {
      negotiationId: Id<"negotiations">;
      seq: number;
      content: string;
      offerId?: Id<"offers">;
      metadata?: MessageMetadata;
    },
    Id<"messages">
  >,
  recordOffer: ref<"mutation">("ingest:recordOffer") as Mutation<
    {
      negotiationId: Id<"negotiations">;
      round: number;
      offeredBy: "brand" | "supplier";
      terms: Terms;
      ai?: { generated: boolean; confidence?: number; reasoning?: string };
    },
    Id<"offers">
  >,
  acceptOffer: ref<"mutation">("ingest:acceptOffer") as Mutation<
    { negotiationId: Id<"negotiations">; offerId: Id<"offers">; by: "brand" | "supplier" },
    unknown
  >,
  updateNegotiationStatus: ref<"mutation">("ingest:updateNegotiationStatus") as Mutation<
    {
      negotiationId: Id<"negotiations">;
      status: NegotiationStatus;
      outcome?: NegotiationOutcome;
      failureReason?: string;
    },
    unknown
  >,
  setRecommendation: ref<"mutation">("ingest:setRecommendation") as Mutation<
    { quoteId: Id<"quotes">; recommendation: ConvexRecommendation },
    unknown
  >,
};

/**
 * What the persister and the worker need from a Convex client: the official
 * `ConvexHttpClient`/`ConvexClient` in production, a convex-test instance or a
 * fault-injecting wrapper in tests.
 */
export interface ConvexTransport {
  mutation<A extends DefaultFunctionArgs, R>(fn: FunctionReference<"mutation", "public", A, R>, args: A): Promise<R>;
  query<A extends DefaultFunctionArgs, R>(fn: FunctionReference<"query", "public", A, R>, args: A): Promise<R>;
}

/** The official HTTP client as a transport (its variadic signature differs only in typing). */
export function httpTransport(client: {
  mutation(fn: FunctionReference<"mutation">, args: DefaultFunctionArgs): Promise<unknown>;
  query(fn: FunctionReference<"query">, args: DefaultFunctionArgs): Promise<unknown>;
}): ConvexTransport {
  return {
    mutation: (fn, args) => client.mutation(fn as FunctionReference<"mutation">, args) as Promise<never>,
    query: (fn, args) => client.query(fn as FunctionReference<"query">, args) as Promise<never>,
  };
}
