import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { brand, claim, epochOn, expectRefused, newBackend, offer, requestQuote, SERVICE_KEY, terms, type Backend } from "./helpers";

async function started(maxRounds = 6) {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t, { maxRounds });
  await claim(t, quoteId);
  return { t, quoteId, negotiationId: negotiations[0]._id };
}

const offersOf = (t: Backend, negotiationId: Id<"negotiations">) => brand(t).query(api.offers.list, { negotiationId });
const negotiation = (t: Backend, negotiationId: Id<"negotiations">) =>
  t.run(async (ctx) => (await ctx.db.get(negotiationId))!);

async function accept(t: Backend, negotiationId: Id<"negotiations">, offerId: Id<"offers">, by: "brand" | "supplier") {
  return await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch: await epochOn(t, negotiationId), negotiationId, offerId, by });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("offers alternate", () => {
  test("supplier opens, brand counters, supplier counters: one round per offer and the earlier offers are countered", async () => {
    const { t, negotiationId } = await started();
    const first = await offer(t, negotiationId, 1, "supplier", terms(7.2, 1.0, 40, 15));
    const second = await offer(t, negotiationId, 2, "brand", terms(5.6, 0.76, 30, 45));
    const third = await offer(t, negotiationId, 3, "supplier", terms(6.9, 0.95, 35, 30));
    const offers = await offersOf(t, negotiationId);
    expect(offers.map((o) => [o._id, o.round, o.offeredBy, o.status])).toEqual([
      [first, 1, "supplier", "countered"],
      [second, 2, "brand", "countered"],
      [third, 3, "supplier", "pending"],
    ]);
    expect(offers[0].respondedAt).toBeTypeOf("number");
    expect(await negotiation(t, negotiationId)).toMatchObject({
      status: "active",
      currentRound: 3,
      currentOfferId: third,
      lastOfferBy: "supplier",
      currentTerms: terms(6.9, 0.95, 35, 30),
    });
  });

  test("the first offer starts a pending negotiation", async () => {
    const { t, negotiationId } = await started();
    expect((await negotiation(t, negotiationId)).status).toBe("pending");
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    const after = await negotiation(t, negotiationId);
    expect(after.status).toBe("active");
    // The response deadline runs from the quote's start (its claim), 48 h by default.
    const quote = await t.run(async (ctx) => (await ctx.db.get(after.quoteId))!);
    expect(after.expiresAt! - quote.startedAt!).toBe(48 * 3600 * 1000);
  });

  test("a party cannot counter its own offer", async () => {
    const { t, negotiationId } = await started();
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    await expectRefused(t, () => offer(t, negotiationId, 2, "supplier", terms(6.9, 1)), "CONFLICT", "offeredBy");
  });

  test("a round out of order is refused", async () => {
    const { t, negotiationId } = await started();
    await expectRefused(t, () => offer(t, negotiationId, 2, "supplier", terms(7, 1)), "CONFLICT", "round");
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    await expectRefused(t, () => offer(t, negotiationId, 3, "brand", terms(6, 0.8)), "CONFLICT", "round");
  });

  test("a brand offer outside the guardrails is refused; a supplier's is recorded", async () => {
    const { t, negotiationId } = await started();
    await offer(t, negotiationId, 1, "supplier", terms(9, 1.5, 90, 0));
    await expectRefused(t, () => offer(t, negotiationId, 2, "brand", terms(6.6, 0.8)), "INVALID_ARGUMENT", "terms.lines[0].unitPrice");
  });

  test("recording the same offer twice stores it once; different terms for the same round conflict", async () => {
    const { t, negotiationId } = await started();
    const id = await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    await offer(t, negotiationId, 2, "brand", terms(6, 0.8));
    expect(await offer(t, negotiationId, 1, "supplier", terms(7, 1))).toBe(id);
    expect(await offersOf(t, negotiationId)).toHaveLength(2);
    await expectRefused(t, () => offer(t, negotiationId, 1, "supplier", terms(7.1, 1)), "CONFLICT", "round");
  });

  test("ai metadata is stored; a confidence above 1 is refused", async () => {
    const { t, negotiationId } = await started();
    const leaseEpoch = await epochOn(t, negotiationId);
    const call = (confidence: number) =>
      t.mutation(api.ingest.recordOffer, {
        serviceKey: SERVICE_KEY,
        leaseEpoch,
        negotiationId,
        round: 1,
        offeredBy: "supplier",
        terms: terms(7, 1),
        ai: { generated: true, confidence, reasoning: "opening" },
      });
    await expectRefused(t, () => call(1.1), "INVALID_ARGUMENT", "ai.confidence");
    await call(0.7);
    expect((await offersOf(t, negotiationId))[0].ai).toEqual({ generated: true, confidence: 0.7, reasoning: "opening" });
  });
});

describe("only the counterparty accepts the standing offer", () => {
  test("the brand accepts the supplier's offer: offer accepted, negotiation accepted with agreement, quote not awarded", async () => {
    const { t, quoteId, negotiationId } = await started();
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88)))!;
    await accept(t, negotiationId, offerId, "brand");
    expect((await offersOf(t, negotiationId))[0]).toMatchObject({ status: "accepted" });
    expect(await negotiation(t, negotiationId)).toMatchObject({ status: "accepted", outcome: "agreement" });
    const quote = await t.run(async (ctx) => ctx.db.get(quoteId));
    expect(quote!.status).toBe("negotiating");
    expect(await t.run(async (ctx) => ctx.db.query("awards").collect())).toEqual([]);
    // A replay is harmless.
    await accept(t, negotiationId, offerId, "brand");
  });

  test("a party cannot accept its own offer", async () => {
    const { t, negotiationId } = await started();
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88)))!;
    await expectRefused(t, () => accept(t, negotiationId, offerId, "supplier"), "CONFLICT", "by");
  });

  test("a countered offer can no longer be accepted", async () => {
    const { t, negotiationId } = await started();
    const first = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88)))!;
    await offer(t, negotiationId, 2, "brand", terms(6, 0.8));
    await expectRefused(t, () => accept(t, negotiationId, first, "brand"), "CONFLICT", "offerId");
  });

  test("the brand never accepts outside its guardrails", async () => {
    const { t, negotiationId } = await started();
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88, 60)))!;
    await expectRefused(t, () => accept(t, negotiationId, offerId, "brand"), "CONFLICT", "terms.leadTimeDays");
  });

  test("an offer of another negotiation is NOT_FOUND", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    await claim(t, quoteId);
    const offerId = (await offer(t, negotiations[1]._id, 1, "supplier", terms(6.4, 0.88)))!;
    await expectRefused(t, () => accept(t, negotiations[0]._id, offerId, "brand"), "NOT_FOUND", "offerId");
  });

  test("the supplier accepts the brand's counter", async () => {
    const { t, negotiationId } = await started();
    await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.88));
    const counter = (await offer(t, negotiationId, 2, "brand", terms(6.1, 0.84)))!;
    await accept(t, negotiationId, counter, "supplier");
    expect(await negotiation(t, negotiationId)).toMatchObject({ status: "accepted", currentTerms: terms(6.1, 0.84) });
  });
});

describe("max rounds", () => {
  test("an offer past maxRounds records nothing and ends the negotiation in impasse", async () => {
    const { t, negotiationId } = await started(4);
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    await offer(t, negotiationId, 2, "brand", terms(5.5, 0.75));
    await offer(t, negotiationId, 3, "supplier", terms(6.8, 0.98));
    const lastBrand = await offer(t, negotiationId, 4, "brand", terms(5.7, 0.78));
    expect(await offer(t, negotiationId, 5, "supplier", terms(6.7, 0.97))).toBeNull();
    const offers = await offersOf(t, negotiationId);
    expect(offers).toHaveLength(4);
    expect(offers.at(-1)).toMatchObject({ _id: lastBrand, status: "rejected" });
    expect(await negotiation(t, negotiationId)).toMatchObject({ status: "impasse", outcome: "impasse", currentRound: 4 });
    const messages = await brand(t).query(api.messages.list, { negotiationId, paginationOpts: { numItems: 10, cursor: null } });
    expect(messages.page.map((m) => [m.sender, m.kind])).toEqual([["system", "system"]]);
    // Replaying the refused offer gives the same answer and writes nothing.
    expect(await offer(t, negotiationId, 5, "supplier", terms(6.7, 0.97))).toBeNull();
    expect(await offersOf(t, negotiationId)).toHaveLength(4);
  });

  test("the final offer can still be accepted", async () => {
    const { t, negotiationId } = await started(2);
    await offer(t, negotiationId, 1, "supplier", terms(7, 1));
    const last = (await offer(t, negotiationId, 2, "brand", terms(6, 0.85)))!;
    await accept(t, negotiationId, last, "supplier");
    expect((await negotiation(t, negotiationId)).status).toBe("accepted");
  });
});

describe("nothing after a terminal status or past expiresAt", () => {
  // An expired negotiation says so (EXPIRED), as it does past its deadline before the cron has run.
  test.each([
    ["accepted", "CLOSED"],
    ["rejected", "CLOSED"],
    ["impasse", "CLOSED"],
    ["expired", "EXPIRED"],
    ["failed", "CLOSED"],
  ] as const)("%s → %s", async (status, code) => {
    const { t, negotiationId } = await started();
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(7, 1)))!;
    await t.run(async (ctx) => ctx.db.patch(negotiationId, { status }));
    await expectRefused(t, () => offer(t, negotiationId, 2, "brand", terms(6, 0.8)), code);
    if (status !== "accepted") await expectRefused(t, () => accept(t, negotiationId, offerId, "brand"), code);
    await expectRefused(t, () => brand(t).mutation(api.negotiations.pause, { negotiationId }), code);
    await expectRefused(t, () => brand(t).mutation(api.negotiations.walkAway, { negotiationId }), code);
    await expectRefused(
      t,
      async () =>
        t.mutation(api.ingest.appendMessage, {
          serviceKey: SERVICE_KEY,
          leaseEpoch: await epochOn(t, negotiationId),
          negotiationId,
          seq: 5,
          sender: "brand",
          kind: "text",
          content: "hi",
        }),
      code,
    );
  });

  test("past expiresAt everything is EXPIRED, before the cron has run", async () => {
    const { t, negotiationId } = await started();
    const offerId = (await offer(t, negotiationId, 1, "supplier", terms(7, 1)))!;
    vi.useFakeTimers();
    vi.setSystemTime(Date.now() + 48 * 3600 * 1000 + 1);
    await expectRefused(t, () => offer(t, negotiationId, 2, "brand", terms(6, 0.8)), "EXPIRED");
    await expectRefused(t, () => accept(t, negotiationId, offerId, "brand"), "EXPIRED");
    await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId }), "EXPIRED");
    await expectRefused(t, () => brand(t).mutation(api.negotiations.pause, { negotiationId }), "EXPIRED");
    await expectRefused(
      t,
      async () =>
        t.mutation(api.ingest.appendMessage, {
          serviceKey: SERVICE_KEY,
          leaseEpoch: await epochOn(t, negotiationId),
          negotiationId,
          seq: 0,
          sender: "supplier",
          kind: "text",
          content: "hi",
        }),
      "EXPIRED",
    );
    await expectRefused(
      t,
      async () =>
        t.mutation(api.ingest.updateNegotiationStatus, {
          serviceKey: SERVICE_KEY,
          leaseEpoch: await epochOn(t, negotiationId),
          negotiationId,
          status: "impasse",
        }),
      "EXPIRED",
    );
  });
});
