import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/wait.js";
import { SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { spawnWorker } from "./helpers/worker-process.js";
import { answersPerRound, isWaiting, liveQuote, quoteState, supplierOffers } from "./live-helpers.js";

// kill -9 and a live supplier. Killed while the quote waits: the supplier's
// move wakes it, and the next worker resumes the suspended Mastra run. Killed
// while a resumed run writes the brand's answer: Mastra's run stays `running`
// and cannot be resumed, so the next worker starts a fresh run, which re-plans
// from Convex and writes that answer once.

const backend = await embeddedBackend();
afterAll(async () => backend.stop());
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
const { mastra, startQuoteWorker } = await import("../../src/mastra/index.js");
const storedRun = async (runId: string) => (await mastra.getWorkflow("negotiationWorkflow").getWorkflowRunById(runId))?.status;
const state = (quoteId: Parameters<typeof quoteState>[1]) => quoteState(backend.transport, quoteId);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 90_000);

async function rescuer(log: string[]) {
  return await startQuoteWorker({
    convexUrl: backend.url,
    serviceKey: SERVICE_KEY,
    workerId: `rescuer-${log.length}-${Date.now()}`,
    leaseMs: 1500,
    runtime: { env: { PARLEY_MODEL: "scripted" } },
    log: (line) => log.push(line),
  });
}

describe("a quote with a live supplier, its worker killed", () => {
  it("killed while waiting: the supplier moves with no worker running, the next worker resumes the run and answers once", { timeout: 180_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 21 });
    const first = spawnWorker(backend.url, { tokensPerSec: 4000 });
    const waiting = await until("the child's run to suspend", async () => {
      const s = await state(q.quoteId);
      return isWaiting(s) && (await storedRun(s.quote.suspendedRunId!)) === "suspended" ? s : undefined;
    });
    const runId = waiting.quote.suspendedRunId!;
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(first.stderr()).toContain("waiting for a live supplier");

    await supplierOffers(q, backend.transport);
    // Woken (its lease lapsed at once) but nobody runs it yet.
    await new Promise((r) => setTimeout(r, 500));
    const woken = await state(q.quoteId);
    expect(woken.quote.leaseExpiresAt).toBeLessThan(Date.now());
    expect(woken.negotiations.find((n) => n._id === q.liveId)!.offers).toHaveLength(1);

    const log: string[] = [];
    const worker = await rescuer(log);
    try {
      const answered = await until("the rescuer to answer and wait again", async () => {
        const s = await state(q.quoteId);
        return isWaiting(s) && s.negotiations.find((n) => n._id === q.liveId)!.offers.length === 2 && worker.running().length === 0 ? s : undefined;
      });
      expect(log.some((l) => l.includes("resuming quote") && l.includes(runId))).toBe(true);
      expect(log.some((l) => l.includes("fresh run"))).toBe(false);
      expect(answered.quote.suspendedRunId).toBe(runId);
      expect(await storedRun(runId)).toBe("suspended");
      const live = answered.negotiations.find((n) => n._id === q.liveId)!;
      expect(answersPerRound(live)).toEqual({ "offer r1 supplier": 1, "offer r2 brand": 1, "message r1 contact": 1, "message r2 brand": 1 });
      expect(live.messages.map((m) => [m.seq, m.sender, m.state])).toEqual([
        [0, "contact", "complete"],
        [1, "brand", "complete"],
      ]);
    } finally {
      await worker.stop();
      await q.brand.close();
    }
  });

  it("killed mid-answer in a resumed run: the next worker starts a fresh run and the answer is written once", { timeout: 180_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 22 });
    // A slow model: the brand's answer is still streaming when the worker dies.
    const first = spawnWorker(backend.url, { tokensPerSec: 60 });
    const waiting = await until("the child's run to suspend", async () => {
      const s = await state(q.quoteId);
      return isWaiting(s) && (await storedRun(s.quote.suspendedRunId!)) === "suspended" ? s : undefined;
    });
    const runId = waiting.quote.suspendedRunId!;
    await supplierOffers(q, backend.transport);
    const streaming = await until("the resumed run to be writing the brand's answer", async () => {
      const s = await state(q.quoteId);
      const n = s.negotiations.find((x) => x._id === q.liveId)!;
      return n.messages.some((m) => m.sender === "brand" && m.state === "streaming") ? s : undefined;
    });
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(streaming.negotiations.find((n) => n._id === q.liveId)!.offers).toHaveLength(1);
    expect(await storedRun(runId)).toBe("running");

    const log: string[] = [];
    const worker = await rescuer(log);
    try {
      const answered = await until("the rescuer to answer and wait again", async () => {
        const s = await state(q.quoteId);
        return isWaiting(s) && s.quote.suspendedRunId !== runId && worker.running().length === 0 ? s : undefined;
      });
      expect(log.some((l) => l.includes("fresh run") && l.includes(runId))).toBe(true);
      expect(await storedRun(answered.quote.suspendedRunId!)).toBe("suspended");
      const live = answered.negotiations.find((n) => n._id === q.liveId)!;
      expect(answersPerRound(live)).toEqual({ "offer r1 supplier": 1, "offer r2 brand": 1, "message r1 contact": 1, "message r2 brand": 1 });
      // The message the killed worker left streaming is the one rewritten: same seq, now complete.
      expect(live.messages.map((m) => [m.seq, m.sender, m.state])).toEqual([
        [0, "contact", "complete"],
        [1, "brand", "complete"],
      ]);
    } finally {
      await worker.stop();
      await q.brand.close();
    }
  });
});
