// Vector search on the embedded backend through the official client, as Convex
// documents it: `vectorIndex` in the schema, `ctx.vectorSearch` in actions,
// results by cosine similarity (float32, highest first), limit 10 by default and
// at most 256, `q.eq`/`q.or` filters on filter fields, what is not indexed, the
// committed state at the time of the call, Convex's errors; and the same
// workload compared with convex-test's model of vectorSearch.
import fs from "node:fs";
import path from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { convexTest } from "convex-test";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { float32Json } from "../../src/local-backend/vector-search.js";
import { mulberry32 } from "../../src/negotiation/prng.js";
import schema from "./fixture-vector/convex/schema";
import { startApp, startFixture, tempDir, until } from "./helpers.js";

const api = anyApi;
const FUNCTIONS = path.resolve(__dirname, "fixture-vector/convex");
const modules = {
  ...import.meta.glob("./fixture-vector/convex/**/*.ts"),
  "./fixture-vector/convex/_generated/api.js": async () => ({}),
};

type Hit = { _id: string; _score: number };

let backend: Awaited<ReturnType<typeof startFixture>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-vector-") });
  client = new ConvexHttpClient(backend.url, { logger: false });
});
afterAll(async () => {
  await backend?.stop();
});
beforeEach(async () => {
  await client.mutation(api.vectors.clear, {});
});

const insert = (rows: object[], table?: "docs" | "wide"): Promise<string[]> => client.mutation(api.vectors.insert, { rows, table });
const search = (vector: number[], more: Record<string, unknown> = {}): Promise<Hit[]> => client.action(api.vectors.search, { vector, ...more });

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

describe("ranking", () => {
  it("returns [{ _id, _score }] by cosine similarity, highest first, scores as float32", async () => {
    const rows = [
      { name: "same", embedding: [2, 0, 0] },
      { name: "diagonal", embedding: [1, 1, 0] },
      { name: "orthogonal", embedding: [0, 3, 0] },
      { name: "opposite", embedding: [-1, 0, 0] },
      { name: "mostly", embedding: [3, 1, 1] },
    ];
    const ids = await insert(rows);
    const hits = await search([5, 0, 0]);
    expect(hits.map((h) => Object.keys(h).sort())).toEqual(rows.map(() => ["_id", "_score"]));
    const byId = new Map(ids.map((id, i) => [id, rows[i]!]));
    expect(hits.map((h) => byId.get(h._id)!.name)).toEqual(["same", "mostly", "diagonal", "orthogonal", "opposite"]);
    for (const h of hits) {
      const expected = cosine([5, 0, 0], byId.get(h._id)!.embedding);
      expect(h._score).toBeCloseTo(expected, 6);
      // Convex computes in float32 and shows the shortest decimal of that float32.
      expect(Math.fround(h._score)).toBe(Math.fround(expected));
      expect(h._score).toBe(float32Json(h._score));
    }
    expect(hits[2]!._score).toBe(0.70710677);
    expect(hits[0]!._score).toBe(1);
    expect(hits[4]!._score).toBe(-1);
  });

  it("scores a zero vector 0 (as Qdrant's cosine does) and breaks ties deterministically", async () => {
    const ids = await insert([
      { name: "zero", embedding: [0, 0, 0] },
      { name: "a", embedding: [0, 1, 0] },
      { name: "b", embedding: [0, 0, 1] },
    ]);
    const hits = await search([1, 0, 0]);
    expect(hits.map((h) => h._score)).toEqual([0, 0, 0]);
    // Ties come by ID, descending, as Convex orders (score, id).
    expect(hits.map((h) => h._id)).toEqual([...ids].sort().reverse());
    expect(await search([0, 0, 0])).toHaveLength(3);
  });

  it("works at the documented 1536 dimensions", async () => {
    const r = mulberry32(7);
    const rows = Array.from({ length: 20 }, (_, i) => ({ name: `w${i}`, category: i % 2 ? "odd" : "even", embedding: Array.from({ length: 1536 }, () => r() - 0.5) }));
    const ids = await insert(rows, "wide");
    const query = rows[13]!.embedding.map((x, i) => x + (i % 7 === 0 ? 0.05 : 0));
    const hits = await search(query, { table: "wide", limit: 5, categories: ["odd"] });
    expect(hits).toHaveLength(5);
    expect(hits[0]!._id).toBe(ids[13]);
    const expected = rows
      .map((row, i) => ({ id: ids[i]!, score: cosine(query, row.embedding), odd: row.category === "odd" }))
      .filter((x) => x.odd)
      .sort((a, b) => b.score - a.score)
      .slice(0, 5);
    expect(hits.map((h) => h._id)).toEqual(expected.map((e) => e.id));
    hits.forEach((h, i) => expect(h._score).toBeCloseTo(expected[i]!.score, 5));
    await expect(search([1, 2, 3], { table: "wide" })).rejects.toThrow(/Expected a vector with dimensions 1536, received 3\./);
  });
});

describe("limit", () => {
  it("defaults to 10, accepts up to 256 and refuses more in Convex's words", async () => {
    await insert(Array.from({ length: 300 }, (_, i) => ({ name: `n${i}`, embedding: [1, i / 300, 0] })));
    expect(await search([1, 0, 0])).toHaveLength(10);
    expect(await search([1, 0, 0], { limit: 3 })).toHaveLength(3);
    const all = await search([1, 0, 0], { limit: 256 });
    expect(all).toHaveLength(256);
    const scores = all.map((h) => h._score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The 256 best are the 256 closest to [1, 0, 0]: every left-out score is lower.
    const worstKept = scores[255]!;
    expect(worstKept).toBeCloseTo(cosine([1, 0, 0], [1, 255 / 300, 0]), 6);
    await expect(search([1, 0, 0], { limit: 257 })).rejects.toThrow(/Vector queries can fetch at most 256 results, requested 257\./);
    await expect(search([1, 0, 0], { limit: 1.5 })).rejects.toThrow(/invalid type: floating point `1.5`, expected u32/);
    await expect(search([1, 0, 0], { limit: -1 })).rejects.toThrow(/invalid value: integer `-1`, expected u32/);
  });
});

describe("filters", () => {
  let ids: string[];
  const names = async (hits: Hit[]) => client.query(api.vectors.names, { ids: hits.map((h) => h._id) });
  beforeEach(async () => {
    ids = await insert([
      { name: "a1", category: "a", tag: 1, embedding: [1, 0, 0] },
      { name: "a2", category: "a", tag: 2, embedding: [1, 0.5, 0] },
      { name: "b1", category: "b", tag: 1, embedding: [1, 1, 0] },
      { name: "c3", category: "c", tag: 3, embedding: [1, 2, 0] },
      { name: "none", embedding: [1, 3, 0] },
    ]);
  });

  it("q.eq on a filter field keeps only documents holding that value", async () => {
    expect(await names(await search([1, 0, 0], { categories: ["a"] }))).toEqual(["a1", "a2"]);
    expect(await names(await search([1, 0, 0], { tags: [1] }))).toEqual(["a1", "b1"]);
    expect(await search([1, 0, 0], { categories: ["zzz"] })).toEqual([]);
    // eq(field, undefined) matches documents without the field, as on Convex.
    expect(await names(await search([1, 0, 0], { categories: [null] }))).toEqual(["none"]);
    expect(ids).toHaveLength(5);
  });

  it("q.or of eqs matches any of them, across fields too", async () => {
    expect(await names(await search([1, 0, 0], { categories: ["a", "b"] }))).toEqual(["a1", "a2", "b1"]);
    expect(await names(await search([1, 0, 0], { categories: ["c"], tags: [2] }))).toEqual(["a2", "c3"]);
    expect(await names(await search([1, 0, 0], { categories: ["a", "a"] }))).toEqual(["a1", "a2"]);
  });

  it("refuses what Convex refuses, in its words", async () => {
    await expect(client.action(api.vectors.badFilter, { kind: "notFilterField" })).rejects.toThrow(
      /Vector query against docs.by_embedding contains a filter on "name" but that field isn't indexed for filtering in `filterFields`\./,
    );
    await expect(client.action(api.vectors.badFilter, { kind: "literal" })).rejects.toThrow(/Filters should be a combination of `q.eq` and `q.or`\./);
    await expect(client.action(api.vectors.badFilter, { kind: "orLiteral" })).rejects.toThrow(/Filters should be a combination of `q.eq` and `q.or`\./);
    await expect(client.action(api.vectors.badFilter, { kind: "nestedEq" })).rejects.toThrow(
      /`q.eq` must take a field path as its first argument and a value as its second/,
    );
    const many = Array.from({ length: 65 }, (_, i) => `c${i}`);
    await expect(search([1, 0, 0], { categories: many })).rejects.toThrow(/Vector query against docs.by_embedding has too many conditions\. Max: 64 Actual: 65/);
    // 64 values is the limit, not past it; duplicates count once.
    expect(await names(await search([1, 0, 0], { categories: [...many.slice(0, 63), "a", "a"] }))).toEqual(["a1", "a2"]);
  });
});

describe("what is indexed", () => {
  it("skips documents whose vector field is missing, of another length or not all float64", async () => {
    const ids = await insert([
      { name: "good", embedding: [1, 0, 0] },
      { name: "missing" },
      { name: "short", embedding: [1, 0] },
      { name: "long", embedding: [1, 0, 0, 0] },
      { name: "strings", embedding: ["1", "0", "0"] },
      { name: "int64", embedding: [1n, 0n, 0n] },
      { name: "object", embedding: { x: 1 } },
      { name: "also good", embedding: [0, 1, 0] },
    ]);
    const hits = await search([1, 0, 0], { limit: 256 });
    expect(hits.map((h) => h._id)).toEqual([ids[0], ids[7]]);
  });

  it("follows patches: a vector that changes is re-scored, one that goes away leaves the index", async () => {
    const [x, y] = await insert([
      { name: "x", embedding: [1, 0, 0] },
      { name: "y", embedding: [0, 1, 0] },
    ]);
    expect((await search([0, 1, 0]))[0]!._id).toBe(y);
    await client.mutation(api.vectors.patch, { id: x, fields: { embedding: [0, 2, 0] } });
    const hits = await search([0, 1, 0]);
    expect(hits.map((h) => h._score)).toEqual([1, 1]);
    await client.mutation(api.vectors.patch, { id: y, fields: {}, unset: ["embedding"] });
    expect((await search([0, 1, 0])).map((h) => h._id)).toEqual([x]);
    await client.mutation(api.vectors.patch, { id: y, fields: { embedding: [0, 0.5, 0.5] } });
    expect((await search([0, 1, 0])).map((h) => h._id)).toEqual([x, y]);
    await client.mutation(api.vectors.patch, { id: x, fields: { category: "b" } });
    expect((await search([0, 1, 0], { categories: ["b"] })).map((h) => h._id)).toEqual([x]);
  });
});

describe("consistency", () => {
  it("finds a document a mutation inserted before the action, and not one deleted", async () => {
    // The index is built by this first search, then kept current.
    expect(await search([1, 0, 0])).toEqual([]);
    const [kept, gone] = await insert([
      { name: "kept", embedding: [1, 0, 0] },
      { name: "gone", embedding: [1, 1, 0] },
    ]);
    expect((await search([1, 0, 0])).map((h) => h._id)).toEqual([kept, gone]);
    await client.mutation(api.vectors.remove, { id: gone });
    expect((await search([1, 0, 0])).map((h) => h._id)).toEqual([kept]);
  });

  it("works from HTTP actions too", async () => {
    const [near, mid] = await insert([
      { name: "near", embedding: [1, 0, 0] },
      { name: "mid", embedding: [1, 1, 0] },
      { name: "far", embedding: [0, 0, 1] },
    ]);
    const response = await fetch(`${backend.siteUrl}/search`, { method: "POST", body: JSON.stringify([1, 0, 0]) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Hit[]).map((h) => h._id)).toEqual([near, mid]);
  });

  it("sees what a mutation the action ran has committed", async () => {
    const { id, results } = await client.action(api.vectors.insertThenSearch, { row: { name: "fresh", embedding: [0, 0, 1] }, vector: [0, 0, 1] });
    expect(results).toEqual([{ _id: id, _score: 1 }]);
  });

  it("does not see a write a failed mutation rolled back", async () => {
    const [a] = await insert([{ name: "a", embedding: [1, 0, 0] }]);
    await expect(client.mutation(api.vectors.insert, { rows: [{ name: "b", embedding: [1, 0, 0] }, { name: 5 }] })).rejects.toThrow();
    expect((await search([1, 0, 0])).map((h) => h._id)).toEqual([a]);
  });

  it("is rebuilt from the stored documents after a restart", async () => {
    const dataDir = tempDir("lb-vector-restart-");
    let other = await startFixture({ functionsDir: FUNCTIONS, dataDir });
    const http = new ConvexHttpClient(other.url, { logger: false });
    const [p, q] = await http.mutation(api.vectors.insert, { rows: [{ name: "p", embedding: [1, 0, 0] }, { name: "q", embedding: [1, 1, 1] }] });
    expect((await http.action(api.vectors.search, { vector: [1, 0, 0] })).map((h: Hit) => h._id)).toEqual([p, q]);
    await other.stop();
    other = await startFixture({ functionsDir: FUNCTIONS, dataDir });
    try {
      const again = new ConvexHttpClient(other.url, { logger: false });
      expect((await again.action(api.vectors.search, { vector: [1, 1, 1] })).map((h: Hit) => h._id)).toEqual([q, p]);
    } finally {
      await other.stop();
    }
  });
});

describe("indexes and arguments Convex refuses", () => {
  it("names the problem", async () => {
    await insert([{ name: "a", embedding: [1, 0, 0] }]);
    await expect(search([1, 0])).rejects.toThrow(/Expected a vector with dimensions 3, received 2\./);
    await expect(search(Array.from({ length: 4097 }, () => 1))).rejects.toThrow(/Expected a vector with dimensions 4096, received 4097\./);
    await expect(search([])).rejects.toThrow(/`vector` must be a non-empty Array in vectorSearch/);
    await expect(search([1, 0, 0], { index: "nope" })).rejects.toThrow(/Index docs\.nope not found\./);
    await expect(search([1, 0, 0], { index: "by_name" })).rejects.toThrow(/Index docs\.by_name is not a vector index/);
    await expect(search([1, 0, 0], { index: "search_name" })).rejects.toThrow(/Index docs\.search_name is not a vector index/);
    await expect(search([1, 0, 0], { index: "by_embedding_staged" })).rejects.toThrow(
      /Index docs\.by_embedding_staged is currently staged and not available to query until it is enabled\./,
    );
    await expect(search([1, 0, 0], { table: "a.b" })).rejects.toThrow(/Too many components in index name a\.b\.by_embedding/);
    // As on Convex, a table that does not exist has nothing to find.
    expect(await search([1, 0, 0], { table: "never_written" })).toEqual([]);
  });

  it("refuses a schema whose vector index has dimensions out of range", async () => {
    const bad = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 1 }) });
`;
    await expect(startApp({ "schema.ts": bad }, "lb-vector-bad-")).rejects.toThrow(/Vector index t\.by_e: Dimensions 1 must be between 2 and 4096\./);
  });
});

describe("schema changes", () => {
  const schemaWith = (dimensions: number) => `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: ${dimensions} }) });
`;
  const FNS = `
import { actionGeneric, mutationGeneric } from "convex/server";
import { v } from "convex/values";
export const add = mutationGeneric({ args: { e: v.array(v.float64()) }, handler: async (ctx, { e }) => await ctx.db.insert("t", { e }) });
export const search = actionGeneric({ args: { vector: v.array(v.float64()) }, handler: async (ctx, { vector }) => await ctx.vectorSearch("t" as any, "by_e" as any, { vector }) });
`;

  it("rebuilds an index whose definition changed, and keeps serving the old one when the new schema is refused", async () => {
    const app = await startApp({ "schema.ts": schemaWith(2), "fns.ts": FNS }, "lb-vector-reload-", { watch: true });
    try {
      const http = new ConvexHttpClient(app.url, { logger: false });
      const flat = await http.mutation(api.fns.add, { e: [1, 0] });
      const deep = await http.mutation(api.fns.add, { e: [1, 0, 0] });
      expect(await http.action(api.fns.search, { vector: [1, 0] })).toEqual([{ _id: flat, _score: 1 }]);
      fs.writeFileSync(path.join(app.functionsDir, "schema.ts"), schemaWith(3));
      await until(async () => (await http.action(api.fns.search, { vector: [1, 0, 0] }).catch(() => null)) !== null, 15_000, "3-dimension index");
      expect(await http.action(api.fns.search, { vector: [0, 0, 1] })).toEqual([{ _id: deep, _score: 0 }]);
      fs.writeFileSync(path.join(app.functionsDir, "schema.ts"), schemaWith(5000));
      await until(() => app.lines.some((l) => l.includes("Dimensions 5000 must be between 2 and 4096.")), 15_000, "refused schema");
      expect(await http.action(api.fns.search, { vector: [1, 0, 0] })).toEqual([{ _id: deep, _score: 1 }]);
    } finally {
      await app.stop();
    }
  });
});

describe("differential: embedded backend vs convex-test", () => {
  for (const seed of [1, 2, 3]) {
    it(`random vectors and filters, seed ${seed}`, async () => {
      const r = mulberry32(seed);
      const t = convexTest(schema, modules);
      const rows = Array.from({ length: 60 }, (_, i) => ({
        name: `r${i}`,
        category: ["a", "b", "c"][Math.floor(r() * 3)]!,
        tag: Math.floor(r() * 4),
        embedding: [r() - 0.5, r() - 0.5, r() - 0.5],
      }));
      const ours = await insert(rows);
      const theirs: string[] = await t.mutation(api.vectors.insert, { rows });
      let compared = 0;
      for (let step = 0; step < 25; step++) {
        const args: Record<string, unknown> = { vector: [r() - 0.5, r() - 0.5, r() - 0.5], limit: 1 + Math.floor(r() * 30) };
        const f = r();
        if (f < 0.3) args.categories = ["a", "b", "c"].filter(() => r() < 0.5);
        else if (f < 0.5) args.tags = [Math.floor(r() * 4)];
        else if (f < 0.6) Object.assign(args, { categories: ["c"], tags: [0, 1] });
        // q.or() of nothing is no filter on Convex; convex-test reads it as "match nothing".
        if (Array.isArray(args.categories) && args.categories.length === 0) delete args.categories;
        const a: Hit[] = await search(args.vector as number[], args);
        const b: Hit[] = await t.action(api.vectors.search, args);
        expect(a.map((h) => ours.indexOf(h._id))).toEqual(b.map((h) => theirs.indexOf(h._id)));
        a.forEach((h, i) => expect(h._score).toBeCloseTo(b[i]!._score, 5));
        compared += a.length;
      }
      expect(compared).toBeGreaterThan(100);
    });
  }
});
