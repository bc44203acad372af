// A mutation that writes while it iterates a query (`for await`) sees the
// transaction's current view after the last row it read, as on Convex: rows
// it has not reached yet are neither dropped nor repeated.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startApp } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  rows: defineTable({ g: v.number(), k: v.number(), n: v.number() }).index("by_g_k", ["g", "k"]),
});
`;

// walk: iterates rows of group 1 (optionally a k range, a filter on even n and
// a limit) and does \`action\` at each row; returns the k values it saw.
const ROWS = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const reset = mutationGeneric({
  args: { groups: v.array(v.object({ g: v.number(), count: v.number() })) },
  handler: async (ctx, { groups }) => {
    for (const row of await ctx.db.query("rows").collect()) await ctx.db.delete(row._id);
    for (const { g, count } of groups) for (let k = 0; k < count; k++) await ctx.db.insert("rows", { g, k, n: k });
  },
});

export const keys = queryGeneric({
  args: { g: v.number() },
  handler: async (ctx, { g }) =>
    (await ctx.db.query("rows").withIndex("by_g_k", (q) => q.eq("g", g)).collect()).map((r) => [r.k, r.n]),
});

export const walk = mutationGeneric({
  args: {
    order: v.union(v.literal("asc"), v.literal("desc")),
    action: v.string(),
    gt: v.optional(v.number()),
    lt: v.optional(v.number()),
    evenOnly: v.optional(v.boolean()),
    limit: v.optional(v.number()),
    at: v.optional(v.number()),
  },
  handler: async (ctx, { order, action, gt, lt, evenOnly, limit, at }) => {
    let q: any = ctx.db
      .query("rows")
      .withIndex("by_g_k", (r) => {
        let x: any = r.eq("g", 1);
        if (gt !== undefined) x = x.gt("k", gt);
        if (lt !== undefined) x = x.lt("k", lt);
        return x;
      })
      .order(order);
    if (evenOnly) q = q.filter((f: any) => f.eq(f.mod(f.field("n"), 2), 0));
    if (limit !== undefined) q = q.limit(limit);
    const seen: number[] = [];
    let prev: any = null;
    for await (const row of q) {
      seen.push(row.k);
      if (seen.length > 1000) throw new Error("runaway iteration");
      const here = at === undefined || row.k === at;
      if (action === "delete") await ctx.db.delete(row._id);
      else if (action === "patch") await ctx.db.patch(row._id, { n: row.n + 1000 });
      else if (action === "moveBehind") await ctx.db.patch(row._id, { k: order === "asc" ? row.k - 1000 : row.k + 1000 });
      else if (action === "moveAhead" && here) await ctx.db.patch(row._id, { k: order === "asc" ? row.k + 1000 : row.k - 1000 });
      else if (action === "deletePrevious" && prev) await ctx.db.delete(prev._id);
      else if (action === "insertAhead" && here) await ctx.db.insert("rows", { g: 1, k: order === "asc" ? 500 : -500, n: 0 });
      else if (action === "insertBehind" && here) await ctx.db.insert("rows", { g: 1, k: order === "asc" ? -500 : 500, n: 0 });
      else if (action === "deleteAhead" && here) {
        const last = await ctx.db.query("rows").withIndex("by_g_k", (r) => r.eq("g", 1)).order(order === "asc" ? "desc" : "asc").first();
        if (last) await ctx.db.delete(last._id);
      } else if (action === "otherGroup") await ctx.db.insert("rows", { g: 2, k: 100 + seen.length, n: 0 });
      prev = row;
    }
    return seen;
  },
});
`;

let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "rows.ts": ROWS }, "lb-stream-");
  client = new ConvexHttpClient(backend.url, { logger: false });
});
afterAll(async () => {
  await backend?.stop();
});

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const walk = (args: Record<string, unknown>): Promise<number[]> => client.mutation(api.rows.walk, args);
const keysOf = async (g: number): Promise<number[]> => ((await client.query(api.rows.keys, { g })) as number[][]).map(([k]) => k);

// Sizes below, at and above the stream's first batch (16) and its later ones.
for (const count of [5, 16, 40, 300]) {
  describe(`${count} rows`, () => {
    beforeEach(async () => {
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }, { g: 2, count: 3 }] });
    });
    const all = range(0, count);

    it("deleting each row as it is read visits every row (asc and desc)", async () => {
      expect(await walk({ order: "asc", action: "delete" })).toEqual(all);
      expect(await keysOf(1)).toEqual([]);
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "desc", action: "delete" })).toEqual([...all].reverse());
      expect(await keysOf(1)).toEqual([]);
    });

    it("patching each row (index key unchanged) visits every row once", async () => {
      expect(await walk({ order: "asc", action: "patch" })).toEqual(all);
      expect(await walk({ order: "desc", action: "patch" })).toEqual([...all].reverse());
      const rows = (await client.query(api.rows.keys, { g: 1 })) as number[][];
      expect(rows).toEqual(all.map((k) => [k, k + 2000]));
    });

    it("moving each row behind the cursor does not revisit it", async () => {
      expect(await walk({ order: "asc", action: "moveBehind" })).toEqual(all);
      expect(await keysOf(1)).toEqual(all.map((k) => k - 1000));
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "desc", action: "moveBehind" })).toEqual([...all].reverse());
    });

    it("deleting the previous row does not skip the next one", async () => {
      expect(await walk({ order: "asc", action: "deletePrevious" })).toEqual(all);
      expect(await keysOf(1)).toEqual([count - 1]);
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "desc", action: "deletePrevious" })).toEqual([...all].reverse());
      expect(await keysOf(1)).toEqual([0]);
    });

    it("writes to rows outside the range change nothing", async () => {
      expect(await walk({ order: "asc", action: "otherGroup" })).toEqual(all);
      expect(await keysOf(2)).toEqual([0, 1, 2, ...range(101, 101 + count)]);
    });

    it("sees a row inserted or moved ahead of the cursor, not one inserted behind it", async () => {
      expect(await walk({ order: "asc", action: "insertAhead", at: 0 })).toEqual([...all, 500]);
      expect(await walk({ order: "desc", action: "insertAhead", at: count - 1 })).toEqual([500, ...[...all].reverse(), -500]);
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "asc", action: "insertBehind", at: 0 })).toEqual(all);
      // (-500 is the row the previous walk inserted behind its cursor.)
      expect(await walk({ order: "desc", action: "insertBehind", at: count - 1 })).toEqual([...[...all].reverse(), -500]);
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "asc", action: "moveAhead", at: 1 })).toEqual([...all, 1001]);
    });

    it("does not see a row deleted ahead of the cursor", async () => {
      expect(await walk({ order: "asc", action: "deleteAhead", at: 0 })).toEqual(all.slice(0, -1));
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "desc", action: "deleteAhead", at: count - 1 })).toEqual([...all].reverse().slice(0, -1));
    });

    it("honours an index range, a filter and a limit while deleting", async () => {
      const lo = Math.floor(count / 5);
      const hi = count - 2;
      expect(await walk({ order: "desc", action: "delete", gt: lo, lt: hi })).toEqual(range(lo + 1, hi).reverse());
      expect(await keysOf(1)).toEqual([...range(0, lo + 1), ...range(hi, count)]);
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      const even = all.filter((k) => k % 2 === 0);
      expect(await walk({ order: "asc", action: "delete", evenOnly: true })).toEqual(even);
      expect(await keysOf(1)).toEqual(all.filter((k) => k % 2 === 1));
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "asc", action: "delete", evenOnly: true, limit: 3 })).toEqual(even.slice(0, 3));
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "desc", action: "delete", limit: 4 })).toEqual([...all].reverse().slice(0, 4));
      await client.mutation(api.rows.reset, { groups: [{ g: 1, count }] });
      expect(await walk({ order: "asc", action: "moveBehind", limit: 1 })).toEqual([0]);
      expect(await walk({ order: "asc", action: "patch", limit: 2 })).toEqual([-1000, 1]);
    });
  });
}
