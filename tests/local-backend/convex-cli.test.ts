// The Convex CLI itself against the embedded backend, as against a self-hosted
// Convex (CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY): its data,
// env, run, logs, export and import commands call the admin API and the
// _system/cli functions.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { strToU8, zipSync } from "fflate";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, startFixture, tempDir, until } from "./helpers.js";

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
const TOOLS = `
import { actionGeneric, anyApi, internalQueryGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const shout = mutationGeneric({ args: { text: v.string() }, handler: async (ctx, { text }) => { console.log("shouting", text); console.warn("careful"); return text.toUpperCase(); } });
export const double = actionGeneric({ args: { n: v.number() }, handler: async (_ctx, { n }) => { console.info("doubling", n); return n * 2; } });
export const secret = internalQueryGeneric({ args: {}, handler: async () => "internal only" });
export const whoami = queryGeneric({ args: {}, handler: async (ctx) => await ctx.auth.getUserIdentity() });
export const fail = mutationGeneric({ args: {}, handler: async () => { throw new Error("it went wrong"); } });
export const all = queryGeneric({ args: { table: v.string() }, handler: async (ctx, { table }) => await ctx.db.query(table as any).collect() });
export const addThing = mutationGeneric({ args: { value: v.any() }, handler: async (ctx, { value }) => await ctx.db.insert("things", { value }) });
export const storeText = actionGeneric({ args: { text: v.string() }, handler: async (ctx, { text }) => await ctx.storage.store(new Blob([text], { type: "text/plain" })) });
export const release = mutationGeneric({ args: {}, handler: async (ctx) => void (await ctx.db.insert("flags", { released: true })) });
export const released = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("flags").first()) !== null });
export const slow = actionGeneric({
  args: {},
  handler: async (ctx) => {
    console.log("begun");
    while (!(await ctx.runQuery(anyApi.tools.released, {}))) await new Promise((r) => setTimeout(r, 20));
    console.log("finished");
  },
});
export const readText = actionGeneric({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => (await (await ctx.storage.get(id))?.text()) ?? null });
`;
const HTTP = `
import { httpActionGeneric, httpRouter } from "convex/server";
const http = httpRouter();
http.route({ path: "/hello", method: "GET", handler: httpActionGeneric(async () => { console.log("hello over http"); return new Response("hi"); }) });
export default http;
`;

let backend: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES, "tools.ts": TOOLS, "http.ts": HTTP }, "lb-cli-", { env: { FIRST: "one" } });
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

type Deployment = { url: string; adminKey: string };

function cliEnv(target: Deployment) {
  return { ...process.env, CONVEX_SELF_HOSTED_URL: target.url, CONVEX_SELF_HOSTED_ADMIN_KEY: target.adminKey, CONVEX_DEPLOYMENT: "", NO_COLOR: "1", FORCE_COLOR: "0" };
}

async function convex(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: projectDir(), env: cliEnv(backend), timeout: 60_000 });
  return stdout;
}

/** The CLI against `target`, however it exits: its exit code and both streams. */
async function convexAt(target: Deployment, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: projectDir(), env: cliEnv(target), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    if (typeof err?.code !== "number") throw err;
    return { code: err.code, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
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

it("`convex run` runs queries, mutations, actions and internal functions, prints their logs, and acts as an identity", async () => {
  const shout = await convexAt(backend, "run", "tools:shout", '{"text":"hello"}');
  expect(shout.code).toBe(0);
  expect(JSON.parse(shout.stdout)).toBe("HELLO");
  expect(shout.stderr).toContain("[LOG] shouting hello");
  expect(shout.stderr).toContain("[WARN] careful");
  const double = await convexAt(backend, "run", "tools:double", "{ n: 21 }"); // JSON5, as the CLI takes it
  expect(JSON.parse(double.stdout)).toBe(42);
  expect(double.stderr).toContain("[INFO] doubling 21");
  expect(JSON.parse((await convexAt(backend, "run", "tools:secret")).stdout)).toBe("internal only");
  const notes = JSON.parse((await convexAt(backend, "run", "api.tools.all", '{"table":"notes"}')).stdout) as { text: string }[];
  expect(notes.map((n) => n.text).sort()).toEqual(["newer", "older"]);
  const who = JSON.parse((await convexAt(backend, "run", "tools:whoami", "--identity", '{"name":"Ada","subject":"ada-1"}')).stdout);
  expect(who).toMatchObject({ name: "Ada", subject: "ada-1", issuer: "https://convex.test", tokenIdentifier: "https://convex.test|ada-1" });
}, 180_000);

it("`convex run` reports a failing function, and a missing one with the functions there are", async () => {
  const failed = await convexAt(backend, "run", "tools:fail");
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('Failed to run function "tools:fail"');
  expect(failed.stderr).toContain("Uncaught Error: it went wrong");
  const missing = await convexAt(backend, "run", "tools:nope");
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("Could not find function for 'tools:nope'. Did you forget to run `npx convex dev`?");
  // The CLI lists what _system/cli/modules:apiSpec returns.
  expect(missing.stderr).toContain("Available functions:");
  for (const name of ["notes:add", "tools:shout", "tools:secret", "tools:double"]) expect(missing.stderr).toContain(name);
  const admin = new ConvexHttpClient(backend.url, { logger: false });
  (admin as any).setAdminAuth(backend.adminKey);
  const spec = (await admin.query("_system/cli/modules:apiSpec" as any, {})) as any[];
  expect(spec).toContainEqual({ functionType: "HttpAction", method: "GET", path: "/hello" });
  expect(spec.find((f) => f.identifier === "tools.js:secret")).toMatchObject({ functionType: "Query", visibility: { kind: "internal" }, args: { type: "object" } });
}, 120_000);

it("`convex run --component` runs a component's functions, internal ones too", async () => {
  const withComponents = await startFixture({ functionsDir: path.resolve(__dirname, "fixture-components/convex") });
  try {
    const added = await convexAt(withComponents, "run", "--component", "counter", "lib:add", '{"name":"cli","value":7}');
    expect(added.code, added.stderr).toBe(0);
    const listed = await convexAt(withComponents, "run", "--component", "counter", "lib:list");
    expect(listed.stdout).toContain("cli");
    expect(JSON.parse((await convexAt(withComponents, "run", "--component", "counter", "lib:secret")).stdout)).toBe("internal");
    // The other installation of the same component has its own data.
    expect(JSON.parse((await convexAt(withComponents, "run", "--component", "secondCounter", "lib:list")).stdout)).toEqual([]);
    const missing = await convexAt(withComponents, "run", "--component", "counter", "lib:nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Could not find function for 'lib:nope' in 'counter'. Did you forget to run `npx convex dev`?");
  } finally {
    await withComponents.stop();
  }
}, 180_000);

it("`convex logs` streams each execution's log lines, failures and (with --success) completions", async () => {
  const child = spawn(process.execPath, [CLI, "logs", "--history", "1000", "--success"], { cwd: projectDir(), env: cliEnv(backend) });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  try {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await http.mutation(api.tools.shout, { text: "streamed" });
    await expect(http.mutation(api.tools.fail, {})).rejects.toThrow("it went wrong");
    await http.action(api.tools.double, { n: 4 });
    await until(() => out.includes("[CONVEX A(tools:double)] Function executed in"), 60_000, "the logs of all three calls");
    expect(out).toMatch(/\[CONVEX M\(tools:shout\)\] \[LOG\] shouting streamed/);
    expect(out).toMatch(/\[CONVEX M\(tools:shout\)\] \[WARN\] careful/);
    expect(out).toMatch(/\[CONVEX M\(tools:fail\)\] Uncaught Error: it went wrong/);
    expect(out).toMatch(/\[CONVEX A\(tools:double\)\] \[INFO\] doubling 4/);
    // In the order they ran (an earlier test's tools:fail is in the history too).
    expect(out.indexOf("shouting streamed")).toBeLessThan(out.lastIndexOf("it went wrong"));
    expect(out.lastIndexOf("it went wrong")).toBeLessThan(out.indexOf("doubling 4"));
  } finally {
    child.kill();
  }
}, 120_000);

it("the log stream long-polls: it answers once a function runs after the cursor", async () => {
  const headers = { Authorization: `Convex ${backend.adminKey}`, "Convex-Client": "npm-cli-1.48.0" };
  const first = (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=0`, { headers })).json()) as { entries: any[]; newCursor: number };
  expect(first.entries.length).toBeGreaterThan(0);
  const waiting = fetch(`${backend.url}/api/stream_function_logs?cursor=${first.newCursor}`, { headers }).then((r) => r.json() as Promise<{ entries: any[]; newCursor: number }>);
  await new ConvexHttpClient(backend.url, { logger: false }).mutation(api.tools.shout, { text: "polled" });
  const next = await waiting;
  expect(next.newCursor).toBeGreaterThan(first.newCursor);
  const entry = next.entries.find((e) => e.identifier === "tools:shout");
  expect(entry).toMatchObject({ kind: "Completion", udfType: "Mutation", error: null });
  expect(entry.logLines[0]).toMatchObject({ level: "LOG", messages: ["shouting polled"], isTruncated: false });
  // HTTP actions are logged under their route.
  expect(await (await fetch(`${backend.siteUrl}/hello`)).text()).toBe("hi");
  await until(async () => {
    const { entries } = (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=${next.newCursor}`, { headers })).json()) as { entries: any[] };
    const hit = entries.find((e) => e.udfType === "HttpAction");
    const progress = entries.find((e) => e.udfType === "HttpAction" && e.kind === "Progress");
    const done = entries.find((e) => e.udfType === "HttpAction" && e.kind === "Completion");
    return progress?.identifier === "GET /hello" && progress.logLines[0]?.messages[0] === "hello over http" && done?.logLines.length === 0;
  }, 10_000, "the HTTP action's log line and completion");
  // Older clients get log lines as text.
  const plain = (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=${first.newCursor}`, { headers: { Authorization: headers.Authorization } })).json()) as { entries: any[] };
  expect(plain.entries.find((e) => e.identifier === "tools:shout").logLines[0]).toBe("[LOG] shouting polled");
}, 60_000);

it("an action's log lines are streamed while it runs, before its completion", async () => {
  const headers = { Authorization: `Convex ${backend.adminKey}`, "Convex-Client": "npm-cli-1.48.0" };
  const poll = async (cursor: number) => (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=${cursor}`, { headers })).json()) as { entries: any[]; newCursor: number };
  let cursor = (await poll(0)).newCursor;
  const http = new ConvexHttpClient(backend.url, { logger: false });
  const running = http.action(api.tools.slow, {});
  const seen: any[] = [];
  await until(async () => {
    const next = await poll(cursor);
    cursor = next.newCursor;
    seen.push(...next.entries.filter((e) => e.identifier === "tools:slow"));
    return seen.length > 0;
  }, 30_000, "the running action's first log line");
  expect(seen).toEqual([expect.objectContaining({ kind: "Progress", udfType: "Action", logLines: [expect.objectContaining({ level: "LOG", messages: ["begun"] })] })]);
  await http.mutation(api.tools.release, {});
  await running;
  await until(async () => {
    const next = await poll(cursor);
    cursor = next.newCursor;
    seen.push(...next.entries.filter((e) => e.identifier === "tools:slow"));
    return seen.some((e) => e.kind === "Completion");
  }, 30_000, "the action's completion");
  const [begun, finished, completion] = seen;
  expect(finished).toMatchObject({ kind: "Progress", logLines: [expect.objectContaining({ messages: ["finished"] })] });
  expect(completion).toMatchObject({ kind: "Completion", udfType: "Action", error: null, logLines: [], executionId: begun.executionId });
}, 60_000);

it("the admin endpoints refuse a missing or wrong admin key as Convex does", async () => {
  const routes: [string, string][] = [
    ["GET", "/api/stream_function_logs?cursor=0"],
    ["POST", "/api/export/request/zip?includeStorage=false"],
    ["GET", "/api/export/zip/1"],
    ["POST", "/api/import/start_upload"],
    ["POST", "/api/perform_import"],
  ];
  for (const [method, route] of routes) {
    const none = await fetch(`${backend.url}${route}`, { method });
    expect(none.status, route).toBe(403);
    expect(await none.json()).toEqual({
      code: "BadDeployKey",
      message: "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.",
    });
    const wrong = await fetch(`${backend.url}${route}`, { method, headers: { Authorization: "Convex local|not-the-key" } });
    expect(wrong.status, route).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe("BadAdminKey");
  }
  // The CLI's own system queries are the admin's too.
  const http = new ConvexHttpClient(backend.url, { logger: false });
  await expect(http.query("_system/cli/exports:getLatest" as any, {})).rejects.toThrow("Could not find public function");
}, 60_000);

it("the import endpoints answer bad requests in words", async () => {
  const post = async (route: string, body?: unknown) => {
    const res = await fetch(`${backend.url}${route}`, { method: "POST", headers: { Authorization: `Convex ${backend.adminKey}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const { uploadToken } = (await post("/api/import/start_upload")).body;
  expect(await post(`/api/import/upload_part?uploadToken=${uploadToken}&partNumber=0`, "x")).toMatchObject({ status: 400, body: { code: "InvalidPartNumber" } });
  expect(await post(`/api/import/upload_part?uploadToken=nope&partNumber=1`, "x")).toMatchObject({ status: 400, body: { code: "InvalidUploadToken" } });
  const part = await post(`/api/import/upload_part?uploadToken=${uploadToken}&partNumber=1`, { text: "x" });
  expect(part.status).toBe(200);
  const finish = (format: unknown, mode: unknown, tableName?: string) => post("/api/import/finish_upload", { uploadToken, partTokens: [part.body], import: { format, mode, tableName } });
  expect(await finish("xml", "append", "notes")).toMatchObject({ status: 400, body: { code: "InvalidImportFormat", message: 'Unknown import format "xml": one of csv, jsonLines, jsonArray, zip.' } });
  expect(await finish("jsonLines", "merge", "notes")).toMatchObject({ status: 400, body: { code: "InvalidImportMode" } });
  expect(await post("/api/perform_import", { importId: "nope" })).toMatchObject({ status: 404, body: { code: "ImportNotFound" } });
});

it("`convex export` then `convex import` restores every table, id, value type and file into a fresh deployment", async () => {
  const http = new ConvexHttpClient(backend.url, { logger: false });
  const thing = await http.mutation(api.tools.addThing, { value: { big: 2n ** 60n, float: 3, negZero: -0, bytes: new Uint8Array([1, 2, 255]).buffer, list: [1.5, 7n, null, true, "s"] } });
  const fileId = await http.action(api.tools.storeText, { text: "file body" });
  const dir = tempDir("lb-cli-export-");
  const zipPath = path.join(dir, "snapshot.zip");
  const exported = await convexAt(backend, "export", "--path", zipPath, "--include-file-storage");
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stderr).toContain(`Downloaded snapshot export to ${zipPath}`);
  expect(fs.statSync(zipPath).size).toBeGreaterThan(0);
  // Into a folder, the file takes the name the download gives it.
  const folder = tempDir("lb-cli-export-dir-");
  expect((await convexAt(backend, "export", "--path", folder)).code).toBe(0);
  expect(fs.readdirSync(folder)).toEqual([expect.stringMatching(/^snapshot_\d+\.zip$/)]);

  const fresh = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES, "tools.ts": TOOLS }, "lb-cli-import-");
  try {
    const imported = await convexAt(fresh, "import", zipPath, "--yes");
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain("Import change summary:");
    expect(imported.stderr).toMatch(/notes\s+\|\s+2\s+\|\s+0 of 0 documents/);
    const admin = new ConvexHttpClient(backend.url, { logger: false });
    (admin as any).setAdminAuth(backend.adminKey);
    const documents = await admin.query("_system/frontend/tableSize:sizeOfAllTables" as any, {});
    expect(imported.stderr).toContain(`Added ${documents} documents.`);
    const freshHttp = new ConvexHttpClient(fresh.url, { logger: false });
    const [before, after] = await Promise.all([http.query(api.tools.all, { table: "notes" }), freshHttp.query(api.tools.all, { table: "notes" })]);
    expect(after).toEqual(before); // same ids, creation times and fields
    const [copy] = (await freshHttp.query(api.tools.all, { table: "things" })) as any[];
    expect(copy._id).toBe(thing);
    expect(copy.value.big).toBe(2n ** 60n);
    expect(copy.value.float).toBe(3);
    expect(Object.is(copy.value.negZero, -0)).toBe(true);
    expect([...new Uint8Array(copy.value.bytes)]).toEqual([1, 2, 255]);
    expect(copy.value.list).toEqual([1.5, 7n, null, true, "s"]);
    expect(await freshHttp.action(api.tools.readText, { id: fileId })).toBe("file body");
    // New documents get new ids, never an imported one's.
    const added = await freshHttp.mutation(api.notes.add, { text: "after import" });
    expect(before.map((d: any) => d._id)).not.toContain(added);

    // Into tables that hold documents, the default mode refuses and changes nothing.
    const again = await convexAt(fresh, "import", zipPath, "--yes");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Table notes already exists. Please choose a new table name or use replace/append modes.");
    expect(((await freshHttp.query(api.tools.all, { table: "notes" })) as unknown[]).length).toBe(3);
    // --replace swaps the tables' contents for the snapshot's.
    const replaced = await convexAt(fresh, "import", zipPath, "--yes", "--replace");
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toMatch(/notes\s+\|\s+2\s+\|\s+3 of 3 documents/);
    expect(await freshHttp.query(api.tools.all, { table: "notes" })).toEqual(before);
  } finally {
    await fresh.stop();
  }
}, 300_000);

it("`convex import --table` takes JSON lines, JSON arrays and CSV, all or nothing", async () => {
  const target = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES, "tools.ts": TOOLS }, "lb-cli-table-");
  try {
    const dir = tempDir("lb-cli-table-files-");
    const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const http = new ConvexHttpClient(target.url, { logger: false });
    const texts = async () => ((await http.query(api.tools.all, { table: "notes" })) as { text: string }[]).map((n) => n.text);

    expect((await convexAt(target, "import", "--table", "notes", file("a.jsonl", '{"text":"one"}\n{"text":"two"}\n'), "--yes")).code).toBe(0);
    const appended = await convexAt(target, "import", "--table", "notes", "--append", file("b.json", '[{"text":"three"}]'), "--yes");
    expect(appended.code, appended.stderr).toBe(0);
    expect(appended.stderr).toContain('Added 1 documents to table "notes".');
    expect(await texts()).toEqual(["one", "two", "three"]);
    const csv = await convexAt(target, "import", "--table", "people", file("c.csv", "name,age\nAda,36\nAlan,41.5\n"), "--yes");
    expect(csv.code, csv.stderr).toBe(0);
    const people = (await http.query(api.tools.all, { table: "people" })) as { name: string; age: number }[];
    expect(people.map(({ name, age }) => ({ name, age }))).toEqual([{ name: "Ada", age: 36 }, { name: "Alan", age: 41.5 }]);

    // A bad row, or one the schema refuses, fails the import and writes nothing.
    const badJson = await convexAt(target, "import", "--table", "notes", "--append", file("d.jsonl", '{"text":"four"}\n{"text":\n'), "--yes");
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toContain("Row 2 wasn't valid JSON");
    const badSchema = await convexAt(target, "import", "--table", "notes", "--append", file("e.jsonl", '{"text":"five"}\n{"text":5}\n'), "--yes");
    expect(badSchema.code).toBe(1);
    expect(badSchema.stderr).toContain('Failed to insert or update a document in table "notes" because it does not match the schema');
    expect(await texts()).toEqual(["one", "two", "three"]);
    const system = await convexAt(target, "import", "--table", "_secret", file("f.jsonl", '{"a":1}\n'), "--yes");
    expect(system.code).toBe(1);
    expect(system.stderr).toContain("Invalid table name _secret starts with metadata prefix '_'");
    // --replace-all empties every other table too.
    const all = await convexAt(target, "import", "--table", "people", "--replace-all", file("g.jsonl", '{"name":"Grace","age":85}\n'), "--yes");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/notes\s+\|\s+0\s+\|\s+3 of 3 documents/);
    expect(await texts()).toEqual([]);
    expect(((await http.query(api.tools.all, { table: "people" })) as { name: string }[]).map((p) => p.name)).toEqual(["Grace"]);
  } finally {
    await target.stop();
  }
}, 300_000);

it("`convex import` of a snapshot with foreign ids (Convex Cloud's) gives new ids and rewrites the references to them", async () => {
  const target = await startApp({ "schema.ts": SCHEMA, "notes.ts": NOTES, "tools.ts": TOOLS }, "lb-cli-foreign-");
  try {
    // Ids in Convex Cloud's format, not this backend's; books point at authors.
    const ada = "k57ad1yqdwbmkbq0s0e4f5bd9d7rsvjm";
    const alan = "k57bc3xfpxqdnz6v2qk7gg7h0x7rs2zn";
    const zip = zipSync({
      "_tables/documents.jsonl": strToU8('{"name":"authors","id":10001}\n{"name":"books","id":10002}\n'),
      "authors/documents.jsonl": strToU8(`{"_id":"${ada}","_creationTime":1700000000000.5,"name":"Ada"}\n{"_id":"${alan}","_creationTime":1700000000001.5,"name":"Alan"}\n`),
      "authors/generated_schema.jsonl": strToU8('"uniform"\n'),
      "books/documents.jsonl": strToU8(`{"_id":"jd7f00000000000000000000000book","_creationTime":1700000000002.5,"title":"Notes","author":"${ada}","coauthors":["${alan}"],"pages":412}\n`),
      "books/generated_schema.jsonl": strToU8('"uniform"\n'),
    });
    const file = path.join(tempDir("lb-cli-foreign-zip-"), "cloud.zip");
    fs.writeFileSync(file, zip);
    const result = await convexAt(target, "import", file, "--yes");
    expect(result.code, result.stderr).toBe(0);
    const http = new ConvexHttpClient(target.url, { logger: false });
    const authors = (await http.query(api.tools.all, { table: "authors" })) as any[];
    const [book] = (await http.query(api.tools.all, { table: "books" })) as any[];
    const byName = Object.fromEntries(authors.map((a) => [a.name, a]));
    expect(byName.Ada._id).not.toBe(ada);
    expect(byName.Ada._creationTime).toBe(1700000000000.5);
    expect(book).toMatchObject({ title: "Notes", author: byName.Ada._id, coauthors: [byName.Alan._id], pages: 412n });

    // An import that fails leaves no trace, not even the tables it would have made.
    const failing = path.join(tempDir("lb-cli-failing-zip-"), "failing.zip");
    fs.writeFileSync(
      failing,
      zipSync({
        "_tables/documents.jsonl": strToU8('{"name":"ghosts","id":500}\n{"name":"notes","id":501}\n'),
        "ghosts/documents.jsonl": strToU8('{"boo":true}\n'),
        "notes/documents.jsonl": strToU8('{"text":1}\n'),
      }),
    );
    const failed = await convexAt(target, "import", failing, "--yes");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("does not match the schema");
    expect((await convexAt(target, "data")).stdout.trim().split("\n").sort()).toEqual(["authors", "books"]);
  } finally {
    await target.stop();
  }
}, 120_000);
