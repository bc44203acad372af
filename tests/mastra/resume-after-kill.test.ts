import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { QuoteState } from "../../src/mastra/convex-transport.js";
import { SERVICE_KEY, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { waitFor } from "../helpers/wait.js";
import { testRuntime } from "./helpers/runtime.js";

// Kill a worker (a child process, SIGKILL) in the middle of a quote; a second
// worker resumes it from Convex; the transcript equals an uninterrupted run's.

const { runQuoteWorkflow, startQuoteWorker } = await import("../../src/mastra/index.js");

let backend: Awaited<ReturnType<typeof embeddedBackend>>;
beforeAll(async () => {
  backend = await embeddedBackend();
});
afterAll(async () => backend?.stop());

const state = (quoteId: Id<"quotes">) => backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }) as Promise<QuoteState>;

function transcript(s: QuoteState) {
  return s.negotiations
    .map((n) => ({
      supplier: n.supplier.slug,
      status: n.status,
      messages: n.messages.map((m) => [m.seq, m.sender, m.kind, m.state, m.content]),
      offers: n.offers.map((o) => [o.round, o.offeredBy, o.status, JSON.stringify(o.terms)]),
    }))
    .sort((a, b) => a.supplier.localeCompare(b.supplier));
}


const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 90_000);

describe("quote worker", () => {
  it("resumes a quote after its worker is killed, and ends with the uninterrupted run's transcript", { timeout: 180_000 }, async () => {
    // The uninterrupted run, headless, in this process.
    const reference = await requestDemoQuote(backend.transport, { seed: 1234 });
    await runQuoteWorkflow({ runtime: testRuntime(backend.transport), quoteId: reference });
    const expected = transcript(await state(reference));
    expect((await state(reference)).quote.status).toBe("completed");

    // The same quote again, for a worker in a child process with a slow model.
    const quoteId = await requestDemoQuote(backend.transport, { seed: 1234 });
    const child = spawn(process.execPath, ["--import", "tsx", "tests/mastra/helpers/worker-child.ts"], {
      env: {
        ...process.env,
        CONVEX_URL: backend.url,
        PARLEY_SERVICE_KEY: SERVICE_KEY,
        PARLEY_MODEL: "scripted",
        PARLEY_MODEL_LATENCY_MS: "40",
        PARLEY_MODEL_TOKENS_PER_SEC: "400",
        MASTRA_TELEMETRY_DISABLED: "1",
        LEASE_MS: "1500",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on("exit", (code, signal) => r(signal ?? code)));

    // Mid-negotiation: some messages exist, and one is still being written.
    const midway = await until("the child to be mid-negotiation", async () => {
      const s = await state(quoteId);
      const written = s.negotiations.reduce((k, n) => k + n.messages.length, 0);
      const streaming = s.negotiations.some((n) => n.messages.some((m) => m.state === "streaming"));
      return written >= 4 && streaming ? s : undefined;
    });
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(midway.quote.status).toBe("negotiating");
    expect(midway.quote.claimedBy).toMatch(/^child-/);

    const rescuerLog: string[] = [];
    // A second worker picks the quote up once the dead worker's lease lapses.
    const worker = await startQuoteWorker({
      convexUrl: backend.url,
      serviceKey: SERVICE_KEY,
      workerId: "rescuer",
      leaseMs: 1500,
      runtime: { env: { PARLEY_MODEL: "scripted" } },
      log: (line) => rescuerLog.push(line),
    });
    try {
      const done = await until("the rescuer to finish the quote", async () => {
        const s = await state(quoteId);
        return s.quote.status === "completed" ? s : undefined;
      });
      expect(rescuerLog.some((l) => l.includes("negotiating quote") && l.includes(quoteId))).toBe(true);
      expect(transcript(done)).toEqual(expected);
      const beforeKill = transcript(midway);
      // Nothing written before the kill was duplicated or rewritten: it is a prefix of the final transcript.
      for (const [i, n] of beforeKill.entries()) {
        const complete = n.messages.filter((m) => m[3] === "complete");
        expect(expected[i]!.messages.slice(0, complete.length)).toEqual(complete);
      }
    } finally {
      await worker.stop();
    }
    expect(stderr).toContain("negotiating quote");
  });
});
