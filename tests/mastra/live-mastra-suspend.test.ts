import { ConsoleLogger } from "@mastra/core/logger";
import { Mastra } from "@mastra/core/mastra";
import { RequestContext } from "@mastra/core/request-context";
import { createStep, createWorkflow } from "@mastra/core/workflows";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { internal } from "../../convex/_generated/api.js";
import { convexWorkflowStore, newRunId, serviceStorageClient, settleWorkflowRuns } from "../../src/mastra/storage/workflow-store.js";
import { convexTestBackend, SERVICE_KEY } from "./helpers/convex-test-backend.js";

// Mastra 1.71 suspend/resume on Parley's Convex workflow store. A toy workflow
// shaped like negotiation-workflow (prepare → run-negotiations → evaluate),
// pinning the library behaviours the live-supplier suspension relies on (and its
// pitfalls), so that an upgrade that changes one of them fails here first.

const HANDLE = "parley.run";
const preparedSchema = z.object({ quoteId: z.string(), workerId: z.string(), leaseEpoch: z.number() });
const resumeSchema = z.object({ workerId: z.string(), leaseEpoch: z.number().int().positive() });
const suspendSchema = z.object({ waitingOn: z.array(z.string()), cycle: z.number() });

type Seen = { inputData: unknown; resumeData: unknown; suspendData: unknown; handle: unknown; aborted: boolean };

/** One "process": its own workflow object, its own Mastra, its own store instance, on the shared Convex. */
function processOn(transport: Parameters<typeof convexWorkflowStore>[0], suspendCycles: number) {
  const seen: Seen[] = [];
  const evaluated: unknown[] = [];
  const prepare = createStep({
    id: "prepare",
    inputSchema: preparedSchema,
    outputSchema: preparedSchema,
    execute: async ({ inputData }) => inputData,
  });
  const negotiate = createStep({
    id: "run-negotiations",
    inputSchema: preparedSchema,
    outputSchema: z.object({ quoteId: z.string(), leaseEpoch: z.number(), cycles: z.number() }),
    suspendSchema,
    resumeSchema,
    execute: async ({ inputData, resumeData, suspendData, suspend, requestContext, writer, abortSignal }) => {
      seen.push({ inputData, resumeData, suspendData, handle: requestContext.get(HANDLE), aborted: abortSignal.aborted });
      await writer?.write({ type: "probe" });
      const cycle = (suspendData?.cycle ?? 0) + 1;
      if (cycle <= suspendCycles) return await suspend({ waitingOn: ["neg-1", "neg-2"], cycle });
      return { quoteId: inputData.quoteId, leaseEpoch: (resumeData ?? inputData).leaseEpoch, cycles: cycle - 1 };
    },
  });
  const evaluate = createStep({
    id: "evaluate",
    inputSchema: negotiate.outputSchema,
    outputSchema: negotiate.outputSchema,
    execute: async ({ inputData }) => {
      evaluated.push(inputData);
      return inputData;
    },
  });
  const workflow = createWorkflow({
    id: "toy-negotiation",
    inputSchema: preparedSchema,
    outputSchema: negotiate.outputSchema,
    options: { autoRestartActiveRuns: false },
  })
    .then(prepare)
    .then(negotiate)
    .then(evaluate)
    .commit();
  const mastra = new Mastra({
    workflows: { workflow },
    storage: convexWorkflowStore(transport, SERVICE_KEY),
    logger: new ConsoleLogger({ level: "error" }),
  });
  return { mastra, workflow: mastra.getWorkflow("workflow"), seen, evaluated };
}

const ctx = (handle: string): RequestContext => new RequestContext([[HANDLE, handle]]);
/** A run started (and saved) by a first process: suspended at run-negotiations when `suspendCycles` > 0, done otherwise. */
async function startedRun(transport: Parameters<typeof convexWorkflowStore>[0], suspendCycles: number, quoteId: string, handle: string) {
  const first = processOn(transport, suspendCycles);
  const runId = newRunId();
  await (await first.workflow.createRun({ runId })).start({ inputData: { quoteId, workerId: "w1", leaseEpoch: 1 }, requestContext: ctx(handle) });
  await settleWorkflowRuns();
  return { first, runId };
}
const raw = async (transport: Parameters<typeof serviceStorageClient>[0]) =>
  (await serviceStorageClient(transport, SERVICE_KEY).callStorage({ op: "queryTable", tableName: "mastra_workflow_snapshot" })) as {
    run_id: string;
    snapshot: string;
  }[];

describe("Mastra suspend/resume on the Convex store", () => {
  it("suspends, stores `suspended`, and resumes 3 times from new Mastra instances with only the runId", async () => {
    const { transport } = convexTestBackend();
    const first = processOn(transport, 3);
    const runId = newRunId();
    const run = await first.workflow.createRun({ runId });
    const started = await run.start({ inputData: { quoteId: "q1", workerId: "w1", leaseEpoch: 1 }, requestContext: ctx("handle-1") });
    expect(started.status).toBe("suspended");
    if (started.status !== "suspended") throw new Error("unreachable");
    expect(started.suspended).toEqual([["run-negotiations"]]);
    expect(started.steps["run-negotiations"]).toMatchObject({ status: "suspended", suspendPayload: { waitingOn: ["neg-1", "neg-2"], cycle: 1 } });
    expect(started.suspendPayload).toEqual({ "run-negotiations": { waitingOn: ["neg-1", "neg-2"], cycle: 1 } });
    await settleWorkflowRuns();
    const [doc] = await raw(transport);
    const stored = JSON.parse(doc!.snapshot);
    expect(stored.status).toBe("suspended");
    expect(stored.suspendedPaths).toEqual({ "run-negotiations": [1] });
    expect(stored.requestContext).toEqual({ [HANDLE]: "handle-1" });
    // The same process keeps the suspended Run object: createRun hands it back.
    expect(await first.workflow.createRun({ runId })).toBe(run);

    for (let cycle = 2; cycle <= 4; cycle++) {
      const next = processOn(transport, 3);
      const resumed = await next.workflow.createRun({ runId });
      const result = await resumed.resume({
        step: "run-negotiations",
        resumeData: { workerId: `w${cycle}`, leaseEpoch: cycle },
        requestContext: ctx(`handle-${cycle}`),
      });
      await settleWorkflowRuns();
      expect(next.seen).toEqual([
        {
          inputData: { quoteId: "q1", workerId: "w1", leaseEpoch: 1 },
          resumeData: { workerId: `w${cycle}`, leaseEpoch: cycle },
          suspendData: { waitingOn: ["neg-1", "neg-2"], cycle: cycle - 1 },
          handle: `handle-${cycle}`,
          aborted: false,
        },
      ]);
      const now = JSON.parse((await raw(transport))[0]!.snapshot);
      if (cycle < 4) {
        expect(result.status).toBe("suspended");
        expect(now.status).toBe("suspended");
        expect(next.evaluated).toEqual([]);
      } else {
        expect(result.status).toBe("success");
        expect(now.status).toBe("success");
        expect(next.evaluated).toEqual([{ quoteId: "q1", leaseEpoch: 4, cycles: 3 }]);
      }
    }
  });

  it("refuses bad resumeData, a resume of a run that is not suspended, and an unknown run", async () => {
    const { transport } = convexTestBackend();
    const { runId } = await startedRun(transport, 1, "q2", "h1");
    const b = processOn(transport, 1);
    const run = await b.workflow.createRun({ runId });
    const bad = await run.resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: -1 } as never, requestContext: ctx("h2") }).catch((e: Error) => e);
    expect(bad).toMatchObject({ id: "WORKFLOW_SCHEMA_VALIDATION_FAILED" });
    // Still suspended after the refusal.
    expect(JSON.parse((await raw(transport))[0]!.snapshot).status).toBe("suspended");
    expect((await run.resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") })).status).toBe("success");
    await settleWorkflowRuns();
    const again = await (await processOn(transport, 1).workflow.createRun({ runId }))
      .resume({ step: "run-negotiations", resumeData: { workerId: "w3", leaseEpoch: 3 }, requestContext: ctx("h3") })
      .catch((e: Error) => e);
    expect(String(again)).toMatch(/not suspended/);
    const unknown = await (await processOn(transport, 1).workflow.createRun({ runId: "no-such-run" }))
      .resume({ step: "run-negotiations", resumeData: { workerId: "w3", leaseEpoch: 3 } })
      .catch((e: Error) => e);
    // createRun wrote a `pending` row for the unknown id; resume polls it for 2 s, then refuses.
    expect(String(unknown)).toMatch(/not suspended/);
  });

  it("cancel of a suspended run from a new instance, and settleWorkflowRuns leaves suspended runs alone", async () => {
    const { transport } = convexTestBackend();
    const { runId } = await startedRun(transport, 1, "q4", "h1");
    expect(JSON.parse((await raw(transport))[0]!.snapshot).status).toBe("suspended");
    const b = processOn(transport, 1);
    const run = await b.workflow.createRun({ runId });
    await run.cancel();
    await settleWorkflowRuns();
    const after = JSON.parse((await raw(transport))[0]!.snapshot);
    const resumed = await (await processOn(transport, 1).workflow.createRun({ runId }))
      .resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") })
      .catch((e: Error) => e);
    expect(after.status).toBe("canceled");
    expect(String(resumed)).toMatch(/not suspended/);
  });

  it("the resume claim is a compare-and-set: a state change whose expectedStatus the run no longer has changes nothing", async () => {
    const { transport } = convexTestBackend();
    const { first: a, runId } = await startedRun(transport, 0, "q5", "h1");
    const store = (await a.mastra.getStorage()!.getStore("workflows"))!;
    expect(store.supportsConcurrentUpdates()).toBe(true);
    // The run is `success`, not `suspended`: no snapshot back, nothing merged.
    expect(await store.updateWorkflowState({ workflowName: "toy-negotiation", runId, opts: { status: "running", expectedStatus: "suspended" } as never })).toBeUndefined();
    expect(await store.updateWorkflowState({ workflowName: "toy-negotiation", runId, opts: { status: "running", expectedStatus: ["suspended", "pending"] } as never })).toBeUndefined();
    let stored = JSON.parse((await raw(transport))[0]!.snapshot);
    expect(stored.status).toBe("success");
    expect(stored).not.toHaveProperty("expectedStatus");
    // One of several expected statuses that matches: merged, and the guard is not stored as state.
    const changed = await store.updateWorkflowState({ workflowName: "toy-negotiation", runId, opts: { status: "running", expectedStatus: ["suspended", "success"] } as never });
    expect(changed?.status).toBe("running");
    stored = JSON.parse((await raw(transport))[0]!.snapshot);
    expect(stored.status).toBe("running");
    expect(stored).not.toHaveProperty("expectedStatus");
    // Without a guard a change merges as before.
    expect((await store.updateWorkflowState({ workflowName: "toy-negotiation", runId, opts: { status: "success" } as never }))?.status).toBe("success");
    expect(JSON.parse((await raw(transport))[0]!.snapshot).status).toBe("success");
  });

  it("two resumes of one suspension, from two processes at once: one runs the step, the other is told it was already claimed", async () => {
    const { transport } = convexTestBackend();
    const { runId } = await startedRun(transport, 1, "q9", "h1");
    const b = processOn(transport, 1);
    const c = processOn(transport, 1);
    const [runB, runC] = [await b.workflow.createRun({ runId }), await c.workflow.createRun({ runId })];
    const results = await Promise.allSettled([
      runB.resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") }),
      runC.resume({ step: "run-negotiations", resumeData: { workerId: "w3", leaseEpoch: 3 }, requestContext: ctx("h3") }),
    ]);
    await settleWorkflowRuns();
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect((fulfilled[0] as PromiseFulfilledResult<{ status: string }>).value.status).toBe("success");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ id: "WORKFLOW_RESUME_ALREADY_CLAIMED" });
    // The step ran once, and evaluate once, in the process that won.
    expect(b.seen.length + c.seen.length).toBe(1);
    expect(b.evaluated.length + c.evaluated.length).toBe(1);
    expect(JSON.parse((await raw(transport))[0]!.snapshot).status).toBe("success");
  });

  it("pitfalls: createRun of an unknown id writes a pending row, getWorkflowRunById", async () => {
    const { transport } = convexTestBackend();
    const { first: a, runId } = await startedRun(transport, 0, "q5", "h1");

    const byId = await a.workflow.getWorkflowRunById(runId);
    expect(byId?.status).toBe("success");
    expect(await a.workflow.getWorkflowRunById("never-made")).toBeNull();
    const before = (await raw(transport)).length;
    await processOn(transport, 0).workflow.createRun({ runId: "never-made-2" });
    await settleWorkflowRuns();
    const rows = await raw(transport);
    expect(rows).toHaveLength(before + 1);
    expect(JSON.parse(rows.find((r) => r.run_id === "never-made-2")!.snapshot).status).toBe("pending");
  });

  it("a crash mid-resume leaves the run `running`: resume refuses; restart() reruns the step without resumeData", async () => {
    const { transport } = convexTestBackend();
    const { runId } = await startedRun(transport, 1, "q6", "h1");
    // The "crashed" resume: Mastra claims the run (status running), then the step never ends.
    const hung = processOn(transport, 1);
    const hungRun = await hung.workflow.createRun({ runId });
    const stuck = new Promise(() => {});
    hung.workflow.steps["run-negotiations"]!.execute = (async () => stuck) as never;
    void hungRun.resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") });
    await new Promise((r) => setTimeout(r, 200));
    await settleWorkflowRuns();
    expect(JSON.parse((await raw(transport))[0]!.snapshot).status).toBe("running");
    const b = processOn(transport, 1);
    const refused = await (await b.workflow.createRun({ runId })).resume({ step: "run-negotiations", resumeData: { workerId: "w3", leaseEpoch: 3 }, requestContext: ctx("h3") }).catch((e: Error) => e);
    expect(String(refused)).toMatch(/not suspended/);
    const c = processOn(transport, 1);
    const restarted = await (await c.workflow.createRun({ runId })).restart({ requestContext: ctx("h4") }).catch((e: Error) => e);
    // restart() reruns the step with the original inputData and no resumeData: the lease must come from the handle then.
    expect((restarted as { status?: string }).status).toBe("suspended");
    expect(c.seen).toEqual([{ inputData: { quoteId: "q6", workerId: "w1", leaseEpoch: 1 }, resumeData: undefined, suspendData: undefined, handle: "h4", aborted: false }]);
  });

  it("a worker stopping mid-step: suspend on its own signal keeps the run resumable; run.cancel() does not", async () => {
    const { transport } = convexTestBackend();
    for (const how of ["suspend-on-own-signal", "run.cancel"] as const) {
      const stop = new AbortController();
      const p = processOn(transport, 0);
      // The step waits for the worker's signal, then suspends (as a stopping worker would).
      p.workflow.steps["run-negotiations"]!.execute = (async ({ suspend, abortSignal }: any) => {
        await new Promise<void>((r) => {
          stop.signal.addEventListener("abort", () => r(), { once: true });
          abortSignal.addEventListener("abort", () => r(), { once: true });
        });
        return await suspend({ waitingOn: [], cycle: 0 });
      }) as never;
      const runId = newRunId();
      const run = await p.workflow.createRun({ runId });
      const done = run.start({ inputData: { quoteId: "q7", workerId: "w1", leaseEpoch: 1 }, requestContext: ctx("h1") });
      await new Promise((r) => setTimeout(r, 100));
      if (how === "run.cancel") await run.cancel();
      else stop.abort();
      const result = await done;
      await settleWorkflowRuns();
      const stored = (await raw(transport)).find((d) => d.run_id === runId)!;
      const expected = how === "run.cancel" ? "canceled" : "suspended";
      expect([result.status, JSON.parse(stored.snapshot).status]).toEqual([expected, expected]);
    }
  });

  it("a resume without a RequestContext (as Studio's Resume button) gets the handle id stored in the snapshot", async () => {
    const { transport } = convexTestBackend();
    const { runId } = await startedRun(transport, 1, "q8", "old-handle");
    const b = processOn(transport, 1);
    const result = await (await b.workflow.createRun({ runId })).resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 } });
    expect(result.status).toBe("success");
    expect(b.seen[0]!.handle).toBe("old-handle");
  });

  it("suspend() only flags the step: code after it runs, and what the step returns is kept as suspendOutput", async () => {
    const { transport } = convexTestBackend();
    const p = processOn(transport, 0);
    let after = false;
    p.workflow.steps["run-negotiations"]!.execute = (async ({ suspend, inputData }: any) => {
      const value = await suspend({ waitingOn: ["n"], cycle: 1 });
      after = true;
      return { quoteId: inputData.quoteId, leaseEpoch: 1, cycles: 0, suspendReturned: value ?? "undefined" };
    }) as never;
    const result = await (await p.workflow.createRun({ runId: newRunId() })).start({ inputData: { quoteId: "q9", workerId: "w1", leaseEpoch: 1 }, requestContext: ctx("h") });
    expect(result.steps["run-negotiations"]).toMatchObject({ status: "suspended", suspendOutput: { suspendReturned: "undefined" } });
    expect(after).toBe(true);
    expect(result.status).toBe("suspended");
  });

  it("a resume in another process before the suspending process's write-behind save lands is refused: settle before handing the lease back", async () => {
    const { transport } = convexTestBackend();
    let slow = false;
    // The suspending process's link to Convex: its saves take 2.5 s once `slow` is set (longer than resume's 2 s poll).
    const slowTransport: typeof transport = {
      query: transport.query,
      mutation: async (fn, args) => {
        if (slow) await new Promise((r) => setTimeout(r, 2_500));
        return await transport.mutation(fn, args);
      },
    };
    const a = processOn(slowTransport, 1);
    const runId = newRunId();
    const run = await a.workflow.createRun({ runId });
    await settleWorkflowRuns();
    slow = true;
    expect((await run.start({ inputData: { quoteId: "q10", workerId: "w1", leaseEpoch: 1 }, requestContext: ctx("h1") })).status).toBe("suspended");
    const early = await (await processOn(transport, 1).workflow.createRun({ runId }))
      .resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") })
      .catch((e: Error) => e);
    expect(String(early)).toMatch(/not suspended/);
    await settleWorkflowRuns();
    const late = await (await processOn(transport, 1).workflow.createRun({ runId })).resume({ step: "run-negotiations", resumeData: { workerId: "w2", leaseEpoch: 2 }, requestContext: ctx("h2") });
    expect(late.status).toBe("success");
  }, 20_000);

  it("the prune cron keeps suspended runs however old", async () => {
    const { t, transport } = convexTestBackend();
    const store = (await convexWorkflowStore(transport, SERVICE_KEY).getStore("workflows"))!;
    const snap = (runId: string, status: string) => ({ runId, status, context: {}, value: {}, activePaths: [], serializedStepGraph: [], suspendedPaths: {}, timestamp: 1 }) as never;
    // The two oldest: one suspended, one finished; then 100 newer finished runs.
    await store.persistWorkflowSnapshot({ workflowName: "w", runId: "old-suspended", snapshot: snap("old-suspended", "suspended"), createdAt: new Date(1_000) });
    await store.persistWorkflowSnapshot({ workflowName: "w", runId: "old-success", snapshot: snap("old-success", "success"), createdAt: new Date(2_000) });
    for (let i = 0; i < 100; i++) await store.persistWorkflowSnapshot({ workflowName: "w", runId: `new-${i}`, snapshot: snap(`new-${i}`, "success"), createdAt: new Date(10_000 + i) });
    await settleWorkflowRuns();
    const deleted = await t.mutation(internal.mastra.prune, {});
    const left = (await raw(transport)).map((d) => d.run_id);
    expect(deleted).toBe(1);
    expect(left).toContain("old-suspended");
    expect(left).not.toContain("old-success");
  });
});
