import { mastraWorkflowSnapshotsTable } from "@mastra/convex/schema";
import { describe, expect, test } from "vitest";
import { internal } from "../../convex/_generated/api";
import { KEPT_RUNS } from "../../convex/mastra";
import schema from "../../convex/schema";
import { newBackend, requestQuote } from "./helpers";

// Mastra's workflow runs, as convex/ keeps them for the worker and Studio.

describe("mastra_workflow_snapshots", () => {
  test("is @mastra/convex's own table, field for field and index for index", () => {
    expect(JSON.parse(JSON.stringify(schema.tables.mastra_workflow_snapshots))).toEqual(JSON.parse(JSON.stringify(mastraWorkflowSnapshotsTable)));
  });

  test("the cron keeps the newest runs and every run still going, and deletes the other finished ones", async () => {
    const t = newBackend();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    await t.run(async (ctx) => {
      for (let i = 0; i < KEPT_RUNS + 30; i++) {
        // The oldest two are still running (a long negotiation), one is suspended; the rest finished.
        const status = i < 2 ? "running" : i === 2 ? "suspended" : "success";
        await ctx.db.insert("mastra_workflow_snapshots", {
          id: `run-${i}`,
          workflow_name: "negotiation-workflow",
          run_id: `run-${i}`,
          snapshot: JSON.stringify({ runId: `run-${i}`, status }),
          createdAt: at(i),
          updatedAt: at(i),
        });
      }
    });
    expect(await t.mutation(internal.mastra.prune, {})).toBe(27);
    const left = await t.run(async (ctx) => (await ctx.db.query("mastra_workflow_snapshots").collect()).map((r) => r.run_id));
    expect(left).toHaveLength(KEPT_RUNS + 3);
    expect(left).toEqual(expect.arrayContaining(["run-0", "run-1", "run-2", `run-${KEPT_RUNS + 29}`, "run-30"]));
    expect(left).not.toContain("run-3");
    expect(left).not.toContain("run-29");
    // Nothing more to do.
    expect(await t.mutation(internal.mastra.prune, {})).toBe(0);
  });

  test("the cron also deletes a suspended run whose quote ended or is gone, and keeps one its quote still waits on", async () => {
    const t = newBackend();
    const cancelled = (await requestQuote(t)).quoteId;
    const waiting = (await requestQuote(t)).quoteId;
    const gone = (await requestQuote(t)).quoteId;
    await t.run(async (ctx) => {
      await ctx.db.patch(cancelled, { status: "cancelled" });
      await ctx.db.patch(waiting, { status: "negotiating", suspendedRunId: "run-waiting" });
      await ctx.db.delete(gone);
    });
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const suspendedFor = (quoteId: string) => JSON.stringify({ status: "suspended", context: { input: { quoteId, workerId: "w", leaseEpoch: 1 } } });
    await t.run(async (ctx) => {
      const put = async (runId: string, snapshot: string, i: number) =>
        ctx.db.insert("mastra_workflow_snapshots", { id: runId, workflow_name: "negotiation-workflow", run_id: runId, snapshot, createdAt: at(i), updatedAt: at(i) });
      // The oldest: suspended for each quote, and one whose input is no quote of this deployment; then KEPT_RUNS newer finished runs.
      await put("run-cancelled", suspendedFor(cancelled), 0);
      await put("run-waiting", suspendedFor(waiting), 1);
      await put("run-gone", suspendedFor(gone), 2);
      await put("run-foreign", suspendedFor("q1"), 3);
      for (let i = 0; i < KEPT_RUNS; i++) await put(`run-new-${i}`, JSON.stringify({ status: "success" }), 10 + i);
    });
    expect(await t.mutation(internal.mastra.prune, {})).toBe(2);
    const left = await t.run(async (ctx) => (await ctx.db.query("mastra_workflow_snapshots").collect()).map((r) => r.run_id));
    expect(left).toEqual(expect.arrayContaining(["run-waiting", "run-foreign"]));
    expect(left).not.toContain("run-cancelled");
    expect(left).not.toContain("run-gone");
    expect(left).toHaveLength(KEPT_RUNS + 2);
  });
});
