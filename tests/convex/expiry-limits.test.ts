// The expiry cron under Convex's transaction limits: a backlog of overdue
// negotiations larger than one transaction can close (each close re-derives
// its quote's insights aggregates) drains in a row of bounded runs.

import { convexTest } from "convex-test";
import { afterEach, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { EXPIRY_BATCH } from "../../convex/model/expiry";
import schema from "../../convex/schema";
import { registerComponents } from "./components";
import { type Backend, claim, modules, newWorkspace, quoteArgs } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

test("a backlog of overdue negotiations expires in bounded runs, each within Convex's limits", async () => {
  vi.useFakeTimers();
  const t = registerComponents(convexTest({ schema, modules, transactionLimits: true })) as unknown as Backend;
  const owner = await newWorkspace(t);
  const products = await owner.query(api.products.list, {});
  // 14 quotes, 42 negotiations: about 116 index ranges each to close, more than one transaction's 4,096.
  for (let i = 0; i < 14; i++) {
    if (i === 10) vi.setSystemTime(Date.now() + 60_000); // past the quote requests' burst
    await claim(t, await owner.mutation(api.quotes.request, quoteArgs({ products })));
  }
  const open = async () => (await t.run(async (ctx) => await ctx.db.query("negotiations").collect())).filter((n) => n.status !== "expired");
  const backlog = (await open()).length;
  expect(backlog).toBeGreaterThan(2 * EXPIRY_BATCH);

  // Every deadline passes at once.
  vi.setSystemTime(Date.now() + 1000 * 3600_000);
  expect(await t.mutation(internal.expiry.expireDue, {})).toBe(EXPIRY_BATCH);
  expect((await open()).length).toBe(backlog - EXPIRY_BATCH);
  // The full batch scheduled the next run, and so on until none is left.
  await t.finishAllScheduledFunctions(vi.runAllTimers);
  expect(await open()).toEqual([]);
  // Nothing left: the next run expires nothing and schedules nothing.
  expect(await t.mutation(internal.expiry.expireDue, {})).toBe(0);
});
