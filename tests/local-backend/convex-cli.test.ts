// The Convex CLI itself against the embedded backend, as against a self-hosted
// Convex (CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY): its data and
// env commands call the admin API and the _system/cli functions.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, tempDir } from "./helpers.js";

const api = anyApi;
const CLI = path.resolve(__dirname, "../../node_modules/convex/bin/main.js");

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ text: v.string() }) });
`;
const NOTES = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const add = mutationGeneric({ args: { text: v.string() }, handler: async (ctx, args) => await ctx.db.insert("notes", args) });
export const env = queryGeneric({ args: { name: v.string() }, handler: async (_ctx, { name }) => process.env[name] ?? null });
`;

let backend: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES }, "lb-cli-", { env: { FIRST: "one" } });
  const http = new ConvexHttpClient(backend.url, { logger: false });
  await http.mutation(api.notes.add, { text: "older" });
  await http.mutation(api.notes.add, { text: "newer" });
});
afterAll(async () => {
  await backend?.stop();
});

/** A folder with nothing but a package.json (which some commands read): the deployment comes from the environment alone. */
function projectDir(): string {
  const dir = tempDir("lb-cli-cwd-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cli-test", private: true, dependencies: { convex: "*" } }));
  return dir;
}

async function convex(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    cwd: projectDir(),
    env: { ...process.env, CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey, CONVEX_DEPLOYMENT: "" },
    timeout: 60_000,
  });
  return stdout;
}

it("`convex data` lists the tables and a table's documents, newest first", async () => {
  expect((await convex("data")).trim().split("\n")).toEqual(["notes"]);
  const lines = (await convex("data", "notes", "--format", "jsonl")).trim().split("\n").map((l) => JSON.parse(l) as { text: string });
  expect(lines.map((d) => d.text)).toEqual(["newer", "older"]);
}, 120_000);

it("`convex env` lists, sets, gets and removes, and functions see the change", async () => {
  expect(await convex("env", "list")).toContain("FIRST=one");
  await convex("env", "set", "SECOND", "two");
  expect((await convex("env", "get", "SECOND")).trim()).toBe("two");
  await convex("env", "remove", "FIRST");
  const list = await convex("env", "list");
  expect(list).toContain("SECOND=two");
  expect(list).not.toContain("FIRST");
  const http = new ConvexHttpClient(backend.url, { logger: false });
  expect(await http.query(api.notes.env, { name: "SECOND" })).toBe("two");
  expect(await http.query(api.notes.env, { name: "FIRST" })).toBeNull();
}, 180_000);
