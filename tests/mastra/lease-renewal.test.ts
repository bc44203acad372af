import { getFunctionName } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { withLease } from "../../src/mastra/workflows/run-quote.js";
import { LeaseLostError } from "../../src/mastra/workflows/run-supplier-negotiation.js";
import { waitFor } from "../helpers/wait.js";
import { convexTestBackend, requestDemoQuote, SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { testRuntime } from "./helpers/runtime.js";

// withLease renews the quote's lease while its work runs. A renewal that finds
// the quote ended under this lease (completed, cancelled, failed) stops
// renewing and lets the work end by itself: it is no take-over. Only a renewal
// that finds another worker's claim stops the work, with LeaseLostError.

const LEASE_MS = 1_000; // Convex's shortest lease: a renewal every 333 ms

function renewalsOf(transport: ConvexTransport) {
  const answers: unknown[] = [];
  const counting: ConvexTransport = {
    query: transport.query,
    mutation: async (fn: any, args: any) => {
      const result = await transport.mutation(fn, args);
      if (getFunctionName(fn) === "worker:renewLease" && args.leaseMs === LEASE_MS) answers.push(result);
      return result as never;
    },
  };
  return { counting, answers };
}

/** A quote claimed by w1 on the shortest lease, and a runtime whose renewals are recorded in `answers`. */
async function claimedByW1() {
  const { transport } = convexTestBackend();
  const { counting, answers } = renewalsOf(transport);
  const quoteId = await requestDemoQuote(transport);
  const leaseEpoch = (await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "w1", leaseMs: LEASE_MS }))!;
  return { transport, answers, runtime: testRuntime(counting), quoteId, leaseEpoch };
}

describe("lease renewal", () => {
  it("a quote that ends under the lease stops the renewals and does not stop the work", { timeout: 20_000 }, async () => {
    const { answers, runtime, quoteId, leaseEpoch } = await claimedByW1();
    const lease = { quoteId, workerId: "w1", leaseEpoch, leaseMs: LEASE_MS };
    const aborted = await withLease(runtime, lease, async (signal) => {
      await waitFor("a renewal that holds", () => (answers.includes("held") ? true : undefined), 5_000, 20);
      await runtime.persister.withLease(leaseEpoch).failQuote(quoteId, "model server down");
      await waitFor("a renewal that finds the quote ended", () => (answers.includes("ended") ? true : undefined), 5_000, 20);
      const seen = answers.length;
      // Two more renewal periods: none is sent.
      await new Promise((r) => setTimeout(r, (LEASE_MS / 3) * 2 + 100));
      expect(answers.length).toBe(seen);
      return signal.aborted;
    });
    expect(aborted).toBe(false);
    expect(answers.at(-1)).toBe("ended");
  });

  it("a renewal that finds another worker's claim stops the work with LeaseLostError", { timeout: 20_000 }, async () => {
    const { transport, answers, runtime, quoteId, leaseEpoch } = await claimedByW1();
    // w1 froze: its lease lapsed and w2 claimed the quote before w1's first renewal.
    await new Promise((r) => setTimeout(r, LEASE_MS + 50));
    expect(await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "w2", leaseMs: 60_000 })).toBe(leaseEpoch + 1);
    const reason = await withLease(runtime, { quoteId, workerId: "w1", leaseEpoch, leaseMs: LEASE_MS }, async (signal) => {
      await waitFor("the work to be stopped", () => (signal.aborted ? true : undefined), 5_000, 20);
      return signal.reason;
    });
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(answers).toEqual(["lost"]);
  });
});
