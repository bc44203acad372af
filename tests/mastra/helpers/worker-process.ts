import { spawn } from "node:child_process";
import type { QuoteState } from "../../../src/mastra/convex-transport.js";
import { SERVICE_KEY } from "./convex-test-backend.js";

// A quote worker in a child process (worker-child.ts) with a paced scripted
// model and a 1.5 s lease, for the tests that kill or freeze it mid-quote.

export function spawnWorker(convexUrl: string, opts: { tokensPerSec: number }) {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/mastra/helpers/worker-child.ts"], {
    env: {
      ...process.env,
      CONVEX_URL: convexUrl,
      PARLEY_SERVICE_KEY: SERVICE_KEY,
      PARLEY_MODEL: "scripted",
      PARLEY_MODEL_LATENCY_MS: "40",
      PARLEY_MODEL_TOKENS_PER_SEC: String(opts.tokensPerSec),
      MASTRA_TELEMETRY_DISABLED: "1",
      LEASE_MS: "1500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on("exit", (code, signal) => r(signal ?? code)));
  return { child, exited, stderr: () => stderr };
}

/** A quote's negotiations as comparable rows: what two runs of the same quote must agree on. */
export function transcript(s: QuoteState) {
  return s.negotiations
    .map((n) => ({
      supplier: n.supplier.slug,
      status: n.status,
      messages: n.messages.map((m) => [m.seq, m.sender, m.kind, m.state, m.content]),
      offers: n.offers.map((o) => [o.round, o.offeredBy, o.status, JSON.stringify(o.terms)]),
    }))
    .sort((a, b) => a.supplier.localeCompare(b.supplier));
}
