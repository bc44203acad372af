import { WorkflowsInMemory } from "@mastra/core/storage";
import { describe, expect, it } from "vitest";
import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import {
  convexWorkflowStore,
  createWorkflowStore,
  newRunId,
  serviceStorageClient,
  settleWorkflowRuns,
  writeBehindWorkflows,
} from "../../src/mastra/storage/workflow-store.js";
import { convexTestBackend, SERVICE_KEY } from "./helpers/convex-test-backend.js";

// Mastra's workflow store on the real convex/ functions (convex-test): runs
// written through one store instance are read by another, as the quote worker
// and Studio share them. The end-to-end version, with a worker and the
// embedded backend, is run-store.test.ts.

const snapshot = { runId: "r1", status: "running", context: {}, value: {}, activePaths: [], serializedStepGraph: [], timestamp: 1 } as any;

describe("workflow store (Convex)", () => {
  it("keeps workflow runs in Convex across store instances", async () => {
    const { transport } = convexTestBackend();
    const first = await convexWorkflowStore(transport, SERVICE_KEY).getStore("workflows");
    await first!.persistWorkflowSnapshot({ workflowName: "negotiation-workflow", runId: "r1", snapshot });
    await first!.updateWorkflowResults({
      workflowName: "negotiation-workflow",
      runId: "r1",
      stepId: "prepare",
      result: { status: "success", output: { ok: true }, payload: {}, startedAt: 1, endedAt: 2 } as any,
      requestContext: {},
    });
    await first!.updateWorkflowState({ workflowName: "negotiation-workflow", runId: "r1", opts: { status: "success" } as any });

    const second = await convexWorkflowStore(transport, SERVICE_KEY).getStore("workflows");
    const loaded = await second!.loadWorkflowSnapshot({ workflowName: "negotiation-workflow", runId: "r1" });
    expect(loaded?.status).toBe("success");
    expect(loaded?.context.prepare).toMatchObject({ status: "success", output: { ok: true } });
    const { runs, total } = await second!.listWorkflowRuns({ workflowName: "negotiation-workflow" });
    expect(total).toBe(1);
    expect(runs[0]!.runId).toBe("r1");
    expect(runs[0]!.createdAt).toBeInstanceOf(Date);
    expect((await second!.getWorkflowRunById({ runId: "r1", workflowName: "negotiation-workflow" }))?.runId).toBe("r1");

    await second!.deleteWorkflowRunById({ runId: "r1", workflowName: "negotiation-workflow" });
    expect((await first!.listWorkflowRuns({})).total).toBe(0);
  });

  it("keeps runs in memory without CONVEX_URL and PARLEY_SERVICE_KEY", async () => {
    for (const env of [{}, { CONVEX_URL: "http://127.0.0.1:1" }, { PARLEY_SERVICE_KEY: SERVICE_KEY }]) {
      const workflows = await createWorkflowStore(env).getStore("workflows");
      expect(workflows).toBeInstanceOf(WorkflowsInMemory);
    }
  });

  it("keeps the service key out of what the client holds and of the errors it passes on", async () => {
    const failing: ConvexTransport = {
      query: () => Promise.reject(new Error("unused")),
      mutation: (_fn, args) => Promise.reject(new Error(`Uncaught Error: bad call ${JSON.stringify(args)}`)),
    };
    const client = serviceStorageClient(failing, SERVICE_KEY);
    expect(JSON.stringify(client)).not.toContain(SERVICE_KEY);
    const error = await client.callStorage({ op: "load", tableName: "mastra_workflow_snapshot", keys: {} }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("[service key]");
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(SERVICE_KEY);
  });

  it("writes snapshots behind: a save returns at once, a run's saves go in order with the latest replacing unsent ones, and reads wait for them", async () => {
    const calls: string[] = [];
    const stored = new Map<string, any>();
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    let failNext = false;
    const inner: any = {};
    inner.persistWorkflowSnapshot = async ({ runId, snapshot: s }: any) => {
      calls.push(`save ${runId} ${s.status}${s.context?.step ? ` step ${s.context.step}` : ""}`);
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error("backend unreachable for 2 min");
      }
      stored.set(runId, s);
    };
    inner.loadWorkflowSnapshot = async ({ runId }: any) => {
      calls.push(`load ${runId}`);
      return stored.get(runId) ?? null;
    };
    inner.getWorkflowRunById = async ({ runId }: any) => {
      calls.push(`get ${runId}`);
      return stored.has(runId) ? { runId, snapshot: stored.get(runId) } : null;
    };
    const logged: string[] = [];
    const store = writeBehindWorkflows(inner, (m) => logged.push(m));
    const save = (runId: string, status: string) => store.persistWorkflowSnapshot({ workflowName: "w", runId, snapshot: { ...snapshot, status } });

    // A save returns before the backend has it; Mastra's later changes to the object do not reach the stored copy.
    const live = { ...snapshot, status: "running", context: { step: 1 } };
    await store.persistWorkflowSnapshot({ workflowName: "w", runId: "a", snapshot: live });
    live.context.step = 2;
    for (const status of ["step-1", "step-2", "success"]) await save("a", status);
    expect(calls).toEqual(["save a running step 1"]);
    const loaded = store.loadWorkflowSnapshot({ workflowName: "w", runId: "a" });
    release();
    expect((await loaded)?.status).toBe("success");
    // The first save, then only the latest of those that waited behind it.
    expect(calls).toEqual(["save a running step 1", "save a success", "load a"]);
    expect(stored.get("a").status).toBe("success");

    // A save that fails is logged and dropped; the next one rewrites the run.
    gate = Promise.resolve();
    failNext = true;
    await save("b", "running");
    await settleWorkflowRuns();
    expect(logged).toEqual([expect.stringContaining("backend unreachable for 2 min")]);
    expect(stored.has("b")).toBe(false);
    await save("b", "success");
    await settleWorkflowRuns();
    expect(stored.get("b").status).toBe("success");

    // A run id made here a moment ago is known to be new: looking it up costs no round trip.
    calls.length = 0;
    const fresh = newRunId();
    expect(await store.getWorkflowRunById({ runId: fresh, workflowName: "w" })).toBeNull();
    expect(calls).toEqual([]);
    await save(fresh, "pending");
    expect((await store.getWorkflowRunById({ runId: fresh, workflowName: "w" }))?.runId).toBe(fresh);
    expect(calls).toEqual([`save ${fresh} pending`, `get ${fresh}`]);
  });
});
