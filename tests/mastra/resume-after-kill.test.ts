import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { QuoteState } from "../../src/mastra/convex-transport.js";
import { SERVICE_KEY, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { waitFor } from "../helpers/wait.js";
import { testRuntime } from "./helpers/runtime.js";
import { spawnWorker, transcript } from "./helpers/worker-process.js";

// Kill a worker (a child process, SIGKILL) in the middle of a quote; a second
// worker resumes it from Convex; the transcript equals an uninterrupted run's.

const { runQuoteWorkflow, startQuoteWorker } = await import("../../src/mastra/index.js");

let backend: Awaited<ReturnType<typeof embeddedBackend>>;
beforeAll(async () => {
  backend = await embeddedBackend();
});
afterAll(async () => backend?.stop());

const state = (quoteId: Id<"quotes">) => backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }) as Promise<QuoteState>;



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
    const { child, exited, stderr } = spawnWorker(backend.url, { tokensPerSec: 400 });

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
    expect(stderr()).toContain("negotiating quote");
  });
});
