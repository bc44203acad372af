// Benchmark of the embedded Convex backend (src/local-backend) with the official
// clients: mutation-to-subscriber latency with 300 subscribers, indexed query
// latency at 10k and 200k documents, mutation throughput, and the same function
// workload on convex-test as a ratio. Prints a table, writes bench/results/backend.md.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { convexTest } from "convex-test";
import { spawn } from "node:child_process";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { writeReadmeTable } from "./readme-table.js";

const api = anyApi;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE = path.join(ROOT, "tests/local-backend/fixture/convex");
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 300);
const BIG = Number(process.env.BENCH_BIG_DOCS ?? 200_000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const wallNow = () => performance.timeOrigin + performance.now();
const SUBSCRIBER_THREADS = Number(process.env.BENCH_SUBSCRIBER_THREADS ?? 1);

type SubscriberKind = "client" | "raw";

/**
 * Worker thread, raw kind: `count` bare WebSockets speaking the sync protocol
 * (Connect, one ModifyQuerySet, then Transitions), so the latency measured is the
 * backend's fan-out and the network, without the client library's own work.
 */
async function rawSubscriberThread({ url, count }: { url: string; count: number }) {
  const wsUrl = `${url.replace(/^http/, "ws")}/api/1.48.0/sync`;
  let ready = 0;
  const sockets = Array.from({ length: count }, () => {
    const ws = new WebSocket(wsUrl);
    let first = true;
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "Connect", sessionId: randomUUID(), connectionCount: 0, lastCloseReason: null }));
      ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "messages:latest", args: [{ channel: "bench" }] }] }));
    });
    ws.on("message", (data) => {
      const at = wallNow();
      const msg = JSON.parse(String(data));
      if (msg.type !== "Transition") return;
      for (const m of msg.modifications) {
        if (m.type !== "QueryUpdated") continue;
        if (first) {
          first = false;
          if (++ready === count) parentPort!.postMessage({ type: "ready" });
        } else parentPort!.postMessage({ type: "update", body: m.value, at });
      }
    });
    return ws;
  });
  parentPort!.on("message", (m) => {
    if (m === "close") {
      for (const ws of sockets) ws.close();
      parentPort!.postMessage({ type: "closed" });
    }
  });
}

/** Worker thread: hold `count` subscribed ConvexClients, report each update's arrival time. */
async function subscriberThread({ url, count }: { url: string; count: number }) {
  const clients = Array.from({ length: count }, () => new ConvexClient(url, { logger: false }));
  let ready = 0;
  for (const c of clients) {
    let first = true;
    c.onUpdate(api.messages.latest, { channel: "bench" }, (body: string | null) => {
      const at = wallNow();
      if (first) {
        first = false;
        if (++ready === count) parentPort!.postMessage({ type: "ready" });
        return;
      }
      parentPort!.postMessage({ type: "update", body, at });
    });
  }
  parentPort!.on("message", async (m) => {
    if (m === "close") {
      await Promise.all(clients.map((c) => c.close()));
      parentPort!.postMessage({ type: "closed" });
    }
  });
}

// Subscribers live in worker threads (as they would in separate browsers), so
// the latency measured is the backend's, not one event loop decoding 300 clients.
async function subscriberLatency(url: string, kind: SubscriberKind, backendPid: number) {
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  let ready = 0;
  const workers = Array.from({ length: SUBSCRIBER_THREADS }, (_, i) => {
    const count = Math.floor(SUBSCRIBERS / SUBSCRIBER_THREADS) + (i < SUBSCRIBERS % SUBSCRIBER_THREADS ? 1 : 0);
    const w = new Worker(new URL(import.meta.url), { workerData: { url, count, kind } });
    w.on("message", (m) => {
      if (m.type === "ready") ready++;
      if (m.type === "update") {
        const t = sentAt.get(m.body);
        if (t !== undefined) samples.push(m.at - t);
      }
    });
    return w;
  });
  while (ready < SUBSCRIBER_THREADS) await sleep(20);
  const writer = new ConvexHttpClient(url, { logger: false });
  const cpu0 = cpuMs(backendPid);
  const warmup = 5;
  const rounds = 40;
  for (let i = -warmup; i < rounds; i++) {
    const body = `m${i}`;
    if (i < 0) {
      // Warm-up rounds (JIT, first transitions) are not measured.
      await writer.mutation(api.messages.send, { channel: "bench", body });
      await sleep(100);
      continue;
    }
    sentAt.set(body, wallNow());
    await writer.mutation(api.messages.send, { channel: "bench", body });
    const target = (i + 1) * SUBSCRIBERS;
    const deadline = Date.now() + 5000;
    while (samples.length < target && Date.now() < deadline) await sleep(1);
    await sleep(10);
  }
  const cpuPerMutation = (cpuMs(backendPid) - cpu0) / (warmup + rounds);
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.on("message", (m) => m.type === "closed" && resolve());
          w.postMessage("close");
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return { p50: pct(samples, 50), p99: pct(samples, 99), samples: samples.length, expected: rounds * SUBSCRIBERS, cpuPerMutation };
}

async function fill(http: ConvexHttpClient, from: number, to: number) {
  const batch = 2000;
  for (let i = from; i < to; i += batch) await http.mutation(api.items.bulk, { from: i, count: Math.min(batch, to - i), groups: 100 });
}

async function indexedQueryLatency(http: ConvexHttpClient) {
  const spec = { index: "by_group_score", order: "asc", terminal: "take", n: 10 } as Record<string, unknown>;
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const s = { ...spec, group: i % 100, lo: (i * 37) % 900, loInclusive: true };
    const t0 = performance.now();
    const r = await http.query(api.items.run, { spec: s });
    times.push(performance.now() - t0);
    if (!Array.isArray(r)) throw new Error("unexpected result");
  }
  return pct(times, 50);
}

async function mutationThroughput(url: string) {
  const total = 2000;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      // One client per worker: ConvexHttpClient runs its own mutations one at a time.
      const http = new ConvexHttpClient(url, { logger: false });
      while (n < total) {
        const i = n++;
        await http.mutation(api.messages.send, { channel: `tp${w}`, body: `b${i}` });
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** The same function workload on both: 500 inserts, 500 indexed queries, 200 patches. */
async function workload(run: { q: (f: any, a: any) => Promise<any>; m: (f: any, a: any) => Promise<any> }) {
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) ids.push(await run.m(api.items.insert, { group: i % 10, score: i % 50, tag: `w${i % 5}`, flag: i % 2 === 0 }));
  for (let i = 0; i < 500; i++) await run.q(api.items.run, { spec: { index: "by_group_score", group: i % 10, lo: i % 40, loInclusive: true, order: "asc", terminal: "take", n: 5 } });
  for (let i = 0; i < 200; i++) await run.m(api.items.patch, { id: ids[i], score: 49 - (i % 50) });
  return performance.now() - t0;
}

async function convexTestModules() {
  const modules: Record<string, () => Promise<any>> = { "/fixture/convex/_generated/api.js": async () => ({}) };
  for (const f of fs.readdirSync(FIXTURE)) {
    if (f.endsWith(".ts")) modules[`/fixture/convex/${f}`] = () => import(pathToFileURL(path.join(FIXTURE, f)).href);
  }
  return modules;
}

/**
 * CPU time (user + system, ms) the backend process has used so far, from /proc
 * (Linux); unlike wall time it hardly depends on what else the shared machine runs.
 */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

/** The backend runs in its own process, as it would beside a browser or a worker. */
function startBackend(dataDir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    // BENCH_BACKEND_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the backend under this load.
    [...(process.env.BENCH_BACKEND_NODE_ARGS?.split(" ").filter(Boolean) ?? []), "--import", "tsx", "src/local-backend/cli.ts", "--port", "0", "--data-dir", dataDir, "--functions", FIXTURE, "--no-watch"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /CONVEX_URL=(\S+)/.exec(out);
      if (m) resolve({ url: m[1], pid: child.pid!, stop });
    });
    child.once("exit", (code) => reject(new Error(`backend exited with ${code}`)));
  });
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-backend-"));
  const backend = await startBackend(dataDir);
  const http = new ConvexHttpClient(backend.url, { logger: false });
  const rows: [string, string][] = [];
  try {
    const sub = await subscriberLatency(backend.url, "client", backend.pid);
    rows.push([`mutation → ${SUBSCRIBERS} subscribers, p50`, ms(sub.p50)]);
    rows.push([`mutation → ${SUBSCRIBERS} subscribers, p99`, ms(sub.p99)]);
    rows.push(["updates delivered / expected", `${sub.samples} / ${sub.expected}`]);
    const raw = await subscriberLatency(backend.url, "raw", backend.pid);
    rows.push([`mutation → ${SUBSCRIBERS} raw WebSocket subscribers, p50`, ms(raw.p50)]);
    rows.push([`mutation → ${SUBSCRIBERS} raw WebSocket subscribers, p99`, ms(raw.p99)]);
    rows.push(["raw updates delivered / expected", `${raw.samples} / ${raw.expected}`]);
    rows.push([`backend CPU per mutation pushed to ${SUBSCRIBERS} subscribers`, ms(sub.cpuPerMutation)]);

    await fill(http, 0, 10_000);
    const q10k = await indexedQueryLatency(http);
    rows.push(["indexed query (take 10) at 10k docs, p50", ms(q10k)]);
    const t0 = performance.now();
    await fill(http, 10_000, BIG);
    const fillSecs = (performance.now() - t0) / 1000;
    const qBig = await indexedQueryLatency(http);
    rows.push([`indexed query (take 10) at ${BIG / 1000}k docs, p50`, ms(qBig)]);
    rows.push([`ratio ${BIG / 1000}k / 10k`, `${(qBig / q10k).toFixed(2)}×`]);
    rows.push(["bulk insert rate (2000 docs per mutation)", `${Math.round((BIG - 10_000) / fillSecs)} docs/s`]);

    const cpu0 = cpuMs(backend.pid);
    rows.push(["mutations/s (8 concurrent HTTP clients)", `${Math.round(await mutationThroughput(backend.url))}`]);
    rows.push(["backend CPU per mutation (8 concurrent HTTP clients)", ms((cpuMs(backend.pid) - cpu0) / 2000)]);

    const ours = await workload({ q: (f, a) => http.query(f, a), m: (f, a) => http.mutation(f, a) });
    const schema = (await import(pathToFileURL(path.join(FIXTURE, "schema.ts")).href)).default;
    const t = convexTest(schema, await convexTestModules());
    const theirs = await workload({ q: (f, a) => t.query(f, a), m: (f, a) => t.mutation(f, a) });
    rows.push(["same workload: embedded backend (via HTTP)", ms(ours)]);
    rows.push(["same workload: convex-test (in-process)", ms(theirs)]);
    rows.push(["convex-test time / embedded time", `${(theirs / ours).toFixed(2)}×`]);
  } finally {
    await backend.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  const table = ["| metric | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  const md = `# Embedded backend benchmark\n\n${new Date().toISOString()} · ${os.cpus().length} cores · node ${process.version} · load average at the end ${load} (the machine is shared)\n\n${table}\n\n` +
    "Workload: fixture project `tests/local-backend/fixture/convex`; the backend runs in its own process (`npm run backend`).\n" +
    `Subscribers are ${SUBSCRIBERS} \`ConvexClient\`s over WebSocket spread over ${SUBSCRIBER_THREADS} worker threads of the benchmark process (all on the\n` +
    "same cores as the backend); latency runs from sending the mutation over HTTP to each subscriber's callback. The raw WebSocket rows\n" +
    "use bare sockets that speak the sync protocol (Connect, one query, Transitions) instead of `ConvexClient`, to separate the backend's fan-out from the client library's work. Indexed queries use `withIndex(by_group_score, eq group, gte score).take(10)` over HTTP.\n" +
    "The convex-test workload (500 inserts, 500 indexed queries, 200 patches) runs in-process without any network.\n";
  fs.mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench/results/backend.md"), md);
  writeReadmeTable("backend", table);
  process.exit(0);
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void (workerData.kind === "raw" ? rawSubscriberThread(workerData) : subscriberThread(workerData));
}
