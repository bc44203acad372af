// Quote requests are rate limited by @convex-dev/rate-limiter (a Convex
// component, registered here as in convex/convex.config.ts): a burst of ten
// per person, then one every six seconds, and sixty at once per workspace. A
// refused request says how long to wait and writes nothing.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { RATE_LIMITS } from "../../convex/model/rateLimits";
import { expectRefused, invite, newBackend, newWorkspace, quoteArgs, seed } from "./helpers";

describe("quote request rate limits", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T12:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  test("a person gets a burst of ten, then is refused with a time to wait; nothing is written; later one more", async () => {
    const t = newBackend();
    const { products, owner } = await seed(t);
    const burst = RATE_LIMITS.quoteRequestPerUser.capacity;
    for (let i = 0; i < burst; i++) await owner.mutation(api.quotes.request, quoteArgs({ products }));
    const refused = await expectRefused(t, () => owner.mutation(api.quotes.request, quoteArgs({ products })), "RATE_LIMITED");
    expect(refused.message).toMatch(/^Too many quote requests: you can request another in \d+ seconds?$/);
    // Re-running an old quote is a request too.
    const [first] = (await owner.query(api.quotes.list, { paginationOpts: { numItems: 1, cursor: null } })).page;
    await expectRefused(t, () => owner.mutation(api.quotes.rerun, { quoteId: first!._id }), "RATE_LIMITED");
    // The refusals spent nothing: one token has come back six seconds later.
    vi.setSystemTime(Date.now() + 6_000);
    await owner.mutation(api.quotes.request, quoteArgs({ products }));
    await expectRefused(t, () => owner.mutation(api.quotes.request, quoteArgs({ products })), "RATE_LIMITED");
  });

  test("one person's limit does not stop a colleague, and another workspace is untouched", async () => {
    const t = newBackend();
    const { products, owner } = await seed(t);
    for (let i = 0; i < RATE_LIMITS.quoteRequestPerUser.capacity; i++) await owner.mutation(api.quotes.request, quoteArgs({ products }));
    await expectRefused(t, () => owner.mutation(api.quotes.request, quoteArgs({ products })), "RATE_LIMITED");
    const buyer = await invite(t, owner, "buyer@brand.test", "buyer");
    await buyer.mutation(api.quotes.request, quoteArgs({ products }));
    const other = await newWorkspace(t, "owner@other.test", "Other Goods");
    const otherProducts = await other.query(api.products.list, {});
    await other.mutation(api.quotes.request, quoteArgs({ products: otherProducts }));
    expect((await other.query(api.quotes.list, { paginationOpts: { numItems: 5, cursor: null } })).page).toHaveLength(1);
  });

  test("a workspace's members together get at most its burst", async () => {
    const t = newBackend();
    const { products, owner } = await seed(t);
    const perUser = RATE_LIMITS.quoteRequestPerUser.capacity;
    const members = [owner];
    for (let i = 1; i * perUser < RATE_LIMITS.quoteRequestPerWorkspace.capacity + perUser; i++) members.push(await invite(t, owner, `buyer${i}@brand.test`, "buyer"));
    let made = 0;
    let refusal: string | undefined;
    for (const member of members) {
      for (let i = 0; i < perUser && !refusal; i++) {
        try {
          await member.mutation(api.quotes.request, quoteArgs({ products }));
          made++;
        } catch (error) {
          refusal = (error as { data?: { message?: string } }).data?.message;
        }
      }
    }
    expect(made).toBe(RATE_LIMITS.quoteRequestPerWorkspace.capacity);
    expect(refusal).toMatch(/^Too many quote requests in this workspace/);
  });
});
