import { mastraStorage, TABLE_WORKFLOW_SNAPSHOT } from "@mastra/convex/server";
import type { GenericMutationCtx, GenericDataModel } from "convex/server";
import { v } from "convex/values";
import type { MutationCtx } from "./_generated/server";
import { internalMutation } from "./model/triggers";
import { serviceMutation } from "./functions";
import { invalid } from "./model/errors";
import { WORKFLOW_STATE_CONFLICT } from "./model/workflowState";

// Mastra's workflow runs (snapshots), kept here so that the quote worker (in
// `npm start`) and Mastra Studio (`mastra dev`, another process) share them:
// src/mastra/storage/workflow-store.ts sends @mastra/convex's storage requests
// to `mastra.storage` with the service key.
//
// The library's own `mastraStorage` is a public mutation that checks no caller
// and writes any of its tables, so it is never exported from convex/; this
// service function takes only the workflow-snapshot table's requests and hands
// them to the library's handler.

/** What WorkflowsConvex (through its ConvexDB) sends for the snapshot table. */
const WORKFLOW_OPS = new Set([
  "load",
  "loadMany",
  "insert",
  "batchInsert",
  "patch",
  "queryTable",
  "deleteMany",
  "clearTable",
  "dropTable",
  "mergeWorkflowStepResult",
  "mergeWorkflowState",
]);

// The shapes of @mastra/convex's storage/types.ts, which the package does not export.
type StorageRequest = { op: string; tableName: string } & Record<string, unknown>;
type StorageResponse =
  | { ok: true; result?: unknown; hasMore?: boolean; continuationCursor?: string | null }
  | { ok: false; error: string; code?: string; details?: Record<string, unknown> };

type Handler = (ctx: GenericMutationCtx<GenericDataModel>, request: StorageRequest) => Promise<StorageResponse>;

/**
 * The handler of the library's mutation, unregistered. @mastra/convex/server
 * exports `mastraStorage` but not the `handleTypedOperation` it routes to; a
 * function registered with convex/server keeps its handler as `_handler`. For
 * the snapshot table, `mastraStorage` resolves the table to
 * `mastra_workflow_snapshots` and calls `handleTypedOperation` on it.
 */
const libraryHandler = (mastraStorage as unknown as { _handler?: Handler })._handler;

export const storage = serviceMutation({
  args: { request: v.any() },
  handler: async (ctx, { request }): Promise<StorageResponse> => {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      invalid("request", "request must be a Mastra storage request object");
    }
    const { tableName, op } = request as { tableName?: unknown; op?: unknown };
    if (tableName !== TABLE_WORKFLOW_SNAPSHOT) {
      const named = JSON.stringify(tableName ?? null).slice(0, 80);
      invalid("request.tableName", `mastra.storage only keeps workflow snapshots (tableName "${TABLE_WORKFLOW_SNAPSHOT}"), not ${named}`);
    }
    if (typeof op !== "string" || !WORKFLOW_OPS.has(op)) {
      invalid("request.op", `mastra.storage does not support the operation ${JSON.stringify(op ?? null).slice(0, 80)} on workflow snapshots`);
    }
    if (typeof libraryHandler !== "function") throw new Error("@mastra/convex's mastraStorage has no handler to delegate to");
    if (op === "mergeWorkflowState") {
      const guarded = await guardWorkflowState(ctx, request as StorageRequest);
      if ("conflict" in guarded) return guarded.conflict;
      return await libraryHandler(ctx, guarded.request);
    }
    return await libraryHandler(ctx, request as StorageRequest);
  },
});

/**
 * Mastra claims a suspended run before resuming it: a state change with
 * `expectedStatus: "suspended"`, which must apply only if the run still has
 * that status (compare-and-swap), so that of two resumes of one suspension
 * only one goes on. The library's handler merges `expectedStatus` into the
 * snapshot as if it were state; here, inside the same transaction, the status
 * is checked first (one status or any of several, as Mastra's own stores
 * check it) and the guard is taken out of what is merged.
 */
async function guardWorkflowState(ctx: MutationCtx, request: StorageRequest): Promise<{ request: StorageRequest } | { conflict: StorageResponse }> {
  let opts: unknown;
  try {
    opts = JSON.parse(String(request.opts));
  } catch {
    invalid("request.opts", "opts must be the JSON text of the state to merge");
  }
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) invalid("request.opts", "opts must be the JSON text of an object");
  const { expectedStatus, ...state } = opts as Record<string, unknown>;
  if (expectedStatus === undefined) return { request };
  const row = await ctx.db
    .query("mastra_workflow_snapshots")
    .withIndex("by_workflow_run", (q) => q.eq("workflow_name", String(request.workflowName)).eq("run_id", String(request.runId)))
    .unique();
  const status = row ? runOf(row.snapshot).status : undefined;
  const allowed = Array.isArray(expectedStatus) ? expectedStatus : [expectedStatus];
  if (row && (status === undefined || !allowed.includes(status))) {
    return {
      conflict: {
        ok: false,
        code: WORKFLOW_STATE_CONFLICT,
        error: `Workflow run ${String(request.runId)} is ${status ?? "without a status"}, not ${allowed.join(" or ")}: another caller changed it first`,
        details: { expectedStatus: allowed, actualStatus: status ?? null },
      },
    };
  }
  return { request: { ...request, opts: JSON.stringify(state) } };
}

/** Finished runs kept for Studio: its run list reads the whole table in one call, so the table must stay small. */
export const KEPT_RUNS = 100;
/** Statuses of a run that may still go on: never pruned, unless suspended for a quote that ended (abandoned). */
const LIVE = new Set(["running", "pending", "waiting", "suspended", "paused"]);

/** A run's status and, for the negotiation workflow, the quote it works for (its input). */
function runOf(snapshot: unknown): { status?: string; quoteId?: string } {
  try {
    const value = typeof snapshot === "string" ? JSON.parse(snapshot) : snapshot;
    const quoteId = value?.context?.input?.quoteId;
    return { status: typeof value?.status === "string" ? value.status : undefined, quoteId: typeof quoteId === "string" ? quoteId : undefined };
  } catch {
    return {};
  }
}

/**
 * A suspended run nothing will resume: its quote is gone, or no longer
 * negotiating (transitionQuote then clears the quote's suspendedRunId, so no
 * worker is woken for it) and does not name it as its waiting run. A run
 * whose input names no quote of this deployment is kept: it is not the
 * negotiation workflow's.
 */
async function abandoned(ctx: MutationCtx, run: { run_id: string }, quoteId: string | undefined): Promise<boolean> {
  const id = quoteId === undefined ? null : ctx.db.normalizeId("quotes", quoteId);
  if (!id) return false;
  const quote = await ctx.db.get(id);
  return !quote || (quote.status !== "negotiating" && quote.suspendedRunId !== run.run_id);
}

/** The cron's: deletes finished runs beyond the newest KEPT_RUNS, and suspended ones whose quote ended, a bounded batch at a time. */
export const prune = internalMutation({
  args: {},
  handler: async (ctx) => {
    let seen = 0;
    let deleted = 0;
    for await (const run of ctx.db.query("mastra_workflow_snapshots").withIndex("by_created").order("desc")) {
      if (++seen <= KEPT_RUNS) continue;
      const { status = "running", quoteId } = runOf(run.snapshot);
      if (LIVE.has(status) && !(status === "suspended" && (await abandoned(ctx, run, quoteId)))) continue;
      await ctx.db.delete(run._id);
      if (++deleted >= 100 || seen >= KEPT_RUNS + 1_000) break;
    }
    return deleted;
  },
});
