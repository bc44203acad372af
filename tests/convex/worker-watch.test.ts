import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { brand, claim, expectRefused, newBackend, offer, requestQuote, say, SERVICE_KEY, terms } from "./helpers";

// What the workflow subscribes to: a negotiation's control fields (to see the
// brand user act) and the next lease that can lapse (to set the worker's timer).

describe("worker.negotiationControl", () => {
  test("follows the workflow's writes and the brand user's takeover, counter and walk-away", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    await claim(t, quoteId);
    const negotiationId = negotiations[0]._id;
    const control = () => t.query(api.worker.negotiationControl, { serviceKey: SERVICE_KEY, negotiationId });

    expect(await control()).toEqual({ status: "pending", nextSeq: 0, currentRound: 0, currentOfferId: null, quoteStatus: "negotiating" });
    await say(t, negotiationId, 0, "supplier", "Our opening quote.", "offer");
    const opening = (await offer(t, negotiationId, 1, "supplier", terms(7, 1, 40, 15)))!;
    expect(await control()).toEqual({ status: "active", nextSeq: 1, currentRound: 1, currentOfferId: opening, quoteStatus: "negotiating" });

    await brand(t).mutation(api.negotiations.pause, { negotiationId });
    expect(await control()).toMatchObject({ status: "paused", nextSeq: 2, currentOfferId: opening });
    const counterId = await brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6, 0.8, 30, 45), message: "6.00 and 0.80" });
    expect(await control()).toMatchObject({ status: "paused", nextSeq: 3, currentRound: 2, currentOfferId: counterId });
    await brand(t).mutation(api.negotiations.walkAway, { negotiationId, reason: "Not a fit" });
    expect(await control()).toMatchObject({ status: "rejected", nextSeq: 4 });
  });

  test("needs the service key and an existing negotiation", async () => {
    const t = newBackend();
    const { negotiations } = await requestQuote(t);
    const negotiationId = negotiations[0]._id;
    await expectRefused(t, () => t.query(api.worker.negotiationControl, { serviceKey: "wrong", negotiationId }), "UNAUTHENTICATED");
    await t.run(async (ctx) => ctx.db.delete(negotiationId));
    await expectRefused(t, () => t.query(api.worker.negotiationControl, { serviceKey: SERVICE_KEY, negotiationId }), "NOT_FOUND");
  });
});

describe("worker.nextLeaseExpiresAt", () => {
  test("is the earliest lease among the quotes being negotiated, and moves with claims, renewals and completion", async () => {
    const t = newBackend();
    const next = () => t.query(api.worker.nextLeaseExpiresAt, { serviceKey: SERVICE_KEY });
    const a = (await requestQuote(t)).quoteId;
    const b = (await requestQuote(t)).quoteId;
    expect(await next()).toBeNull(); // queued quotes hold no lease

    const epochA = (await claim(t, a, "w1", 60_000))!;
    const epochB = (await claim(t, b, "w2", 10_000))!;
    expect([epochA, epochB]).toEqual([1, 1]); // each quote counts its own claims
    const leaseOf = async (id: typeof a) => (await t.run(async (ctx) => ctx.db.get(id)))!.leaseExpiresAt!;
    expect(await next()).toBe(await leaseOf(b));

    await t.mutation(api.worker.renewLease, { serviceKey: SERVICE_KEY, quoteId: b, workerId: "w2", leaseEpoch: epochB, leaseMs: 120_000 });
    expect(await next()).toBe(await leaseOf(a));

    await t.mutation(api.worker.failQuote, { serviceKey: SERVICE_KEY, quoteId: a, leaseEpoch: epochA, reason: "test" });
    expect(await next()).toBe(await leaseOf(b));
    await expectRefused(t, () => t.query(api.worker.nextLeaseExpiresAt, { serviceKey: "wrong" }), "UNAUTHENTICATED");
  });
});
