import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { brand, expectRefused, offer, SERVICE_KEY, snapshot, terms, threeOffers } from "./helpers";


describe("awarding is one mutation", () => {
  test("accepting a supplier's offer writes the award and closes the rest, exactly", async () => {
    const { t, quoteId, a, b, c, offerB } = await threeOffers();
    const { awardId } = (await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b })) as { awardId: string };
    const db = await snapshot(t);
    const byId = <T extends { _id: string }>(rows: unknown[], id: string) => (rows as T[]).find((r) => r._id === id)!;

    expect(db.awards).toEqual([
      expect.objectContaining({ _id: awardId, quoteId, negotiationId: b, offerId: offerB, terms: terms(6.2, 0.86), awardedBy: "user" }),
    ]);
    expect(byId(db.quotes, quoteId)).toMatchObject({ status: "awarded" });
    expect(byId(db.quotes, quoteId)).not.toHaveProperty("claimedBy");
    expect(byId(db.negotiations, b)).toMatchObject({ status: "accepted", outcome: "agreement" });
    expect(byId(db.negotiations, a)).toMatchObject({ status: "rejected", outcome: "walked_away" });
    expect(byId(db.negotiations, c)).toMatchObject({ status: "rejected", outcome: "walked_away" });
    expect((db.offers as { _id: string; status: string }[]).map((o) => [o._id, o.status]).sort()).toEqual(
      [
        [byId<{ _id: string; currentOfferId: string }>(db.negotiations, a).currentOfferId, "rejected"],
        [offerB, "accepted"],
      ].sort(),
    );

    const messages = db.messages as { negotiationId: string; seq: number; sender: string; kind: string; content: string }[];
    const of = (id: string) => messages.filter((m) => m.negotiationId === id).map((m) => [m.seq, m.sender, m.kind]);
    expect(of(b)).toEqual([[0, "user", "acceptance"]]);
    expect(of(a)).toEqual([[0, "system", "system"]]);
    expect(of(c)).toEqual([
      [0, "supplier", "text"],
      [1, "system", "system"],
    ]);
    expect(messages.find((m) => m.negotiationId === a)!.content).toMatch(/awarded this quote to another supplier/);

    const types = (db.events as { type: string }[]).map((e) => e.type);
    expect(types.filter((type) => type === "quote.awarded")).toHaveLength(1);
    expect(types.filter((type) => type === "negotiation.rejected")).toHaveLength(2);
    expect(types.filter((type) => type === "negotiation.accepted")).toHaveLength(1);
  });

  test("a second award is a CONFLICT and changes nothing", async () => {
    const { t, a, b } = await threeOffers();
    await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b });
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: a }), "CONFLICT", "quoteId");
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b }), "CONFLICT", "quoteId");
  });

  test("an offer outside the guardrails cannot be awarded: nothing at all is written", async () => {
    const { t, c } = await threeOffers();
    await offer(t, c, 1, "supplier", terms(6.6, 0.8));
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: c }), "CONFLICT", "terms.lines[0].unitPrice");
  });

  test("no standing supplier offer: CONFLICT", async () => {
    const { t, a, c } = await threeOffers();
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: c }), "CONFLICT");
    await offer(t, a, 2, "brand", terms(6, 0.8));
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: a }), "CONFLICT");
  });

  test("accepting the recommendation: an agreement the AI reached, once the quote is completed", async () => {
    const { t, quoteId, leaseEpoch, a, b, c, offerA, offerB } = await threeOffers();
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: offerA, by: "brand" });
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: b, offerId: offerB, by: "brand" });
    await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: c, status: "impasse" });
    const n = (await brand(t).query(api.quotes.get, { quoteId }))!.negotiations.find((x) => x._id === b)!;
    await t.mutation(api.ingest.setRecommendation, {
      serviceKey: SERVICE_KEY,
      leaseEpoch,
      quoteId,
      recommendation: { negotiationId: b, supplierId: n.supplierId, explanation: "Cheapest within guardrails", ranking: [] },
    });
    const { awardId } = (await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b })) as { awardId: string };
    const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(detail.quote.status).toBe("awarded");
    expect(detail.award).toMatchObject({ _id: awardId, negotiationId: b, offerId: offerB });
    // Already-closed negotiations keep their own outcome.
    expect(detail.negotiations.map((x) => [x._id, x.status]).sort()).toEqual(
      [
        [a, "accepted"],
        [b, "accepted"],
        [c, "impasse"],
      ].sort(),
    );
  });

  test("a quote that is cancelled cannot be awarded", async () => {
    const { t, quoteId, b } = await threeOffers();
    await brand(t).mutation(api.quotes.cancel, { quoteId });
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b }), "CONFLICT");
  });
});

describe("the expiry cron", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("expires active and paused negotiations past expiresAt, and nothing else", async () => {
    vi.useFakeTimers();
    const { t, a, b, c, negotiations } = await threeOffers();
    await brand(t).mutation(api.negotiations.pause, { negotiationId: b });
    const t0 = Date.now();
    // c started later: it is not yet due when a and b are.
    await t.run(async (ctx) => ctx.db.patch(c, { startedAt: t0 + 3_600_000, expiresAt: t0 + 49 * 3_600_000 }));
    expect(negotiations).toHaveLength(3);

    vi.setSystemTime(t0 + 47 * 3_600_000);
    const quiet = await snapshot(t);
    expect(await t.mutation(internal.expiry.expireDue, {})).toBe(0);
    expect(await snapshot(t)).toEqual(quiet);

    vi.setSystemTime(t0 + 48 * 3_600_000 + 1);
    expect(await t.mutation(internal.expiry.expireDue, {})).toBe(2);
    const detail = await t.run(async (ctx) => ({
      a: (await ctx.db.get(a))!,
      b: (await ctx.db.get(b))!,
      c: (await ctx.db.get(c))!,
      offers: await ctx.db.query("offers").collect(),
      events: (await ctx.db.query("events").collect()).filter((e) => e.type === "negotiation.expired"),
      systemMessages: (await ctx.db.query("messages").collect()).filter((m) => m.kind === "system" && /expired/.test(m.content)),
    }));
    expect(detail.a).toMatchObject({ status: "expired", outcome: "expired" });
    expect(detail.b).toMatchObject({ status: "expired", outcome: "expired" });
    expect(detail.c.status).toBe("active");
    expect(detail.offers.map((o) => o.status).sort()).toEqual(["expired", "expired"]);
    expect(detail.events.map((e) => e.negotiationId).sort()).toEqual([a, b].sort());
    expect(detail.systemMessages.map((m) => m.negotiationId).sort()).toEqual([a, b].sort());

    // Running again expires nothing new.
    expect(await t.mutation(internal.expiry.expireDue, {})).toBe(0);
  });

  test("crons.ts runs it every 5 minutes (and prunes old workflow runs hourly, indexes older quotes for search, sweeps abandoned uploads and closed negotiations' presence daily)", async () => {
    const crons = (await import("../../convex/crons")).default as unknown as {
      crons: Record<string, { schedule: { type: string; minutes?: number; hours?: number }; name: string }>;
    };
    const jobs = Object.values(crons.crons);
    expect(jobs).toHaveLength(5);
    expect(jobs.find((j) => j.name === "expiry:expireDue")?.schedule).toMatchObject({ type: "interval", minutes: 5 });
    expect(jobs.find((j) => j.name === "mastra:prune")?.schedule).toMatchObject({ type: "interval", hours: 1 });
    expect(jobs.find((j) => j.name === "quotes:backfillSearchText")?.schedule).toMatchObject({ type: "interval", minutes: 1 });
    expect(jobs.find((j) => j.name === "attachments:sweepUploads")?.schedule).toMatchObject({ type: "interval", minutes: 15 });
    expect(jobs.find((j) => j.name === "presenceSweep:sweepClosed")?.schedule).toMatchObject({ type: "interval", hours: 24 });
  });
});
