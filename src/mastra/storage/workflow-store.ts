import { randomUUID } from "node:crypto";
import { ConvexStore, type ConvexStoreConfig } from "@mastra/convex";
import { InMemoryStore, MastraCompositeStore, type WorkflowsStorage } from "@mastra/core/storage";
import { api } from "../../../convex/_generated/api.js";
import { WORKFLOW_STATE_CONFLICT } from "../../../convex/model/workflowState.js";
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

type PersistArgs = Parameters<WorkflowsStorage["persistWorkflowSnapshot"]>[0];
const AFTER_SAVES = new Set<string | symbol>([
  "loadWorkflowSnapshot",
  "updateWorkflowResults",
  "updateWorkflowState",
  "listWorkflowRuns",
  "getWorkflowRunById",
  "deleteWorkflowRunById",
  "dangerouslyClearAll",
] satisfies (keyof WorkflowsStorage)[]);

/** Run ids made by newRunId and not saved yet: no store anywhere can hold them. */
const freshRuns = new Set<string>();

/**
 * An id for a run this process is about to create. Mastra looks a run up
 * before creating it; for an id made here a moment ago the answer is known
 * (there is none), so the write-behind store gives it without a round trip.
 */
export function newRunId(): string {
  const runId = randomUUID();
  // Only a write-behind store looks (and forgets it on that first look or first save).
  if (writeBehinds.size > 0) freshRuns.add(runId);
  return runId;
}

/** Every write-behind domain of this process, so that a stopping worker can wait for their last snapshots. */
const writeBehinds = new Set<{ settled(): Promise<void> }>();

/** Resolves once every snapshot handed to a Convex workflow store of this process has been written (or given up on). */
export async function settleWorkflowRuns(): Promise<void> {
  await Promise.all([...writeBehinds].map((w) => w.settled()));
}

/**
 * The workflows domain with snapshot saves written behind. Mastra awaits a
 * save before each step and after the last; through @mastra/convex each is a
 * load and an insert, two round trips on the way to the first message and two
 * more before the run returns. Parley resumes a quote from what Convex holds
 * (its lease and its negotiations), never from a Mastra snapshot, so a save
 * need not hold up the run: it returns at once, and a run's saves are sent one
 * at a time, in order, the latest replacing any not sent yet. Every other call
 * about a run (load, merge, list, delete) first waits for that run's saves, so
 * a reader in this process sees what it wrote. A save that fails after the
 * transport's retries is logged and dropped; the next one rewrites the whole run.
 */
export function writeBehindWorkflows(inner: WorkflowsStorage, log: (message: string) => void = (m) => console.warn(`[parley] ${m}`)): WorkflowsStorage {
  // By run id: ids are UUIDs, unique across workflows.
  const waiting = new Map<string, PersistArgs>();
  const sending = new Map<string, Promise<void>>();
  const drain = async (runId: string) => {
    for (let args = waiting.get(runId); args; args = waiting.get(runId)) {
      waiting.delete(runId);
      try {
        await inner.persistWorkflowSnapshot(args);
      } catch (error) {
        log(`could not save run ${args.runId} of ${args.workflowName} (Studio shows its earlier state): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    sending.delete(runId);
  };
  const persist = (args: PersistArgs): Promise<void> => {
    freshRuns.delete(args.runId);
    // A copy: Mastra goes on changing the objects a snapshot refers to.
    waiting.set(args.runId, { ...args, snapshot: JSON.parse(JSON.stringify(args.snapshot)) });
    if (!sending.has(args.runId)) sending.set(args.runId, drain(args.runId));
    return Promise.resolve();
  };
  /** The saves of one run, or (a listing, a clear) of every run. */
  const settled = async (runId?: string): Promise<void> => {
    await Promise.all(runId === undefined ? sending.values() : [sending.get(runId)]);
  };
  writeBehinds.add({ settled: () => settled() });
  const after =
    <A extends { runId?: string } | undefined, R>(call: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      await settled(args?.runId);
      return await call(args);
    };
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "persistWorkflowSnapshot") return persist;
      if (property === "getWorkflowRunById" || property === "loadWorkflowSnapshot") {
        const read = after((args: { runId: string }) => (value as (a: unknown) => Promise<unknown>).call(target, args));
        return (args: { runId: string }) => (freshRuns.delete(args.runId) ? Promise.resolve(null) : read(args));
      }
      // The calls that read or change stored runs go after the saves they concern.
      if (typeof value === "function" && AFTER_SAVES.has(property)) return after((args: never) => (value as (a: unknown) => Promise<unknown>).call(target, args));
      return value;
    },
  });
}

/**
 * A state change guarded by `expectedStatus` that lost its race (the run has
 * another status now) comes back from `mastra.storage` as a conflict; Mastra's
 * stores answer it with no snapshot, which is what its resume claim reads as
 * "already claimed by another caller" (WORKFLOW_RESUME_ALREADY_CLAIMED).
 */
export function casWorkflowState(inner: WorkflowsStorage): WorkflowsStorage {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      // Called on the store itself, whatever wraps this proxy: its methods use private fields.
      if (property !== "updateWorkflowState") return value.bind(target);
      return async (args: Parameters<WorkflowsStorage["updateWorkflowState"]>[0]) => {
        try {
          return await (value as WorkflowsStorage["updateWorkflowState"]).call(target, args);
        } catch (error) {
          if ((error as { code?: unknown })?.code === WORKFLOW_STATE_CONFLICT) return undefined;
          throw error;
        }
      };
    },
  });
}

/** A Mastra store whose workflow runs live in Convex, reached through `transport` with the service key. */
export function convexWorkflowStore(transport: ConvexTransport, serviceKey: string, env: NodeJS.ProcessEnv = process.env): MastraCompositeStore {
  // ConvexAdminClient's members are TS-private, so an object with its two
  // called methods does not type as one; the domains call nothing else.
  const client = serviceStorageClient(transport, serviceKey, env) as unknown as AdminClient;
  // ConvexStore builds every domain on the client without calling it; only its
  // workflows domain is used (WorkflowsConvex is not exported by name).
  const convex = new ConvexStore({ id: "parley-convex", client });
  if (!convex.stores.workflows) throw new Error("@mastra/convex has no workflows domain");
  return new MastraCompositeStore({
    id: "parley-store",
    default: new InMemoryStore({ id: "parley-memory" }),
    domains: { workflows: writeBehindWorkflows(casWorkflowState(convex.stores.workflows)) },
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
