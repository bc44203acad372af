import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConvexError } from "convex/values";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import { generateAuthKeys } from "../../src/cli/auth-keys.js";
import { startLocalBackend } from "../../src/local-backend/index.js";
import { BackendUnreachableError, isTransportError, retryTransport } from "../../src/mastra/backend-retry.js";
import { clientTransport, type ConvexTransport } from "../../src/mastra/convex-transport.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { testRuntime } from "./helpers/runtime.js";
import { waitFor } from "../helpers/wait.js";

// A Convex outage while negotiations run: reads and subscriptions retry
// through it; past the limit (PARLEY_BACKEND_OUTAGE_MS) the negotiation fails
// with "backend unreachable for …".

/** What undici throws when nothing listens on the port. */
const refused = () =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3210"), { code: "ECONNREFUSED" }) });

/** `inner` whose reads are refused while `state.reads` is set (the persister's write retry has its own tests). */
function outageTransport(inner: ConvexTransport) {
  const state = { reads: false, refusedReads: 0 };
  const transport: ConvexTransport = {
    query: (fn, args) => (state.reads ? (state.refusedReads++, Promise.reject(refused())) : inner.query(fn, args)),
    mutation: (fn, args) => inner.mutation(fn, args),
  };
  return { transport, state };
}

async function claimedQuote(transport: ConvexTransport) {
  const quoteId = await requestDemoQuote(transport, { seed: 11, maxRounds: 6 });
  await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "t", leaseMs: 60_000 });
  return quoteId;
}

const until = (condition: () => boolean) => waitFor("the negotiations to get there", () => (condition() ? true : undefined), 60_000, 5);

afterEach(() => {
  delete process.env.PARLEY_BACKEND_OUTAGE_MS;
});

describe("a Convex outage during a negotiation", () => {
  it("is ridden out: reads fail for a while, then every negotiation finishes normally", async () => {
    const { transport: inner } = convexTestBackend();
    const { transport, state } = outageTransport(inner);
    const quoteId = await claimedQuote(inner);
    let messages = 0;
    // Paced like a real model, so the outage lands mid-negotiation.
    const runtime = testRuntime(transport, { latencyMs: 20 });
    const running = runNegotiations(runtime, quoteId, { onMessage: (_, m) => void (m.phase === "finished" && messages++) });
    await until(() => messages >= 2);
    state.reads = true;
    await until(() => state.refusedReads >= 10);
    state.reads = false;
    const results = await running;
    expect(results.map((r) => r.status).every((s) => s === "accepted" || s === "impasse")).toBe(true);
    const after = (await inner.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    for (const n of after.negotiations) expect(n.messages.map((m) => m.seq)).toEqual(n.messages.map((_, i) => i));
  });

  it("past the configured limit fails the negotiation with 'backend unreachable for …'", async () => {
    process.env.PARLEY_BACKEND_OUTAGE_MS = "300";
    const { transport: inner } = convexTestBackend();
    const { transport, state } = outageTransport(inner);
    const quoteId = await claimedQuote(inner);
    let messages = 0;
    const running = runNegotiations(testRuntime(transport, { latencyMs: 20 }), quoteId, { onMessage: (_, m) => void (m.phase === "finished" && messages++) });
    await until(() => messages >= 2);
    // Writes still land, so the failure is recorded in Convex.
    state.reads = true;
    const results = await running;
    expect(results.map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
    for (const r of results) expect(r.failureReason).toMatch(/^backend unreachable for 300 ms: fetch failed/);
    state.reads = false;
    const after = (await inner.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    for (const n of after.negotiations) expect(n).toMatchObject({ status: "failed", failureReason: expect.stringMatching(/^backend unreachable for 300 ms/) });
  });

  it("retries only transport errors: a ConvexError or a function's own error is thrown at once", async () => {
    const policy = { limitMs: 60_000, baseMs: 1, maxMs: 5 };
    let calls = 0;
    const refusal = new ConvexError({ code: "FORBIDDEN" });
    await expect(retryTransport(() => (calls++, Promise.reject(refusal)), policy)).rejects.toBe(refusal);
    expect(calls).toBe(1);
    expect(isTransportError(new Error("[Request ID: 1] Server Error\nUncaught Error: quote not found"))).toBe(false);
    for (const e of [refused(), new Error("Server Error: 503 Service Unavailable"), new Error("fetch failed: socket hang up"), new Error("request timed out")]) {
      expect(isTransportError(e)).toBe(true);
    }
    let attempts = 0;
    await expect(retryTransport(() => (++attempts < 4 ? Promise.reject(refused()) : Promise.resolve("ok")), policy)).resolves.toBe("ok");
    await expect(retryTransport(() => Promise.reject(refused()), { ...policy, limitMs: 30 })).rejects.toBeInstanceOf(BackendUnreachableError);
  });

  it("survives the real backend being down for 10 s and restarted on its port with its data", { timeout: 120_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-outage-"));
    const options = { dataDir: path.join(dataDir, "convex"), functionsDir: "convex", env: { PARLEY_SERVICE_KEY: SERVICE_KEY, ...(await generateAuthKeys()) }, log: () => {} };
    let backend = await startLocalBackend({ ...options, port: 0, reset: true });
    const transport = clientTransport(backend.url);
    try {
      const quoteId = await claimedQuote(transport);
      let messages = 0;
      const runtime = testRuntime(transport, { latencyMs: 20 });
      const running = runNegotiations(runtime, quoteId, { onMessage: (_, m) => void (m.phase === "finished" && messages++) });
      await until(() => messages >= 2);
      await backend.stop();
      // The outage the issue names: 10 s with nothing listening on the port.
      await new Promise((r) => setTimeout(r, 10_000));
      backend = await startLocalBackend({ ...options, port: backend.port, sitePort: 0 });
      const results = await running;
      expect(results.map((r) => r.status).every((s) => s === "accepted" || s === "impasse")).toBe(true);
      const after = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
      for (const n of after.negotiations) {
        expect(n.messages.map((m) => m.seq)).toEqual(n.messages.map((_, i) => i));
        expect(n.messages.every((m) => m.state === "complete")).toBe(true);
      }
    } finally {
      await transport.close();
      await backend.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
