import http from "node:http";
import https from "node:https";
import { BaseConvexClient, ConvexHttpClient } from "convex/browser";
import type { DefaultFunctionArgs, FunctionReference, FunctionReturnType } from "convex/server";
import { getFunctionName } from "convex/server";
import { convexToJson, type Value } from "convex/values";
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
 * clients in production (`clientTransport`), a convex-test instance or a
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

/** undici's headers and body timeouts, which the global fetch would apply. */
const REQUEST_TIMEOUT_MS = 300_000;

/** What ConvexHttpClient reads of a response. */
type MinimalResponse = { ok: boolean; status: number; statusText: string; text(): Promise<string>; json(): Promise<unknown> };

/**
 * `fetch` for ConvexHttpClient over node:http(s) with keep-alive sockets. The
 * global fetch (undici) costs about 0.4 ms of CPU per request more, which a
 * worker writing hundreds of messages a second pays on every write. Failures
 * look like fetch's ("fetch failed", the socket error as `cause`), so
 * backend-retry.ts tells them apart the same way. A request that meets a reset
 * on a socket the server had just closed as idle, before any answer, is sent
 * again once on a fresh one (Node's documented keep-alive race); anything else
 * is the caller's to retry. An answer that takes longer than fetch's own limits
 * (five minutes) fails as "timed out", as fetch's would.
 */
export function keepAliveFetch(): (url: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<MinimalResponse> {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: Infinity }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: Infinity }),
  };
  const send = (target: URL, init: { method?: string; body?: unknown; headers?: Record<string, string> }, retried: boolean): Promise<MinimalResponse> =>
    new Promise((resolve, reject) => {
      const body = typeof init.body === "string" ? init.body : init.body === undefined ? undefined : String(init.body);
      const headers: Record<string, string | number> = { ...init.headers };
      if (body !== undefined) headers["Content-Length"] = Buffer.byteLength(body);
      const secure = target.protocol === "https:";
      const request = (secure ? https : http).request(target, { method: init.method ?? "GET", headers, agent: agents[secure ? "https:" : "http:"] });
      let answered = false;
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      request.on("response", (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
        response.on("end", () => {
          const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: response.statusMessage ?? "",
            text: async () => text,
            json: async () => JSON.parse(text),
          });
        });
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (!answered && !retried && request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
          send(target, init, true).then(resolve, reject);
          return;
        }
        reject(new TypeError("fetch failed", { cause: error }));
      });
      request.end(body);
    });
  return (url, init = {}) => send(new URL(url), init, false);
}

/** Live connections a transport spreads its subscriptions over. */
const LIVE_CONNECTIONS = 4;

type Listener = { onValue(value: unknown): void; onError?(error: Error): void };
type Query = { client: BaseConvexClient; name: string; args: Record<string, Value>; listeners: Set<Listener> };

/**
 * Live queries over the official sync client (`BaseConvexClient`, what
 * `ConvexClient` is built on), spread over a few connections, each delivering
 * only the queries a transition changed. `ConvexClient` looks at every one of
 * its listeners on every transition (parsing each query's token), and the sync
 * client goes over every query it holds: with a worker subscribed to a thousand
 * negotiations, that is thousands of steps for each write anyone makes.
 */
class LiveQueries {
  private readonly clients: (BaseConvexClient | undefined)[] = [];
  /** By query token: the query and its listeners. */
  private readonly queries = new Map<string, Query>();
  /** Each connection's state, and who wants to hear when they are all up or one is down. */
  private readonly connected = new Map<BaseConvexClient, boolean>();
  private readonly connectionListeners = new Set<{ listener(connected: boolean): void; reported?: boolean }>();
  private closed = false;

  constructor(private readonly url: string) {}

  private client(shard: number): BaseConvexClient {
    let client = this.clients[shard];
    if (client) return client;
    const created = new BaseConvexClient(this.url, (tokens) => this.deliver(created, tokens), { unsavedChangesWarning: false });
    client = created;
    this.clients[shard] = client;
    this.connected.set(client, client.connectionState().isWebSocketConnected);
    // The state also changes with every request in flight; only the connection is reported.
    client.subscribeToConnectionState((state) => {
      if (this.connected.get(created) === state.isWebSocketConnected) return;
      this.connected.set(created, state.isWebSocketConnected);
      this.reportConnection();
    });
    this.reportConnection();
    return client;
  }

  private reportConnection() {
    const connected = [...this.connected.values()].every(Boolean);
    for (const l of this.connectionListeners) {
      if (l.reported === connected) continue;
      l.reported = connected;
      l.listener(connected);
    }
  }

  private deliver(client: BaseConvexClient, tokens: string[]) {
    for (const token of tokens) {
      const query = this.queries.get(token);
      if (query?.client === client) for (const l of [...query.listeners]) deliverTo(query, l);
    }
  }

  subscribe(name: string, args: Record<string, Value>, onValue: (value: unknown) => void, onError?: (error: Error) => void): () => void {
    const client = this.client(hash(`${name}|${JSON.stringify(convexToJson(args))}`) % LIVE_CONNECTIONS);
    const { queryToken, unsubscribe } = client.subscribe(name, args);
    const listener: Listener = { onValue, onError };
    let query = this.queries.get(queryToken);
    if (!query) this.queries.set(queryToken, (query = { client, name, args, listeners: new Set() }));
    const q = query;
    q.listeners.add(listener);
    // Already held (another subscriber to the same query): delivered soon after, as ConvexClient does.
    if (heldResult(q)) setTimeout(() => q.listeners.has(listener) && deliverTo(q, listener), 0);
    let active = true;
    return () => {
      if (!active || this.closed) return;
      active = false;
      q.listeners.delete(listener);
      if (q.listeners.size === 0 && this.queries.get(queryToken) === q) this.queries.delete(queryToken);
      unsubscribe();
    };
  }

  /** `listener(true)` once every connection opened is up, `listener(false)` when one goes down. */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    // Open a connection to report on, as ConvexClient does on first use.
    if (!this.clients.some(Boolean)) this.client(0);
    const entry: { listener(connected: boolean): void; reported?: boolean } = { listener };
    this.connectionListeners.add(entry);
    if (![...this.connected.values()].every(Boolean)) {
      entry.reported = false;
      listener(false);
    }
    return () => void this.connectionListeners.delete(entry);
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = this.clients.filter((c): c is BaseConvexClient => !!c);
    this.clients.length = 0;
    this.queries.clear();
    this.connectionListeners.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Whether the sync client holds a result (or an error) for the query. */
function heldResult(query: Query): boolean {
  try {
    return query.client.localQueryResult(query.name, query.args) !== undefined;
  } catch {
    return true;
  }
}

/** The query's current result to one listener: its value, or its error. */
function deliverTo(query: Query, listener: Listener) {
  let value: unknown;
  try {
    value = query.client.localQueryResult(query.name, query.args);
  } catch (error) {
    if (listener.onError) listener.onError(error as Error);
    else void Promise.reject(error);
    return;
  }
  if (value !== undefined) listener.onValue(value);
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The official clients against one deployment: mutations and one-off queries
 * with ConvexHttpClient over HTTP (independent requests, so 300 negotiations'
 * writes do not queue behind each other), live queries with the sync client
 * over WebSockets (see LiveQueries).
 */
export function clientTransport(url: string): LiveTransport {
  let live: LiveQueries | undefined;
  const httpClient = new ConvexHttpClient(url, { fetch: keepAliveFetch() as unknown as typeof fetch });
  return {
    ...httpTransport(httpClient),
    onUpdate(fn, args, onValue, onError) {
      live ??= new LiveQueries(url);
      return live.subscribe(getFunctionName(fn), args as Record<string, Value>, onValue as (value: unknown) => void, onError);
    },
    onConnectionChange(listener) {
      live ??= new LiveQueries(url);
      return live.onConnectionChange(listener);
    },
    close: async () => {
      await live?.close();
      live = undefined;
    },
  };
}
