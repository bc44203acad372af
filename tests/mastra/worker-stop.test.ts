import { afterAll, describe, expect, it, vi } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { QuoteState } from "../../src/mastra/convex-transport.js";
import { requestDemoQuote, SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { waitFor } from "../helpers/wait.js";

// Stopping the quote worker mid-quote (what Ctrl-C on `npm start` does) cancels
// the workflow run quietly: no step failure and no stack trace is logged, the
// lease is given up, and the next worker finishes the quote.

// The backend first: Mastra's store keeps the runs in it (CONVEX_URL and PARLEY_SERVICE_KEY, read on import).
const backend = await embeddedBackend();
afterAll(async () => backend.stop());
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
process.env.PARLEY_LOG_LEVEL = "info";
const { mastra, startQuoteWorker } = await import("../../src/mastra/index.js");

const state = (quoteId: Id<"quotes">) => backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }) as Promise<QuoteState>;


const slowModel = { PARLEY_MODEL: "scripted", PARLEY_MODEL_LATENCY_MS: "40", PARLEY_MODEL_TOKENS_PER_SEC: "400" };

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) => waitFor(what, probe, timeoutMs);

describe("stopping the quote worker mid-quote", () => {
  it("cancels the run without a stack trace, and the quote resumes on the next start", { timeout: 120_000 }, async () => {
    const quoteId = await requestDemoQuote(backend.transport, { seed: 77 });
    // Everything this process prints: Mastra logs through the console.
    const printed: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ")));
    }
    const log: string[] = [];
    try {
      const first = await startQuoteWorker({ convexUrl: backend.url, serviceKey: SERVICE_KEY, workerId: "first", leaseMs: 15_000, runtime: { env: slowModel }, log: (l) => log.push(l) });
      await until("the first worker to be mid-negotiation", async () => {
        const s = await state(quoteId);
        return s.negotiations.some((n) => n.messages.some((m) => m.state === "streaming")) && s.negotiations.reduce((k, n) => k + n.messages.length, 0) >= 3 ? s : undefined;
      });
      await first.stop();
    } finally {
      vi.restoreAllMocks();
    }
    const everything = [...printed, ...log].join("\n");
    expect(log.some((l) => l.includes("quote interrupted") && l.includes(quoteId))).toBe(true);
    expect(everything).not.toMatch(/Error executing step|InterruptedError|\n\s+at /);
    expect(log.filter((l) => l.startsWith("error"))).toEqual([]);

    // Mastra recorded the run, in Convex, as canceled, not failed.
    const { runs } = await mastra.getWorkflow("negotiationWorkflow").listWorkflowRuns();
    const statuses = runs.map((r) => (typeof r.snapshot === "string" ? JSON.parse(r.snapshot) : r.snapshot).status);
    expect(statuses).toContain("canceled");
    expect(statuses).not.toContain("failed");

    // The lease was given up (15 s were taken), so the next worker takes the quote over at once.
    const stopped = await state(quoteId);
    expect(stopped.quote.status).toBe("negotiating");
    expect(stopped.quote.leaseExpiresAt! - Date.now()).toBeLessThan(2_000);
    const second = await startQuoteWorker({ convexUrl: backend.url, serviceKey: SERVICE_KEY, workerId: "second", leaseMs: 15_000, runtime: { env: { PARLEY_MODEL: "scripted" } } });
    try {
      const done = await until("the second worker to finish the quote", async () => {
        const s = await state(quoteId);
        return s.quote.status === "completed" ? s : undefined;
      }, 30_000);
      expect(done.quote.recommendation?.ranking).toHaveLength(3);
    } finally {
      await second.stop();
    }
  });
});
