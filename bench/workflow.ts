// npm run bench:workflow — the quote worker and the Mastra negotiation workflow
// against the embedded backend, watched by a brand user, with the scripted model.
//
// Three processes, as under `npm start`: the embedded backend, the quote worker
// (`startQuoteWorker`, the Mastra server's worker) and the brand user's client
// (the official ConvexClient, signed in through Convex Auth) in this process.
// This file is all three: BENCH_ROLE picks the part.
//
// 1. Sequential vs parallel, side by side in one run, interleaved, medians:
//    parallel = quotes the brand requested, run by a quote worker through the
//    workflow; sequential = identical quotes, claimed here, their negotiations
//    run one after another by the same per-negotiation code
//    (runSupplierNegotiation), then evaluated. Both are timed by what the
//    backend stored: first claim (quote.startedAt) to last recommendation
//    (quote.completedAt). "1 quote": the catalog's three personas (8, 5 and 7
//    turns with seed 7: bound sum ÷ longest). "3 quotes": three identical quotes
//    in which the brand walked away from all suppliers but one, so three equally
//    long negotiations run at once, one per workflow run (bound 3×).
// 2. 100 quotes at once through one worker at a reasoning model's pace, the
//    brand subscribed to every negotiation's chat: persist-to-visible latency
//    (message committed → the brand's client has it), event-loop delay and CPU
//    of each process, the worker's calls.
// 3. 1,000 negotiations at once (334 quotes) through one worker, on a fresh
//    backend: lost, duplicated and stuck messages, peak memory per negotiation.
//
// Knobs: BENCH_REPS, BENCH_TURN_MS (part 1), BENCH_QUOTES, BENCH_LIVE_TTFT_MS,
// BENCH_LIVE_TOKENS_PER_SEC, BENCH_STAGGER_MS (part 2), BENCH_SCALE_QUOTES
// (part 3, 0 skips it), BENCH_TIMEOUT_MS, BENCH_CPU_PROF=<dir> (a CPU profile of
// each child process), BENCH_DRY=1 (print the table, write nothing). Prints a
// table, writes bench/results/workflow.md and the README's table.

import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { api } from "../convex/_generated/api.js";
import type { Id } from "../convex/_generated/dataModel.js";

type EventLoopHistogram = ReturnType<typeof monitorEventLoopDelay>;
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "..");
const ROLE = process.env.BENCH_ROLE ?? "main";
const wallNow = () => performance.timeOrigin + performance.now();

// ── shared: statistics and the parent/child channel ──────────────────────────

type EventLoopStats = { p50: number; p99: number; max: number; mean: number };
function eventLoopStats(h: EventLoopHistogram): EventLoopStats {
  const ms = (ns: number) => ns / 1e6;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean) };
}
type ProcessStats = { eventLoop: EventLoopStats; cpuMs: number; rssMiB: number; peakRssMiB: number };
function processStats(h: EventLoopHistogram, cpuSince: NodeJS.CpuUsage): ProcessStats {
  const cpu = process.cpuUsage(cpuSince);
  return {
    eventLoop: eventLoopStats(h),
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** A child's side of the channel: answers `{ id, type }` requests with `{ id, ...reply }`. */
function serveRequests(handlers: Record<string, (msg: any) => unknown | Promise<unknown>>) {
  process.on("message", async (msg: any) => {
    try {
      const reply = await handlers[msg.type]!(msg);
      process.send!({ id: msg.id, ok: true, reply });
    } catch (error) {
      process.send!({ id: msg.id, ok: false, error: String((error as Error)?.stack ?? error) });
    }
  });
  // The parent went away: so must this process.
  process.on("disconnect", () => process.exit(0));
}

// ── role: the embedded backend ───────────────────────────────────────────────

async function backendRole() {
  const { startLocalBackend } = await import("../src/local-backend/index.js");
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let cpuSince = process.cpuUsage();
  let backend: Awaited<ReturnType<typeof startLocalBackend>> | undefined;
  let errors = 0;
  serveRequests({
    // The sign-in keys come over this channel: not on a command line, not in an environment.
    start: async ({ dataDir, env }) => {
      backend = await startLocalBackend({
        port: 0,
        dataDir,
        reset: true,
        watch: false,
        // The brand user's one client follows every negotiation of the scale run (about 1,000): past the default cap of 256 per socket.
        maxSubscriptions: 5_000,
        env,
        log: (line) => {
          if (!line.includes("[ERROR]")) return;
          if (++errors <= 20) process.stderr.write(`backend: ${line}\n`);
        },
      });
      return { url: backend.url };
    },
    resetStats: () => {
      h.reset();
      cpuSince = process.cpuUsage();
      return null;
    },
    stats: () => ({ ...processStats(h, cpuSince), errors }),
    stop: async () => {
      await backend?.stop();
      setImmediate(() => process.exit(0));
      return null;
    },
  });
}

// ── role: the quote worker ───────────────────────────────────────────────────

type CallKey = string; // `${negotiationId}:${seq}`
type WorkerReport = ProcessStats & {
  /** Per function: durations (ms) of every call, from the request to its response. */
  calls: Record<string, number[]>;
  /** When a message's first write was issued and acknowledged; when its finishing write was. */
  messages: Record<CallKey, { startIssued?: number; startAcked?: number; finishIssued?: number; finishAcked?: number }>;
  /** Every streamed piece (ingest.appendMessageText): its message, where it ends in the text, when it was sent. */
  pieces: [CallKey, number, number][];
  warnings: number;
  errors: number;
  logSample: string[];
};

/** The equal-length case's supplier, by slug: Northwind negotiates 7 turns with seed 7. */
const EQUAL_SUPPLIER = "northwind";

const PIECE = "ingest:appendMessageText";
const STARTS = new Set(["ingest:startMessage", "ingest:appendMessage"]);
const FINISHES = new Set(["ingest:finishMessage", "ingest:finishOfferMessage", "ingest:appendMessage"]);

async function workerRole() {
  // The worker's calls are timed at the official HTTP client it builds its
  // transport on (ConvexHttpClient), from the call to its result; nothing of
  // the worker is changed.
  const calls: WorkerReport["calls"] = {};
  const messages: WorkerReport["messages"] = {};
  const pieces: WorkerReport["pieces"] = [];
  const { ConvexHttpClient } = await import("convex/browser");
  const { getFunctionName } = await import("convex/server");
  for (const method of ["mutation", "query"] as const) {
    const real = ConvexHttpClient.prototype[method] as (this: unknown, ...a: unknown[]) => Promise<unknown>;
    (ConvexHttpClient.prototype as unknown as Record<string, unknown>)[method] = async function (this: unknown, fn: unknown, args: unknown, ...rest: unknown[]) {
      const name = getFunctionName(fn as never);
      const a = (args ?? {}) as { negotiationId?: string; seq?: number };
      const entry = (STARTS.has(name) || FINISHES.has(name)) && a.negotiationId ? (messages[`${a.negotiationId}:${a.seq}`] ??= {}) : undefined;
      const start = wallNow();
      if (name === PIECE && a.negotiationId) {
        const p = args as { start: number; text: string };
        pieces.push([`${a.negotiationId}:${a.seq}`, p.start + p.text.length, start]);
      }
      if (entry && STARTS.has(name)) entry.startIssued ??= start;
      if (entry && FINISHES.has(name)) entry.finishIssued ??= start;
      try {
        const result = await real.call(this, fn, args, ...rest);
        const end = wallNow();
        if (entry && STARTS.has(name)) entry.startAcked ??= end;
        if (entry && FINISHES.has(name)) entry.finishAcked ??= end;
        return result;
      } finally {
        (calls[name] ??= []).push(wallNow() - start);
      }
    };
  }
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let cpuSince = process.cpuUsage();
  let warnings = 0;
  let errors = 0;
  const logSample: string[] = [];
  let worker: { running(): string[]; stop(): Promise<void> } | undefined;
  serveRequests({
    start: async ({ convexUrl, serviceKey, maxConcurrent, env }) => {
      // As under \`npm start\`: Mastra keeps the worker's workflow runs in this Convex deployment.
      process.env.CONVEX_URL = convexUrl;
      process.env.PARLEY_SERVICE_KEY = serviceKey;
      const { startQuoteWorker } = await import("../src/mastra/index.js");
      h.reset();
      cpuSince = process.cpuUsage();
      worker = await startQuoteWorker({
        convexUrl,
        serviceKey,
        workerId: "bench-worker",
        maxConcurrent,
        runtime: { env: { ...process.env, ...env } },
        log: (line) => {
          if (line.startsWith("warn")) warnings++;
          else if (line.startsWith("error")) errors++;
          else return;
          if (logSample.length < 10) logSample.push(line.slice(0, 300));
        },
      });
      return { pid: process.pid };
    },
    running: () => worker?.running().length ?? 0,
    report: (): WorkerReport => ({ ...processStats(h, cpuSince), calls, messages, pieces, warnings, errors, logSample }),
    stop: async () => {
      await worker?.stop();
      setImmediate(() => process.exit(0));
      return null;
    },
  });
}

// ── role: main (the brand user, the measurements, the report) ────────────────

type Child = { process: ChildProcess; request<R = any>(type: string, msg?: object): Promise<R>; exited: Promise<void> };

function spawnRole(role: "backend" | "worker", env: NodeJS.ProcessEnv = {}): Child {
  // BENCH_CPU_PROF=<dir>: a CPU profile of each child process, written when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF, "--cpu-prof-name", `${role}-${process.hrtime.bigint()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", SELF], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_ROLE: role },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  child.on("message", (msg: any) => {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p?.resolve(msg.reply);
    else p?.reject(new Error(`${role}: ${msg.error}`));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`the ${role} process exited`));
  });
  // If the benchmark fails, no child may outlive it.
  process.on("exit", () => child.kill());
  return {
    process: child,
    exited,
    request: (type, msg = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...msg, id, type });
      }),
  };
}

/** VmHWM and VmRSS of a process (MiB), from /proc. */
function procMemory(pid: number): { hwm: number; rss: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { hwm: kib("VmHWM") / 1024, rss: kib("VmRSS") / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const median = (xs: number[]) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main() {
  const { loadOrCreateAuthKeys } = await import("../src/cli/auth-keys.js");
  const { clientTransport } = await import("../src/mastra/convex-transport.js");
  const { signUpBrand } = await import("../tests/helpers/brand-session.js");
  const { writeReadmeTable } = await import("./readme-table.js");

  const TURN_MS = Number(process.env.BENCH_TURN_MS ?? 50);
  const REPS = Number(process.env.BENCH_REPS ?? 5);
  const QUOTES = Number(process.env.BENCH_QUOTES ?? 100);
  const SCALE_QUOTES = Number(process.env.BENCH_SCALE_QUOTES ?? 334);
  // The 100-quote run's model: time to first token, then words at this pace.
  const LIVE_TTFT_MS = Number(process.env.BENCH_LIVE_TTFT_MS ?? 8000);
  const LIVE_TOKENS_PER_SEC = Number(process.env.BENCH_LIVE_TOKENS_PER_SEC ?? 60);
  const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
  // Over how long the brand requests the quotes of a run (about one model turn).
  const STAGGER_MS = Number(process.env.BENCH_STAGGER_MS ?? LIVE_TTFT_MS);
  const SERVICE_KEY = "bench-service-key";
  const loadAtStart = os.loadavg();
  const benchStart = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-workflow-"));
  process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));
  const fastModel = { PARLEY_MODEL: "scripted", PARLEY_MODEL_LATENCY_MS: String(TURN_MS), PARLEY_MODEL_TOKENS_PER_SEC: "0" };
  const liveModel = { PARLEY_MODEL: "scripted", PARLEY_MODEL_LATENCY_MS: String(LIVE_TTFT_MS), PARLEY_MODEL_TOKENS_PER_SEC: String(LIVE_TOKENS_PER_SEC) };
  const mainLoop = monitorEventLoopDelay({ resolution: 5 });
  mainLoop.enable();

  /** A fresh backend in its own process, and a brand user signed up on it. */
  async function deployment(name: string) {
    const dataDir = path.join(tmp, name);
    const authKeys = await loadOrCreateAuthKeys(dataDir);
    const backendChild = spawnRole("backend");
    const { url } = await backendChild.request<{ url: string }>("start", {
      dataDir: path.join(dataDir, "convex"),
      // Hundreds of quotes from one brand user: the quote rate limits scaled out of the way.
      env: { PARLEY_SERVICE_KEY: SERVICE_KEY, JWT_PRIVATE_KEY: authKeys.JWT_PRIVATE_KEY, JWKS: authKeys.JWKS, PARLEY_QUOTE_RATE_SCALE: "1000" },
    });
    const service = clientTransport(url);
    const brand = await signUpBrand(url, { email: `bench-${name}@brand.test` });
    const products = await brand.query(api.products.list, {});
    const quoteRequest = (seed: number) => ({
      lineItems: products.slice(0, 2).map((p, i) => ({
        productId: p._id,
        quantity: 500 + 250 * i,
        targetUnitPrice: Math.round(p.listPrice * 80) / 100,
        maxUnitPrice: Math.round(p.listPrice * 105) / 100,
      })),
      priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
      guardrails: { maxLeadTimeDays: 45, minPaymentTermsDays: 15 },
      maxRounds: 8,
      seed,
    });
    const requestQuote = (seed: number): Promise<Id<"quotes">> => brand.mutation(api.quotes.request, quoteRequest(seed));
    const state = async (quoteId: Id<"quotes">) => (await service.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    const stop = async () => {
      await brand.close();
      await service.close();
      await backendChild.request("stop").catch(() => {});
      await backendChild.exited;
    };
    return { url, backendChild, service, brand, requestQuote, state, stop };
  }
  type Deployment = Awaited<ReturnType<typeof deployment>>;

  /** Resolves once no quote is queued or negotiating (pushed by two service subscriptions), or after the timeout. */
  function settled(d: Deployment, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let queued: unknown[] | undefined;
      let lease: number | null | undefined;
      // After every callback of the transition has run: the two values are then of one snapshot.
      const check = () =>
        void setTimeout(() => {
          if (queued?.length === 0 && lease === null) finish(true);
        }, 0);
      const stopQueued = d.service.onUpdate(api.worker.claimable, { serviceKey: SERVICE_KEY }, (ids) => ((queued = ids), check()));
      const stopLease = d.service.onUpdate(api.worker.nextLeaseExpiresAt, { serviceKey: SERVICE_KEY }, (at) => ((lease = at), check()));
      const timer = setTimeout(() => finish(false), timeoutMs);
      function finish(ok: boolean) {
        clearTimeout(timer);
        stopQueued();
        stopLease();
        resolve(ok);
      }
    });
  }

  // ── 1. sequential vs parallel ──────────────────────────────────────────────
  const live = await deployment("live");
  // As under \`npm start\`: Mastra keeps the workflow runs in the deployment.
  process.env.CONVEX_URL = live.url;
  process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
  const { startQuoteWorker } = await import("../src/mastra/index.js");
  const { createRuntime, silentLog } = await import("../src/mastra/runtime.js");
  const { evaluateQuote } = await import("../src/mastra/workflows/run-quote.js");
  const { readQuoteState, runSupplierNegotiation } = await import("../src/mastra/workflows/run-supplier-negotiation.js");

  const sequentialRuntime = createRuntime({ transport: clientTransport(live.url), serviceKey: SERVICE_KEY, env: fastModel, log: silentLog });
  /**
   * What the backend stored about a set of quotes: from the first claim to the
   * last recommendation, and the AI turns of each live negotiation.
   */
  const storedRun = async (quoteIds: Id<"quotes">[]) => {
    let first = Infinity;
    let last = 0;
    let firstMessage = Infinity;
    let lastWrite = 0;
    const turns: number[] = [];
    for (const quoteId of quoteIds) {
      const s = await live.state(quoteId);
      if (s.quote.status !== "completed") throw new Error(`quote ${quoteId} ended ${s.quote.status}`);
      first = Math.min(first, s.quote.startedAt!);
      last = Math.max(last, s.quote.completedAt!);
      for (const n of s.negotiations) {
        if (n.outcome === "walked_away") continue;
        const ai = n.messages.filter((m) => m.sender === "brand" || m.sender === "supplier");
        turns.push(ai.length);
        firstMessage = Math.min(firstMessage, ai[0]?._creationTime ?? Infinity);
        lastWrite = Math.max(lastWrite, n.lastActivityAt);
      }
    }
    // Before the first message and after the negotiations' last write: what the quote's own steps took.
    return { ms: last - first, turns, before: firstMessage - first, after: last - lastWrite };
  };
  /**
   * The quotes of one measurement, requested by the brand before anyone claims
   * them. `only`: the slug of the one supplier negotiated with; the brand walks
   * away from the quote's other negotiations first, so they never start.
   */
  async function quotesFor(seed: number, count: number, only?: string): Promise<Id<"quotes">[]> {
    const quoteIds: Id<"quotes">[] = [];
    for (let i = 0; i < count; i++) {
      const quoteId = await live.requestQuote(seed);
      if (only) {
        for (const n of (await live.state(quoteId)).negotiations) {
          if (n.supplier.slug !== only) await live.brand.mutation(api.negotiations.walkAway, { negotiationId: n._id });
        }
      }
      quoteIds.push(quoteId);
    }
    return quoteIds;
  }
  /** Sequential: each quote claimed here, its negotiations run one after another, then evaluated; quote after quote. */
  async function sequential(quoteIds: Id<"quotes">[]) {
    for (const quoteId of quoteIds) {
      const leaseEpoch = await live.service.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "bench-sequential", leaseMs: 600_000 });
      if (leaseEpoch === null) throw new Error("could not claim the sequential quote");
      // The workflow's steps, without Mastra, with the negotiations one after another.
      const context = { quoteId, runtime: sequentialRuntime, writer: sequentialRuntime.persister.withLease(leaseEpoch) };
      const { negotiations } = await readQuoteState(sequentialRuntime, quoteId);
      for (const n of negotiations) await runSupplierNegotiation(n._id, context);
      await evaluateQuote(sequentialRuntime, quoteId, leaseEpoch);
      await sequentialRuntime.persister.flush();
    }
    return storedRun(quoteIds);
  }
  /** Parallel: a quote worker started on the waiting quotes, which it claims and runs through the workflow. */
  async function parallel(quoteIds: Id<"quotes">[]) {
    const worker = await startQuoteWorker({ convexUrl: live.url, serviceKey: SERVICE_KEY, workerId: "bench-parallel", runtime: { env: fastModel, log: silentLog } });
    if (!(await settled(live, 60_000))) throw new Error("the parallel quotes did not finish");
    while (worker.running().length > 0) await sleep(5);
    await worker.stop();
    return storedRun(quoteIds);
  }

  type Side = { seq: number[]; par: number[]; ratio: number[]; turns: number[]; overhead: { seq: number[]; par: number[] } };
  const newSide = (): Side => ({ seq: [], par: [], ratio: [], turns: [], overhead: { seq: [], par: [] } });
  const equalName = (await live.brand.query(api.suppliers.list, {})).find((s) => s.slug === EQUAL_SUPPLIER)?.name ?? EQUAL_SUPPLIER;
  const cases: { name: string; quotes: () => Promise<Id<"quotes">[]>; side: Side }[] = [
    // One quote, its three negotiations (the catalog's three personas).
    { name: "1 quote, the catalog's 3 personas", quotes: () => quotesFor(7, 1), side: newSide() },
    // Three identical quotes, each negotiating with the same supplier only: three equally long negotiations.
    { name: `3 quotes, ${equalName} only`, quotes: () => quotesFor(7, 3, EQUAL_SUPPLIER), side: newSide() },
  ];
  for (let rep = 0; rep < REPS; rep++) {
    // Interleaved, so both measurements see the same machine at the same time.
    for (const { name, quotes, side } of cases) {
      const seq = await sequential(await quotes());
      const par = await parallel(await quotes());
      if (seq.turns.join() !== par.turns.join()) throw new Error(`${name}: sequential and parallel runs differ (${seq.turns} vs ${par.turns})`);
      side.seq.push(seq.ms);
      side.par.push(par.ms);
      side.overhead.seq.push(seq.before + seq.after);
      side.overhead.par.push(par.before + par.after);
      side.ratio.push(seq.ms / par.ms);
      side.turns = seq.turns;
    }
  }
  const boundOf = (turns: number[]) => turns.reduce((a, b) => a + b, 0) / Math.max(...turns);

  // ── 2 and 3. many quotes at once through the worker ────────────────────────
  type Run = Awaited<ReturnType<typeof manyQuotes>>;
  /**
   * `stagger`: the brand requests the quotes evenly over STAGGER_MS with the
   * worker already running; otherwise all are requested first and the worker
   * starts on all of them at once. `streaming`: also subscribe to the text
   * still streaming (the chat's second query), not only to the messages.
   */
  async function manyQuotes(d: Deployment, count: number, opts: { maxConcurrent: number; stagger: boolean; streaming: boolean }) {
    // The brand's client: every negotiation's messages and the text still
    // streaming into them, the two queries the dashboard's chat shows.
    type Seen = { _id: string; seq: number; state: string; content: string; _creationTime: number };
    const firstSeen = new Map<string, { at: number; creation: number }>();
    const completeSeen = new Map<string, number>();
    const lastView = new Map<string, Seen[]>();
    const lastStreaming = new Map<string, { messageId: string; content: string }[]>();
    /** Per message id: when the brand first held each length of its streamed text. */
    const streamedSeen = new Map<string, { length: number; at: number }[]>();
    const keyOf = new Map<string, string>();
    const unsubscribes: (() => void)[] = [];
    const subscribe = (negotiationId: Id<"negotiations">) => {
      unsubscribes.push(
        d.brand.onUpdate(api.messages.list, { negotiationId, paginationOpts: { numItems: 200, cursor: null } }, (page: { page: Seen[] }) => {
          const now = wallNow();
          lastView.set(negotiationId, page.page);
          for (const m of page.page) {
            const key = `${negotiationId}:${m.seq}`;
            keyOf.set(m._id, key);
            if (!firstSeen.has(key)) firstSeen.set(key, { at: now, creation: m._creationTime });
            if (m.state === "complete" && !completeSeen.has(key)) completeSeen.set(key, now);
          }
        }),
      );
      if (!opts.streaming) return;
      unsubscribes.push(
        d.brand.onUpdate(api.messages.streaming, { negotiationId }, (texts: { messageId: string; content: string }[]) => {
          const now = wallNow();
          lastStreaming.set(negotiationId, texts);
          for (const { messageId, content } of texts) {
            const seen = streamedSeen.get(messageId) ?? [];
            if (seen.length === 0 || seen[seen.length - 1]!.length < content.length) seen.push({ length: content.length, at: now });
            streamedSeen.set(messageId, seen);
          }
        }),
      );
    };
    const quoteIds: Id<"quotes">[] = [];
    const negotiationIds: Id<"negotiations">[] = [];
    const request = async (i: number) => {
      const quoteId = await d.requestQuote(1000 + i);
      quoteIds.push(quoteId);
      const detail = (await d.brand.query(api.quotes.get, { quoteId }))!;
      for (const n of detail.negotiations) {
        negotiationIds.push(n._id);
        subscribe(n._id);
      }
    };
    if (!opts.stagger) {
      for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => request(i + j)));
      // Every subscription holds its first (empty) result before the worker starts.
      while (lastView.size < negotiationIds.length) await sleep(20);
    }

    // The worker is up first, as in production; then the brand requests the
    // quotes, evenly over STAGGER_MS, and opens each negotiation's chat as
    // soon as it exists (the model's first words come seconds later).
    await d.backendChild.request("resetStats");
    mainLoop.reset();
    const mainCpu = process.cpuUsage();
    const workerChild = spawnRole("worker");
    const { pid } = await workerChild.request<{ pid: number }>("start", {
      convexUrl: d.url,
      serviceKey: SERVICE_KEY,
      maxConcurrent: opts.maxConcurrent,
      env: liveModel,
    });
    const idle = procMemory(pid);
    let peakWorkerRss = idle.rss;
    let peakBackendRss = procMemory(d.backendChild.process.pid!).rss;
    const backendBefore = peakBackendRss;
    const sampler = setInterval(() => {
      peakWorkerRss = Math.max(peakWorkerRss, procMemory(pid).rss);
      peakBackendRss = Math.max(peakBackendRss, procMemory(d.backendChild.process.pid!).rss);
    }, 100);
    if (opts.stagger) {
      const requestStart = performance.now();
      const requests: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = requestStart + (i * STAGGER_MS) / count - performance.now();
        if (wait > 0) await sleep(wait);
        requests.push(request(i));
      }
      await Promise.all(requests);
    }
    const done = await settled(d, TIMEOUT_MS);
    await sleep(500); // the last subscription updates
    clearInterval(sampler);
    const workerHwm = procMemory(pid).hwm;
    const backendHwm = procMemory(d.backendChild.process.pid!).hwm;
    const worker = await workerChild.request<WorkerReport>("report");
    const backend = await d.backendChild.request<ProcessStats & { errors: number }>("stats");
    const brandProcess = processStats(mainLoop, mainCpu);
    await workerChild.request("stop").catch(() => {});
    await workerChild.exited;
    for (const u of unsubscribes) u();

    // What the backend holds, against what the worker was told was written.
    let stored = 0;
    let duplicated = 0;
    let streaming = 0;
    let openNegotiations = 0;
    let gaps = 0;
    let viewMismatches = 0;
    let firstAt = Infinity;
    let lastAt = 0;
    let lastStart = 0;
    let firstEnd = Infinity;
    const storedKeys = new Map<string, { state: string }>();
    const statuses = new Map<string, number>();
    const quoteStatuses = new Map<string, number>();
    for (const quoteId of quoteIds) {
      const s = await d.state(quoteId);
      quoteStatuses.set(s.quote.status, (quoteStatuses.get(s.quote.status) ?? 0) + 1);
      firstAt = Math.min(firstAt, s.quote.startedAt ?? Infinity);
      lastAt = Math.max(lastAt, s.quote.completedAt ?? 0);
      lastStart = Math.max(lastStart, s.quote.startedAt ?? 0);
      firstEnd = Math.min(firstEnd, s.quote.completedAt ?? Infinity);
      for (const n of s.negotiations) {
        statuses.set(n.status, (statuses.get(n.status) ?? 0) + 1);
        if (!["accepted", "rejected", "impasse", "expired", "failed"].includes(n.status)) openNegotiations++;
        const seqs = n.messages.map((m) => m.seq);
        duplicated += seqs.length - new Set(seqs).size;
        const rounds = n.offers.map((o) => `${o.round}:${o.offeredBy}`);
        duplicated += rounds.length - new Set(rounds).size;
        if (seqs.some((x, i) => x !== i)) gaps++;
        for (const m of n.messages) {
          if (m.sender === "brand" || m.sender === "supplier") stored++;
          if (m.state === "streaming") streaming++;
          storedKeys.set(`${n._id}:${m.seq}`, { state: m.state });
        }
        {
          const view = lastView.get(n._id) ?? [];
          const same = view.length === n.messages.length && view.every((m, i) => m.seq === n.messages[i]!.seq && m.state === n.messages[i]!.state && m.content === n.messages[i]!.content);
          if (!same || (lastStreaming.get(n._id) ?? []).length > 0) viewMismatches++;
        }
      }
    }
    const acked = Object.entries(worker.messages).filter(([, m]) => m.startAcked !== undefined || m.finishAcked !== undefined);
    const lost = acked.filter(([key, m]) => !storedKeys.has(key) || (m.finishAcked !== undefined && storedKeys.get(key)!.state !== "complete")).length;

    // Persist-to-visible: from the message's commit (its _creationTime, the
    // backend's clock) to the brand's client holding it (this clock, the same machine's).
    const persistToVisible: number[] = [];
    const issueToVisible: number[] = [];
    const finishToVisible: number[] = [];
    for (const [key, seen] of firstSeen) {
      persistToVisible.push(seen.at - seen.creation);
      const issued = worker.messages[key]?.startIssued;
      if (issued !== undefined) issueToVisible.push(seen.at - issued);
    }
    for (const [key, at] of completeSeen) {
      const issued = worker.messages[key]?.finishIssued;
      if (issued !== undefined) finishToVisible.push(at - issued);
    }
    // A streamed piece is visible once the brand holds the text up to its end (or the finished message).
    const pieceToVisible: number[] = [];
    const idOf = new Map([...keyOf].map(([id, key]) => [key, id]));
    for (const [key, end, issued] of worker.pieces) {
      const seen = streamedSeen.get(idOf.get(key) ?? "")?.find((o) => o.length >= end)?.at;
      const at = Math.min(seen ?? Infinity, completeSeen.get(key) ?? Infinity);
      if (at !== Infinity) pieceToVisible.push(at - issued);
    }
    return {
      count,
      negotiations: negotiationIds.length,
      done,
      wallMs: lastAt - firstAt,
      allAtOnceMs: Math.max(0, firstEnd - lastStart),
      stored,
      acked: acked.length,
      lost,
      duplicated,
      gaps,
      streaming,
      openNegotiations,
      viewMismatches,
      statuses,
      quoteStatuses,
      persistToVisible,
      issueToVisible,
      finishToVisible,
      pieceToVisible,
      unseen: storedKeys.size - firstSeen.size,
      worker,
      backend,
      brandProcess,
      memory: { workerIdle: idle.rss, workerPeak: Math.max(peakWorkerRss, workerHwm), workerHwm, backendBefore, backendPeak: Math.max(peakBackendRss, backendHwm) },
    };
  }

  await (sequentialRuntime.transport as { close?(): Promise<void> }).close?.();
  const hundred = await manyQuotes(live, QUOTES, { maxConcurrent: 100, stagger: true, streaming: true });
  await live.stop();
  let scale: Run | undefined;
  if (SCALE_QUOTES > 0) {
    const scaleDeployment = await deployment("scale");
    scale = await manyQuotes(scaleDeployment, SCALE_QUOTES, { maxConcurrent: SCALE_QUOTES + 16, stagger: false, streaming: false });
    await scaleDeployment.stop();
  }
  const loadAtEnd = os.loadavg();

  // ── report ─────────────────────────────────────────────────────────────────
  const f1 = (x: number) => x.toFixed(1);
  const msf = (x: number) => `${Math.round(x)} ms`;
  const mib = (x: number) => `${Math.round(x)} MiB`;
  const pcts = (xs: number[]) => `${f1(pct(xs, 50))} / ${f1(pct(xs, 99))} / ${f1(Math.max(...xs))} ms`;
  const loop = (s: ProcessStats) => `${f1(s.eventLoop.p99)} / ${f1(s.eventLoop.max)} ms`;
  const counts = (m: Map<string, number>) => [...m].map(([k, v]) => `${v} ${k}`).join(", ");
  const rows: [string, string][] = [];
  for (const { name, side } of cases) {
    if (side.seq.length === 0) continue;
    rows.push(
      [`${name}: sequential, median (turns ${side.turns.join("+")})`, msf(median(side.seq))],
      [`${name}: parallel (quote worker + workflow), median`, msf(median(side.par))],
      [`${name}: speed-up sequential ÷ parallel, median (min–max)`, `**${median(side.ratio).toFixed(2)}×** (${Math.min(...side.ratio).toFixed(2)}–${Math.max(...side.ratio).toFixed(2)})`],
      [`${name}: upper bound (sum ÷ longest)`, `${boundOf(side.turns).toFixed(2)}×`],
      [`${name}: claim → first message + last write → recommendation, median: sequential / parallel`, `${msf(median(side.overhead.seq))} / ${msf(median(side.overhead.par))}`],
    );
  }
  const perMessage = (r: Run, cpuMs: number) => `${f1(cpuMs / 1000)} s (${Math.round((cpuMs / r.wallMs) * 100)} % of a core), ${f1(cpuMs / r.stored)} ms per message`;
  const runRows = (label: string, r: Run): [string, string][] => [
    [`${label}: negotiations (statuses)`, `${r.negotiations} (${counts(r.statuses)})`],
    [`${label}: wall time, first claim to last recommendation (all ${r.count} negotiating at once for)`, `${f1(r.wallMs / 1000)} s (${f1(r.allAtOnceMs / 1000)} s)${r.done ? "" : " (timed out)"}`],
    [`${label}: messages persisted per second`, `${Math.round((r.stored / r.wallMs) * 1000)}`],
    [`${label}: messages acknowledged to the worker / stored`, `${r.acked} / ${r.stored}`],
    [`${label}: lost / duplicated / stuck (open negotiations, streaming messages)`, `**${r.lost} / ${r.duplicated} / ${r.openNegotiations + r.streaming}** (${r.openNegotiations}, ${r.streaming}); seq gaps in ${r.gaps}`],
    [`${label}: brand's live view = stored, negotiations (messages never seen)`, `${r.negotiations - r.viewMismatches} / ${r.negotiations} (${r.unseen})`],
    [`${label}: warnings / errors the worker logged`, `${r.worker.warnings} / ${r.worker.errors}`],
  ];
  const h = hundred;
  rows.push(
    ...runRows(`${QUOTES} quotes`, h),
    [`${QUOTES} quotes: **persist-to-visible** p50 / p99 / max (message committed → brand's client)`, `**${pcts(h.persistToVisible)}**`],
    [`${QUOTES} quotes: first write issued → visible, p50 / p99 / max`, pcts(h.issueToVisible)],
    [`${QUOTES} quotes: streamed piece sent → visible, p50 / p99 / max (${h.pieceToVisible.length} pieces)`, pcts(h.pieceToVisible)],
    [`${QUOTES} quotes: finishing write issued → seen complete, p50 / p99 / max`, pcts(h.finishToVisible)],
    [`${QUOTES} quotes: event-loop delay p99 / max: backend`, loop(h.backend)],
    [`${QUOTES} quotes: event-loop delay p99 / max: worker`, loop(h.worker)],
    [`${QUOTES} quotes: event-loop delay p99 / max: brand's client`, loop(h.brandProcess)],
    [`${QUOTES} quotes: CPU of the backend`, perMessage(h, h.backend.cpuMs)],
    [`${QUOTES} quotes: CPU of the worker`, perMessage(h, h.worker.cpuMs)],
    [`${QUOTES} quotes: peak RSS of the worker / the backend`, `${mib(h.memory.workerPeak)} / ${mib(h.memory.backendPeak)}`],
  );
  for (const [name, times] of Object.entries(h.worker.calls).sort()) {
    rows.push([`  ${name}: calls, p50 / p99`, `${times.length}, ${f1(pct(times, 50))} / ${f1(pct(times, 99))} ms`]);
  }
  const s = scale;
  if (s) rows.push(
    ...runRows(`${s.negotiations} negotiations`, s),
    [`${s.negotiations} negotiations: persist-to-visible p50 / p99 / max`, pcts(s.persistToVisible)],
    [`${s.negotiations} negotiations: event-loop delay p99 / max: backend / worker`, `${loop(s.backend)} / ${loop(s.worker)}`],
    [`${s.negotiations} negotiations: peak RSS of the worker (idle before: ${mib(s.memory.workerIdle)})`, mib(s.memory.workerPeak)],
    [`${s.negotiations} negotiations: **worker memory per negotiation** (peak − idle) ÷ negotiations`, `**${f1((s.memory.workerPeak - s.memory.workerIdle) / s.negotiations)} MiB**`],
    [`${s.negotiations} negotiations: peak RSS of the backend (before: ${mib(s.memory.backendBefore)}); per negotiation`, `${mib(s.memory.backendPeak)}; ${f1((s.memory.backendPeak - s.memory.backendBefore) / s.negotiations)} MiB`],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  const table = ["| measure | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  console.log(`\nload average (1/5/15 min) at start ${load(loadAtStart)}, at end ${load(loadAtEnd)}; ${f1((Date.now() - benchStart) / 1000)} s`);
  for (const [label, r] of [[`${QUOTES} quotes`, hundred], ...(scale ? [[`${scale.negotiations} negotiations`, scale] as const] : [])] as const) {
    if (r.worker.warnings || r.worker.errors) console.log(`${label}: worker logged ${r.worker.warnings} warnings, ${r.worker.errors} errors, e.g.\n  ${r.worker.logSample.join("\n  ")}`);
  }
  const md = `# Workflow benchmark

\`npm run bench:workflow\` on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, run
${new Date().toISOString().slice(0, 10)} in ${Math.round((Date.now() - benchStart) / 1000)} s; load average (1/5/15 min) ${load(loadAtStart)} at the start, ${load(loadAtEnd)} at the end
(the machine is shared). Three processes, as under \`npm start\`: the embedded backend (what \`npm run backend\`
starts), the quote worker (\`startQuoteWorker\`: it claims the quotes the brand requested and runs each through the
Mastra workflow, \`runQuoteWorkflow\`, with Mastra's runs kept in the same Convex deployment) and the brand user's
client (the official \`ConvexClient\`, signed in through Convex Auth), all on loopback and on the same ${os.cpus().length} cores.

${table}

**Sequential and parallel** (${REPS} repetitions, interleaved, medians; the scripted model at ${TURN_MS} ms to the
first token, then every word at once). Parallel: quotes the brand requested, run by a quote worker through the
workflow. Sequential: identical quotes (same line items, same seed), claimed by the benchmark and run by the same
per-negotiation code without the worker and without Mastra: the quote read, its negotiations one after another
with \`runSupplierNegotiation\` (what the workflow's run-negotiations step runs at once), then \`evaluateQuote\`;
quote after quote. Both sides are timed by what the backend stored, from the first claim (\`quote.startedAt\`) to the
last recommendation (\`quote.completedAt\`), so the parallel side also pays for the worker and for Mastra (the
run and its steps; their snapshots go to Convex behind the run); the "claim → first message + last write → recommendation" row
is that share (it includes the first turn's ${TURN_MS} ms to the first token). "1 quote": one quote, its three
negotiations at once: the catalog's three personas concede differently, so with seed 7 they take 8, 5 and 7 turns
and even perfect parallelism stays below 3× (sum ÷ longest). A quote negotiates once with each of its workspace's
suppliers, and no service function makes a workspace whose three suppliers share a persona, so one quote of three
equally long negotiations cannot be made; "3 quotes": three identical quotes in each of which the brand first
walks away from all suppliers but ${equalName} (those negotiations close before anyone claims the quote), so the
worker runs three equally long negotiations, one per quote, at once through three workflow runs: bound 3×.

**${QUOTES} quotes at once** (${QUOTES * 3} negotiations, one worker): the scripted model at a reasoning model's pace,
${LIVE_TTFT_MS / 1000} s before the first token, then ${LIVE_TOKENS_PER_SEC} words a second; the worker streams the text into the
message in pieces at most every 100 ms (\`PARLEY_STREAM_THROTTLE_MS\`). The worker runs first; the brand requests the
quotes evenly over ${STAGGER_MS / 1000} s (one model turn: a fixed time to the first token would otherwise keep all
${QUOTES * 3} negotiations writing in the same instant, turn after turn) and opens each negotiation's chat as soon as it
exists: \`messages.list\` and \`messages.streaming\`, the two queries the dashboard's chat shows. The "negotiating at
once" figure is how long all ${QUOTES} quotes were claimed and unfinished together. **Persist-to-visible** runs from the moment
the backend committed a message (its \`_creationTime\`, stamped by the mutation that wrote it and committed with it)
to the moment the brand's subscription callback had it; both clocks are this machine's. "First write issued →
visible" starts when the worker sent that mutation (so it adds the time the request waited for the backend), a
streamed piece's when the worker sent \`ingest.appendMessageText\` until the brand held the text up to its end,
"finishing write issued → seen complete" the message's last write. The worker's calls are timed at the official HTTP
client it uses (\`ConvexHttpClient\`), from the call to its result. Event-loop delay: \`monitorEventLoopDelay\` in each
process during the run; CPU: each process's, during the run, as a share of one core.

**${scale?.negotiations} negotiations at once** (${SCALE_QUOTES} quotes requested before the worker starts, one worker with
\`maxConcurrent\` ${SCALE_QUOTES + 16}, a fresh backend, the same model pace, the brand subscribed to every negotiation's
\`messages.list\`). At this size the two cores are saturated (see the event-loop rows): the run is about
correctness and memory. Lost: a message whose write the backend acknowledged to the worker but which is not stored,
or not complete though its finishing write was acknowledged. Duplicated: two messages at one seq, or two offers
for one round and side. Stuck: a negotiation not in a closing status at the end, or a message still \`streaming\`.
"Live view = stored": the last page the brand's subscription delivered equals the stored messages (seq, state and
text) and nothing is left streaming. Memory: RSS sampled every 100 ms and the kernel's peak (VmHWM,
\`/proc/<pid>/status\`); per negotiation, the worker's RSS before its first claim is subtracted.
`;
  if (process.env.BENCH_DRY) {
    console.log("\nBENCH_DRY: nothing written");
    process.exit(0);
  }
  fs.mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench/results/workflow.md"), md);
  console.log("\nwritten to bench/results/workflow.md");
  writeReadmeTable("workflow", table);
  process.exit(0);
}

if (ROLE === "backend") await backendRole();
else if (ROLE === "worker") await workerRole();
else await main();
