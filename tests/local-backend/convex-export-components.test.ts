// `npx convex export` / `npx convex import` of components' tables against the
// embedded backend, through the official CLI as against a self-hosted Convex.
// The app is fixture-components: `counter` (which uses `leaf`) installed twice,
// as `counter` and `secondCounter`, plus published components.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFixture, tempDir } from "./helpers.js";

const api = anyApi;
const CLI = path.resolve(__dirname, "../../node_modules/convex/bin/main.js");
const FUNCTIONS = path.resolve(__dirname, "fixture-components/convex");

type Deployment = { url: string; adminKey: string };

/** A folder with nothing but a package.json: the deployment comes from the environment alone. */
function projectDir(): string {
  const dir = tempDir("lb-expc-cwd-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cli-test", private: true, dependencies: { convex: "*" } }));
  return dir;
}

/** The CLI against `target`, however it exits: its exit code and both streams. */
async function convexAt(target: Deployment, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: target.url, CONVEX_SELF_HOSTED_ADMIN_KEY: target.adminKey, CONVEX_DEPLOYMENT: "", NO_COLOR: "1", FORCE_COLOR: "0" };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: projectDir(), env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    if (typeof err?.code !== "number") throw err;
    return { code: err.code, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

/** A component's function through `convex run --component`, its result parsed. */
async function runIn(target: Deployment, component: string, fn: string, args: unknown = {}): Promise<any> {
  const r = await convexAt(target, "run", "--component", component, fn, JSON.stringify(args));
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === "" ? null : JSON.parse(r.stdout); // the CLI prints nothing for a null result
}

function writeZip(files: Record<string, string>): string {
  const file = path.join(tempDir("lb-expc-zip-"), "snapshot.zip");
  fs.writeFileSync(file, zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
  return file;
}

const jsonl = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));

let source: Awaited<ReturnType<typeof startFixture>>;
let zipPath: string;
let counterIds: string[];

beforeAll(async () => {
  source = await startFixture({ functionsDir: FUNCTIONS });
  const http = new ConvexHttpClient(source.url, { logger: false });
  // One row in the app's `items`, one in counter's `items`, one in counter/leaf's `entries` each.
  const a = (await http.mutation(api.app.addBoth, { name: "apple", value: 1 })) as { appId: string; componentId: string };
  const b = (await http.mutation(api.app.addBoth, { name: "pear", value: 2 })) as { appId: string; componentId: string };
  counterIds = [a.componentId, b.componentId];
  await runIn(source, "secondCounter", "lib:add", { name: "second", value: 3 });
  zipPath = path.join(tempDir("lb-expc-export-"), "snapshot.zip");
  const exported = await convexAt(source, "export", "--path", zipPath, "--include-file-storage");
  expect(exported.code, exported.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await source?.stop();
});

it("`convex export` writes each component's tables under _components/<path>/, as Convex lays them out", () => {
  const entries = unzipSync(fs.readFileSync(zipPath));
  const text = (name: string) => {
    expect(entries[name], `${name} in ${Object.keys(entries).join(", ")}`).toBeDefined();
    return strFromU8(entries[name]!);
  };
  // The app's _tables lists the app's tables only; each component has its own.
  const appTables = jsonl(text("_tables/documents.jsonl")).map((t) => t.name);
  expect(appTables).toContain("items");
  expect(appTables.some((n: string) => n.includes("@"))).toBe(false);
  const counterTables = jsonl(text("_components/counter/_tables/documents.jsonl"));
  expect(counterTables.map((t) => t.name)).toEqual(["items"]);
  const appItems = jsonl(text("items/documents.jsonl"));
  expect(appItems.map((d) => d.name).sort()).toEqual(["apple", "pear"]);
  const items = jsonl(text("_components/counter/items/documents.jsonl"));
  expect(items.map((d) => d._id).sort()).toEqual([...counterIds].sort());
  expect(items.map((d) => [d.name, d.value, d.tag]).sort()).toEqual([["apple", 10.0, "component"], ["pear", 20.0, "component"]]);
  expect(text("_components/counter/items/generated_schema.jsonl")).toBe('"uniform"\n');
  // A nested component: counter/leaf.
  expect(jsonl(text("_components/counter/_components/leaf/_tables/documents.jsonl")).map((t) => t.name)).toEqual(["entries"]);
  expect(jsonl(text("_components/counter/_components/leaf/entries/documents.jsonl")).map((d) => d.text).sort()).toEqual(["added apple", "added pear"]);
  expect(jsonl(text("_components/secondCounter/items/documents.jsonl")).map((d) => d.name)).toEqual(["second"]);
  // A component's table number in its _tables is the one its ids carry.
  expect(counterTables[0].id).toBeGreaterThan(0);
  // An installed component with no rows still has its _tables; with --include-file-storage, an empty _storage of its own.
  expect(text("_components/secondCounter/_components/leaf/_tables/documents.jsonl")).toMatch(/entries/);
  expect(text("_components/counter/_storage/documents.jsonl")).toBe("");
  // The components' system tables are not exported, as on Convex.
  expect(Object.keys(entries).some((n) => n.includes("_scheduled_functions"))).toBe(false);
});

it("`convex import` of that snapshot restores every component's rows and ids into a fresh deployment, all or nothing", async () => {
  const fresh = await startFixture({ functionsDir: FUNCTIONS });
  try {
    const imported = await convexAt(fresh, "import", zipPath, "--yes");
    expect(imported.code, imported.stderr).toBe(0);
    // The change summary names each component's tables under its path, as Convex's does.
    expect(imported.stderr).toMatch(/Component counter\ntable\s+\| create \| delete\s+\|\n-+\nitems \| 2\s+\| 0 of 0 documents \|/);
    expect(imported.stderr).toMatch(/Component counter\/leaf\ntable\s+\| create \| delete\s+\|\n-+\nentries \| 2\s+\| 0 of 0 documents \|/);
    const http = new ConvexHttpClient(fresh.url, { logger: false });
    const sourceHttp = new ConvexHttpClient(source.url, { logger: false });
    expect(await http.query(api.app.listCounter, {})).toEqual(await sourceHttp.query(api.app.listCounter, {}));
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([{ name: "second", value: 3, tag: "component" }]);
    expect(((await http.query(api.app.listApp, {})) as { name: string }[]).map((i) => i.name).sort()).toEqual(["apple", "pear"]);
    expect((await runIn(fresh, "counter", "lib:leafEntries")).sort()).toEqual(["added apple", "added pear"]);
    // The ids survive, and each is its own component's: counter sees it, secondCounter does not.
    for (const id of counterIds) {
      expect(await runIn(fresh, "counter", "lib:sees", { id })).toBe(id);
      expect(await runIn(fresh, "secondCounter", "lib:sees", { id })).toBeNull();
    }
    // The component works on: a new row gets a new id, never an imported one's.
    const added = await runIn(fresh, "counter", "lib:add", { name: "plum", value: 4 });
    expect(counterIds).not.toContain(added);

    // Into component tables that hold documents, the default mode refuses and changes nothing.
    const again = await convexAt(fresh, "import", zipPath, "--yes");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists. Please choose a new table name or use replace/append modes.");
    expect(((await http.query(api.app.listCounter, {})) as unknown[]).length).toBe(3);
    // --replace swaps them for the snapshot's.
    const replaced = await convexAt(fresh, "import", zipPath, "--yes", "--replace");
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toMatch(/Component counter\ntable\s+\| create \| delete\s+\|\n-+\nitems \| 2\s+\| 3 of 3 documents \|/);
    expect(await http.query(api.app.listCounter, {})).toEqual(await sourceHttp.query(api.app.listCounter, {}));

    // A snapshot whose component rows break that component's schema writes nothing, the app's rows neither.
    const bad = writeZip({
      "items/documents.jsonl": '{"name":"fine","value":1}\n',
      "_components/secondCounter/items/documents.jsonl": '{"name":"wrong","value":1,"tag":"app"}\n',
    });
    const failed = await convexAt(fresh, "import", bad, "--yes", "--append");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Failed to insert or update a document in table "items" because it does not match the schema');
    expect(((await http.query(api.app.listApp, {})) as { name: string }[]).map((i) => i.name).sort()).toEqual(["apple", "pear"]);
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([{ name: "second", value: 3, tag: "component" }]);

    // --replace-all empties every user table of the deployment, the components' too, as on Convex.
    const only = writeZip({ "log/documents.jsonl": '{"text":"only this"}\n' });
    const all = await convexAt(fresh, "import", only, "--yes", "--replace-all");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/Component secondCounter\ntable\s+\| create \| delete\s+\|\n-+\nitems \| 0\s+\| 1 of 1 documents \|/);
    expect(await http.query(api.app.listCounter, {})).toEqual([]);
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([]);
    expect(await runIn(fresh, "counter", "lib:leafEntries")).toEqual([]);
  } finally {
    await fresh.stop();
  }
}, 300_000);

it("`convex import --component <path>` writes into that component (and, from a ZIP, its children), checked against its schema", async () => {
  const target = await startFixture({ functionsDir: FUNCTIONS });
  try {
    const dir = tempDir("lb-expc-files-");
    const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const http = new ConvexHttpClient(target.url, { logger: false });

    const one = await convexAt(target, "import", "--component", "secondCounter", "--table", "items", file("a.jsonl", '{"name":"x","value":1,"tag":"component"}\n'), "--yes");
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain('Added 1 documents to table "items"');
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([{ name: "x", value: 1, tag: "component" }]);
    // The app's table of the same name, and the other installation of the component, are untouched.
    expect(await http.query(api.app.listApp, {})).toEqual([]);
    expect(await http.query(api.app.listCounter, {})).toEqual([]);

    // The schema is the component's: the app's shape of `items` (no tag) is refused, and nothing is written.
    const refused = await convexAt(target, "import", "--component", "secondCounter", "--table", "items", "--append", file("b.jsonl", '{"name":"y","value":2,"tag":"component"}\n{"name":"z","value":3}\n'), "--yes");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Failed to insert or update a document in table "items" because it does not match the schema');
    expect(((await http.query(api.app.listCounter, { which: "secondCounter" })) as unknown[]).length).toBe(1);

    // A ZIP imported with --component: its top-level tables are that component's, its _components/<name>/ its children's.
    const zip = writeZip({
      "items/documents.jsonl": '{"name":"zipped","value":5,"tag":"component"}\n',
      "_components/leaf/entries/documents.jsonl": '{"text":"from the zip"}\n',
    });
    const zipped = await convexAt(target, "import", "--component", "counter", zip, "--yes");
    expect(zipped.code, zipped.stderr).toBe(0);
    expect(zipped.stderr).toMatch(/Component counter\ntable/);
    expect(zipped.stderr).toMatch(/Component counter\/leaf\ntable/);
    expect(await http.query(api.app.listCounter, {})).toEqual([{ name: "zipped", value: 5, tag: "component" }]);
    expect(await runIn(target, "counter", "lib:leafEntries")).toEqual(["from the zip"]);
  } finally {
    await target.stop();
  }
}, 300_000);

it("an import into a component that is not installed, or with a bad component path, is refused in words and writes nothing", async () => {
  const target = await startFixture({ functionsDir: FUNCTIONS });
  try {
    const dir = tempDir("lb-expc-bad-");
    const rows = path.join(dir, "rows.jsonl");
    fs.writeFileSync(rows, '{"name":"x","value":1}\n');
    const http = new ConvexHttpClient(target.url, { logger: false });

    const unknown = await convexAt(target, "import", "--component", "nope", "--table", "items", rows, "--yes");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Component "nope" not found');
    expect(unknown.stderr).toContain("Its components are: counter, counter/leaf, presence,");

    // A ZIP naming an unknown component fails as a whole: its app rows are not written either.
    const ghost = writeZip({
      "items/documents.jsonl": '{"name":"app row","value":1}\n',
      "_components/ghost/things/documents.jsonl": '{"boo":true}\n',
    });
    const ghostly = await convexAt(target, "import", ghost, "--yes");
    expect(ghostly.code).toBe(1);
    expect(ghostly.stderr).toContain('Component "ghost" not found');
    expect(ghostly.stderr).toContain("_components/ghost/");
    expect(await http.query(api.app.listApp, {})).toEqual([]);

    const badPath = await convexAt(target, "import", "--component", "counter/no-dashes", "--table", "items", rows, "--yes");
    expect(badPath.code).toBe(1);
    expect(badPath.stderr).toContain("Identifier no-dashes has invalid character '-': Identifiers can only contain alphanumeric characters or underscores");

    // A component's file storage row whose file is not in the ZIP (component files round-trip in component-files.test.ts).
    const files = writeZip({ "_components/counter/_storage/documents.jsonl": '{"_id":"kg2abc","_creationTime":1.5}\n', "_storage/kg2abc": "the app's, not counter's" });
    const stored = await convexAt(target, "import", files, "--yes");
    expect(stored.code).toBe(1);
    expect(stored.stderr).toContain('The file of _storage document kg2abc of component "counter" is missing from the ZIP.');

    // After those refusals, a Convex Cloud snapshot: table numbers are per component there, so the app's
    // `items` and secondCounter's share one; both import, with new ids.
    const cloud = writeZip({
      "_tables/documents.jsonl": '{"name":"items","id":10001}\n',
      "items/documents.jsonl": '{"_id":"k57ad1yqdwbmkbq0s0e4f5bd9d7rsvjm","_creationTime":1700000000000.5,"name":"app","value":1.0}\n',
      "items/generated_schema.jsonl": '"uniform"\n',
      "_components/secondCounter/_tables/documents.jsonl": '{"name":"items","id":10001}\n',
      "_components/secondCounter/items/documents.jsonl": '{"_id":"k57bc3xfpxqdnz6v2qk7gg7h0x7rs2zn","_creationTime":1700000000001.5,"name":"cloud","value":2.0,"tag":"component"}\n',
      "_components/secondCounter/items/generated_schema.jsonl": '"uniform"\n',
      "_components/secondCounter/_storage/documents.jsonl": "",
    });
    const fromCloud = await convexAt(target, "import", cloud, "--yes");
    expect(fromCloud.code, fromCloud.stderr).toBe(0);
    expect(await http.query(api.app.listApp, {})).toEqual([{ name: "app", value: 1 }]);
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([{ name: "cloud", value: 2, tag: "component" }]);
    expect(await http.query(api.app.listCounter, {})).toEqual([]);
  } finally {
    await target.stop();
  }
}, 300_000);

it("a component no longer installed whose only data are files is still exported, its files under its folder", async () => {
  const root = tempDir("lb-expc-uninstalled-");
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const config = (installed: boolean) =>
    `import { defineApp } from "convex/server";\nimport files from "../files/convex.config.js";\nconst app = defineApp();\n${installed ? "app.use(files);\n" : "void files;\n"}export default app;\n`;
  write("convex/convex.config.ts", config(true));
  write("convex/app.ts", `import { actionGeneric, componentsGeneric } from "convex/server";\nconst components: any = componentsGeneric();\nexport const keep = actionGeneric({ args: {}, handler: async (ctx): Promise<string> => await ctx.runAction(components.files.lib.keep, {}) });\n`);
  write("files/convex.config.ts", `import { defineComponent } from "convex/server";\nexport default defineComponent("files");\n`);
  write("files/lib.ts", `import { actionGeneric } from "convex/server";\nexport const keep = actionGeneric({ args: {}, handler: async (ctx) => await ctx.storage.store(new Blob(["kept"], { type: "text/plain" })) });\n`);
  const dataDir = tempDir("lb-expc-uninstalled-data-");
  let backend = await startFixture({ functionsDir: path.join(root, "convex"), dataDir });
  try {
    const fileId = (await new ConvexHttpClient(backend.url, { logger: false }).action(api.app.keep, {})) as string;
    await backend.stop();
    write("convex/convex.config.ts", config(false));
    backend = await startFixture({ functionsDir: path.join(root, "convex"), dataDir });
    const zip = path.join(tempDir("lb-expc-uninstalled-zip-"), "snapshot.zip");
    const exported = await convexAt(backend, "export", "--path", zip, "--include-file-storage");
    expect(exported.code, exported.stderr).toBe(0);
    const entries = unzipSync(fs.readFileSync(zip));
    expect(jsonl(strFromU8(entries["_components/files/_storage/documents.jsonl"]!))).toEqual([expect.objectContaining({ _id: fileId, size: 4, contentType: "text/plain" })]);
    expect(strFromU8(entries[`_components/files/_storage/${fileId}`]!)).toBe("kept");
    expect(strFromU8(entries["_components/files/_tables/documents.jsonl"]!)).toBe("");
  } finally {
    await backend.stop();
  }
}, 120_000);
