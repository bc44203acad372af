import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { bucketSizeFor, bucketStart, type QuoteRecord, report } from "../../convex/model/insights";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  invite,
  newBackend,
  newWorkspace,
  offer,
  requestQuote,
  SERVICE_KEY,
  terms,
} from "./helpers";

// Insights over a date range: what the deals saved against the suppliers'
// opening offers and the catalog list price, the deal rate with cancelled
// quotes on their own line, the figures over time and per supplier.

afterEach(() => {
  vi.useRealTimers();
});

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string) => new Date(iso).getTime();

describe("the report's arithmetic, on hand-built quotes", () => {
  const records: QuoteRecord[] = [
    {
      // Awarded to s1: 19,000 opening, 17,500 agreed, 18,200 at list price.
      requestedAt: at("2026-11-02T10:00:00Z"),
      status: "awarded",
      agreed: true,
      negotiations: 3,
      closed: [
        { agreed: true, rounds: 3, supplierId: "s1", openingTotal: 19_000, finalTotal: 17_500, openingPaymentTermsDays: 15, finalPaymentTermsDays: 30, timeToAgreementMs: 60_000 },
        { agreed: false, rounds: 2, supplierId: "s2" },
        { agreed: false, rounds: 1, supplierId: "s3" },
      ],
      deal: { supplierId: "s1", total: 17_500, openingTotal: 19_000, listTotal: 18_200 },
    },
    {
      // Completed, the recommended agreement with s2; no opening offer on record, so only the list saving counts.
      requestedAt: at("2026-11-04T10:00:00Z"),
      status: "completed",
      agreed: true,
      negotiations: 3,
      closed: [
        { agreed: true, rounds: 4, supplierId: "s2", timeToAgreementMs: 120_000 },
        { agreed: true, rounds: 2, supplierId: "s1", openingTotal: 10_000, finalTotal: 9_000, openingPaymentTermsDays: 30, finalPaymentTermsDays: 30, timeToAgreementMs: 30_000 },
        { agreed: false, rounds: 5, supplierId: "s3" },
      ],
      deal: { supplierId: "s2", total: 8_000, listTotal: 9_500 },
    },
    { requestedAt: at("2026-11-10T10:00:00Z"), status: "failed", agreed: false, negotiations: 3, closed: [{ agreed: false, rounds: 1, supplierId: "s3" }] },
    { requestedAt: at("2026-11-10T11:00:00Z"), status: "cancelled", agreed: false, negotiations: 3, closed: [] },
    { requestedAt: at("2026-11-11T11:00:00Z"), status: "negotiating", agreed: false, negotiations: 3, closed: [] },
  ];
  const names = new Map([
    ["s1", "Alpha"],
    ["s2", "Beta"],
    ["s3", "Gamma"],
  ]);

  test("money saved against opening offers and list price, over the quotes with a deal", () => {
    const result = report(records, {}, names);
    expect(result.savings).toEqual({ deals: 2, vsOpening: 1_500, openingTotal: 19_000, vsList: 700 + 1_500, listTotal: 18_200 + 9_500 });
  });

  test("the deal rate counts quotes; cancelled and open quotes are their own lines", () => {
    const result = report(records, {}, names);
    expect(result).toMatchObject({ quotes: 5, decidedQuotes: 3, quotesWithDeal: 2, cancelledQuotes: 1, openQuotes: 1 });
    expect(result.dealRate).toBeCloseTo(2 / 3, 10);
    expect(result.meanRounds).toBeCloseTo((3 + 2 + 1 + 4 + 2 + 5 + 1) / 7, 10);
    expect(result.meanTimeToAgreementMs).toBeCloseTo((60_000 + 120_000 + 30_000) / 3, 10);
  });

  test("per supplier: deal rate over its closed negotiations, mean saving, rounds and deals won", () => {
    const rows = report(records, {}, names).suppliers;
    expect(rows.map((r) => r.name)).toEqual(["Alpha", "Beta", "Gamma"]);
    const [alpha, beta, gamma] = rows;
    expect(alpha).toMatchObject({ negotiations: 2, agreements: 2, dealRate: 1, meanRounds: 2.5, deals: 1 });
    expect(alpha.meanSavingsVsOpening).toBeCloseTo((1_500 / 19_000 + 1_000 / 10_000) / 2, 10);
    expect(beta).toMatchObject({ negotiations: 2, agreements: 1, dealRate: 0.5, meanSavingsVsOpening: null, meanRounds: 3, deals: 1 });
    expect(gamma).toMatchObject({ negotiations: 3, agreements: 0, dealRate: 0, meanRounds: 7 / 3, deals: 0 });
  });

  test("over time: one bucket per day of a short range, empty days included, each with its own figures", () => {
    const result = report(records, { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-15T00:00:00Z") }, names);
    expect(result.bucketSize).toBe("day");
    expect(result.buckets).toHaveLength(14);
    expect(result.buckets[0].start).toBe(at("2026-11-01T00:00:00Z"));
    const nov2 = result.buckets[1];
    expect(nov2).toMatchObject({ quotes: 1, quotesWithDeal: 1, dealRate: 1, meanRounds: 2 });
    expect(nov2.savings).toMatchObject({ vsOpening: 1_500, vsList: 700 });
    const nov10 = result.buckets[9];
    expect(nov10).toMatchObject({ quotes: 2, decidedQuotes: 1, quotesWithDeal: 0, cancelledQuotes: 1, dealRate: 0 });
    expect(result.buckets[2]).toMatchObject({ quotes: 0, dealRate: null, meanRounds: null });
    expect(result.buckets.reduce((n, b) => n + b.quotes, 0)).toBe(5);
  });

  test("bucket sizes and starts: days, Monday weeks, months (UTC)", () => {
    expect(bucketSizeFor(30 * DAY)).toBe("day");
    expect(bucketSizeFor(90 * DAY)).toBe("week");
    expect(bucketSizeFor(400 * DAY)).toBe("month");
    // 2026-11-04 is a Wednesday: its week starts on Monday the 2nd.
    expect(bucketStart(at("2026-11-04T15:00:00Z"), "week")).toBe(at("2026-11-02T00:00:00Z"));
    expect(bucketStart(at("2026-11-04T15:00:00Z"), "month")).toBe(at("2026-11-01T00:00:00Z"));
    expect(bucketStart(at("2026-11-04T15:00:00Z"), "day")).toBe(at("2026-11-04T00:00:00Z"));
    // All time from far back: the chart starts at the first quote, not at 1970.
    const longAgo = report(records, { from: 0, to: at("2026-12-01T00:00:00Z") }, names);
    expect(longAgo.bucketSize).toBe("month");
    expect(longAgo.buckets.map((b) => b.start)).toEqual([at("2026-11-01T00:00:00Z")]);
    expect(report([], {}, names)).toMatchObject({ quotes: 0, buckets: [], suppliers: [], dealRate: null });
  });
});

/** A quote requested at `when`, ending as `outcome`. */
async function quoteOn(t: Backend, when: string, outcome: "recommended deal" | "awarded" | "cancelled" | "no deal") {
  vi.setSystemTime(new Date(when));
  const { quoteId, negotiations } = await requestQuote(t);
  const owner = brand(t);
  if (outcome === "cancelled") {
    await owner.mutation(api.quotes.cancel, { quoteId });
    return quoteId;
  }
  const leaseEpoch = (await claim(t, quoteId))!;
  const [a, ...rest] = negotiations.map((n) => n._id);
  if (outcome === "awarded") {
    await offer(t, a, 1, "supplier", terms(7, 1)); // 19,000 opening
    await offer(t, a, 2, "brand", terms(6, 0.8));
    await offer(t, a, 3, "supplier", terms(6.4, 0.88)); // 17,200
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: a });
    return quoteId;
  }
  // Accepted as it opened: 17,200, nothing saved against the opening offer.
  await offer(t, a, 1, "supplier", terms(6.4, 0.88));
  if (outcome === "recommended deal") {
    const standing = (await t.run(async (ctx) => ctx.db.get(a)))!.currentOfferId!;
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: standing, by: "brand" });
  } else {
    await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, status: "impasse" });
  }
  for (const n of rest) {
    await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: n, status: "failed", failureReason: "model down" });
  }
  const recommended = outcome === "recommended deal" ? { negotiationId: a as Id<"negotiations"> } : {};
  await t.mutation(api.ingest.setRecommendation, {
    serviceKey: SERVICE_KEY,
    leaseEpoch,
    quoteId,
    recommendation: { ...recommended, explanation: "done", ranking: [] },
  });
  return quoteId;
}

describe("insights.summary over a date range", () => {
  async function history() {
    vi.useFakeTimers();
    const t = newBackend();
    await quoteOn(t, "2026-09-15T10:00:00Z", "recommended deal");
    await quoteOn(t, "2026-11-03T10:00:00Z", "awarded");
    await quoteOn(t, "2026-11-05T10:00:00Z", "no deal");
    await quoteOn(t, "2026-11-06T10:00:00Z", "cancelled");
    vi.setSystemTime(new Date("2026-11-20T10:00:00Z"));
    return { t, owner: brand(t) };
  }
  const november = { from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z") };

  test("all time, then a range that leaves the September quote out", async () => {
    const { owner } = await history();
    const all = await owner.query(api.insights.summary, {});
    expect(all).toMatchObject({ quotes: 4, decidedQuotes: 3, quotesWithDeal: 2, cancelledQuotes: 1, range: { from: null, to: null } });
    // September: 17,200 accepted as opened (18,200 at list); November: 19,000 → 17,200.
    expect(all.savings).toEqual({ deals: 2, vsOpening: 1_800, openingTotal: 36_200, vsList: 2_000, listTotal: 36_400 });

    const nov = await owner.query(api.insights.summary, november);
    expect(nov).toMatchObject({ quotes: 3, decidedQuotes: 2, quotesWithDeal: 1, cancelledQuotes: 1, openQuotes: 0, range: november });
    expect(nov.dealRate).toBe(0.5);
    expect(nov.savings).toEqual({ deals: 1, vsOpening: 1_800, openingTotal: 19_000, vsList: 1_000, listTotal: 18_200 });
    expect(nov.bucketSize).toBe("day");
    expect(nov.buckets).toHaveLength(30);
    expect(nov.buckets[2]).toMatchObject({ quotes: 1, quotesWithDeal: 1 });
    expect(nov.buckets[2].savings.vsOpening).toBe(1_800);
    const awardedTo = nov.suppliers.find((s) => s.deals === 1)!;
    // Its negotiations: the award (3 rounds) and the impasse of the quote without a deal (1 round).
    expect(awardedTo).toMatchObject({ negotiations: 2, agreements: 1, dealRate: 0.5, meanRounds: 2 });
    expect(awardedTo.meanSavingsVsOpening).toBeCloseTo(1_800 / 19_000, 10);

    // A range with no quotes: nothing to show.
    const empty = await owner.query(api.insights.summary, { from: at("2026-10-01T00:00:00Z"), to: at("2026-11-01T00:00:00Z") });
    expect(empty).toMatchObject({ quotes: 0, negotiations: 0, dealRate: null, buckets: [], suppliers: [] });
    expect(empty.savings.deals).toBe(0);
    // Open-ended on either side.
    expect((await owner.query(api.insights.summary, { to: november.from })).quotes).toBe(1);
    expect((await owner.query(api.insights.summary, { from: at("2026-11-04T00:00:00Z") })).quotes).toBe(2);
  });

  test("a viewer reads it; another workspace's member and bad ranges are refused", async () => {
    const { t, owner } = await history();
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    expect(await viewer.query(api.insights.summary, november)).toEqual(await owner.query(api.insights.summary, november));
    const other = await newWorkspace(t, "someone@other.test", "Other Co");
    await expectRefused(t, () => other.as.query(api.insights.summary, { workspaceId: owner.workspaceId }), "FORBIDDEN", "workspaceId");
    // Its own insights know nothing of the brand's quotes.
    expect(await other.query(api.insights.summary, {})).toMatchObject({ quotes: 0, negotiations: 0 });
    const backwards = await expectRefused(t, () => owner.query(api.insights.summary, { from: november.to, to: november.from }), "INVALID_ARGUMENT", "to");
    expect(backwards.message).toBe("The end of the date range must come after its start");
    await expectRefused(t, () => owner.query(api.insights.summary, { from: 1.5 }), "INVALID_ARGUMENT", "from");
    await expectRefused(t, () => owner.query(api.insights.summary, { to: -5 }), "INVALID_ARGUMENT", "to");
  });
});
