// `paginate` arguments are checked as on Convex: a page must ask for at least
// one document, and a cursor must decode and belong to the query it is used
// with (its index, range, order and filters); valid cursors round-trip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startApp } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  rows: defineTable({ g: v.number(), k: v.number() }).index("by_g_k", ["g", "k"]).index("by_k", ["k"]),
});
`;

const ROWS = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const seed = mutationGeneric({
  args: {},
  handler: async (ctx) => {
    for (const g of [1, 2]) for (let k = 0; k < 25; k++) await ctx.db.insert("rows", { g, k });
  },
});

export const page = queryGeneric({
  args: {
    index: v.union(v.literal("by_g_k"), v.literal("by_k")),
    g: v.optional(v.number()),
    order: v.optional(v.union(v.literal("asc"), v.literal("desc"))),
    evenOnly: v.optional(v.boolean()),
    opts: v.any(),
  },
  handler: async (ctx, { index, g, order, evenOnly, opts }) => {
    let q: any =
      index === "by_k"
        ? ctx.db.query("rows").withIndex("by_k")
        : ctx.db.query("rows").withIndex("by_g_k", (r) => (g === undefined ? r : r.eq("g", g)));
    q = q.order(order ?? "asc");
    if (evenOnly) q = q.filter((f: any) => f.eq(f.mod(f.field("k"), 2), 0));
    const result = await q.paginate(opts);
    return { ...result, page: result.page.map((r: any) => [r.g, r.k]) };
  },
});
`;

let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "rows.ts": ROWS }, "lb-paginate-");
  client = new ConvexHttpClient(backend.url, { logger: false });
  await client.mutation(api.rows.seed, {});
});
afterAll(async () => {
  await backend?.stop();
});

type Page = { page: number[][]; isDone: boolean; continueCursor: string; splitCursor: string | null; pageStatus: string | null };
type Spec = { index: "by_g_k" | "by_k"; g?: number; order?: "asc" | "desc"; evenOnly?: boolean };
const page = (spec: Spec, opts: unknown): Promise<Page> => client.query(api.rows.page, { ...spec, opts });
const failure = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => {
      throw new Error("expected the query to fail");
    },
    (e: Error) => e.message,
  );

/** Every page of `spec`, `numItems` at a time. */
async function allPages(spec: Spec, numItems: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p = await page(spec, { numItems, cursor });
    pages.push(p);
    if (p.isDone) return pages;
    cursor = p.continueCursor;
  }
  throw new Error("pagination did not end");
}

const G1 = Array.from({ length: 25 }, (_, k) => [1, k]);

describe("numItems", () => {
  it("0 is refused with Convex's error", async () => {
    const message = await failure(page({ index: "by_g_k", g: 1 }, { numItems: 0, cursor: null }));
    expect(message).toContain("Must request at least 1 document while paginating");
    expect(message).toContain("numItems");
  });

  it("a fraction, NaN or Infinity is refused", async () => {
    for (const numItems of [1.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const message = await failure(page({ index: "by_g_k", g: 1 }, { numItems, cursor: null }));
      expect(message, String(numItems)).toMatch(/numItems.*must be a positive integer/);
    }
    // Negative sizes and non-numbers are refused by `paginate` itself, before the backend.
    expect(await failure(page({ index: "by_g_k", g: 1 }, { numItems: -1, cursor: null }))).toContain("must be a positive number");
  });

  it("maximumRowsRead must be at least 1", async () => {
    const message = await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null, maximumRowsRead: 0 }));
    expect(message).toContain("InvalidPaginationLimit");
  });

  it("1 pages one row at a time", async () => {
    const pages = await allPages({ index: "by_g_k", g: 1 }, 1);
    expect(pages.flatMap((p) => p.page)).toEqual(G1);
  });
});

describe("cursors", () => {
  it("round-trip: every row exactly once, in order, through opaque base64url cursors", async () => {
    for (const order of ["asc", "desc"] as const) {
      for (const numItems of [1, 4, 7, 25, 30]) {
        const pages = await allPages({ index: "by_g_k", g: 1, order }, numItems);
        expect(pages.flatMap((p) => p.page), `${order} ${numItems}`).toEqual(order === "asc" ? G1 : [...G1].reverse());
        for (const p of pages.slice(0, -1)) expect(p.continueCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      }
    }
    const even = await allPages({ index: "by_k", evenOnly: true }, 6);
    expect(even.flatMap((p) => p.page).map(([, k]) => k)).toEqual([0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12, 14, 14, 16, 16, 18, 18, 20, 20, 22, 22, 24, 24]);
  });

  it("a string that does not decode is refused, not read as the first page", async () => {
    for (const cursor of ["garbage!!", "", "not a cursor", "AAAA", "%%%", "x".repeat(200)]) {
      const message = await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor }));
      expect(message, cursor).toContain("InvalidCursor");
      expect(message, cursor).toMatch(/cursor/i);
    }
    const message = await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: 42 }));
    expect(message).toContain("InvalidCursor");
  });

  it("a tampered cursor is refused", async () => {
    const { continueCursor } = await page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null });
    const bytes = Buffer.from(continueCursor, "base64url");
    bytes[0] ^= 1;
    expect(await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: bytes.toString("base64url") }))).toContain("InvalidCursor");
    // Base64url decoding would skip the characters that are not in its alphabet.
    expect(await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: `${continueCursor}!` }))).toContain("InvalidCursor");
  });

  it("a cursor of another index, range, order or filter is refused", async () => {
    const { continueCursor: cursor } = await page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null });
    expect((await page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor })).page).toEqual(G1.slice(5, 10));
    for (const other of [
      { index: "by_k" },
      { index: "by_g_k" },
      { index: "by_g_k", g: 2 },
      { index: "by_g_k", g: 1, order: "desc" },
      { index: "by_g_k", g: 1, evenOnly: true },
    ] as Spec[]) {
      const message = await failure(page(other, { numItems: 5, cursor }));
      expect(message, JSON.stringify(other)).toContain(
        "InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.",
      );
    }
  });

  it("endCursor refetches the same page, and must belong to the query too", async () => {
    const first = await page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null });
    const again = await page({ index: "by_g_k", g: 1 }, { numItems: 2, cursor: null, endCursor: first.continueCursor });
    expect(again.page).toEqual(first.page);
    expect(again.continueCursor).toBe(first.continueCursor);
    expect(again.isDone).toBe(false);
    const middle = await page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: first.continueCursor });
    const between = await page({ index: "by_g_k", g: 1 }, { numItems: 1, cursor: first.continueCursor, endCursor: middle.continueCursor });
    expect(between.page).toEqual(G1.slice(5, 10));
    const foreign = (await page({ index: "by_k" }, { numItems: 5, cursor: null })).continueCursor;
    expect(await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null, endCursor: foreign }))).toContain("InvalidCursor");
    expect(await failure(page({ index: "by_g_k", g: 1 }, { numItems: 5, cursor: null, endCursor: "garbage" }))).toContain("InvalidCursor");
  });

  it("maximumRowsRead splits a page, and its cursor continues the query", async () => {
    const spec: Spec = { index: "by_k", evenOnly: true };
    const split = await page(spec, { numItems: 10, cursor: null, maximumRowsRead: 3 });
    expect(split.pageStatus).toBe("SplitRequired");
    expect(split.isDone).toBe(false);
    expect(split.page.map(([, k]) => k)).toEqual([0, 0]);
    const rest = await page(spec, { numItems: 100, cursor: split.continueCursor });
    expect(rest.isDone).toBe(true);
    expect(rest.continueCursor).toBe("_end_cursor");
    expect([...split.page, ...rest.page].map(([, k]) => k)).toEqual((await allPages(spec, 100)).flatMap((p) => p.page).map(([, k]) => k));
    // Past the end, any query's end cursor gives an empty, finished page.
    expect(await page({ index: "by_g_k", g: 2 }, { numItems: 5, cursor: "_end_cursor" })).toMatchObject({ page: [], isDone: true });
  });
});
