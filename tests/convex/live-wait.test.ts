import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { expireDue } from "../../convex/model/expiry";
import {
  type Backend,
  brand,
  claim,
  everyRow,
  expectRefusedEverywhere as expectRefused,
  liveQuote,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
  requestQuote,
  seed,
  SERVICE_KEY,
  terms,
} from "./helpers";

// A quote whose negotiations all wait on live suppliers gives up its lease and
// waits (convex/model/liveWait.ts); the next move makes it claimable again,
// and the claimant resumes the suspended run. Also the request side: which
// suppliers are live, and the response deadline.

const TEE = "APP-TEE-240-BLK";
const MAILER = "PKG-MAILER-1084";
const form = { lines: [{ sku: TEE, unitPrice: 6.4 }, { sku: MAILER, unitPrice: 0.85 }], leadTimeDays: 30, paymentTermsDays: 30 };

const quoteOf = (t: Backend, quoteId: Id<"quotes">) => t.run(async (ctx) => (await ctx.db.get(quoteId))!);
const claimable = (t: Backend) => t.query(api.worker.claimable, { serviceKey: SERVICE_KEY });

async function seenOf(t: Backend, quoteId: Id<"quotes">) {
  return await t.run(async (ctx) =>
    (await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect()).map((n) => ({
      negotiationId: n._id,
      nextSeq: n.nextSeq,
      currentRound: n.currentRound,
      status: n.status,
    })),
  );
}

async function waiting() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 3 });
  const suspend = async (over: Partial<{ workerId: string; leaseEpoch: number; runId: string; seen: Awaited<ReturnType<typeof seenOf>> }> = {}) =>
    await t.mutation(api.worker.suspendQuote, {
      serviceKey: SERVICE_KEY,
      quoteId: q.quoteId,
      workerId: "worker-1",
      leaseEpoch: q.leaseEpoch,
      runId: "run-7",
      seen: await seenOf(t, q.quoteId),
      ...over,
    });
  return { t, ...q, suspend };
}

describe("worker.suspendQuote", () => {
  test("refuses a lease that is not the caller's: CONFLICT, nothing written", async () => {
    const { t, suspend, leaseEpoch } = await waiting();
    await expectRefused(t, () => suspend({ leaseEpoch: leaseEpoch + 1 }), "CONFLICT", "leaseEpoch");
    await expectRefused(t, () => suspend({ leaseEpoch: leaseEpoch - 1 }), "CONFLICT", "leaseEpoch");
    await expectRefused(t, () => suspend({ workerId: "worker-2" }), "CONFLICT", "leaseEpoch");
  });

  test("a negotiation of another quote in `seen`: NOT_FOUND, nothing written", async () => {
    const { t, suspend } = await waiting();
    const other = await requestQuote(t);
    await expectRefused(
      t,
      () => suspend({ seen: [{ negotiationId: other.negotiations[0]._id, nextSeq: 0, currentRound: 0, status: "pending" }] }),
      "NOT_FOUND",
      "negotiationId",
    );
  });

  test("an open negotiation left out of `seen`: CONFLICT, nothing written; a closed one may be left out", async () => {
    const { t, suspend, quoteId, owner, contacts } = await waiting();
    const seen = await seenOf(t, quoteId);
    const left = seen.find((s) => s.negotiationId === contacts[0].negotiationId)!;
    await expectRefused(t, () => suspend({ seen: seen.filter((s) => s !== left) }), "CONFLICT", "seen");
    await owner.mutation(api.negotiations.walkAway, { negotiationId: left.negotiationId, reason: "Not needed" });
    const open = (await seenOf(t, quoteId)).filter((s) => s.negotiationId !== left.negotiationId);
    expect(await suspend({ seen: open })).toBe("suspended");
  });

  test.each([
    ["a message since", { nextSeq: 1 }],
    ["an offer since", { currentRound: 1 }],
    // A joined contact has started the negotiation (active): a worker that saw it paused is behind.
    ["a status change since", { status: "paused" as const }],
  ])("\"moved\" when the worker's picture is stale (%s): nothing written", async (_what, stale) => {
    const { t, suspend, quoteId } = await waiting();
    const seen = await seenOf(t, quoteId);
    const before = JSON.stringify(await everyRow(t));
    expect(await suspend({ seen: [{ ...seen[0], ...stale }, ...seen.slice(1)] })).toBe("moved");
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("suspends: no lease, no holder, the run kept; not claimable; the old lease has ended", async () => {
    const { t, suspend, quoteId, leaseEpoch } = await waiting();
    expect(await claimable(t)).not.toContain(quoteId);
    expect(await suspend()).toBe("suspended");
    const quote = await quoteOf(t, quoteId);
    expect(quote).toMatchObject({ status: "negotiating", suspendedRunId: "run-7", leaseEpoch });
    expect(quote.claimedBy).toBeUndefined();
    expect(quote.leaseExpiresAt).toBeUndefined();
    expect(await claimable(t)).not.toContain(quoteId);
    // Nor claimable directly, by a worker holding an old list: nothing moved.
    expect(await t.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "worker-2", leaseMs: 60_000 })).toBeNull();
    expect(await t.mutation(api.worker.renewLease, { serviceKey: SERVICE_KEY, quoteId, workerId: "worker-1", leaseEpoch, leaseMs: 60_000 })).toBe("ended");
    expect(await t.query(api.worker.suspendedRun, { serviceKey: SERVICE_KEY, quoteId })).toBe("run-7");
    const events = ((await everyRow(t)).events as { type: string; quoteId?: string }[]).filter((e) => e.quoteId === quoteId && e.type === "quote.waiting");
    expect(events).toHaveLength(1);
    // Suspending again with the same run and lease (a retry whose answer was lost) is the same answer, and writes nothing.
    const rows = JSON.stringify(await everyRow(t));
    expect(await suspend()).toBe("suspended");
    expect(JSON.stringify(await everyRow(t))).toBe(rows);
  });

  test("a supplier's offer wakes it; the claimant resumes the run; completing the quote clears it", async () => {
    const { t, suspend, quoteId, leaseEpoch, contacts } = await waiting();
    await suspend();
    const before = Date.now();
    await contacts[1].mutation(api.supplierPortal.makeSupplierOffer, form);
    const woken = await quoteOf(t, quoteId);
    expect(woken.leaseExpiresAt).toBeLessThan(Date.now());
    expect(woken.leaseExpiresAt).toBeGreaterThanOrEqual(before - 1);
    expect(await claimable(t)).toContain(quoteId);
    // The old holder's lease stays ended: it was given up under that epoch.
    expect(await t.mutation(api.worker.renewLease, { serviceKey: SERVICE_KEY, quoteId, workerId: "worker-1", leaseEpoch, leaseMs: 60_000 })).toBe("ended");
    // A second move while it is claimable changes nothing of the quote.
    const once = await quoteOf(t, quoteId);
    await contacts[2].mutation(api.supplierPortal.makeSupplierOffer, form);
    expect(await quoteOf(t, quoteId)).toEqual(once);

    const epoch = (await claim(t, quoteId, "worker-2"))!;
    expect(epoch).toBe(leaseEpoch + 1);
    expect(await claimable(t)).not.toContain(quoteId);
    expect(await t.query(api.worker.suspendedRun, { serviceKey: SERVICE_KEY, quoteId })).toBe("run-7");
    expect(await t.mutation(api.worker.renewLease, { serviceKey: SERVICE_KEY, quoteId, workerId: "worker-2", leaseEpoch: epoch, leaseMs: 60_000 })).toBe("held");
    // The resumed run answers, and finishes the quote.
    await offer(t, contacts[1].negotiationId, 2, "brand", terms(6, 0.8, 40, 30), epoch);
    await t.mutation(api.ingest.setRecommendation, {
      serviceKey: SERVICE_KEY,
      leaseEpoch: epoch,
      quoteId,
      recommendation: { explanation: "Best total", ranking: [] },
    });
    const done = await quoteOf(t, quoteId);
    expect(done.status).toBe("completed");
    expect(done.suspendedRunId).toBeUndefined();
    expect(await t.query(api.worker.suspendedRun, { serviceKey: SERVICE_KEY, quoteId })).toBeNull();
  });

  test.each([
    ["the supplier accepts the brand's offer", "accept"],
    ["the supplier declines", "decline"],
    ["the brand pauses", "pause"],
    ["the brand walks away", "walkAway"],
    // A message moves nextSeq, which suspendQuote counts as a move: after the suspend it must wake the run too.
    ["the supplier writes", "message"],
  ])("%s: it wakes", async (_what, move) => {
    const { t, quoteId, leaseEpoch, contacts, owner } = await waiting();
    const [c] = contacts;
    // Only an active negotiation pauses; acceptance needs the brand's offer.
    if (move === "accept" || move === "pause") await c.mutation(api.supplierPortal.makeSupplierOffer, form);
    if (move === "accept") await offer(t, c.negotiationId, 2, "brand", terms(6, 0.8, 40, 30), leaseEpoch);
    const seen = await seenOf(t, quoteId);
    expect(
      await t.mutation(api.worker.suspendQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "worker-1", leaseEpoch, runId: "run-7", seen }),
    ).toBe("suspended");
    if (move === "accept") await c.mutation(api.supplierPortal.acceptOffer, {});
    if (move === "decline") await c.mutation(api.supplierPortal.decline, { reason: "No capacity" });
    if (move === "pause") await owner.mutation(api.negotiations.pause, { negotiationId: c.negotiationId });
    if (move === "message") await c.mutation(api.supplierPortal.sendMessage, { content: "Can you do 60 days?" });
    if (move === "walkAway") await owner.mutation(api.negotiations.walkAway, { negotiationId: c.negotiationId, reason: "Too slow" });
    expect(await claimable(t)).toContain(quoteId);
  });

  test("the cron expiring a negotiation wakes it", async () => {
    const { t, suspend, quoteId, contacts } = await waiting();
    await suspend();
    const expiresAt = (await t.run(async (ctx) => (await ctx.db.get(contacts[0].negotiationId))!.expiresAt))!;
    await t.run(async (ctx) => await expireDue(ctx, expiresAt));
    expect(await claimable(t)).toContain(quoteId);
  });
});

describe("quotes.request with live suppliers", () => {
  test("another workspace's supplier: NOT_FOUND at its index, nothing written", async () => {
    const t = newBackend();
    const { products, suppliers } = await seed(t);
    const other = await newWorkspace(t, "other@other.test", "Other Co");
    const theirs = await other.query(api.suppliers.list, {});
    await expectRefused(
      t,
      () => brand(t).mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [theirs[0]._id] }),
      "NOT_FOUND",
      "liveSupplierIds[0]",
    );
    await expectRefused(
      t,
      () => brand(t).mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [suppliers[0]._id, theirs[1]._id] }),
      "NOT_FOUND",
      "liveSupplierIds[1]",
    );
  });

  test.each([[0], [-1], [1.5], [721], [Number.NaN]])("responseHours %s: INVALID_ARGUMENT", async (responseHours) => {
    const t = newBackend();
    const { products } = await seed(t);
    await expectRefused(t, () => brand(t).mutation(api.quotes.request, { ...quoteArgs({ products }), responseHours }), "INVALID_ARGUMENT", "responseHours");
  });

  test("the named suppliers are live, the rest simulated; the claim gives every negotiation start + responseHours", async () => {
    const t = newBackend();
    const { products, suppliers } = await seed(t);
    const quoteId = await brand(t).mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [suppliers[1]._id], responseHours: 5 });
    const before = await t.run(async (ctx) => await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
    expect(before.map((n) => [n.supplierId === suppliers[1]._id, n.side])).toEqual(
      before.map((n) => (n.supplierId === suppliers[1]._id ? [true, "live"] : [false, "simulated"])),
    );
    expect(before.every((n) => n.expiresAt === undefined)).toBe(true);
    await claim(t, quoteId);
    const startedAt = (await quoteOf(t, quoteId)).startedAt!;
    const after = await t.run(async (ctx) => await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
    expect(after.map((n) => n.expiresAt)).toEqual(after.map(() => startedAt + 5 * 3600_000));
    // The default is 48 hours.
    const plain = await requestQuote(t);
    await claim(t, plain.quoteId);
    const plainStart = (await quoteOf(t, plain.quoteId)).startedAt!;
    const plainAfter = await t.run(async (ctx) => await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", plain.quoteId)).collect());
    expect(plainAfter.map((n) => n.expiresAt)).toEqual(plainAfter.map(() => plainStart + 48 * 3600_000));
  });
});
