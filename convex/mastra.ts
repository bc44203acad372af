import { mastraStorage, TABLE_WORKFLOW_SNAPSHOT } from "@mastra/convex/server";
import type { GenericMutationCtx, GenericDataModel } from "convex/server";
import { v } from "convex/values";
import type { MutationCtx } from "./_generated/server";
import { internalMutation } from "./model/triggers";
import { serviceMutation } from "./functions";
import { invalid } from "./model/errors";

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
    return await libraryHandler(ctx, request as StorageRequest);
  },
});

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
