import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";

import { serviceStorageClient } from "../../src/mastra/storage/workflow-store.js";
import { listeningAddresses, LOOPBACK } from "../helpers/listening.js";
import { requestDemoQuote, SERVICE_KEY, toolsWorkspace } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";

// `mastra dev` (what `npm run dev:mastra` runs) boots offline, lists the
// negotiation workflow over its HTTP API, and runs it from line items alone:
// the quote it creates is negotiated in the embedded backend like any other.
// It listens on loopback only, lists the runs of this file's quote worker (the
// store they share is in Convex), and neither its API nor that store ever holds
// the service key.

// The backend first: Mastra's store keeps the runs in it (CONVEX_URL and PARLEY_SERVICE_KEY, read on import).
const backend = await embeddedBackend();
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
const { startQuoteWorker } = await import("../../src/mastra/index.js");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

let studio: ChildProcess | undefined;
let base = "";
let workspaceId: Id<"workspaces">;
let output = "";
let port = 0;
const workerLog: string[] = [];
let workerQuote: Id<"quotes">;

/** A quote negotiated by the quote worker, as `npm start` runs it, before Studio starts. */
async function workerRun() {
  workerQuote = await requestDemoQuote(backend.transport, { seed: 5 });
  // Mastra's own logger writes to the console.
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void workerLog.push(args.map(String).join(" ")));
  }
  const worker = await startQuoteWorker({
    convexUrl: backend.url,
    serviceKey: SERVICE_KEY,
    workerId: "studio-test-worker",
    runtime: { env: { PARLEY_MODEL: "scripted" } },
    log: (line) => workerLog.push(line),
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId: workerQuote });
      // The quote is completed inside the run's last step; the run ends just after.
      if (state?.quote.status === "completed" && worker.running().length === 0) break;
      if (Date.now() > deadline) throw new Error(`the worker did not finish its quote:\n${workerLog.join("\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
    vi.restoreAllMocks();
  }
}

beforeAll(async () => {
  workspaceId = await toolsWorkspace(backend.transport);
  await workerRun();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Its own root (for .mastra/ and its dev lock), so it can run beside a
  // developer's `npm run dev:mastra` in the same checkout; the code is src/mastra.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "parley-studio-root-"));
  for (const f of ["node_modules", "package.json", "tsconfig.json"]) fs.symlinkSync(path.resolve(f), path.join(root, f));
  // No HOST, MASTRA_HOST or PARLEY_HOST: the default address is under test.
  const { HOST: _host, MASTRA_HOST: _mastraHost, PARLEY_HOST: _parleyHost, ...env } = process.env;
  studio = spawn(path.resolve("node_modules/.bin/mastra"), ["dev", "--root", root, "--dir", path.resolve("src/mastra")], {
    env: {
      ...env,
      MASTRA_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      CONVEX_URL: backend.url,
      PARLEY_SERVICE_KEY: SERVICE_KEY,
      PARLEY_MODEL: "scripted",
    },
    stdio: ["ignore", "pipe", "pipe"],
    cwd: root,
    detached: true,
  });
  studio.stdout!.on("data", (d) => (output += d));
  studio.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/workflows`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (studio.exitCode !== null || Date.now() > deadline) throw new Error(`mastra dev did not start:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 180_000);

afterAll(async () => {
  if (studio?.pid) {
    try {
      process.kill(-studio.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  await backend.stop();
});

describe("Mastra Studio (mastra dev)", () => {
  it("serves the Studio UI, and lists the workflow and the agents", async () => {
    expect(await (await fetch(`${base}/`)).text()).toMatch(/<html/i);
    const workflows = await (await fetch(`${base}/api/workflows`)).json();
    expect(Object.keys(workflows)).toContain("negotiationWorkflow");
    expect(Object.keys(workflows.negotiationWorkflow.steps)).toEqual(["prepare", "run-negotiations", "evaluate"]);
    const agents = await (await fetch(`${base}/api/agents`)).json();
    expect(Object.keys(agents).sort()).toEqual(["brand-agent", "supplier-agent"]);
  });

  it("lists the quote worker's run, with its steps, from the store it shares with the worker", async () => {
    const { runs } = (await (await fetch(`${base}/api/workflows/negotiationWorkflow/runs`)).json()) as { runs: { runId: string; snapshot: any }[] };
    const snapshotOf = (run: { snapshot: any }) => (typeof run.snapshot === "string" ? JSON.parse(run.snapshot) : run.snapshot);
    const run = runs.find((r) => snapshotOf(r).result?.quoteId === workerQuote);
    expect(run, "the worker's run is listed").toBeDefined();
    const snapshot = snapshotOf(run!);
    expect(snapshot.status).toBe("success");
    for (const step of ["prepare", "run-negotiations", "evaluate"]) expect(snapshot.context[step]?.status, step).toBe("success");
    const detail = await (await fetch(`${base}/api/workflows/negotiationWorkflow/runs/${run!.runId}`)).json();
    expect(JSON.stringify(detail)).toContain(workerQuote);
  });

  it("runs the workflow from line items: the quote is created in Convex, negotiated and recommended", { timeout: 120_000 }, async () => {
    const products = await backend.transport.query(api.worker.products, { serviceKey: SERVICE_KEY, workspaceId });
    const created = await (await fetch(`${base}/api/workflows/negotiationWorkflow/create-run`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json();
    const runId = created.runId as string;
    const response = await fetch(`${base}/api/workflows/negotiationWorkflow/start-async?runId=${runId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputData: { workspaceId, lineItems: [{ sku: products[0]!.sku, quantity: 400 }], seed: 11, notes: "from Studio" } }),
    });
    const result = await response.json();
    expect(result.status, JSON.stringify(result).slice(0, 500)).toBe("success");
    const quoteId = result.result.quoteId as Id<"quotes">;
    expect(result.result.negotiations).toHaveLength(3);
    const state = (await backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    expect(state.quote.status).toBe("completed");
    expect(state.quote.notes).toBe("from Studio");
    expect(state.quote.workspaceId).toBe(workspaceId);
    expect(state.quote.recommendation?.ranking).toHaveLength(3);
    expect(state.negotiations.every((n) => n.messages.length >= 2)).toBe(true);
    const runs = await (await fetch(`${base}/api/workflows/negotiationWorkflow/runs`)).json();
    expect(runs.runs.map((r: { runId: string }) => r.runId)).toContain(runId);
  });

  it("listens on loopback only by default", () => {
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK).toContain(address);
  });

  it("keeps the service key out of the run store, Studio's API and the logs, after a worker run and a Studio run", async () => {
    const listing = await (await fetch(`${base}/api/workflows/negotiationWorkflow/runs`)).text();
    const runs = (JSON.parse(listing) as { runs: { runId: string; snapshot: unknown }[] }).runs;
    // Both runs are there: the worker's (with its handle id only) and the one Studio started.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(listing).toContain(workerQuote);
    expect(listing).toContain("parley.run");
    const texts = [listing];
    for (const { runId } of runs) {
      const detail = await fetch(`${base}/api/workflows/negotiationWorkflow/runs/${runId}`);
      expect(detail.ok).toBe(true);
      texts.push(await detail.text());
    }
    // The store itself: the snapshot documents as Convex holds them.
    const store = JSON.stringify(await serviceStorageClient(backend.transport, SERVICE_KEY).callStorage({ op: "queryTable", tableName: "mastra_workflow_snapshot" }));
    expect(store).toContain(workerQuote);
    texts.push(store, output, workerLog.join("\n"));
    for (const text of texts) {
      expect(text).not.toContain(SERVICE_KEY);
      // Neither the runtime nor callbacks or signals are serialized: only an opaque id is.
      expect(text).not.toMatch(/parley\.(runtime|callbacks|signal)|serviceKey/);
    }
  });
});
