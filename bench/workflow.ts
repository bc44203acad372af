// npm run bench:workflow — the negotiation workflow against the embedded backend,
// with the scripted model at a fixed pace per turn.
//
// 1. Sequential vs parallel, side by side in one run, medians over a few
//    repetitions: (a) the three negotiations of one quote (the catalog's three
//    personas, so their lengths differ and the bound is sum ÷ longest), and
//    (b) three negotiations of equal length (the same supplier's negotiation in
//    three identical quotes: one persona, one seed, so the bound is 3×).
// 2. 100 quotes at once (300 negotiations): messages persisted per second,
//    persist-to-visible latency seen by a client subscribed to every
//    negotiation's messages, peak memory, lost and duplicated messages.
//
// Prints a table and writes bench/results/workflow.md.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { getFunctionName } from "convex/server";
import { api } from "../convex/_generated/api.js";
import type { Id } from "../convex/_generated/dataModel.js";
import { loadOrCreateAuthKeys } from "../src/cli/auth-keys.js";
import { clientTransport, type ConvexTransport } from "../src/mastra/convex-transport.js";
import { createRuntime, silentLog } from "../src/mastra/runtime.js";
import { evaluateQuote, runNegotiations } from "../src/mastra/workflows/run-quote.js";
import { runSupplierNegotiation } from "../src/mastra/workflows/run-supplier-negotiation.js";
import { signUpBrand } from "../tests/helpers/brand-session.js";
import { writeReadmeTable } from "./readme-table.js";

const TURN_MS = Number(process.env.BENCH_TURN_MS ?? 50);
const QUOTES = Number(process.env.BENCH_QUOTES ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const loadAtStart = os.loadavg();
const SERVICE_KEY = "bench-service-key";

// The backend runs in its own process, as in \`npm run backend\`: the workflow and
// the backend then share the machine's cores the way they do in production.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-workflow-"));
const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(port));
  });
});
// The sign-in keys reach the backend in a 0600 env file, not on its command line.
const authKeys = await loadOrCreateAuthKeys(dataDir);
const envFile = path.join(dataDir, "backend.env");
fs.writeFileSync(envFile, `PARLEY_SERVICE_KEY=${SERVICE_KEY}\nJWT_PRIVATE_KEY=${authKeys.JWT_PRIVATE_KEY}\nJWKS=${authKeys.JWKS}\n`, { mode: 0o600 });
const backendProcess = spawn(
  process.execPath,
  ["--import", "tsx", "src/local-backend/cli.ts", "--port", String(port), "--data-dir", path.join(dataDir, "convex"), "--reset", "--no-watch", "--env-file", envFile],
  { stdio: ["ignore", "ignore", "inherit"] },
);
// If the benchmark fails, the backend must not outlive it.
process.on("exit", () => backendProcess.kill());
const backend = { url: `http://127.0.0.1:${port}` };
for (let tries = 0; ; tries++) {
  try {
    await fetch(`${backend.url}/version`);
    break;
  } catch {
    if (tries > 600) throw new Error("the embedded backend did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
}
const transport = clientTransport(backend.url);
const env = { PARLEY_MODEL: "scripted", PARLEY_MODEL_LATENCY_MS: String(TURN_MS), PARLEY_MODEL_TOKENS_PER_SEC: "0" };

// A brand user signed up through Convex Auth requests the quotes and watches them, as in the dashboard.
const brand = await signUpBrand(backend.url, { email: "bench@brand.test" });
const products = await brand.query(api.products.list, {});

const epochs = new Map<Id<"quotes">, number>();
async function requestQuote(seed: number): Promise<Id<"quotes">> {
  const quoteId = await brand.mutation(api.quotes.request, {
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
  epochs.set(quoteId, (await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "bench", leaseMs: 600_000 }))!);
  return quoteId;
}

// ── 1. sequential vs parallel ────────────────────────────────────────────────
const runtime = createRuntime({ transport, serviceKey: SERVICE_KEY, env, log: silentLog });
const negotiationsOf = async (quoteId: Id<"quotes">) =>
  (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!.negotiations;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
type Job = { quoteId: Id<"quotes">; negotiationId: Id<"negotiations"> };
async function timeRuns(jobs: Job[], parallel: boolean): Promise<{ ms: number; turns: number[] }> {
  const run = (j: Job) => runSupplierNegotiation(j.negotiationId, { quoteId: j.quoteId, runtime, writer: runtime.persister.withLease(epochs.get(j.quoteId)!) });
  const t0 = performance.now();
  const results = parallel ? await Promise.all(jobs.map(run)) : await jobs.reduce(async (acc, j) => [...(await acc), await run(j)], Promise.resolve([] as Awaited<ReturnType<typeof run>>[]));
  return { ms: performance.now() - t0, turns: results.map((r) => r.turns.length) };
}
/** The three negotiations of one fresh quote (three personas). */
const catalogJobs = async () => {
  const quoteId = await requestQuote(7);
  return (await negotiationsOf(quoteId)).map((n) => ({ quoteId, negotiationId: n._id }));
};
/** The same supplier's negotiation in three fresh, identical quotes (one persona, equal lengths). */
let equalSupplier: Id<"suppliers"> | undefined;
const equalJobs = async () => {
  const jobs: Job[] = [];
  for (let i = 0; i < 3; i++) {
    const quoteId = await requestQuote(7);
    const negotiations = await negotiationsOf(quoteId);
    // Northwind (7 turns with seed 7), by name: the negotiations' order follows the suppliers' slugs.
    equalSupplier ??= (negotiations.find((n) => n.supplier.slug === "northwind") ?? negotiations[0]!).supplierId;
    jobs.push({ quoteId, negotiationId: negotiations.find((n) => n.supplierId === equalSupplier)!._id });
  }
  return jobs;
};
const sides = { catalog: { seq: [] as number[], par: [] as number[], ratio: [] as number[], turns: [] as number[] }, equal: { seq: [] as number[], par: [] as number[], ratio: [] as number[], turns: [] as number[] } };
for (let rep = 0; rep < REPS; rep++) {
  // Interleaved, so both measurements see the same machine at the same time.
  for (const [name, jobs] of [["catalog", catalogJobs], ["equal", equalJobs]] as const) {
    const seq = await timeRuns(await jobs(), false);
    const par = await timeRuns(await jobs(), true);
    const side = sides[name];
    side.seq.push(seq.ms);
    side.par.push(par.ms);
    side.ratio.push(seq.ms / par.ms);
    side.turns = seq.turns;
    if (seq.turns.join() !== par.turns.join()) throw new Error(`${name}: sequential and parallel runs differ (${seq.turns} vs ${par.turns})`);
  }
}
const boundOf = (turns: number[]) => turns.reduce((a, b) => a + b, 0) / Math.max(...turns);
const equalPersona = (await brand.query(api.suppliers.list, {})).find((s) => s._id === equalSupplier)?.name ?? "one supplier";

// ── 2. 100 quotes at once ────────────────────────────────────────────────────
const issuedAt = new Map<string, number>();
const callTimes = new Map<string, number[]>();
const timed = async <R>(name: string, call: () => Promise<R>): Promise<R> => {
  const start = performance.now();
  try {
    return await call();
  } finally {
    const list = callTimes.get(name) ?? [];
    list.push(performance.now() - start);
    callTimes.set(name, list);
  }
};
const recording: ConvexTransport = {
  onUpdate: transport.onUpdate,
  mutation: (fn, args) => {
    const a = args as { negotiationId?: string; seq?: number };
    const name = getFunctionName(fn);
    if ((name === "ingest:startMessage" || name === "ingest:appendMessage") && a.negotiationId && a.seq !== undefined) {
      const key = `${a.negotiationId}:${a.seq}`;
      if (!issuedAt.has(key)) issuedAt.set(key, performance.now());
    }
    return timed(name, () => transport.mutation(fn, args));
  },
  query: (fn, args) => timed(getFunctionName(fn), () => transport.query(fn, args)),
};
const bulkRuntime = createRuntime({ transport: recording, serviceKey: SERVICE_KEY, env, log: silentLog });
const quoteIds: Id<"quotes">[] = [];
for (let i = 0; i < QUOTES; i++) quoteIds.push(await requestQuote(1000 + i));
const negotiationIds: Id<"negotiations">[] = [];
for (const quoteId of quoteIds) for (const n of await negotiationsOf(quoteId)) negotiationIds.push(n._id);

const visibleAt = new Map<string, number>();
const unsubscribes = negotiationIds.map((negotiationId) =>
  brand.onUpdate(api.messages.list, { negotiationId, paginationOpts: { numItems: 200, cursor: null } }, (page: { page: { seq: number }[] }) => {
    const now = performance.now();
    for (const m of page.page) {
      const key = `${negotiationId}:${m.seq}`;
      if (!visibleAt.has(key)) visibleAt.set(key, now);
    }
  }),
);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
let written = 0;
const t0 = performance.now();
const bulk = await Promise.all(
  quoteIds.map(async (quoteId) => {
    const results = await runNegotiations(bulkRuntime, quoteId, {
      onMessage: (_, m) => {
        if (m.phase === "finished") written++;
      },
    });
    await evaluateQuote(bulkRuntime, quoteId);
    return results;
  }),
);
const bulkMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, 500)); // let the last subscription updates arrive
clearInterval(sampler);

let stored = 0;
let duplicated = 0;
let gaps = 0;
for (const quoteId of quoteIds) {
  const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
  for (const n of state.negotiations) {
    const ai = n.messages.filter((m) => m.sender === "brand" || m.sender === "supplier");
    stored += ai.length;
    const seqs = n.messages.map((m) => m.seq);
    duplicated += seqs.length - new Set(seqs).size;
    if (seqs.some((s, i) => s !== i)) gaps++;
  }
}
const latencies = [...issuedAt.entries()].filter(([k]) => visibleAt.has(k)).map(([k, t]) => visibleAt.get(k)! - t).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const failed = bulk.flat().filter((r) => r.status === "failed").length;

for (const u of unsubscribes) u();
await brand.close();
await transport.close();
const loadAtEnd = os.loadavg();
backendProcess.kill("SIGTERM");
await new Promise((r) => backendProcess.once("exit", r));
fs.rmSync(dataDir, { recursive: true, force: true });

// ── report ───────────────────────────────────────────────────────────────────
const f1 = (x: number) => x.toFixed(1);
const ms = (x: number) => `${Math.round(x)} ms`;
const sideRows = (label: string, side: typeof sides.catalog): [string, string][] => [
  [`${label}: sequential, median (turns ${side.turns.join("+")})`, ms(median(side.seq))],
  [`${label}: parallel, median`, ms(median(side.par))],
  [`${label}: speed-up sequential ÷ parallel, median (min–max)`, `**${median(side.ratio).toFixed(2)}×** (${Math.min(...side.ratio).toFixed(2)}–${Math.max(...side.ratio).toFixed(2)})`],
  [`${label}: upper bound (sum ÷ longest)`, `${boundOf(side.turns).toFixed(2)}×`],
];
const rows: [string, string][] = [
  ...sideRows("catalog's 3 personas", sides.catalog),
  ...sideRows(`3 equal negotiations (${equalPersona} ×3)`, sides.equal),
  [`${QUOTES} quotes at once: negotiations`, `${negotiationIds.length} (${failed} failed)`],
  [`${QUOTES} quotes at once: wall time`, `${f1(bulkMs / 1000)} s`],
  ["messages persisted per second", `${Math.round((stored / bulkMs) * 1000)}`],
  ["persist-to-visible latency p50 / p99 (subscribed client)", `${f1(pct(50))} / ${f1(pct(99))} ms`],
  ["peak RSS of the workflow process (backend not included)", `${Math.round(peakRss / 2 ** 20)} MiB`],
  ["messages written by the workflow / stored", `${written} / ${stored}`],
  ["lost / duplicated messages, negotiations with seq gaps", `${Math.max(0, written - stored)} / ${duplicated}, ${gaps}`],
];
for (const [name, times] of [...callTimes.entries()].sort()) {
  const sorted = [...times].sort((a, b) => a - b);
  rows.push([`  ${name}: calls, p50 / p99`, `${times.length}, ${f1(sorted[Math.floor(sorted.length / 2)]!)} / ${f1(sorted[Math.floor(sorted.length * 0.99)]!)} ms`]);
}
const width = Math.max(...rows.map(([k]) => k.length));
const table = ["| measure | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
console.log(`\nload average (1/5/15 min) at start ${load(loadAtStart)}, at end ${load(loadAtEnd)}`);
const md = `# Workflow benchmark

\`npm run bench:workflow\` — scripted model at ${TURN_MS} ms per turn (time to first token; words then
stream without delay), embedded backend in its own process on loopback, official Convex clients, a subscriber on every
negotiation's messages, on
${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}. Run ${new Date().toISOString().slice(0, 10)};
load average (1/5/15 min) ${load(loadAtStart)} at the start, ${load(loadAtEnd)} at the end (the machine is shared).
Sequential and parallel: ${REPS} repetitions, interleaved, medians.

${table}

The parallel speed-up is bounded by the negotiations' lengths: run at once, the three take as
long as the longest; run one after another, the sum (the "upper bound" rows). With the catalog's
three personas the lengths differ, so even perfect parallelism stays below 3×; the equal-length
case (one persona, three identical quotes) has a bound of 3× and shows how close the workflow
gets to it. Each offer turn is the model's ${TURN_MS} ms plus two round trips to the backend
(\`ingest.startMessage\` on the first words, then \`ingest.finishOfferMessage\`, which records the
offer, finishes the message and returns the negotiation), plus a text update only when the words
arrive slower than the throttle. The negotiation is read (\`worker.getQuoteState\`) at its start
and again only when the \`worker.negotiationControl\` subscription shows that someone else wrote.
The per-function rows of the 100-quote run count every call. Lost and duplicated messages are
counted against what the workflow reported writing; seq gaps against 0..n-1 per negotiation.
`;
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/workflow.md", md);
console.log("\nwritten to bench/results/workflow.md");
writeReadmeTable("workflow", table);
process.exit(0);
