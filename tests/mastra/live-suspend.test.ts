import { getFunctionName } from "convex/server";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { waitFor } from "../helpers/wait.js";
import { SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { testRuntime } from "./helpers/runtime.js";
import { answersPerRound, isWaiting, liveQuote, quoteState, supplierOffers } from "./live-helpers.js";

// A quote with a live supplier: the run plays the two simulated negotiations
// to their end and the brand's side of the live one, then suspends (Mastra)
// and lets the quote go (Convex) until the supplier's person moves.

// The backend first: Mastra's store keeps the runs in it (CONVEX_URL and PARLEY_SERVICE_KEY, read on import).
const backend = await embeddedBackend();
afterAll(async () => backend.stop());
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
const { mastra, startQuoteWorker, runQuoteWorkflow } = await import("../../src/mastra/index.js");
const storedRun = async (runId: string) => (await mastra.getWorkflow("negotiationWorkflow").getWorkflowRunById(runId))?.status;
const state = (quoteId: Parameters<typeof quoteState>[1]) => quoteState(backend.transport, quoteId);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 60_000);

describe("a quote with a live supplier", () => {
  it("suspends while the supplier's person is to move, answers each move once on resume, and completes on their acceptance", { timeout: 120_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport);
    const log: string[] = [];
    const worker = await startQuoteWorker({
      convexUrl: backend.url,
      serviceKey: SERVICE_KEY,
      workerId: "live-worker",
      leaseMs: 1500,
      runtime: { env: { PARLEY_MODEL: "scripted" } },
      log: (line) => log.push(line),
    });
    try {
      const waiting = await until("the quote to wait on its live supplier", async () => {
        const s = await state(q.quoteId);
        return isWaiting(s) && worker.running().length === 0 ? s : undefined;
      });
      const runId = waiting.quote.suspendedRunId!;
      // The simulated negotiations ran to their end; nobody played the live supplier.
      const [live, ...simulated] = [waiting.negotiations.find((n) => n._id === q.liveId)!, ...waiting.negotiations.filter((n) => n._id !== q.liveId)];
      expect(simulated.map((n) => ["accepted", "impasse"].includes(n.status))).toEqual([true, true]);
      // Its person joined (which starts it) and has not offered yet.
      expect(live).toMatchObject({ side: "live", status: "active", offers: [], messages: [] });
      expect(await storedRun(runId)).toBe("suspended");
      expect(log.some((l) => l.includes("waiting for a live supplier"))).toBe(true);
      expect(log.some((l) => /quote failed/.test(l))).toBe(false);

      // The supplier's offer wakes the quote; the brand answers once and the quote waits again, in the same run.
      expect(await supplierOffers(q, backend.transport)).toBeTruthy();
      const answered = await until("the brand's answer and the quote waiting again", async () => {
        const s = await state(q.quoteId);
        const n = s.negotiations.find((x) => x._id === q.liveId)!;
        return isWaiting(s) && n.offers.length === 2 && worker.running().length === 0 ? s : undefined;
      });
      const afterOffer = answered.negotiations.find((n) => n._id === q.liveId)!;
      expect(afterOffer.messages.map((m) => [m.sender, m.kind, m.state])).toEqual([
        ["contact", "offer", "complete"],
        ["brand", "offer", "complete"],
      ]);
      expect(answersPerRound(afterOffer)).toEqual({ "offer r1 supplier": 1, "offer r2 brand": 1, "message r1 contact": 1, "message r2 brand": 1 });
      expect(answered.quote.suspendedRunId).toBe(runId);
      expect(await storedRun(runId)).toBe("suspended");
      expect(log.some((l) => l.includes("resuming quote") && l.includes(runId))).toBe(true);

      // The portal sees the brand's counter as its standing offer and accepts it: the run finishes and recommends.
      const portal = await q.contact.query(api.supplierPortal.negotiation, { negotiationId: q.liveId });
      expect(portal).toMatchObject({ yourTurn: true, canAcceptBrandOffer: true });
      await q.contact.mutation(api.supplierPortal.acceptOffer, { negotiationId: q.liveId });
      const done = await until("the quote to complete", async () => {
        const s = await state(q.quoteId);
        return s.quote.status === "completed" ? s : undefined;
      });
      expect(done.quote.recommendation?.ranking).toHaveLength(3);
      expect([done.quote.claimedBy, done.quote.suspendedRunId]).toEqual([undefined, undefined]);
      const final = done.negotiations.find((n) => n._id === q.liveId)!;
      expect(final.status).toBe("accepted");
      // No brand message after the acceptance: the run only evaluated.
      expect(final.messages.map((m) => m.sender)).toEqual(["contact", "brand", "contact"]);
      await until("Mastra to store the run as finished", async () => ((await storedRun(runId)) === "success" ? true : undefined));
      expect(log.some((l) => /quote failed/.test(l))).toBe(false);
    } finally {
      await worker.stop();
      await q.brand.close();
    }
  });

  it("a supplier who moves between the run's read and its suspension is answered without suspending", { timeout: 60_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 11 });
    const answers: string[] = [];
    let raced = false;
    // The supplier's offer lands just before the run's first suspendQuote reaches Convex.
    const racing: ConvexTransport = {
      ...backend.transport,
      query: backend.transport.query,
      mutation: async (fn, args) => {
        if (getFunctionName(fn) !== "worker:suspendQuote") return await backend.transport.mutation(fn, args);
        if (!raced) {
          raced = true;
          await supplierOffers(q, backend.transport);
        }
        const answer = await backend.transport.mutation(fn, args);
        answers.push(answer as string);
        return answer;
      },
    };
    const workerId = "racing-worker";
    const leaseEpoch = (await backend.transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId: q.quoteId, workerId, leaseMs: 60_000 }))!;
    const result = await runQuoteWorkflow({ runtime: testRuntime(racing), quoteId: q.quoteId, workerId, leaseEpoch });
    expect(answers).toEqual(["moved", "suspended"]);
    expect(result.waitingOn).toEqual([q.liveId]);
    const s = await state(q.quoteId);
    expect(isWaiting(s)).toBe(true);
    const live = s.negotiations.find((n) => n._id === q.liveId)!;
    expect(answersPerRound(live)).toEqual({ "offer r1 supplier": 1, "offer r2 brand": 1, "message r1 contact": 1, "message r2 brand": 1 });
    expect(await storedRun(s.quote.suspendedRunId!)).toBe("suspended");
    // The brand's side is the only one played: no persona message in the live negotiation.
    expect(live.messages.some((m) => m.sender === "supplier")).toBe(false);
    await q.brand.close();
  });
  it("a live negotiation the brand user took over waits, whoever moves, until they hand it back to the AI", { timeout: 120_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 31 });
    const log: string[] = [];
    const worker = await startQuoteWorker({
      convexUrl: backend.url,
      serviceKey: SERVICE_KEY,
      workerId: "takeover-worker",
      leaseMs: 1500,
      runtime: { env: { PARLEY_MODEL: "scripted" } },
      log: (line) => log.push(line),
    });
    const resumes = () => log.filter((l) => l.includes("resuming quote")).length;
    /** The quote waiting again once the worker has handled `count` wakes. */
    const waitsAfter = (what: string, count: number) =>
      until(what, async () => {
        const s = await state(q.quoteId);
        return isWaiting(s) && resumes() >= count && worker.running().length === 0 ? s.negotiations.find((n) => n._id === q.liveId)! : undefined;
      });
    try {
      await waitsAfter("the quote to wait on its live supplier", 0);
      await supplierOffers(q, backend.transport);
      expect((await waitsAfter("the brand's first answer", 1)).offers.map((o) => o.offeredBy)).toEqual(["supplier", "brand"]);

      await q.brand.mutation(api.negotiations.pause, { negotiationId: q.liveId });
      expect((await waitsAfter("the pause to be seen", 2)).status).toBe("paused");
      await supplierOffers(q, backend.transport, 1.03);
      const paused = await waitsAfter("the supplier's counter to be seen", 3);
      // Taken over: the brand's AI does not answer the counter.
      expect(paused.offers.map((o) => o.offeredBy)).toEqual(["supplier", "brand", "supplier"]);
      expect(paused.messages.filter((m) => m.sender === "brand")).toHaveLength(1);

      await q.brand.mutation(api.negotiations.resume, { negotiationId: q.liveId });
      const handedBack = await waitsAfter("the AI to answer once it is back", 4);
      expect(handedBack.status).toBe("active");
      expect(answersPerRound(handedBack)).toEqual({
        "offer r1 supplier": 1,
        "offer r2 brand": 1,
        "offer r3 supplier": 1,
        "offer r4 brand": 1,
        "message r1 contact": 1,
        "message r2 brand": 1,
        "message r3 contact": 1,
        "message r4 brand": 1,
      });
      expect(log.some((l) => /quote failed|fresh run/.test(l))).toBe(false);
    } finally {
      await worker.stop();
      await q.brand.close();
    }
  });
  it("a live supplier who moves while the simulated negotiations still run is answered at once, and the quote suspends once, at the end", { timeout: 60_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 41 });
    const answers: string[] = [];
    const counting: ConvexTransport = {
      ...backend.transport,
      mutation: async (fn, args) => {
        const answer = await backend.transport.mutation(fn, args);
        if (getFunctionName(fn) === "worker:suspendQuote") answers.push(answer as string);
        return answer;
      },
    };
    const workerId = "lull-worker";
    const leaseEpoch = (await backend.transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId: q.quoteId, workerId, leaseMs: 60_000 }))!;
    // A slow model: the simulated negotiations take seconds.
    const running = runQuoteWorkflow({ runtime: testRuntime(counting, { latencyMs: 60 }), quoteId: q.quoteId, workerId, leaseEpoch });
    // Underway: the live negotiation has been read (nothing from its supplier yet) and waits.
    await until("the simulated negotiations to be underway", async () => {
      const s = await state(q.quoteId);
      return s.negotiations.filter((n) => n._id !== q.liveId).every((n) => n.messages.length >= 2) ? true : undefined;
    });
    expect((await state(q.quoteId)).negotiations.find((n) => n._id === q.liveId)!.messages).toEqual([]);
    await supplierOffers(q, backend.transport);
    const result = await running;
    expect(answers).toEqual(["suspended"]);
    expect(result.waitingOn).toEqual([q.liveId]);
    const s = await state(q.quoteId);
    const live = s.negotiations.find((n) => n._id === q.liveId)!;
    expect(answersPerRound(live)).toEqual({ "offer r1 supplier": 1, "offer r2 brand": 1, "message r1 contact": 1, "message r2 brand": 1 });
    const answeredAt = live.messages.find((m) => m.sender === "brand")!._creationTime;
    const simulatedEnd = Math.max(...s.negotiations.filter((n) => n._id !== q.liveId).flatMap((n) => n.messages.map((m) => m._creationTime)));
    expect(answeredAt).toBeLessThan(simulatedEnd);
    await q.brand.close();
  });
  it("a stale worker resuming the run under its old lease writes nothing; an unknown run id starts a fresh run and stores no stray run", { timeout: 60_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 51 });
    const claim = async (workerId: string) =>
      (await backend.transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId: q.quoteId, workerId, leaseMs: 60_000 }))!;
    const runtime = testRuntime(backend.transport);
    const first = await claim("w1");
    expect((await runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w1", leaseEpoch: first })).waitingOn).toEqual([q.liveId]);
    const runId = (await state(q.quoteId)).quote.suspendedRunId!;
    await supplierOffers(q, backend.transport);
    const second = await claim("w2");
    expect(second).toBeGreaterThan(first);

    const stale = runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w1", leaseEpoch: first, suspendedRunId: runId });
    await expect(stale).rejects.toMatchObject({ name: "LeaseLostError" });
    const untouched = (await state(q.quoteId)).negotiations.find((n) => n._id === q.liveId)!;
    expect(untouched.messages.map((m) => m.sender)).toEqual(["contact"]);
    expect(untouched.offers).toHaveLength(1);

    // The holder's resume: the stale worker's refused attempt ended the Mastra run, so it starts afresh and answers once.
    const held = await runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w2", leaseEpoch: second, suspendedRunId: runId });
    expect(held.waitingOn).toEqual([q.liveId]);
    const answered = await state(q.quoteId);
    expect(answered.quote.suspendedRunId).not.toBe(runId);
    expect(answersPerRound(answered.negotiations.find((n) => n._id === q.liveId)!)).toEqual({
      "offer r1 supplier": 1,
      "offer r2 brand": 1,
      "message r1 contact": 1,
      "message r2 brand": 1,
    });

    // A run id Mastra never stored (a corrupted or foreign value): a fresh run, and no row is made for that id.
    await supplierOffers(q, backend.transport, 1.02);
    const third = await claim("w3");
    expect((await runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w3", leaseEpoch: third, suspendedRunId: "no-such-run" })).waitingOn).toEqual([q.liveId]);
    expect(await storedRun("no-such-run")).toBeUndefined();
    expect((await state(q.quoteId)).negotiations.find((n) => n._id === q.liveId)!.offers.map((o) => o.offeredBy)).toEqual(["supplier", "brand", "supplier", "brand"]);
    await q.brand.close();
  });
  it("a live supplier who declines while the quote waits: the resumed run writes nothing for them and recommends among the others", { timeout: 60_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 61 });
    const claim = async (workerId: string) =>
      (await backend.transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId: q.quoteId, workerId, leaseMs: 60_000 }))!;
    const runtime = testRuntime(backend.transport);
    await runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w1", leaseEpoch: await claim("w1") });
    const runId = (await state(q.quoteId)).quote.suspendedRunId!;
    // A reason is required: an empty one is refused and changes nothing.
    await expect(q.contact.mutation(api.supplierPortal.decline, { negotiationId: q.liveId, reason: "  " })).rejects.toThrow();
    expect(isWaiting(await state(q.quoteId))).toBe(true);
    await q.contact.mutation(api.supplierPortal.decline, { negotiationId: q.liveId, reason: "We cannot make these quantities this season." });
    const result = await runQuoteWorkflow({ runtime, quoteId: q.quoteId, workerId: "w2", leaseEpoch: await claim("w2"), suspendedRunId: runId });
    expect(result.waitingOn).toBeUndefined();
    expect(await storedRun(runId)).toBe("success");
    const s = await state(q.quoteId);
    expect(s.quote.status).toBe("completed");
    const live = s.negotiations.find((n) => n._id === q.liveId)!;
    expect([live.status, live.messages.map((m) => m.sender)]).toEqual(["rejected", ["contact"]]);
    expect(s.quote.recommendation?.negotiationId).not.toBe(q.liveId);
    await q.brand.close();
  });
});
