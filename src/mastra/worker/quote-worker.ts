import { RequestContext } from "@mastra/core/request-context";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import { clientTransport } from "../convex-transport.js";
import { createRuntime, type NegotiationRuntime, type RuntimeOptions } from "../runtime.js";
import type { PersisterLog } from "../storage/message-persister.js";
import { newRunId, settleWorkflowRuns } from "../storage/workflow-store.js";
import { LEASE_MS, negotiationWorkflow } from "../workflows/negotiation-workflow.js";
import { withLease, type QuoteRequestInput } from "../workflows/run-quote.js";
import { interruption, InterruptedError, LeaseLostError, type NegotiationCallbacks } from "../workflows/run-supplier-negotiation.js";
import { registerRun, RUN_HANDLE_KEY } from "./run-registry.js";

// The quote worker lives in the Mastra server process: it subscribes to the
// quotes waiting in Convex, claims one under a lease (renewed while it runs)
// and runs the negotiation workflow on it. Convex never calls Mastra. A quote
// whose worker died has a lapsed lease; it shows up as claimable again and the
// next worker resumes it from what Convex holds. A quote whose open
// negotiations all wait on live suppliers is let go while its run is suspended
// (Mastra); a supplier's move makes it claimable, and the claimant resumes that
// run under its own lease, or starts a fresh one if the run cannot be resumed.

export interface RunQuoteOptions {
  runtime: NegotiationRuntime;
  /** An existing quote, or `request` to create one first. */
  quoteId?: Id<"quotes">;
  request?: QuoteRequestInput;
  /** Set when the caller already holds the quote's lease, with the epoch its claim returned. */
  workerId?: string;
  leaseEpoch?: number;
  callbacks?: NegotiationCallbacks;
  signal?: AbortSignal;
  /**
   * The run the quote was waiting in (worker.suspendedRun): resumed under this
   * caller's lease when Mastra still holds it suspended; otherwise (canceled,
   * or left running by a crash) a fresh run re-plans the quote from Convex.
   */
  suspendedRunId?: string;
}

export type QuoteWorkflowResult = {
  quoteId: string;
  negotiations: import("../workflows/run-supplier-negotiation.js").SupplierNegotiationResult[];
  recommendation?: unknown;
  /** Set when the run suspended to wait on these negotiations' live suppliers: the quote is no longer held. */
  waitingOn?: string[];
};

/**
 * Runs the negotiation workflow through Mastra. Once `src/mastra/index.ts` is
 * loaded the workflow is registered there, so the run is kept in its store and
 * listed by Studio. Aborting `signal` cancels the run: its negotiations stop
 * quietly and this throws an InterruptedError.
 */
export async function runQuoteWorkflow(options: RunQuoteOptions): Promise<QuoteWorkflowResult> {
  const { signal, workerId, leaseEpoch } = options;
  if (signal?.aborted) throw interruption(signal.reason);
  // Only an id goes into the run (and so into its snapshots); the runtime and callbacks stay here.
  let waiting = false;
  const handle = registerRun({ runtime: options.runtime, callbacks: options.callbacks, onWaiting: () => void (waiting = true) });
  const requestContext = new RequestContext<unknown>([[RUN_HANDLE_KEY, handle.id]]);
  let run: Awaited<ReturnType<typeof negotiationWorkflow.createRun>> | undefined;
  const cancel = () => void (waiting ? undefined : run?.cancel());
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    let result = options.suspendedRunId && workerId && leaseEpoch !== undefined
      ? await resumeRun(options.suspendedRunId, { workerId, leaseEpoch }, requestContext, options.runtime, (r) => (run = r))
      : undefined;
    if (!result) {
      if (signal?.aborted) throw interruption(signal.reason);
      run = await negotiationWorkflow.createRun({ runId: newRunId() });
      result = await run.start({
        inputData: { quoteId: options.quoteId, workerId, leaseEpoch, ...(options.request ?? {}) },
        requestContext,
      });
    }
    if (result.status === "suspended") {
      // Stored as suspended before anyone is told: a worker woken next resumes from that snapshot.
      await settleWorkflowRuns();
      const payload = result.suspendPayload?.["run-negotiations"] as { quoteId: string; waitingOn: string[] };
      return { quoteId: payload.quoteId, negotiations: [], waitingOn: payload.waitingOn };
    }
    if (result.status === "success") {
      const outcome = result.result as unknown as QuoteWorkflowResult & { leaseLost?: boolean };
      if (outcome.leaseLost) throw new LeaseLostError(`another worker claimed quote ${outcome.quoteId}`);
      return outcome;
    }
    // A canceled run ends `canceled`, a status Mastra's result type leaves out.
    if ((result.status as string) === "canceled" || signal?.aborted) {
      throw interruption(signal?.reason ?? "the run was canceled");
    }
    const error = result.status === "failed" ? result.error : new Error(`workflow ended ${result.status}`);
    throw error instanceof Error ? error : new Error(String(error));
  } finally {
    signal?.removeEventListener("abort", cancel);
    handle.release();
  }
}

type RunResult = Awaited<ReturnType<Awaited<ReturnType<typeof negotiationWorkflow.createRun>>["start"]>>;

/**
 * Resumes the quote's suspended run, or returns undefined when Mastra holds no
 * such run to resume: unknown here (getWorkflowRunById looks first, since a
 * createRun of an unknown id would store a stray run), canceled, finished, or
 * left running by a worker killed mid-step. Mastra's resume waits up to 2 s for
 * a run still being saved as suspended by the worker that just let it go.
 */
async function resumeRun(
  runId: string,
  lease: { workerId: string; leaseEpoch: number },
  requestContext: RequestContext<unknown>,
  runtime: NegotiationRuntime,
  keep: (run: Awaited<ReturnType<typeof negotiationWorkflow.createRun>>) => void,
): Promise<RunResult | undefined> {
  const stored = await negotiationWorkflow.getWorkflowRunById(runId);
  if (!stored || !["suspended", "running", "pending"].includes(stored.status)) {
    runtime.log.info("the quote's waiting run cannot be resumed; starting a fresh run", { runId, status: stored?.status ?? "unknown" });
    return undefined;
  }
  const run = await negotiationWorkflow.createRun({ runId });
  keep(run);
  try {
    return await run.resume({ step: "run-negotiations", resumeData: lease, requestContext });
  } catch (error) {
    if (!/not suspended|no snapshot found|store is required/.test(String(error))) throw error;
    runtime.log.info("the quote's waiting run is not suspended (its worker died mid-step); starting a fresh run", { runId });
    return undefined;
  }
}

export interface QuoteWorkerOptions {
  convexUrl: string;
  serviceKey: string;
  workerId?: string;
  /** One line per event; default silent. */
  log?: (line: string) => void;
  leaseMs?: number;
  /** Quotes negotiated at once by this worker (default 100). */
  maxConcurrent?: number;
  /** Runtime overrides (model env, throttle, tests' agents). */
  runtime?: Partial<Omit<RuntimeOptions, "transport" | "serviceKey">>;
}

export interface QuoteWorker {
  workerId: string;
  /** Quotes this worker is negotiating now. */
  running(): string[];
  /** Stops claiming, interrupts running quotes (their leases lapse; another worker resumes them). */
  stop(): Promise<void>;
}

/** Past a lease's expiry, so that the backend's clock agrees it lapsed. */
const LAPSE_MARGIN_MS = 50;

function lineLog(log: ((line: string) => void) | undefined): PersisterLog {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) =>
    log?.(`${level} ${message}${data ? ` ${JSON.stringify(data)}` : ""}`);
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

export async function startQuoteWorker(options: QuoteWorkerOptions): Promise<QuoteWorker> {
  const workerId = options.workerId ?? `worker-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const maxConcurrent = options.maxConcurrent ?? 100;
  const transport = clientTransport(options.convexUrl);
  const runtime = createRuntime({
    transport,
    serviceKey: options.serviceKey,
    log: lineLog(options.log),
    ...options.runtime,
  });
  // The runtime's log masks the service key.
  const { log } = runtime;
  const { serviceKey } = options;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;

  const work = async (quoteId: Id<"quotes">, leaseEpoch: number, controller: AbortController) => {
    try {
      const suspendedRunId = (await runtime.transport.query(api.worker.suspendedRun, { serviceKey, quoteId })) ?? undefined;
      log.info(suspendedRunId ? "resuming quote" : "negotiating quote", { quoteId, workerId, leaseEpoch, ...(suspendedRunId ? { runId: suspendedRunId } : {}) });
      const result = await withLease(
        runtime,
        { quoteId, workerId, leaseEpoch, leaseMs },
        (signal) => runQuoteWorkflow({ runtime, quoteId, workerId, leaseEpoch, signal, suspendedRunId }),
        controller.signal,
      );
      if (result.waitingOn) log.info("waiting for a live supplier", { quoteId, negotiations: result.waitingOn });
      else log.info("quote done", { quoteId });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof LeaseLostError) {
        log.warn("quote taken over by another worker; this worker stopped writing to it", { quoteId, leaseEpoch, reason });
        return;
      }
      if (error instanceof InterruptedError || controller.signal.aborted) {
        log.warn("quote interrupted; a worker will resume it from Convex", { quoteId, reason });
        return;
      }
      log.error("quote failed", { quoteId, reason });
      await runtime.persister
        .withLease(leaseEpoch)
        .failQuote(quoteId, reason.slice(0, 500))
        .catch((e) => log.error("could not mark the quote failed", { quoteId, error: String(e) }));
    }
  };

  /** Claims the quote and, if the claim holds, negotiates it; its place in `running` is taken before the claim is sent. */
  const claimAndWork = async (quoteId: Id<"quotes">) => {
    const controller = new AbortController();
    let release!: () => void;
    running.set(quoteId, { controller, done: new Promise<void>((r) => (release = r)) });
    let leaseEpoch: number | null = null;
    try {
      leaseEpoch = await runtime.transport.mutation(api.worker.claimQuote, { serviceKey, quoteId, workerId, leaseMs });
    } catch (error) {
      log.warn("claim failed", { quoteId, error: String(error) });
    }
    try {
      // Stopped meanwhile: `work` finds its controller aborted and hands the lease back.
      if (leaseEpoch !== null) await work(quoteId, leaseEpoch, controller);
    } finally {
      running.delete(quoteId);
      release();
      if (leaseEpoch !== null && !stopped) void poll();
    }
  };

  // All the claimable quotes at once, up to the cap: a quote's claim does not wait for the one before it.
  const consider = (ids: Id<"quotes">[]) => {
    for (const quoteId of ids) {
      if (stopped || running.size >= maxConcurrent) return;
      if (!running.has(quoteId)) void claimAndWork(quoteId);
    }
  };

  const poll = async () => {
    try {
      await consider(await runtime.transport.query(api.worker.claimable, { serviceKey }));
    } catch (error) {
      log.warn("could not list claimable quotes", { error: String(error) });
    }
  };
  const unsubscribe = transport.onUpdate(
    api.worker.claimable,
    { serviceKey },
    (ids) => void consider(ids),
    (error) => log.warn("claimable subscription error", { error: String(error) }),
  );

  // A lease that lapses changes no document, so no subscription sees it: a
  // timer is set for the earliest lease (kept current by a subscription), and
  // when it fires the claimable quotes are listed once. Renewals move the
  // earliest lease on, so the timer fires only when a lease really lapses. If
  // the same lapsed lease is still the earliest after that (not claimable yet,
  // or the claim failed), it is looked at again after half a lease.
  let leaseTimer: ReturnType<typeof setTimeout> | undefined;
  let firedFor: number | undefined;
  const armLeaseTimer = (expiresAt: number | null) => {
    clearTimeout(leaseTimer);
    leaseTimer = undefined;
    if (expiresAt === null || stopped) return;
    const again = expiresAt === firedFor;
    const wait = again ? Math.max(250, Math.floor(leaseMs / 2)) : Math.max(0, expiresAt - Date.now() + LAPSE_MARGIN_MS);
    leaseTimer = setTimeout(() => {
      firedFor = expiresAt;
      void poll().finally(() => {
        if (!stopped && latestExpiry === expiresAt) armLeaseTimer(expiresAt);
      });
    }, wait);
  };
  let latestExpiry: number | null = null;
  const unsubscribeLeases = transport.onUpdate(
    api.worker.nextLeaseExpiresAt,
    { serviceKey },
    (expiresAt) => {
      latestExpiry = expiresAt;
      armLeaseTimer(expiresAt);
    },
    (error) => log.warn("lease subscription error", { error: String(error) }),
  );
  log.info("quote worker started", { workerId });

  return {
    workerId,
    running: () => [...running.keys()],
    async stop() {
      stopped = true;
      clearTimeout(leaseTimer);
      unsubscribe();
      unsubscribeLeases();
      for (const { controller } of running.values()) controller.abort(new Error(`worker ${workerId} stopping`));
      await Promise.all([...running.values()].map((r) => r.done));
      await runtime.persister.flush().catch(() => {});
      // The runs' last snapshots, so that Studio lists them as they ended.
      await settleWorkflowRuns();
      await transport.close();
      log.info("quote worker stopped", { workerId });
    },
  };
}
