// Full text search on the embedded backend, as Convex documents it: terms split
// on punctuation and lowercased, any term matches, the last one as a prefix,
// relevance order (newest first on a tie), equality filters, .filter/.take/
// .paginate over the ranked list, reactivity, and what is refused.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tokenize } from "../../src/local-backend/search.js";
import { startApp, until } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ body: v.string(), channel: v.optional(v.string()), n: v.number() })
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }),
});
`;

const MESSAGES = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const reset = mutationGeneric({
  args: { rows: v.array(v.object({ body: v.string(), channel: v.optional(v.string()), n: v.number() })) },
  handler: async (ctx, { rows }) => {
    for (const row of await ctx.db.query("messages").collect()) await ctx.db.delete(row._id);
    for (const row of rows) await ctx.db.insert("messages", row);
  },
});

export const add = mutationGeneric({
  args: { body: v.string(), n: v.number() },
  handler: async (ctx, args) => await ctx.db.insert("messages", args),
});

export const search = queryGeneric({
  args: { text: v.string(), channel: v.optional(v.union(v.string(), v.null())), minN: v.optional(v.number()), take: v.optional(v.number()) },
  handler: async (ctx, { text, channel, minN, take }) => {
    let q = ctx.db.query("messages").withSearchIndex("search_body", (s) => {
      const base = s.search("body", text);
      return channel === undefined ? base : base.eq("channel", channel === null ? undefined : channel);
    });
    if (minN !== undefined) q = q.filter((f) => f.gte(f.field("n"), minN));
    const rows = take === undefined ? await q.collect() : await q.take(take);
    return rows.map((r) => r.n);
  },
});

export const page = queryGeneric({
  args: { text: v.string(), numItems: v.number(), cursor: v.union(v.string(), v.null()) },
  handler: async (ctx, { text, numItems, cursor }) => {
    const result = await ctx.db.query("messages").withSearchIndex("search_body", (s) => s.search("body", text)).paginate({ numItems, cursor });
    return { ns: result.page.map((r) => r.n), isDone: result.isDone, continueCursor: result.continueCursor };
  },
});

export const wrongField = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").withSearchIndex("search_body", (s) => (s as any).search("channel", "x")).collect(),
});
export const notAFilterField = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").withSearchIndex("search_body", (s) => (s.search("body", "x") as any).eq("n", 1)).collect(),
});
export const noSuchIndex = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").withSearchIndex("nope" as any, (s: any) => s.search("body", "x")).collect(),
});
`;

let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "messages.ts": MESSAGES }, "lb-search-");
  client = new ConvexHttpClient(backend.url, { logger: false });
});
afterAll(async () => {
  await backend?.stop();
});

const ROWS = [
  { n: 1, body: "Hello there, supplier!", channel: "general" },
  { n: 2, body: "hi", channel: "general" },
  { n: 3, body: "hello hi hello: a warm greeting", channel: "general" },
  { n: 4, body: "Send the REQUEST today", channel: "orders" },
  { n: 5, body: "a rabbit ran", channel: "orders" },
  { n: 6, body: "nothing to see", channel: "orders" },
  { n: 7, body: "hello from nowhere" },
];
const search = (text: string, more: Record<string, unknown> = {}): Promise<number[]> => client.query(api.messages.search, { text, ...more });

describe("tokenizing", () => {
  it("splits on anything but letters and digits, lowercases, and drops terms over 32 characters", () => {
    expect(tokenize("Hello, WORLD! net-45 café Ünïcode")).toEqual(["hello", "world", "net", "45", "café", "ünïcode"]);
    expect(tokenize(`${"x".repeat(33)} ok ${"y".repeat(32)}`)).toEqual(["ok", "y".repeat(32)]);
    expect(tokenize("  ...  ")).toEqual([]);
  });
});

describe("matching and relevance", () => {
  beforeEach(async () => {
    await client.mutation(api.messages.reset, { rows: ROWS });
  });

  it("finds documents holding any term, ignoring case and punctuation, best match first", async () => {
    const found = await search("HELLO hi");
    expect(new Set(found)).toEqual(new Set([1, 2, 3, 7]));
    // Both terms, more than once, ranks first.
    expect(found[0]).toBe(3);
  });

  it("matches the last term as a prefix, and only the last", async () => {
    expect(new Set(await search("r"))).toEqual(new Set([4, 5]));
    expect(await search("rab")).toEqual([5]);
    expect(await search("rab ran")).toEqual([5]); // "ran" matches; "rab" alone would not, as a non-last term
    expect(await search("rab nothing")).toEqual([6]);
  });

  it("returns nothing for a query without terms", async () => {
    expect(await search("   ")).toEqual([]);
    expect(await search("?!")).toEqual([]);
  });

  it("breaks a tie in relevance by the newest document first", async () => {
    await client.mutation(api.messages.reset, { rows: [1, 2, 3].map((n) => ({ n, body: "same words here" })) });
    expect(await search("same")).toEqual([3, 2, 1]);
  });

  it("filters by equality on a filter field, a missing field with undefined", async () => {
    expect(new Set(await search("hello hi", { channel: "general" }))).toEqual(new Set([1, 2, 3]));
    expect(await search("hello", { channel: null })).toEqual([7]);
    expect(await search("hello", { channel: "orders" })).toEqual([]);
  });

  it("applies .filter() and .take() to the ranked list", async () => {
    expect(await search("hello hi", { minN: 2 })).toEqual(expect.arrayContaining([2, 3, 7]));
    expect(await search("hello hi", { minN: 2 })).not.toContain(1);
    expect(await search("hello hi", { take: 1 })).toEqual([3]);
  });
});

describe("pagination", () => {
  it("walks the ranked list page by page with no repeats or gaps, and refuses another query's cursor", async () => {
    await client.mutation(api.messages.reset, { rows: Array.from({ length: 25 }, (_, n) => ({ n, body: `order ${"spec ".repeat(n % 4)}line ${n}` })) });
    const all: number[] = await search("order spec");
    expect(all).toHaveLength(25);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: { ns: number[]; isDone: boolean; continueCursor: string } = await client.query(api.messages.page, { text: "order spec", numItems: 7, cursor });
      seen.push(...res.ns);
      if (res.isDone) break;
      cursor = res.continueCursor;
    }
    expect(seen).toEqual(all);
    const first: { continueCursor: string } = await client.query(api.messages.page, { text: "order spec", numItems: 7, cursor: null });
    await expect(client.query(api.messages.page, { text: "line", numItems: 7, cursor: first.continueCursor })).rejects.toThrow(/different query/);
    await expect(client.query(api.messages.page, { text: "line", numItems: 7, cursor: "garbage" })).rejects.toThrow(/InvalidCursor/);
  });
});

describe("reactivity", () => {
  it("a subscribed search sees a new matching document", async () => {
    await client.mutation(api.messages.reset, { rows: ROWS });
    const live = new ConvexClient(backend.url, { logger: false });
    try {
      let latest: number[] | undefined;
      live.onUpdate(api.messages.search, { text: "rabbit" }, (ns: number[]) => void (latest = ns));
      await until(() => latest !== undefined, 10_000, "the first result");
      expect(latest).toEqual([5]);
      await client.mutation(api.messages.add, { body: "another RABBIT appears", n: 99 });
      await until(() => latest?.length === 2, 10_000, "the new match");
      expect(new Set(latest)).toEqual(new Set([5, 99]));
    } finally {
      await live.close();
    }
  });
});

describe("refusals", () => {
  it("says what is wrong: another field searched, a field that is not a filter field, an unknown index, too many terms", async () => {
    await expect(client.query(api.messages.wrongField, {})).rejects.toThrow(/searches "body", not "channel"/);
    await expect(client.query(api.messages.notAFilterField, {})).rejects.toThrow(/"n" is not a filter field of search index messages.search_body/);
    await expect(client.query(api.messages.noSuchIndex, {})).rejects.toThrow(/Search index messages.nope not found/);
    await expect(search(Array.from({ length: 17 }, (_, i) => `w${i}`).join(" "))).rejects.toThrow(/at most 16 terms \(it has 17\)/);
  });
});
