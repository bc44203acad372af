import { ConvexClient, ConvexHttpClient } from "convex/browser";
import type { DefaultFunctionArgs, FunctionReference, FunctionReturnType } from "convex/server";
import type { api } from "../../convex/_generated/api.js";
import type { Doc } from "../../convex/_generated/dataModel.js";

// How the workflow and the worker reach Convex. The functions themselves are
// `api.worker.*` and `api.ingest.*` from convex/_generated/api (the service
// contract of convex/README.md); the aliases below name the shapes this code
// passes around.

export type MessageSender = Doc<"messages">["sender"];
export type MessageKind = Doc<"messages">["kind"];
export type MessageMetadata = NonNullable<Doc<"messages">["metadata"]>;
export type NegotiationStatus = Doc<"negotiations">["status"];
export type NegotiationOutcome = NonNullable<Doc<"negotiations">["outcome"]>;
export type ConvexRecommendation = NonNullable<Doc<"quotes">["recommendation"]>;
export type QuoteState = NonNullable<FunctionReturnType<typeof api.worker.getQuoteState>>;
export type NegotiationState = QuoteState["negotiations"][number];

/**
 * What the persister and the worker need from a Convex client: the official
 * `ConvexHttpClient`/`ConvexClient` in production, a convex-test instance or a
 * fault-injecting wrapper in tests.
 */
export interface ConvexTransport {
  mutation<A extends DefaultFunctionArgs, R>(fn: FunctionReference<"mutation", "public", A, R>, args: A): Promise<R>;
  query<A extends DefaultFunctionArgs, R>(fn: FunctionReference<"query", "public", A, R>, args: A): Promise<R>;
  /**
   * A live query (`ConvexClient.onUpdate`): `onValue` gets every new result.
   * Absent on transports without subscriptions (convex-test); see watch.ts.
   */
  onUpdate?<A extends DefaultFunctionArgs, R>(
    fn: FunctionReference<"query", "public", A, R>,
    args: A,
    onValue: (value: R) => void,
    onError?: (error: Error) => void,
  ): () => void;
  /**
   * Reports the live connection going down and up (`ConvexClient`'s connection
   * state), so a subscription can tell an outage from a quiet query.
   */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
}

/**
 * The official HTTP client as a transport (its variadic signature differs only in
 * typing). `skipQueue`: by default ConvexHttpClient runs its mutations one at a
 * time, which would line all negotiations' writes up behind each other; the
 * persister already keeps each negotiation's writes in order (one lane each).
 */
export function httpTransport(client: {
  mutation(fn: FunctionReference<"mutation">, args: DefaultFunctionArgs, options?: { skipQueue: boolean }): Promise<unknown>;
  query(fn: FunctionReference<"query">, args: DefaultFunctionArgs): Promise<unknown>;
}): ConvexTransport {
  return {
    mutation: (fn, args) => client.mutation(fn as FunctionReference<"mutation">, args, { skipQueue: true }) as Promise<never>,
    query: (fn, args) => client.query(fn as FunctionReference<"query">, args) as Promise<never>,
  };
}

export type LiveTransport = ConvexTransport & {
  onUpdate: NonNullable<ConvexTransport["onUpdate"]>;
  onConnectionChange: NonNullable<ConvexTransport["onConnectionChange"]>;
  close(): Promise<void>;
};

/**
 * The official clients against one deployment: mutations and one-off queries
 * over HTTP (independent requests, so 300 negotiations' writes do not queue
 * behind each other), live queries over the WebSocket of a `ConvexClient`.
 */
export function clientTransport(url: string): LiveTransport {
  let live: ConvexClient | undefined;
  return {
    ...httpTransport(new ConvexHttpClient(url)),
    onUpdate(fn, args, onValue, onError) {
      live ??= new ConvexClient(url);
      return live.onUpdate(fn, args, onValue, onError);
    },
    onConnectionChange(listener) {
      live ??= new ConvexClient(url);
      let connected: boolean | undefined;
      // The state also changes with every request in flight; report only the connection.
      return live.subscribeToConnectionState((state) => {
        if (state.isWebSocketConnected === connected) return;
        connected = state.isWebSocketConnected;
        listener(connected);
      });
    },
    close: async () => {
      await live?.close();
      live = undefined;
    },
  };
}
