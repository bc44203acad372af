import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { brand, claim, expectRefused, newBackend, offer, quoteArgs, say, SERVICE_KEY, seed, terms } from "./helpers";

// A quote's auto-award policy (off by default): the recommended final offer is
// awarded without asking when it is inside the guardrails and every line is at
// most N% over its target; otherwise a person awards, and the timeline says why.
// Targets in quoteArgs: tee 5.50, mailer 0.75.

async function completedQuote(autoAward: { maxPctOverTarget: number } | undefined, recommendedTerms = terms(6.2, 0.86)) {
  const t = newBackend();
  const { products } = await seed(t);
  const owner = brand(t);
  const quoteId = await owner.mutation(api.quotes.request, { ...quoteArgs({ products }), ...(autoAward ? { autoAward } : {}) });
  const [a, b, c] = (await owner.query(api.quotes.get, { quoteId }))!.negotiations.map((n) => n._id);
  const leaseEpoch = (await claim(t, quoteId))!;
  const offerA = (await offer(t, a, 1, "supplier", terms(6.4, 0.88)))!;
  const offerB = (await offer(t, b, 1, "supplier", recommendedTerms))!;
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: offerA, by: "brand" });
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: b, offerId: offerB, by: "brand" });
  await say(t, c, 0, "supplier", "Let me check with my team.");
  await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: c, status: "impasse" });
  const supplierId = await t.run(async (ctx) => (await ctx.db.get(b))!.supplierId);
  await t.mutation(api.ingest.setRecommendation, {
    serviceKey: SERVICE_KEY,
    leaseEpoch,
    quoteId,
    recommendation: { negotiationId: b, supplierId, explanation: "Cheapest within guardrails", ranking: [] },
  });
  return { t, owner, quoteId, a, b };
}

const lastWords = async (s: { owner: ReturnType<typeof brand>; quoteId: Id<"quotes"> }) =>
  (await s.owner.query(api.events.timeline, { quoteId: s.quoteId })).entries.map((e) => `${e.who} ${e.what}`);

describe("auto-award policy", () => {
  test("off by default: the quote completes and waits for a person", async () => {
    const s = await completedQuote(undefined);
    const quote = await s.t.run(async (ctx) => (await ctx.db.get(s.quoteId))!);
    expect(quote.status).toBe("completed");
    expect(quote.autoAward).toBeUndefined();
    expect(await s.t.run(async (ctx) => ctx.db.query("awards").collect())).toHaveLength(0);
  });

  test("within the policy: the recommended final offer is awarded, the requester named, the others told", async () => {
    const s = await completedQuote({ maxPctOverTarget: 20 });
    const quote = await s.t.run(async (ctx) => (await ctx.db.get(s.quoteId))!);
    expect(quote.status).toBe("awarded");
    const [award] = await s.t.run(async (ctx) => ctx.db.query("awards").collect());
    expect(award).toMatchObject({ negotiationId: s.b, awardedBy: "brand" });
    const po = (await s.owner.query(api.purchaseOrders.forQuote, { quoteId: s.quoteId }))!;
    expect(po.awardedBy.name).toMatch(/\(auto-award policy\)$/);
    const told = await s.t.run(async (ctx) =>
      ctx.db.query("messages").withIndex("by_negotiationId_and_seq", (q) => q.eq("negotiationId", s.a)).collect(),
    );
    expect(told.some((m) => /awarded this quote to another supplier/.test(m.content))).toBe(true);
    expect((await lastWords(s)).some((w) => /^Parley awarded the quote automatically, under the quote's auto-award policy,/.test(w))).toBe(true);
  });

  test("outside the policy: nothing is awarded and the timeline says which line is over", async () => {
    const s = await completedQuote({ maxPctOverTarget: 10 });
    const quote = await s.t.run(async (ctx) => (await ctx.db.get(s.quoteId))!);
    expect(quote.status).toBe("completed");
    expect(await s.t.run(async (ctx) => ctx.db.query("awards").collect())).toHaveLength(0);
    const words = await lastWords(s);
    expect(words.some((w) => /did not award automatically: APP-TEE-240-BLK at \$6\.20 is 12\.7% over its target \$5\.50/.test(w))).toBe(true);
  });

  test("an award above the approval threshold is left to an approver, whatever the policy", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const owner = brand(t);
    await owner.mutation(api.workspaces.setApprovalThreshold, { threshold: 1000 });
    const quoteId = await owner.mutation(api.quotes.request, { ...quoteArgs({ products }), autoAward: { maxPctOverTarget: 50 } });
    const [a, b, c] = (await owner.query(api.quotes.get, { quoteId }))!.negotiations.map((n) => n._id);
    const leaseEpoch = (await claim(t, quoteId))!;
    const offerA = (await offer(t, a, 1, "supplier", terms(6.2, 0.86)))!;
    await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: offerA, by: "brand" });
    for (const other of [b, c]) {
      await say(t, other, 0, "supplier", "Let me check with my team.");
      await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: other, status: "impasse" });
    }
    const supplierId = await t.run(async (ctx) => (await ctx.db.get(a))!.supplierId);
    await t.mutation(api.ingest.setRecommendation, {
      serviceKey: SERVICE_KEY,
      leaseEpoch,
      quoteId,
      recommendation: { negotiationId: a, supplierId, explanation: "Only one", ranking: [] },
    });
    expect((await t.run(async (ctx) => (await ctx.db.get(quoteId))!)).status).toBe("completed");
    const words = (await owner.query(api.events.timeline, { quoteId })).entries.map((e) => e.what);
    expect(words.some((w) => /did not award automatically: .* needs an approver's approval/.test(w))).toBe(true);
  });

  test("a policy outside 0–50% is refused at its field, and nothing is written", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const owner = brand(t);
    for (const maxPctOverTarget of [-1, 51, Number.NaN]) {
      await expectRefused(
        t,
        () => owner.mutation(api.quotes.request, { ...quoteArgs({ products }), autoAward: { maxPctOverTarget } }),
        "INVALID_ARGUMENT",
        "autoAward.maxPctOverTarget",
      );
    }
  });

  test("re-run keeps the policy", async () => {
    const s = await completedQuote({ maxPctOverTarget: 10 });
    const rerunId = await s.owner.mutation(api.quotes.rerun, { quoteId: s.quoteId });
    const rerun = await s.t.run(async (ctx) => (await ctx.db.get(rerunId))!);
    expect(rerun.autoAward).toEqual({ maxPctOverTarget: 10 });
  });
});
