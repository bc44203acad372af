// The `_system/frontend/*` functions the Convex dashboard's data page calls,
// run as the dashboard runs them: with the admin key (ConvexHttpClient#setAdminAuth).
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, makeFunctionReference } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, until } from "./helpers.js";

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ text: v.string(), stars: v.optional(v.number()), tag: v.optional(v.any()) }).index("by_stars", ["stars"]),
});
`;
const NOTES = `
import { mutationGeneric } from "convex/server";
import { v } from "convex/values";
export const add = mutationGeneric({ args: { text: v.string(), stars: v.optional(v.number()), tag: v.optional(v.any()) }, handler: async (ctx, args) => await ctx.db.insert("notes", args) });
`;

const query = (name: string) => makeFunctionReference<"query">(name);
const mutation = (name: string) => makeFunctionReference<"mutation">(name);
const filters = (expression: unknown) => Buffer.from(JSON.stringify(expression)).toString("base64");

let backend: Awaited<ReturnType<typeof startApp>>;
let admin: ConvexHttpClient;
const ids: string[] = [];
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES }, "lb-dashboard-");
  admin = new ConvexHttpClient(backend.url, { logger: false });
  (admin as any).setAdminAuth(backend.adminKey);
  const user = new ConvexHttpClient(backend.url, { logger: false });
  ids.push(await user.mutation(anyApi.notes.add, { text: "one", stars: 1 }));
  ids.push(await user.mutation(anyApi.notes.add, { text: "two", stars: 2, tag: "x" }));
  ids.push(await user.mutation(anyApi.notes.add, { text: "three", tag: 5n }));
});
afterAll(async () => {
  await backend?.stop();
});

it("lists the tables, their sizes, the schema and a document by id", async () => {
  expect(Object.values(await admin.query(query("_system/frontend/getTableMapping"), {}))).toEqual(["notes"]);
  expect(await admin.query(query("_system/frontend/tableSize"), { tableName: "notes" })).toBe(3);
  expect(await admin.query(query("_system/frontend/tableSize:sizeOfAllTables"), {})).toBe(3);
  const { active } = (await admin.query(query("_system/frontend/getSchemas"), {})) as { active: string };
  const schema = JSON.parse(active);
  expect(schema.tables[0]).toMatchObject({ tableName: "notes", indexes: [{ indexDescriptor: "by_stars", fields: ["stars"] }] });
  expect(await admin.query(query("_system/frontend/getById"), { id: ids[1] })).toMatchObject({ text: "two" });
  expect(await admin.query(query("_system/frontend/getById"), { id: "not-an-id" })).toBeNull();
});

it("pages through a table newest first, with field and type filters", async () => {
  const page = async (expression: unknown, numItems = 10) =>
    ((await admin.query(query("_system/frontend/paginatedTableDocuments"), { table: "notes", filters: expression ? filters(expression) : null, paginationOpts: { numItems, cursor: null } })) as any).page.map((d: any) => d.text ?? d.error);
  expect(await page(null)).toEqual(["three", "two", "one"]);
  expect(await page({ clauses: [], order: "asc" })).toEqual(["one", "two", "three"]);
  expect(await page({ clauses: [{ op: "gte", field: "stars", value: 2 }] })).toEqual(["two"]);
  expect(await page({ clauses: [{ op: "anyOf", field: "text", value: ["one", "three"] }] })).toEqual(["three", "one"]);
  expect(await page({ clauses: [{ op: "noneOf", field: "text", value: ["one"] }, { op: "eq", field: "stars", value: 1, enabled: false }] })).toEqual(["three", "two"]);
  expect(await page({ clauses: [{ op: "type", field: "tag", value: "bigint" }] })).toEqual(["three"]);
  expect(await page({ clauses: [{ op: "notype", field: "tag", value: "unset" }] })).toEqual(["three", "two"]);
  expect(await page({ clauses: [], index: { name: "by_stars", clauses: [] } })).toEqual(["Index filters are not supported by the embedded backend: filter by field instead."]);
  const first = (await admin.query(query("_system/frontend/paginatedTableDocuments"), { table: "notes", filters: null, paginationOpts: { numItems: 2, cursor: null } })) as any;
  expect(first.page.map((d: any) => d.text)).toEqual(["three", "two"]);
  const rest = (await admin.query(query("_system/frontend/paginatedTableDocuments"), { table: "notes", filters: null, paginationOpts: { numItems: 2, cursor: first.continueCursor } })) as any;
  expect(rest.page.map((d: any) => d.text)).toEqual(["one"]);
  expect(rest.isDone).toBe(true);
});

it("adds documents (checked against the schema, all or none), deletes some and clears a table", async () => {
  expect(await admin.mutation(mutation("_system/frontend/addDocument"), { table: "notes", documents: [{ text: "four" }, { text: "five", stars: 5 }] })).toEqual({ success: true });
  expect(await admin.query(query("_system/frontend/tableSize"), { tableName: "notes" })).toBe(5);
  const refused = admin.mutation(mutation("_system/frontend/addDocument"), { table: "notes", documents: [{ text: "six" }, { text: 6 }] });
  await expect(refused).rejects.toThrow('Failed to insert or update a document in table "notes" because it does not match the schema');
  expect(await admin.query(query("_system/frontend/tableSize"), { tableName: "notes" })).toBe(5);
  expect(await admin.mutation(mutation("_system/frontend/deleteDocuments"), { toDelete: [{ id: ids[0], tableName: "notes" }] })).toEqual({ success: true });
  expect(await admin.query(query("_system/frontend/getById"), { id: ids[0] })).toBeNull();
  expect(await admin.mutation(mutation("_system/frontend/clearTablePage"), { tableName: "notes", cursor: null })).toMatchObject({ deleted: 4, hasMore: false });
  expect(await admin.query(query("_system/frontend/tableSize"), { tableName: "notes" })).toBe(0);
});

it("re-runs a subscribed page when its table is written", async () => {
  const live = new ConvexClient(backend.url, { logger: false });
  (live as any).setAdminAuth(backend.adminKey);
  const seen: string[][] = [];
  const stop = live.onUpdate(query("_system/frontend/paginatedTableDocuments"), { table: "notes", filters: null, paginationOpts: { numItems: 10, cursor: null } }, (r: any) =>
    seen.push(r.page.map((d: any) => d.text)),
  );
  try {
    await until(() => seen.length > 0, 10_000, "the first page");
    await new ConvexHttpClient(backend.url, { logger: false }).mutation(anyApi.notes.add, { text: "live" });
    await until(() => seen.some((page) => page[0] === "live"), 10_000, "the page with the new note");
  } finally {
    stop();
    await live.close();
  }
});

it("answers the admin key only", async () => {
  const user = new ConvexHttpClient(backend.url, { logger: false });
  await expect(user.query(query("_system/frontend/getTableMapping"), {})).rejects.toThrow("Could not find public function for '_system/frontend/getTableMapping:default'");
  await expect(user.mutation(mutation("_system/frontend/clearTablePage"), { tableName: "notes", cursor: null })).rejects.toThrow("Could not find public function");
});
