// Convex's transaction limits on the embedded backend: reads (documents, bytes,
// index ranges), writes, scheduling, nested calls with their own lower limits,
// a caught error that still cannot commit, and ctx.meta.getTransactionMetrics().
// The backend runs with low limits so that passing one takes a few documents.
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/local-backend/limits.js";
import { startApp } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  rows: defineTable({ n: v.number(), pad: v.string() }),
});
`;

const ROWS = `
import { internalMutationGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { makeFunctionReference } from "convex/server";
import { v } from "convex/values";

// Within the low limits: deletes up to 20 rows a call (true when none are left), inserts up to 20.
export const clear = mutationGeneric({
  args: {},
  handler: async (ctx) => {
    const rows = await ctx.db.query("rows").take(20);
    for (const row of rows) await ctx.db.delete(row._id);
    return rows.length === 0;
  },
});
export const fill = mutationGeneric({
  args: { from: v.number(), count: v.number(), padding: v.number() },
  handler: async (ctx, { from, count, padding }) => {
    for (let n = from; n < from + count; n++) await ctx.db.insert("rows", { n, pad: "x".repeat(padding) });
  },
});

export const readAll = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("rows").collect()).length });
export const readNone = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("rows").filter((q) => q.lt(q.field("n"), -1)).collect()).length,
});
export const gets = queryGeneric({
  args: { times: v.number() },
  handler: async (ctx, { times }) => {
    const first = await ctx.db.query("rows").first();
    for (let i = 0; i < times; i++) await ctx.db.get(first!._id);
    return times;
  },
});
export const metrics = queryGeneric({
  args: {},
  handler: async (ctx) => {
    await ctx.db.query("rows").take(3);
    return await ctx.meta.getTransactionMetrics();
  },
});

export const insertMany = mutationGeneric({
  args: { count: v.number(), swallow: v.boolean() },
  handler: async (ctx, { count, swallow }) => {
    try {
      for (let n = 0; n < count; n++) await ctx.db.insert("rows", { n: 1000 + n, pad: "" });
    } catch (e) {
      if (!swallow) throw e;
    }
    return "returned";
  },
});

export const insertInner = internalMutationGeneric({
  args: { count: v.number() },
  handler: async (ctx, { count }) => {
    for (let n = 0; n < count; n++) await ctx.db.insert("rows", { n: 2000 + n, pad: "" });
  },
});

export const nested = mutationGeneric({
  args: { inner: v.number() },
  handler: async (ctx, { inner }) => {
    await ctx.db.insert("rows", { n: 3000, pad: "outer" });
    try {
      await ctx.runMutation(makeFunctionReference<"mutation">("rows:insertInner"), { count: inner }, { transactionLimits: { documentsWritten: 3 } } as any);
      return "inner committed";
    } catch (e) {
      return String((e as Error).message);
    }
  },
});

export const schedule = mutationGeneric({
  args: { times: v.number(), bytes: v.number() },
  handler: async (ctx, { times, bytes }) => {
    for (let i = 0; i < times; i++) await ctx.scheduler.runAfter(60_000, makeFunctionReference<"mutation">("rows:insertInner"), { count: 0, pad: "y".repeat(bytes) } as any);
  },
});
`;

const LIMITS = { documentsRead: 50, bytesRead: 20_000, databaseQueries: 20, documentsWritten: 30, bytesWritten: 4_000, functionsScheduled: 5, scheduledFunctionArgsBytes: 2_000 };

let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "rows.ts": ROWS }, "lb-limits-", { transactionLimits: LIMITS });
  client = new ConvexHttpClient(backend.url, { logger: false });
});
afterAll(async () => {
  await backend?.stop();
});

/** Leaves exactly `count` rows of `padding` characters, in calls small enough for the limits. */
async function reset(http: ConvexHttpClient, count: number, padding = 0) {
  while (!(await http.mutation(api.rows.clear, {}))) {}
  for (let from = 0; from < count; from += 20) await http.mutation(api.rows.fill, { from, count: Math.min(20, count - from), padding });
}

const count = async () => {
  // Counted in pages small enough for the limits.
  return (await client.query(api.rows.readAll, {}).catch(() => -1)) as number;
};

it("the defaults are Convex's documented limits", () => {
  expect(DEFAULT_LIMITS).toMatchObject({
    documentsRead: 32_000,
    bytesRead: 16 * 1024 * 1024,
    databaseQueries: 4096,
    documentsWritten: 16_000,
    bytesWritten: 16 * 1024 * 1024,
    functionsScheduled: 1000,
    scheduledFunctionArgsBytes: 16 * 1024 * 1024,
  });
});

describe("reads", () => {
  it("documents: the limit is allowed, one more is refused in Convex's words", async () => {
    await reset(client, 50, 0);
    expect(await client.query(api.rows.readAll, {})).toBe(50);
    await client.mutation(api.rows.insertMany, { count: 1, swallow: false });
    await expect(client.query(api.rows.readAll, {})).rejects.toThrow(
      "Too many documents read in a single function execution (limit: 50). Consider using smaller limits in your queries",
    );
  });

  it("documents a filter drops count as read", async () => {
    await reset(client, 51, 0);
    await expect(client.query(api.rows.readNone, {})).rejects.toThrow(/Too many documents read/);
  });

  it("bytes read", async () => {
    // A backend of its own, whose writes may be large: ten rows of 2,500 characters are 25,000 bytes to read, over 20,000.
    const other = await startApp({ "schema.ts": SCHEMA, "rows.ts": ROWS }, "lb-limits-bytes-", { transactionLimits: { ...LIMITS, bytesWritten: 1_000_000 } });
    try {
      const http = new ConvexHttpClient(other.url, { logger: false });
      await reset(http, 7, 2500);
      expect(await http.query(api.rows.readAll, {})).toBe(7);
      await reset(http, 10, 2500);
      await expect(http.query(api.rows.readAll, {})).rejects.toThrow("Too many bytes read in a single function execution (limit: 20000 bytes)");
    } finally {
      await other.stop();
    }
  });

  it("index ranges: each db.get and db.query counts", async () => {
    await reset(client, 1, 0);
    expect(await client.query(api.rows.gets, { times: 19 })).toBe(19); // 1 query + 19 gets = 20
    await expect(client.query(api.rows.gets, { times: 20 })).rejects.toThrow("Too many reads in a single function execution (limit: 20)");
  });

  it("ctx.meta.getTransactionMetrics() reports what is used and what remains", async () => {
    await reset(client, 5, 0);
    const m = await client.query(api.rows.metrics, {});
    expect(m.documentsRead).toEqual({ used: 3, remaining: 47 });
    expect(m.databaseQueries).toEqual({ used: 1, remaining: 19 });
    expect(m.documentsWritten).toEqual({ used: 0, remaining: 30 });
    expect(m.bytesRead.used).toBeGreaterThan(0);
  });
});

describe("writes", () => {
  beforeEach(async () => {
    await reset(client, 0, 0);
  });

  it("documents: past the limit the mutation fails and writes nothing", async () => {
    expect(await client.mutation(api.rows.insertMany, { count: 30, swallow: false })).toBe("returned");
    await reset(client, 0, 0);
    await expect(client.mutation(api.rows.insertMany, { count: 31, swallow: false })).rejects.toThrow(
      "Too many writes in a single function execution (limit: 30)",
    );
    expect(await count()).toBe(0);
  });

  it("a caught limit error still fails the mutation: it cannot commit past the limit", async () => {
    await expect(client.mutation(api.rows.insertMany, { count: 31, swallow: true })).rejects.toThrow(/Too many writes/);
    expect(await count()).toBe(0);
  });

  it("a nested call's own lower limits fail only it; the caller goes on and commits", async () => {
    expect(await client.mutation(api.rows.nested, { inner: 3 })).toBe("inner committed");
    expect(await count()).toBe(4);
    await reset(client, 0, 0);
    expect(await client.mutation(api.rows.nested, { inner: 4 })).toMatch(/Too many writes in a single function execution \(limit: 3\)/);
    // The outer row committed; the inner ones rolled back with their sub-transaction.
    expect(await count()).toBe(1);
  });

  it("scheduling: the number of functions and the total size of their arguments", async () => {
    await client.mutation(api.rows.schedule, { times: 5, bytes: 10 });
    await expect(client.mutation(api.rows.schedule, { times: 6, bytes: 10 })).rejects.toThrow("Too many functions scheduled by this mutation (limit: 5)");
    await expect(client.mutation(api.rows.schedule, { times: 3, bytes: 900 })).rejects.toThrow(
      "Too large total size of the arguments of scheduled functions from this mutation (limit: 2000 bytes)",
    );
  });
});
