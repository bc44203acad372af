import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { claim, newBackend, offer, requestQuote, say, terms } from "./helpers";

describe("smoke", () => {
  test("request, claim, offer, accept", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    expect(negotiations).toHaveLength(3);
    expect(await claim(t, quoteId)).toBe(true);
    const n = negotiations[0]._id;
    await say(t, n, 0, "supplier", "Hello");
    const offerId = await offer(t, n, 1, "supplier", terms(6.4, 0.88));
    expect(offerId).not.toBeNull();
    const awardId = await t.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: n });
    const detail = (await t.query(api.quotes.get, { quoteId }))!;
    expect(detail.quote.status).toBe("awarded");
    expect(detail.award?._id).toBe(awardId);
    expect(detail.negotiations.map((x) => x.status).sort()).toEqual(["accepted", "rejected", "rejected"]);
  });
});
