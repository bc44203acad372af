// Pagination cursors are sealed with the deployment's own key, as Convex's are
// encrypted: a cursor reaches the client, and its index key can hold fields
// the query's function never returns. The client can neither read that key nor
// forge a starting point; the deployment that sealed a cursor reads it after a
// restart, and no other deployment reads it at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startApp, tempDir } from "./helpers.js";

const api = anyApi;

const FILES = {
  "schema.ts": `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  codes: defineTable({ code: v.string() }).index("by_code", ["code"]),
});
`,
  "codes.ts": `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const seed = mutationGeneric({
  args: {},
  handler: async (ctx) => {
    for (let i = 0; i < 12; i++) await ctx.db.insert("codes", { code: "reservation-" + String(4000 + i) });
  },
});

/** Pages by the secret field, returning only ids: the codes themselves never leave. */
export const page = queryGeneric({
  args: { opts: v.any() },
  handler: async (ctx, { opts }) => {
    const result = await ctx.db.query("codes").withIndex("by_code").paginate(opts);
    return { ...result, page: result.page.map((d) => d._id) };
  },
});
`,
};

type Page = { page: string[]; continueCursor: string; isDone: boolean };

let dataDir: string;
let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  dataDir = tempDir("lb-cursor-seal-");
  backend = await startApp(FILES, "lb-cursor-seal-app-", { dataDir });
  client = new ConvexHttpClient(backend.url, { logger: false });
  await client.mutation(api.codes.seed, {});
});
afterAll(async () => {
  await backend?.stop();
});

const page = (c: ConvexHttpClient, opts: object) => c.query(api.codes.page, { opts }) as Promise<Page>;
const failure = (p: Promise<unknown>) => p.then(() => "resolved", (e: Error) => e.message);

describe("sealed cursors", () => {
  it("hold nothing of the index key the client could read", async () => {
    let cursor: string | null = null;
    for (let n = 0; n < 4; n++) {
      const p: Page = await page(client, { numItems: 3, cursor });
      cursor = p.continueCursor;
      const bytes = Buffer.from(cursor, "base64url");
      // The index key would hold the code's UTF-8 bytes.
      expect(bytes.includes(Buffer.from("reservation"))).toBe(false);
      expect(bytes.includes(Buffer.from("-40"))).toBe(false);
    }
  });

  it("seal one page boundary to the same text, so a re-run query returns the same result", async () => {
    const a = await page(client, { numItems: 5, cursor: null });
    const b = await page(client, { numItems: 5, cursor: null });
    expect(b.continueCursor).toBe(a.continueCursor);
    const next = await page(client, { numItems: 5, cursor: a.continueCursor });
    expect(next.page).toHaveLength(5);
    expect(next.page.some((id) => a.page.includes(id))).toBe(false);
  });

  it("refuse any altered byte", async () => {
    const { continueCursor } = await page(client, { numItems: 4, cursor: null });
    const bytes = Buffer.from(continueCursor, "base64url");
    for (const at of [0, 11, 12, bytes.length - 17, bytes.length - 1]) {
      const forged = Buffer.from(bytes);
      forged[at]! ^= 0x01;
      expect(await failure(page(client, { numItems: 4, cursor: forged.toString("base64url") })), `byte ${at}`).toContain("InvalidCursor: Failed to parse cursor");
    }
  });

  it("are read by the same deployment after a restart, and by no other deployment", async () => {
    const first = await page(client, { numItems: 6, cursor: null });
    const rest = await page(client, { numItems: 100, cursor: first.continueCursor });
    await backend.stop();
    backend = await startApp(FILES, "lb-cursor-seal-app-", { dataDir });
    client = new ConvexHttpClient(backend.url, { logger: false });
    expect((await page(client, { numItems: 100, cursor: first.continueCursor })).page).toEqual(rest.page);

    const other = await startApp(FILES, "lb-cursor-seal-other-");
    try {
      const otherClient = new ConvexHttpClient(other.url, { logger: false });
      await otherClient.mutation(api.codes.seed, {});
      expect(await failure(page(otherClient, { numItems: 3, cursor: first.continueCursor }))).toContain("InvalidCursor: Failed to parse cursor");
    } finally {
      await other.stop();
    }
  });
});
