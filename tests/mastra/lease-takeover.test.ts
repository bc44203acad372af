import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { QuoteState } from "../../src/mastra/convex-transport.js";
import { SERVICE_KEY, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { waitFor } from "../helpers/wait.js";
import { testRuntime } from "./helpers/runtime.js";
import { spawnWorker, transcript } from "./helpers/worker-process.js";

// One writer per quote, enforced by the data: a worker frozen (SIGSTOP) past
// its lease loses the quote to a second worker; thawed (SIGCONT), its writes
// are refused (CONFLICT on the lease epoch) and it stops, so the transcript is
// exactly an uninterrupted run's: nothing interleaved, nothing twice.

const { runQuoteWorkflow, startQuoteWorker } = await import("../../src/mastra/index.js");

let backend: Awaited<ReturnType<typeof embeddedBackend>>;
beforeAll(async () => {
  backend = await embeddedBackend();
});
afterAll(async () => backend?.stop());

const state = (quoteId: Id<"quotes">) => backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }) as Promise<QuoteState>;
const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 90_000, 20);


describe("lease epoch", () => {
  it("a worker frozen past its lease is taken over; thawed, its writes are refused and it stops", { timeout: 180_000 }, async () => {
    const reference = await requestDemoQuote(backend.transport, { seed: 4321 });
    await runQuoteWorkflow({ runtime: testRuntime(backend.transport), quoteId: reference });
    const expected = transcript(await state(reference));

    const quoteId = await requestDemoQuote(backend.transport, { seed: 4321 });
    const { child, exited, stderr } = spawnWorker(backend.url, { tokensPerSec: 300 });
    let worker: Awaited<ReturnType<typeof startQuoteWorker>> | undefined;
    try {
      await until("the child to be mid-negotiation", async () => {
        const s = await state(quoteId);
        const written = s.negotiations.reduce((k, n) => k + n.messages.length, 0);
        return written >= 4 && s.negotiations.some((n) => n.messages.some((m) => m.state === "streaming")) ? s : undefined;
      });
      child.kill("SIGSTOP");
      const frozen = await state(quoteId);
      expect(frozen.quote.leaseEpoch).toBe(1);
      expect(frozen.quote.claimedBy).toMatch(/^child-/);

      // A second worker claims the quote once the frozen worker's lease lapses.
      const rescuerLog: string[] = [];
      worker = await startQuoteWorker({
        convexUrl: backend.url,
        serviceKey: SERVICE_KEY,
        workerId: "rescuer",
        leaseMs: 1500,
        runtime: { env: { PARLEY_MODEL: "scripted", PARLEY_MODEL_LATENCY_MS: "20", PARLEY_MODEL_TOKENS_PER_SEC: "300" } },
        log: (line) => rescuerLog.push(line),
      });
      const claimed = await until("the rescuer's claim", async () => {
        const s = await state(quoteId);
        return s.quote.claimedBy === "rescuer" ? s : undefined;
      });
      expect(claimed.quote.leaseEpoch).toBe(2);

      // Thawed while the rescuer negotiates: both are running now, only one may write.
      child.kill("SIGCONT");
      await until("the frozen worker to notice it lost the quote", async () =>
        /taken over by another worker/.test(stderr()) ? true : undefined,
      );

      const done = await until("the rescuer to finish the quote", async () => {
        const s = await state(quoteId);
        return s.quote.status === "completed" ? s : undefined;
      });
      expect(transcript(done)).toEqual(expected);
      expect(done.quote.failureReason).toBeUndefined();
      expect(rescuerLog.some((l) => l.includes("quote done") && l.includes(quoteId))).toBe(true);
      // The stale worker never marked the quote failed, and says why it stopped.
      expect(stderr()).not.toMatch(/quote failed/);
      expect(stderr()).toMatch(/lease/);
    } finally {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await worker?.stop();
    }
  });
});
