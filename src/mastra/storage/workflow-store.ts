import { ConvexStore, type ConvexStoreConfig } from "@mastra/convex";
import { InMemoryStore, MastraCompositeStore } from "@mastra/core/storage";
import { api } from "../../../convex/_generated/api.js";
import { readRetryPolicy, retryTransport } from "../backend-retry.js";
import { clientTransport, type ConvexTransport } from "../convex-transport.js";

// Mastra's store. Workflow runs live in Convex (the mastra_workflow_snapshots
// table, through @mastra/convex's workflows domain), so the quote worker in the
// `npm start` process and Mastra Studio (`mastra dev`, another process) list
// the same runs with their steps. Other domains stay in memory: Parley keeps
// its negotiations in Convex itself, not in Mastra memory.
//
// @mastra/convex talks to Convex with an admin key over HTTP; Parley gives no
// process its admin key. Its requests go instead to `mastra.storage`
// (convex/mastra.ts), a service function that takes only the snapshot table's
// requests and checks the service key, over Parley's own transport.

/** The library's client type (ConvexAdminClient, which the package does not export by name). */
type AdminClient = Extract<ConvexStoreConfig, { client: unknown }>["client"];
type StorageRequest = Parameters<AdminClient["callStorageRaw"]>[0];
type RawResult = Awaited<ReturnType<AdminClient["callStorageRaw"]>>;

/** The two methods of ConvexAdminClient that the workflows domain (its ConvexDB) calls. */
export interface StorageClient {
  callStorageRaw(request: StorageRequest): Promise<RawResult>;
  callStorage(request: StorageRequest): Promise<unknown>;
}

/**
 * Storage requests as `mastra.storage` calls with the service key. The key is
 * held in this closure only (no property to serialize or print), and masked in
 * any error passed on. A transport error (Convex restarting) is retried as the
 * workflow's own reads are (PARLEY_BACKEND_OUTAGE_MS): every request the
 * workflows domain sends is an upsert, a merge or a read, so a repeat is harmless.
 */
export function serviceStorageClient(transport: ConvexTransport, serviceKey: string, env: NodeJS.ProcessEnv = process.env): StorageClient {
  const policy = readRetryPolicy(env);
  const mask = (text: string) => (serviceKey ? text.replaceAll(serviceKey, "[service key]") : text);
  const callStorageRaw = async (request: StorageRequest): Promise<RawResult> => {
    let response;
    try {
      response = await retryTransport(() => transport.mutation(api.mastra.storage, { serviceKey, request }), policy);
    } catch (error) {
      if (error instanceof Error) {
        error.message = mask(error.message);
        if (error.stack) error.stack = mask(error.stack);
        throw error;
      }
      throw new Error(mask(String(error)));
    }
    if (!response.ok) {
      throw Object.assign(new Error(mask(response.error || "Convex storage error")), { code: response.code, details: response.details });
    }
    return { result: response.result, hasMore: response.hasMore, continuationCursor: response.continuationCursor };
  };
  return {
    callStorageRaw,
    callStorage: async (request) => (await callStorageRaw(request)).result,
  };
}

/** A Mastra store whose workflow runs live in Convex, reached through `transport` with the service key. */
export function convexWorkflowStore(transport: ConvexTransport, serviceKey: string, env: NodeJS.ProcessEnv = process.env): MastraCompositeStore {
  // ConvexAdminClient's members are TS-private, so an object with its two
  // called methods does not type as one; the domains call nothing else.
  const client = serviceStorageClient(transport, serviceKey, env) as unknown as AdminClient;
  // ConvexStore builds every domain on the client without calling it; only its
  // workflows domain is used (WorkflowsConvex is not exported by name).
  const convex = new ConvexStore({ id: "parley-convex", client });
  return new MastraCompositeStore({
    id: "parley-store",
    default: new InMemoryStore({ id: "parley-memory" }),
    domains: { workflows: convex.stores.workflows },
  });
}

/**
 * Parley's Mastra store: workflow runs in the Convex deployment at CONVEX_URL
 * when PARLEY_SERVICE_KEY is set too (`npm start` sets both for the worker and
 * for Studio), in memory otherwise.
 */
export function createWorkflowStore(env: NodeJS.ProcessEnv = process.env): MastraCompositeStore {
  const url = env.CONVEX_URL;
  const serviceKey = env.PARLEY_SERVICE_KEY;
  if (url && serviceKey) return convexWorkflowStore(clientTransport(url), serviceKey, env);
  // No deployment to keep them in (a unit test, a bare `mastra dev`): runs stay in this process's memory.
  return new MastraCompositeStore({ id: "parley-store", default: new InMemoryStore({ id: "parley-memory" }) });
}
