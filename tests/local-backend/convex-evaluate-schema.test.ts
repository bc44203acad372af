// `POST /api/deploy2/evaluate_schema` (src/local-backend/push.ts): the real CLI
// asks it, before a push, what the push's schema would do, and runs its
// large-index and slow-validation checks on the answer. Each CLI run is from a
// temporary project, never from inside the repository.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, tempDir } from "./helpers.js";

const api = anyApi;
const REPO = path.resolve(__dirname, "../..");
const CLI = path.join(REPO, "node_modules/convex/bin/main.js");

const FOLDER_SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ text: v.string() }).index("by_text", ["text"]) });
`;
const NOTES = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const add = mutationGeneric({ args: { text: v.string() }, handler: async (ctx, args) => await ctx.db.insert("notes", args) });
export const count = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).length });
`;
// by_text dropped, by_n added, and a validator the stored notes must be walked against.
const CHANGED_SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ text: v.string(), n: v.optional(v.number()) }).index("by_n", ["n"]),
  tags: defineTable({ name: v.string() }),
});
`;

let backend: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  backend = await startApp({ "schema.ts": FOLDER_SCHEMA, "notes.ts": NOTES }, "lb-evalschema-");
  const client = new ConvexHttpClient(backend.url, { logger: false });
  for (const text of ["one", "two", "three"]) await client.mutation(api.notes.add, { text });
});
afterAll(async () => {
  await backend?.stop();
});

function project(files: Record<string, string>): string {
  const dir = tempDir("lb-evalschema-project-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "evaluate-schema-test", private: true, dependencies: { convex: "*" } }));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [name, source] of Object.entries(files)) {
    const file = path.join(dir, "convex", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
  }
  return dir;
}

async function convex(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey, CONVEX_DEPLOYMENT: "", NO_COLOR: "1", FORCE_COLOR: "0", ...extraEnv };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, env, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err: any) {
    if (typeof err?.code !== "number") throw err;
    return { code: err.code, out: String(err.stdout) + String(err.stderr) };
  }
}

/** The start_push request the CLI builds for `files` (its hidden --write-push-request), without sending it. */
async function pushRequest(files: Record<string, string>): Promise<unknown> {
  const dir = project(files);
  const out = path.join(dir, "push-request");
  const run = await convex(dir, ["deploy", "--yes", "--typecheck", "disable", "--write-push-request", out]);
  expect(run.code, run.out).toBe(0);
  return JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
}

async function evaluateSchema(request: unknown) {
  const res = await fetch(`${backend.url}/api/deploy2/evaluate_schema`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Convex ${backend.adminKey}` },
    body: JSON.stringify(request),
  });
  return { status: res.status, body: await res.json() };
}

it("the CLI's checks run on its answer: dropped and added indexes with their tables' counts, and the tables to walk; nothing changes", async () => {
  const dir = project({ "schema.ts": CHANGED_SCHEMA, "notes.ts": NOTES });
  // The CLI's thresholds, down to this small table, so that its checks report.
  const { code, out } = await convex(dir, ["deploy", "--dry-run", "--skip-large-indexes-check", "--typecheck", "disable"], {
    CONVEX_VERBOSE: "1",
    CONVEX_MIN_DOCUMENTS_FOR_INDEX_DELETE_WARNING: "1",
    CONVEX_MIN_DOCUMENTS_FOR_INDEX_BACKFILL_WARNING: "1",
    CONVEX_MIN_BYTES_FOR_SCHEMA_WALK_WARNING: "1",
  });
  expect(out).toContain("Would have deployed Convex functions");
  expect(code).toBe(0);
  // No fallback to evaluate_push: the evaluation answered.
  expect(out).not.toContain("Schema evaluation unavailable");
  expect(out).not.toContain("Skipping schema evaluation checks");
  expect(out).toMatch(/This code push will delete the following index[\s\S]*notes\.by_text\s+text\s+⚠️\s+3 documents/);
  // Only evaluate_schema's answer can say this: without it the CLI skips the check silently.
  expect(out).toMatch(/This push will create the following index on a large table[\s\S]*notes\.by_n\s+n/);
  // The walk: notes (changed validator, 3 documents), not the new empty tags.
  const walk = out.slice(out.indexOf("requires checking every document in the following table"), out.indexOf("Tip: stage the new validator"));
  expect(walk).toMatch(/totaling \d+ bytes[\s\S]*\n\s+notes/);
  expect(walk).not.toContain("tags");
  const client = new ConvexHttpClient(backend.url, { logger: false });
  expect(await client.query(api.notes.count, {})).toBe(3);
}, 240_000);

it("answers Convex's shape: each index added, identical or dropped, each table's outcome, counts and sizes", async () => {
  const changed = await evaluateSchema(await pushRequest({ "schema.ts": CHANGED_SCHEMA, "notes.ts": NOTES }));
  expect(changed.status).toBe(200);
  const root = changed.body.componentSchemaEvaluations[""];
  expect(changed.body.newComponentDefinitions).toEqual([]);
  expect(root).toMatchObject({ definitionPath: "", schemaValidation: true });
  expect(root.indexes).toEqual([
    { name: "notes.by_n", type: "database", fields: ["n"], change: "added", needsBackfill: true, numDocs: 3 },
    { name: "notes.by_text", type: "database", fields: ["text"], change: "dropped", needsBackfill: false, numDocs: 3 },
  ]);
  expect(root.tables).toEqual([
    { name: "notes", outcome: "mustWalk", numDocs: 3, sizeBytes: expect.any(Number) },
    { name: "tags", outcome: "supersetOfShape", numDocs: 0, sizeBytes: 0 },
  ]);
  expect(root.tables[0].sizeBytes).toBeGreaterThan("onetwothree".length);

  const same = await evaluateSchema(await pushRequest({ "schema.ts": FOLDER_SCHEMA, "notes.ts": NOTES }));
  expect(same.body.componentSchemaEvaluations[""].indexes).toEqual([{ name: "notes.by_text", type: "database", fields: ["text"], change: "identical", needsBackfill: false, numDocs: 3 }]);
  expect(same.body.componentSchemaEvaluations[""].tables).toEqual([{ name: "notes", outcome: "supersetOfEnforced", numDocs: 3, sizeBytes: root.tables[0].sizeBytes }]);

  const unvalidated = await evaluateSchema(await pushRequest({ "schema.ts": CHANGED_SCHEMA.replace("});\n", "}, { schemaValidation: false });\n"), "notes.ts": NOTES }));
  expect(unvalidated.body.componentSchemaEvaluations[""]).toMatchObject({ schemaValidation: false, tables: [{ outcome: "notValidated" }, { outcome: "notValidated" }] });

  // No schema at all drops every index.
  const none = await evaluateSchema(await pushRequest({ "notes.ts": NOTES }));
  expect(none.body.componentSchemaEvaluations[""]).toMatchObject({ schemaValidation: false, tables: [], indexes: [{ name: "notes.by_text", change: "dropped" }] });
}, 240_000);

it("a schema that throws, or exports no schema, gets Convex's error; the CLI skips its checks and the push is refused", async () => {
  const throwing = `import { defineSchema } from "convex/server";\nif (Math.random() < 2) throw new Error("no schema today");\nexport default defineSchema({});\n`;
  const refused = await evaluateSchema(await pushRequest({ "schema.ts": throwing, "notes.ts": NOTES }));
  expect(refused).toEqual({ status: 400, body: { code: "InvalidSchema", message: "Hit an error while evaluating your schema:\nUncaught Error: no schema today" } });

  const notASchema = await evaluateSchema(await pushRequest({ "schema.ts": `export default { tables: 1 };\n`, "notes.ts": NOTES }));
  expect(notASchema.status).toBe(400);
  expect(notASchema.body).toEqual({
    code: "InvalidSchemaExport",
    message: "Hit an error while evaluating your schema:\nDefault export from schema file isn't a Convex schema. To learn more, see the schema documentation at https://docs.convex.dev/database/schemas.",
  });
  const noExport = await evaluateSchema(await pushRequest({ "schema.ts": `export const x = 1;\n`, "notes.ts": NOTES }));
  expect(noExport.body.code).toBe("MissingSchemaExportError");

  const badVector = `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ docs: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 0 }) });\n`;
  const vector = await evaluateSchema(await pushRequest({ "schema.ts": badVector, "notes.ts": NOTES }));
  expect(vector.body).toMatchObject({ code: "InvalidSchema", message: expect.stringMatching(/^Hit an error while evaluating your schema:\nVector index docs\.by_e: Dimensions 0 must be between/) });

  // Through the CLI: the evaluation's refusal only skips the advisory checks; start_push then refuses the push.
  const dir = project({ "schema.ts": throwing, "notes.ts": NOTES });
  const { code, out } = await convex(dir, ["deploy", "--yes", "--typecheck", "disable"], { CONVEX_VERBOSE: "1" });
  expect(code).not.toBe(0);
  expect(out).toContain("Skipping schema evaluation checks");
  expect(out).toContain("Hit an error while evaluating your schema:");
  expect(out).toContain("no schema today");
  const client = new ConvexHttpClient(backend.url, { logger: false });
  expect(await client.query(api.notes.count, {})).toBe(3);
}, 240_000);

it("is the admin's alone", async () => {
  const res = await fetch(`${backend.url}/api/deploy2/evaluate_schema`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  expect(res.status).toBe(403);
  expect((await res.json()).code).toBe("BadDeployKey");
}, 60_000);

const COUNTER_CONFIG = `import { defineComponent } from "convex/server";\nexport default defineComponent("counter");\n`;
const counterSchema = (index: string) =>
  `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ counts: defineTable({ n: v.number() }).index("${index}", ["n"]) });\n`;
const COUNTER_LIB = `import { mutation } from "./_generated/server";
import { v } from "convex/values";
export const add = mutation({ args: { n: v.number() }, handler: async (ctx, { n }) => { await ctx.db.insert("counts", { n }); } });
`;
const BUMP = `import { mutation } from "./_generated/server";
import { components } from "./_generated/api";
export const bump = mutation({ args: {}, handler: async (ctx) => { await ctx.runMutation(components.counter.lib.add, { n: 1 }); } });
`;

it("predicts each installed component instance's schema too, and names a definition not installed yet", async () => {
  const files = {
    "convex.config.ts": `import { defineApp } from "convex/server";\nimport counter from "./counter/convex.config";\nconst app = defineApp();\napp.use(counter);\nexport default app;\n`,
    "counter/convex.config.ts": COUNTER_CONFIG,
    "counter/schema.ts": counterSchema("by_n"),
    "counter/lib.ts": COUNTER_LIB,
    "schema.ts": FOLDER_SCHEMA,
    "notes.ts": NOTES,
    "app.ts": BUMP,
  };
  const dir = project(files);
  const deployed = await convex(dir, ["deploy", "--yes", "--typecheck", "disable"]);
  expect(deployed.out).toContain("Installed component counter.");
  expect(deployed.code).toBe(0);
  const client = new ConvexHttpClient(backend.url, { logger: false });
  await client.mutation(api.app.bump, {});
  await client.mutation(api.app.bump, {});

  const request = await pushRequest({
    ...files,
    "counter/schema.ts": counterSchema("by_count"),
    "convex.config.ts": `import { defineApp } from "convex/server";\nimport counter from "./counter/convex.config";\nimport other from "./other/convex.config";\nconst app = defineApp();\napp.use(counter);\napp.use(other);\nexport default app;\n`,
    "other/convex.config.ts": `import { defineComponent } from "convex/server";\nexport default defineComponent("other");\n`,
    "other/schema.ts": counterSchema("by_n"),
    "other/lib.ts": COUNTER_LIB,
  });
  const { status, body } = await evaluateSchema(request);
  expect(status).toBe(200);
  expect(Object.keys(body.componentSchemaEvaluations).sort()).toEqual(["", "counter"]);
  expect(body.componentSchemaEvaluations.counter).toMatchObject({
    definitionPath: "counter",
    schemaValidation: true,
    tables: [{ name: "counts", outcome: "supersetOfEnforced", numDocs: 2 }],
    indexes: [
      { name: "counts.by_count", change: "added", needsBackfill: true, numDocs: 2 },
      { name: "counts.by_n", change: "dropped", numDocs: 2 },
    ],
  });
  expect(body.componentSchemaEvaluations[""].indexes).toEqual([{ name: "notes.by_text", type: "database", fields: ["text"], change: "identical", needsBackfill: false, numDocs: 3 }]);
  expect(body.newComponentDefinitions).toEqual(["other"]);

  // A component's schema that throws is refused, naming the definition.
  const refused = await evaluateSchema(await pushRequest({ ...files, "counter/schema.ts": `throw new Error("counter schema broke");\nexport default null;\n` }));
  expect(refused).toEqual({ status: 400, body: { code: "InvalidSchema", message: "Hit an error while evaluating your schema in component definition counter:\nUncaught Error: counter schema broke" } });
}, 240_000);
