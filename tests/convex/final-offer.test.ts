import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { FINAL_OFFER_HOLD_MS } from "../../convex/model/negotiations";
import { brand, claim, expectRefused, newBackend, offer, requestQuote, SERVICE_KEY, snapshot, terms } from "./helpers";

// An agreement is a supplier's final offer, held until the award: every offer
// says until when it holds, and a final offer past its hold can no longer be awarded.

afterEach(() => {
  vi.useRealTimers();
});

async function agreed() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  const negotiationId = negotiations[0]._id;
  const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.85)))!;
  const standing = await t.run(async (ctx) => (await ctx.db.get(offerId))!);
  const negotiation = await t.run(async (ctx) => (await ctx.db.get(negotiationId))!);
  return { t, quoteId, leaseEpoch, negotiationId, offerId, standing, negotiation };
}

describe("offers carry a validity date", () => {
  test("an open offer holds until the response deadline; an accepted one for two weeks from its acceptance", async () => {
    const { t, leaseEpoch, negotiationId, offerId, standing, negotiation } = await agreed();
    expect(standing.validUntil).toBe(negotiation.expiresAt);
    const before = Date.now();
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, offerId, by: "brand" });
    const accepted = await t.run(async (ctx) => (await ctx.db.get(offerId))!);
    expect(accepted.status).toBe("accepted");
    expect(accepted.validUntil! - accepted.respondedAt!).toBe(FINAL_OFFER_HOLD_MS);
    expect(accepted.respondedAt).toBeGreaterThanOrEqual(before);
  });

  test("a final offer is awarded within its hold, and refused with EXPIRED after it, changing nothing", async () => {
    const { t, leaseEpoch, negotiationId, offerId } = await agreed();
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId, offerId, by: "brand" });
    const accepted = await t.run(async (ctx) => (await ctx.db.get(offerId))!);
    vi.useFakeTimers();
    vi.setSystemTime(accepted.validUntil! + 1);
    const rows = JSON.stringify(await snapshot(t));
    const refusal = await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId }), "EXPIRED", "negotiationId");
    expect(refusal.message).toMatch(/final offer held until .* UTC: it can no longer be awarded/);
    expect(JSON.stringify(await snapshot(t))).toBe(rows);
    vi.setSystemTime(accepted.validUntil! - 1);
    expect(await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId })).toMatchObject({ status: "awarded" });
  });
});
