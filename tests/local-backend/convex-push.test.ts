// `npx convex deploy` and `npx convex dev --once` (the real CLI) against the
// embedded backend, as against a self-hosted Convex: the push protocol of
// src/local-backend/push.ts. Each push runs from a temporary project (the CLI
// rewrites its `convex/_generated`), never from inside the repository.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFixture, tempDir } from "./helpers.js";

const api = anyApi;
const REPO = path.resolve(__dirname, "../..");
const CLI = path.join(REPO, "node_modules/convex/bin/main.js");

// What the backend serves from its functions folder before anything is pushed.
const FOLDER_SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ text: v.string() }) });
`;
const FOLDER_NOTES = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const add = mutationGeneric({ args: { text: v.string() }, handler: async (ctx, args) => await ctx.db.insert("notes", args) });
export const origin = queryGeneric({ args: {}, handler: async () => "folder" });
`;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ text: v.string() }).index("by_text", ["text"]) });
`;
// The pushed app uses the generated server helpers, which the CLI writes.
const NOTES = `
import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const add = mutation({ args: { text: v.string() }, handler: async (ctx, args) => await ctx.db.insert("notes", args) });
export const list = query({ args: {}, returns: v.array(v.string()), handler: async (ctx) => (await ctx.db.query("notes").withIndex("by_text").collect()).map((n) => n.text) });
export const origin = query({ args: {}, handler: async () => "pushed " + (process.env.GREETING ?? "") });
`;
const HTTP = `
import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
const http = httpRouter();
http.route({ path: "/hello", method: "GET", handler: httpAction(async () => new Response("hello from pushed code")) });
export default http;
`;

let dataDir: string;
let functionsDir: string;
let backend: Awaited<ReturnType<typeof startFixture>>;

async function start() {
  backend = await startFixture({ dataDir, functionsDir, env: { GREETING: "hi" } });
}

beforeAll(async () => {
  dataDir = tempDir("lb-push-data-");
  functionsDir = path.join(tempDir("lb-push-folder-"), "convex");
  fs.mkdirSync(functionsDir, { recursive: true });
  fs.writeFileSync(path.join(functionsDir, "schema.ts"), FOLDER_SCHEMA);
  fs.writeFileSync(path.join(functionsDir, "notes.ts"), FOLDER_NOTES);
  await start();
});
afterAll(async () => {
  await backend?.stop();
});

/** A temporary Convex project: package.json, node_modules (the repo's, linked) and `convex/<files>`. */
function project(files: Record<string, string>): string {
  const dir = tempDir("lb-push-project-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "push-test", private: true, dependencies: { convex: "*" } }));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string>) {
  for (const [name, source] of Object.entries(files)) {
    const file = path.join(dir, "convex", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
  }
}

/** The CLI in `cwd` against the backend (or another key), however it exits. */
async function convex(cwd: string, args: string[], adminKey = backend.adminKey): Promise<{ code: number; out: string; stdout: string }> {
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: adminKey, CONVEX_DEPLOYMENT: "", NO_COLOR: "1", FORCE_COLOR: "0" };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, env, timeout: 120_000 });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (err: any) {
    if (typeof err?.code !== "number") throw err;
    return { code: err.code, out: String(err.stdout) + String(err.stderr), stdout: String(err.stdout) };
  }
}

const client = () => new ConvexHttpClient(backend.url, { logger: false });

let pushed: string; // the project pushed by the first test, changed by the later ones

it("`convex deploy --yes` pushes the project's functions: they serve at once, with codegen, HTTP actions and the schema's indexes", async () => {
  expect(await client().query(api.notes.origin, {})).toBe("folder");
  await client().mutation(api.notes.add, { text: "kept" });

  pushed = project({ "schema.ts": SCHEMA, "notes.ts": NOTES, "http.ts": HTTP });
  // The CLI's default flags: codegen from the push's analysis, typecheck "try".
  const { code, out } = await convex(pushed, ["deploy", "--yes"]);
  expect(out).toContain(`Deployed Convex functions to ${backend.url}`);
  expect(code).toBe(0);
  expect(out).toMatch(/Added table indexes:\s+\[\+\] notes\.by_text/);
  expect(fs.readFileSync(path.join(pushed, "convex/_generated/api.d.ts"), "utf8")).toContain('import type * as notes from "../notes.js"');

  expect(await client().query(api.notes.origin, {})).toBe("pushed hi");
  await client().mutation(api.notes.add, { text: "added" });
  // The new index serves the existing documents too.
  expect(await client().query(api.notes.list, {})).toEqual(["added", "kept"]);
  const hello = await fetch(`${backend.siteUrl}/hello`);
  expect(await hello.text()).toBe("hello from pushed code");
}, 240_000);

it("`convex dev --once` pushes a change: a new module, a \"use node\" one and an unchanged one (sent as its hash only) all serve", async () => {
  write(pushed, {
    "extra.ts": `import { query } from "./_generated/server";\nexport const two = query({ args: {}, handler: async () => 2 });\n`,
    "nodeActions.ts": `"use node";\nimport { createHash } from "node:crypto";\nimport { action } from "./_generated/server";\nimport { v } from "convex/values";\nexport const sha = action({ args: { text: v.string() }, handler: async (_ctx, { text }) => createHash("sha256").update(text).digest("hex") });\n`,
  });
  const { code, out } = await convex(pushed, ["dev", "--once", "--typecheck", "disable"]);
  expect(out).toContain("Convex functions ready!");
  expect(code).toBe(0);
  expect(await client().query(api.extra.two, {})).toBe(2);
  expect(await client().action(api.nodeActions.sha, { text: "abc" })).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect(await client().query(api.notes.list, {})).toEqual(["added", "kept"]);
}, 240_000);

it("`convex run --push` pushes, then runs the function", async () => {
  write(pushed, { "extra.ts": `import { query } from "./_generated/server";\nexport const two = query({ args: {}, handler: async () => 2 });\nexport const three = query({ args: {}, handler: async () => 3 });\n` });
  const { code, stdout } = await convex(pushed, ["run", "--push", "--typecheck", "disable", "extra:three"]);
  expect(code).toBe(0);
  expect(stdout.trim()).toBe("3");
  expect(await client().query(api.extra.three, {})).toBe(3);
}, 240_000);

it("a push whose schema the existing documents violate is refused in Convex's words, and the previous functions keep serving", async () => {
  const bad = project({
    "schema.ts": `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ notes: defineTable({ text: v.number() }) });\n`,
    "notes.ts": `import { query } from "./_generated/server";\nexport const origin = query({ args: {}, handler: async () => "refused" });\n`,
  });
  const { code, out } = await convex(bad, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(code).not.toBe(0);
  expect(out).toContain("Schema validation failed.");
  expect(out).toMatch(/Document with ID "[^"]+" in table "notes" does not match the schema: /);
  expect(out).not.toContain("Deployed Convex functions");
  expect(await client().query(api.notes.origin, {})).toBe("pushed hi");
  expect(await client().query(api.extra.two, {})).toBe(2);
  // Writes still go through the old schema.
  await client().mutation(api.notes.add, { text: "still a string" });
}, 240_000);

it("`convex deploy --dry-run` reports what it would do and changes nothing", async () => {
  write(pushed, { "extra.ts": `import { query } from "./_generated/server";\nexport const two = query({ args: {}, handler: async () => "dry" });\n` });
  const { code, out } = await convex(pushed, ["deploy", "--dry-run", "--typecheck", "disable"]);
  expect(out).toContain("Would have deployed Convex functions");
  expect(code).toBe(0);
  expect(await client().query(api.extra.two, {})).toBe(2);
  expect(await client().query(api.extra.three, {})).toBe(3);
  write(pushed, { "extra.ts": `import { query } from "./_generated/server";\nexport const two = query({ args: {}, handler: async () => 2 });\nexport const three = query({ args: {}, handler: async () => 3 });\n` });
}, 240_000);

it("a wrong admin key is refused, and pushing without one is refused over HTTP as Convex refuses it", async () => {
  const { code, out } = await convex(pushed, ["deploy", "--yes", "--typecheck", "disable"], "local|" + "0".repeat(64));
  expect(code).not.toBe(0);
  expect(out).toContain("BadAdminKey");
  expect(out).not.toContain("Deployed Convex functions");

  const anonymous = await fetch(`${backend.url}/api/deploy2/start_push`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  expect(anonymous.status).toBe(403);
  expect((await anonymous.json()).code).toBe("BadDeployKey");
  const wrongInBody = await fetch(`${backend.url}/api/get_config_hashes`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Convex ${backend.adminKey}` },
    body: JSON.stringify({ adminKey: "local|" + "1".repeat(64) }),
  });
  expect(wrongInBody.status).toBe(401);
  expect((await wrongInBody.json()).code).toBe("BadAdminKey");
  expect(await client().query(api.extra.two, {})).toBe(2);
}, 240_000);

it("the pushed code survives a restart and wins over the functions folder", async () => {
  await backend.stop();
  await start();
  expect(await client().query(api.notes.origin, {})).toBe("pushed hi");
  expect(await client().query(api.extra.two, {})).toBe(2);
  expect(await client().query(api.notes.list, {})).toEqual(["added", "kept", "still a string"]);
  // An unchanged module is sent as its hash only: the restarted backend still knows them all.
  const { code, out } = await convex(pushed, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(out).toContain("Deployed Convex functions");
  expect(code).toBe(0);
  expect(await client().query(api.extra.two, {})).toBe(2);
}, 240_000);

const TSCONFIG = JSON.stringify({
  compilerOptions: { allowJs: true, strict: true, moduleResolution: "Bundler", skipLibCheck: true, target: "ESNext", lib: ["ES2021", "dom"], module: "ESNext", isolatedModules: true, noEmit: true },
  include: ["./**/*"],
  exclude: ["./_generated"],
});

it("a push with components installs them (a local one twice, a published one with a component inside), types them, and they survive a restart", async () => {
  const withComponents = project({
    "tsconfig.json": TSCONFIG,
    "convex.config.ts": `import { defineApp } from "convex/server";
import rateLimiter from "@convex-dev/rate-limiter/convex.config.js";
import counter from "./counter/convex.config";
const app = defineApp();
app.use(counter);
app.use(counter, { name: "second" });
app.use(rateLimiter);
export default app;
`,
    "counter/convex.config.ts": `import { defineComponent } from "convex/server";\nexport default defineComponent("counter");\n`,
    "counter/schema.ts": `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ counts: defineTable({ n: v.number() }) });\n`,
    "counter/lib.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const get = query({ args: {}, returns: v.number(), handler: async (ctx) => (await ctx.db.query("counts").first())?.n ?? 0 });
export const add = mutation({ args: { by: v.number() }, handler: async (ctx, { by }) => {
  const doc = await ctx.db.query("counts").first();
  if (doc) await ctx.db.patch(doc._id, { n: doc.n + by });
  else await ctx.db.insert("counts", { n: by });
} });
`,
    "app.ts": `import { mutation, query } from "./_generated/server";
import { components } from "./_generated/api";
export const bump = mutation({ args: {}, handler: async (ctx): Promise<number> => {
  await ctx.runMutation(components.counter.lib.add, { by: 1 });
  return await ctx.runQuery(components.counter.lib.get, {});
} });
export const read = query({ args: {}, handler: async (ctx) => [await ctx.runQuery(components.counter.lib.get, {}), await ctx.runQuery(components.second.lib.get, {})] });
`,
  });
  // TypeScript runs on the code generated from the analysis: `components.counter.lib.*` must be typed.
  const { code, out } = await convex(withComponents, ["deploy", "--yes", "--typecheck", "enable"]);
  expect(out).toContain("Deployed Convex functions");
  expect(code).toBe(0);
  for (const installed of ["counter", "second", "rateLimiter", "rateLimiter/batchWorker"]) expect(out).toContain(`Installed component ${installed}.`);
  expect(fs.readFileSync(path.join(withComponents, "convex/counter/_generated/component.ts"), "utf8")).toMatch(/get: FunctionReference<\s*"query",\s*"internal",\s*\{\},\s*number/);

  // `convex codegen` learns the components from the same analysis (start_push, never finished: nothing is installed by it).
  fs.rmSync(path.join(withComponents, "convex/_generated"), { recursive: true });
  fs.rmSync(path.join(withComponents, "convex/counter/_generated"), { recursive: true });
  const codegen = await convex(withComponents, ["codegen", "--typecheck", "disable"]);
  expect(codegen.code).toBe(0);
  expect(fs.readFileSync(path.join(withComponents, "convex/_generated/api.d.ts"), "utf8")).toContain('second: import("../counter/_generated/component.js").ComponentApi<"second">');
  expect(fs.existsSync(path.join(withComponents, "convex/counter/_generated/component.ts"))).toBe(true);

  expect(await client().mutation(api.app.bump, {})).toBe(1);
  expect(await client().mutation(api.app.bump, {})).toBe(2);
  // Each instance has its own tables.
  expect(await client().query(api.app.read, {})).toEqual([2, 0]);

  await backend.stop();
  await start();
  expect(await client().query(api.app.read, {})).toEqual([2, 0]);
  expect(await client().mutation(api.app.bump, {})).toBe(3);

  // A component's own documents are checked against its new schema too.
  write(withComponents, { "counter/schema.ts": `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ counts: defineTable({ n: v.string() }) });\n` });
  const refused = await convex(withComponents, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain('Schema validation failed in component "counter".');
  expect(refused.out).toMatch(/Document with ID "[^"]+" in table "counts" does not match the schema: /);
  expect(await client().mutation(api.app.bump, {})).toBe(4);
}, 240_000);

it("a pushed component's HTTP routes serve under its httpPrefix, and a mount onto a component with none is refused", async () => {
  const hooksHttp = `import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
const http = httpRouter();
http.route({ path: "/ping", method: "GET", handler: httpAction(async (_ctx, req) => new Response(JSON.stringify({ url: req.url, site: process.env.CONVEX_SITE_URL }))) });
export default http;
`;
  const files = (mounted: string) => ({
    "tsconfig.json": TSCONFIG,
    "convex.config.ts": `import { defineApp } from "convex/server";
import hooks from "./hooks/convex.config";
const app = defineApp();
app.use(hooks, { httpPrefix: "${mounted}" });
export default app;
`,
    "hooks/convex.config.ts": `import { defineComponent } from "convex/server";\nexport default defineComponent("hooks");\n`,
    "hooks/lib.ts": `import { query } from "./_generated/server";\nexport const one = query({ args: {}, handler: async () => 1 });\n`,
    "hooks/http.ts": hooksHttp,
    "app.ts": `import { query } from "./_generated/server";\nexport const hi = query({ args: {}, handler: async () => "hi" });\n`,
  });
  const dir = project(files("/hooks/"));
  const { code, out } = await convex(dir, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(out).toContain("Deployed Convex functions");
  expect(code).toBe(0);
  const res = await fetch(`${backend.siteUrl}/hooks/ping`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ url: `${backend.siteUrl}/hooks/ping`, site: `${backend.siteUrl}/hooks` });
  expect((await fetch(`${backend.siteUrl}/ping`)).status).toBe(404);

  fs.rmSync(path.join(dir, "convex/hooks/http.ts"));
  const refused = await convex(dir, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain(`HTTP mount "/hooks/" is invalid: Child component "hooks" doesn't have any HTTP routes.`);
  // Nothing was installed: the earlier push still serves.
  expect((await fetch(`${backend.siteUrl}/hooks/ping`)).status).toBe(200);
}, 240_000);

