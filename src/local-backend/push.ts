// The push protocol of `npx convex deploy` and `npx convex dev` against a
// self-hosted Convex (crates/local_backend/src/deploy_config2.rs and
// deploy_config.rs in get-convex/convex-backend; the CLI side is
// convex/src/cli/lib/deploy2.ts and components.ts). In order, the CLI calls:
//
// 1. `POST /api/get_config_hashes`: the modules the deployment holds, by path
//    and sha256 (of source + source map), so it uploads only changed ones.
// 2. `POST /api/deploy2/evaluate_schema` (best effort): what the push's schema
//    would do, evaluated without installing anything: each index added,
//    identical or dropped and each table's outcome, with document counts, for
//    the CLI's large-index and slow-validation checks (a deployment without it
//    makes the CLI fall back to `POST /api/deploy2/evaluate_push`, the index
//    diff alone, also answered here).
// 3. `POST /api/deploy2/start_push` (brotli-compressed JSON): the bundled
//    modules, schema and convex.config. Answered with the analysis (each
//    module's functions and validators, the schema), which the CLI uses for
//    codegen, and a `schemaChange` naming this push.
// 4. `POST /api/deploy2/wait_for_schema`: whether the existing documents match
//    the new schema (`complete`, or `failed` with Convex's words).
// 5. `POST /api/deploy2/finish_push` (brotli): installs the pushed code, and
//    `POST /api/deploy2/report_push_completed` (tracing spans, ignored).
//
// The pushed modules are the CLI's own esbuild output (ESM, `convex` inlined);
// they run here as the folder's bundles do (modules.ts): each is written to a
// fresh directory with the same banner (the `Convex` syscall global, a
// `process` whose `env` is the function environment) and imported. They are
// kept in `<dataDir>/pushed/modules.json`, so a restart serves the pushed code
// rather than the functions folder (until `--reset`).
//
// Components: the push carries each definition's `convex.config.js` bundle and
// modules. The definitions are evaluated here (a definition imports a child's
// as `./_componentDeps/<base64url of its path>`, which stands for
// `{ componentDefinitionPath, defaultName }`), and the instance tree is built as
// components.ts builds a folder's; the analysis gives each definition's
// functions and exports, from which the CLI generates `components.<name>`.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonToConvex, type Value } from "convex/values";
import { parseAuthConfig } from "./auth/config.js";
import type { TokenVerifier } from "./auth/verify.js";
import { requireAdmin } from "./admin.js";
import { makePrivate, privateDir, writePrivateFile } from "./file-modes.js";
import { checkHttpMounts, componentEnv, httpMountOf, mountPath, systemEnv, tableIn, type LoadedComponent, type RuntimeDefinition } from "./components.js";
import { kindOf, type LoadedFunctions, type RegisteredFunction } from "./modules.js";
import type { Runtime } from "./runtime.js";
import { check } from "./validate.js";
import { keySuccessor, KEY_MAX, KEY_MIN } from "./values.js";
import { vectorIndexesOfSchema } from "./vector-search.js";

const brotliDecompress = promisify(zlib.brotliDecompress);

/** The largest push body taken in (decompressed): Convex caps a push's modules well below this. */
const MAX_PUSH_BYTES = 256 * 1024 * 1024;
const SCAN_BATCH = 1000;

/** One module as the CLI uploads it (deployApi/modules.ts moduleConfig). */
export type ModuleConfig = { path: string; source: string; sourceMap?: string; environment: "isolate" | "node" };

/** One component definition of a push (deployApi/definitionConfig.ts componentDefinitionConfig). */
export type PushedComponent = { definitionPath: string; definition: ModuleConfig; dependencies: string[]; schema: ModuleConfig | null; functions: ModuleConfig[] };

/** What `<dataDir>/pushed/modules.json` holds: the last pushed app. */
export type PushedApp = {
  functions: string;
  udfServerVersion: string | null;
  schema: ModuleConfig | null;
  modules: ModuleConfig[];
  /** The app's `convex.config.js` bundle and its component definitions (none without components). */
  definition?: ModuleConfig | null;
  components?: PushedComponent[];
};

type IndexConfig = { name: string; type: "database"; fields: string[] } | { name: string; type: "search"; searchField: string; filterFields: string[] } | { name: string; type: "vector"; dimensions: number; vectorField: string; filterFields: string[] };
type IndexDiff = { added_indexes: IndexConfig[]; removed_indexes: IndexConfig[] };

type Pending = { app: PushedApp; loaded: LoadedFunctions; schemaError: { error: string; tableName: string | null; componentPath: string } | null; indexDiff: IndexDiff };

export class PushError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What a module threw, when that is what failed. */
    readonly thrown?: unknown,
  ) {
    super(message);
  }
}

/** sha256 of source and source map, as the CLI hashes a bundle (components.ts `hash`). */
export function moduleHash(m: ModuleConfig): string {
  return createHash("sha256").update(m.source).update(m.sourceMap ?? "").digest("hex");
}

const ENV_REGISTRY = "__localBackendEnvs";
const DEFINITIONS = Symbol("pushed component definitions");
let loadCounter = 0;

/** modules.ts's banner: the `Convex` syscall global, and a `process` whose `env` is `env`. */
function bannerFor(env: Record<string, string>): string {
  const envs: Record<string, string>[] = ((globalThis as any)[ENV_REGISTRY] ??= []);
  let envId = envs.indexOf(env);
  if (envId < 0) envId = envs.push(env) - 1;
  return (
    "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);\n" +
    "const Convex = globalThis.__localBackendConvex;\n" +
    `const process = new Proxy(globalThis.process, { get(t, k) { return k === "env" ? globalThis.${ENV_REGISTRY}[${envId}] : Reflect.get(t, k); } });\n`
  );
}

/** Writes `modules` under `dir` with the banner; a component's code reads `globalThis.process.env` as its own `process.env` (as modules.ts defines it). */
function writeModules(dir: string, modules: ModuleConfig[], banner: string, component: boolean) {
  privateDir(dir);
  // The CLI's bundles are ESM with `.js` names that import each other (`./_deps/…js`).
  fs.writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  for (const m of modules) {
    const file = path.join(dir, m.path);
    if (!file.startsWith(dir + path.sep)) throw new PushError(400, "InvalidModulePath", `Invalid module path: ${m.path}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Without its map comment: the map (kept in modules.json for the hash) names the project's sources, which are not here.
    let source = m.source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
    if (component) source = source.replaceAll("globalThis.process", "process");
    // A definition imports each child definition as `./_componentDeps/<base64url of its path>` (written beside it, see evaluateDefinitions).
    source = source.replace(/(["'])\.\/_componentDeps\/([A-Za-z0-9_-]+)\1/g, "$1./_componentDeps/$2.js$1");
    fs.writeFileSync(file, banner + source);
  }
}

async function importModule(dir: string, m: ModuleConfig): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path.join(dir, m.path)).href)) as Record<string, unknown>;
  } catch (err: any) {
    throw new PushError(400, "InvalidModules", `Loading the pushed modules failed: Uncaught ${err?.name ?? "Error"} in ${m.path}: ${err?.message ?? err}`, err ?? null);
  }
}

/** Imports one component's (or the app's) modules from `dir`: its functions, schema, crons (and for the app, http.js and auth.config.js). */
async function importFunctions(dir: string, schema: ModuleConfig | null, modules: ModuleConfig[], component: boolean, schemaOnly: boolean): Promise<LoadedFunctions> {
  const loadedModules = new Map<string, Record<string, unknown>>();
  for (const m of [...modules, ...(schema ? [schema] : [])]) {
    if (m.path.startsWith("_deps/")) continue; // shared chunks, imported by the modules
    if (schemaOnly && m !== schema) continue;
    loadedModules.set(m.path.replace(/\.(js|mjs|cjs)$/, ""), await importModule(dir, m));
  }
  const mod = (name: string) => (loadedModules.get(name)?.default as any) ?? null;
  let authProviders: LoadedFunctions["authProviders"] = [];
  if (!component) {
    try {
      authProviders = parseAuthConfig(mod("auth.config"));
    } catch (err: any) {
      throw new PushError(400, "AuthConfigInvalid", err?.message ?? String(err));
    }
  }
  loadedModules.delete("auth.config");
  // A component's http.ts is served where its parent mounts it (components.ts routeHttp).
  const router = mod("http");
  return { modules: loadedModules, schema: mod("schema"), crons: mod("crons"), httpRouter: router?.isRouter ? router : null, authProviders, inputs: [] };
}

// A component's process.env object, reused across loads by instance path (as modules.ts does).
const componentEnvs = new Map<string, Record<string, string>>();

/**
 * Evaluates the pushed definitions (children first, so each parent's `use()`
 * sees its child's `defaultName`), then installs the app's component tree as
 * components.ts loadComponents does for a folder.
 */
async function loadPushedComponents(app: PushedApp, dir: string, appEnv: Record<string, string>): Promise<{ components: Map<string, LoadedComponent>; definitions: Map<string, RuntimeDefinition> }> {
  const out = new Map<string, LoadedComponent>();
  const defs = new Map((app.components ?? []).map((c) => [c.definitionPath, c]));
  if (!app.definition) throw new PushError(400, "InvalidComponents", "The push has component definitions but no convex.config for the app.");
  const evaluated = new Map<string, RuntimeDefinition>();
  const names = new Map<string, string>();
  const depsDir = (where: string) => path.join(where, "_componentDeps");
  let n = 0;
  const evaluate = async (definitionPath: string | null, module: ModuleConfig, dependencies: string[], stack: string[]): Promise<RuntimeDefinition> => {
    for (const dep of dependencies) {
      if (evaluated.has(dep)) continue;
      if (stack.includes(dep)) throw new PushError(400, "InvalidComponents", `Component definitions import each other in a cycle: ${[...stack, dep].join(" -> ")}`);
      const child = defs.get(dep);
      if (!child) throw new PushError(400, "InvalidComponents", `Component definition not found: ${dep}`);
      await evaluate(dep, child.definition, child.dependencies, [...stack, dep]);
    }
    const where = path.join(dir, ".definitions", String(++n));
    writeModules(where, [module], bannerFor(appEnv), false);
    privateDir(depsDir(where));
    for (const dep of dependencies) {
      const ref = { componentDefinitionPath: dep, defaultName: names.get(dep) };
      fs.writeFileSync(path.join(depsDir(where), `${Buffer.from(dep).toString("base64url")}.js`), `export default ${JSON.stringify(ref)};\n`);
    }
    const def = (await importModule(where, module)).default as RuntimeDefinition | undefined;
    if (!def || !Array.isArray(def._childComponents)) throw new PushError(400, "InvalidComponents", `${definitionPath ?? "convex.config"} must export default defineApp() or defineComponent(name) from "convex/server".`);
    if (definitionPath !== null) {
      evaluated.set(definitionPath, def);
      names.set(definitionPath, def._name ?? path.posix.basename(definitionPath));
    }
    return def;
  };
  for (const [dp, c] of defs) if (!evaluated.has(dp)) await evaluate(dp, c.definition, c.dependencies, [dp]);
  // The app may import any of them: each evaluated already, so its `_componentDeps` are all written.
  const root = await evaluate(null, app.definition, [...defs.keys()], []);
  const install = async (parent: RuntimeDefinition, parentPath: string, parentEnv: Record<string, string>, depth: number) => {
    if (depth > 16) throw new PushError(400, "InvalidComponents", "Components are nested more than 16 deep; do they use each other in a cycle?");
    const children = new Map<string, string>();
    for (const [name, imported, envArgs, httpPrefix] of parent._childComponents) {
      if (children.has(name)) throw new PushError(400, "InvalidComponents", `Component "${name}" is used twice in ${parentPath === "" ? "the app" : `component ${parentPath}`}: give one of them another name with use(component, { name }).`);
      const dp = imported.componentDefinitionPath;
      const def = evaluated.get(dp);
      const pushed = defs.get(dp);
      if (!def || !pushed) throw new PushError(400, "InvalidComponents", `Component definition not found for "${name}" (${dp}).`);
      const instancePath = parentPath === "" ? name : `${parentPath}/${name}`;
      let env: Record<string, string>;
      let mount: ReturnType<typeof httpMountOf>;
      try {
        mount = httpMountOf(instancePath, httpPrefix, out.get(parentPath));
        env = { ...componentEnv(instancePath, def, envArgs ?? {}, parentEnv), ...systemEnv(appEnv, mount?.httpPrefix) };
      } catch (err: any) {
        throw new PushError(400, "InvalidComponents", err?.message ?? String(err));
      }
      const own = componentEnvs.get(instancePath) ?? {};
      for (const k of Object.keys(own)) delete own[k];
      Object.assign(own, env);
      componentEnvs.set(instancePath, own);
      const where = path.join(dir, ".components", instancePath);
      writeModules(where, [...pushed.functions, ...(pushed.schema ? [pushed.schema] : [])], bannerFor(own), true);
      const functions = await importFunctions(where, pushed.schema, pushed.functions, true, false);
      out.set(instancePath, { path: instancePath, definitionDir: dp, definitionName: def._name ?? name, functions, env: own, children: new Map(), ...mount });
      children.set(name, instancePath);
      await install(def, instancePath, own, depth + 1);
    }
    if (parentPath !== "") out.get(parentPath)!.children = children;
  };
  if (!root._isRoot) throw new PushError(400, "InvalidComponents", "convex.config must export default defineApp(), not defineComponent().");
  await install(root, "", appEnv, 0);
  evaluated.set("", root);
  return { components: out, definitions: evaluated };
}

/**
 * Imports a pushed app's modules (and its components') as LoadedFunctions.
 * Each load writes them under a fresh directory of `bundleRoot` (so a reload
 * re-runs module top levels, as the folder's reload does), with modules.ts's
 * banner prepended. `schemaOnly`: the app's schema alone.
 */
export async function loadPushedApp(app: PushedApp, bundleRoot: string, env: Record<string, string>, schemaOnly = false): Promise<LoadedFunctions> {
  const dir = path.join(bundleRoot, `pushed-${Date.now()}-${process.pid}-${++loadCounter}`);
  writeModules(dir, [...app.modules, ...(app.schema ? [app.schema] : [])], bannerFor(env), false);
  removeOldLoads(bundleRoot, path.basename(dir));
  try {
    const loaded = await importFunctions(dir, app.schema, app.modules, false, schemaOnly);
    if (!schemaOnly && app.components && app.components.length > 0) {
      const { components, definitions } = await loadPushedComponents(app, dir, env);
      const appPrefix = definitions.get("")?._httpPrefix;
      try {
        if (appPrefix !== undefined) loaded.httpPrefix = mountPath(appPrefix, "defineApp");
        checkHttpMounts(loaded.httpRouter, components);
      } catch (err: any) {
        throw new PushError(400, "TypecheckError", err?.message ?? String(err));
      }
      loaded.components = components;
      // For the push's analysis (the definitions' `use()`s); not part of LoadedFunctions.
      Object.defineProperty(loaded, DEFINITIONS, { value: definitions });
    }
    return loaded;
  } finally {
    makePrivate(dir);
  }
}

/** Earlier loads' directories (a minute old: modules already imported stay in memory), as modules.ts cleans its bundles. */
function removeOldLoads(root: string, keep: string) {
  for (const name of fs.readdirSync(root)) {
    if (!name.startsWith("pushed-") || name === keep) continue;
    try {
      const full = path.join(root, name);
      if (Date.now() - fs.statSync(full).mtimeMs > 60_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      /* removed meanwhile */
    }
  }
}

/** Every index of a schema as the CLI's DeveloperIndexConfig, by name. */
function schemaIndexes(schema: any): Map<string, IndexConfig> {
  const out = new Map<string, IndexConfig>();
  for (const [table, def] of Object.entries<any>(schema?.tables ?? {})) {
    const e = def.export();
    for (const i of e.indexes ?? []) out.set(`${table}.${i.indexDescriptor}`, { name: `${table}.${i.indexDescriptor}`, type: "database", fields: i.fields });
    for (const i of e.searchIndexes ?? []) out.set(`${table}.${i.indexDescriptor}`, { name: `${table}.${i.indexDescriptor}`, type: "search", searchField: i.searchField, filterFields: i.filterFields });
    for (const i of e.vectorIndexes ?? []) out.set(`${table}.${i.indexDescriptor}`, { name: `${table}.${i.indexDescriptor}`, type: "vector", dimensions: i.dimensions, vectorField: i.vectorField, filterFields: i.filterFields });
  }
  return out;
}

function diffIndexes(before: any, after: any): IndexDiff {
  const a = schemaIndexes(before);
  const b = schemaIndexes(after);
  const same = (x: IndexConfig, y: IndexConfig) => JSON.stringify(x) === JSON.stringify(y);
  return {
    added_indexes: [...b.values()].filter((i) => !a.has(i.name) || !same(a.get(i.name)!, i)),
    removed_indexes: [...a.values()].filter((i) => !b.has(i.name) || !same(b.get(i.name)!, i)),
  };
}

/**
 * The first existing document a schema refuses, in Convex's words
 * (SchemaValidationError::ExistingDocument), or null: the app's schema, then
 * each component instance's (its tables stored as `<table>@<path>`). Reads
 * every table a schema validates; call it under the runtime's lock.
 */
export function existingDataProblem(runtime: Runtime, loaded: LoadedFunctions): { error: string; tableName: string; componentPath: string } | null {
  const store = runtime.store;
  const schemas: [string, any][] = [["", loaded.schema], ...[...(loaded.components?.values() ?? [])].map((c): [string, any] => [c.path, c.functions.schema])];
  for (const [componentPath, schema] of schemas) {
    if (!schema?.tables || schema.schemaValidation === false) continue;
    const idTable = runtime.tableOfIdIn(componentPath);
    for (const [table, def] of Object.entries<any>(schema.tables)) {
      const stored = tableIn(componentPath, table); // a table never written has no rows to scan
      const validator = def.export().documentType;
      if (!validator) continue;
      let lo: Buffer = KEY_MIN;
      for (;;) {
        const rows = store.scan(`${stored}.by_creation_time`, lo, KEY_MAX, "asc", SCAN_BATCH);
        for (const row of rows) {
          const { _id, _creationTime, ...fields } = jsonToConvex(JSON.parse(row.json)) as Record<string, Value>;
          const err = check(validator, fields, idTable);
          if (err) return { tableName: table, componentPath, error: `Document with ID "${String(_id)}" in table "${table}" does not match the schema: ${err}` };
        }
        if (rows.length < SCAN_BATCH) break;
        lo = keySuccessor(rows[rows.length - 1]!.key);
      }
    }
  }
  return null;
}

/** Convex's words for a schema file's default export that is missing or not defineSchema(...)'s (common/src/schemas/mod.rs). */
const SCHEMA_DOCS = "To learn more, see the schema documentation at https://docs.convex.dev/database/schemas.";

/**
 * A pushed schema module (`module`, null: none) evaluated by `load`, checked
 * as evaluate_schema checks it: what it throws, a default export that is not
 * a schema, a bad vector index, each refused in Convex's words.
 */
async function evaluatedSchema(module: ModuleConfig | null, load: () => Promise<unknown>, where: string): Promise<any> {
  if (!module) return null;
  const refuse = (code: string, msg: string) => new PushError(400, code, `Hit an error while evaluating your schema${where}:\n${msg}`);
  let schema: any;
  try {
    schema = await load();
  } catch (err: any) {
    if (err instanceof PushError && err.thrown !== undefined) {
      const thrown = err.thrown as any;
      throw refuse("InvalidSchema", `Uncaught ${thrown?.name ?? "Error"}: ${thrown?.message ?? thrown}`);
    }
    if (err instanceof PushError) throw refuse(err.code, err.message);
    throw err;
  }
  if (schema === null || schema === undefined) throw refuse("MissingSchemaExportError", `Schema file missing default export. ${SCHEMA_DOCS}`);
  if (typeof schema.export !== "function" || typeof schema.tables !== "object") throw refuse("InvalidSchemaExport", `Default export from schema file isn't a Convex schema. ${SCHEMA_DOCS}`);
  try {
    vectorIndexesOfSchema(schema); // the checks installing it would make
  } catch (err: any) {
    throw refuse("InvalidSchema", err?.message ?? String(err));
  }
  return schema;
}

/** A pushed component definition's schema alone, written with its modules (it may import their shared chunks) and imported. */
async function loadComponentSchema(c: PushedComponent, bundleRoot: string): Promise<unknown> {
  const dir = path.join(bundleRoot, `pushed-${Date.now()}-${process.pid}-${++loadCounter}`);
  writeModules(dir, [...c.functions, ...(c.schema ? [c.schema] : [])], bannerFor({}), true);
  try {
    return (await importFunctions(dir, c.schema, c.functions, true, true)).schema;
  } finally {
    makePrivate(dir);
  }
}

/** The documents of a stored table and their size as stored (JSON bytes), counted and summed by SQLite. */
function tableStats(runtime: Runtime, stored: string): { numDocs: number; sizeBytes: number } {
  return { numDocs: runtime.store.count(stored), sizeBytes: runtime.store.sizeBytes(stored) };
}

/**
 * ComponentSchemaPrediction (the CLI's deployApi/evaluateSchema.ts) of one
 * component instance ("" the app): what installing `after` over `before` does.
 * - indexes: every index of either schema; one whose definition changed is
 *   dropped and added. Only an added one needs a backfill: install backfills
 *   here before it serves, so an index already there is complete.
 * - tables: `notValidated` without schema validation; `supersetOfEnforced`
 *   when the enforced validator is unchanged, `supersetOfShape` for an empty
 *   table (its shape holds nothing, so any validator covers it); else
 *   `mustWalk` (each document is checked, as start_push does).
 */
function schemaPrediction(runtime: Runtime, component: string, definitionPath: string, before: any, after: any) {
  const stats = new Map<string, { numDocs: number; sizeBytes: number }>();
  const statsOf = (table: string) => {
    let s = stats.get(table);
    if (!s) stats.set(table, (s = tableStats(runtime, tableIn(component, table))));
    return s;
  };
  const tableOf = (index: IndexConfig) => index.name.slice(0, index.name.lastIndexOf("."));
  const was = schemaIndexes(before);
  const now = schemaIndexes(after);
  const same = (x: IndexConfig, y: IndexConfig) => JSON.stringify(x) === JSON.stringify(y);
  const indexes: (IndexConfig & { change: "added" | "identical" | "dropped"; needsBackfill: boolean; numDocs: number })[] = [];
  for (const index of now.values()) {
    const old = was.get(index.name);
    const change = old && same(old, index) ? "identical" : "added";
    indexes.push({ ...index, change, needsBackfill: change === "added", numDocs: statsOf(tableOf(index)).numDocs });
  }
  for (const index of was.values()) {
    const next = now.get(index.name);
    if (!next || !same(next, index)) indexes.push({ ...index, change: "dropped", needsBackfill: false, numDocs: statsOf(tableOf(index)).numDocs });
  }
  const validating = after !== null && after !== undefined && after.schemaValidation !== false;
  const enforced = before && before.schemaValidation !== false ? (before.tables ?? {}) : {};
  const tables = Object.entries<any>(after?.tables ?? {}).map(([name, def]) => {
    const { numDocs, sizeBytes } = statsOf(name);
    const validator = JSON.stringify(def.export().documentType ?? null);
    const outcome = !validating
      ? "notValidated"
      : enforced[name] && JSON.stringify(enforced[name].export().documentType ?? null) === validator
        ? "supersetOfEnforced"
        : numDocs === 0
          ? "supersetOfShape"
          : "mustWalk";
    return { name, outcome, numDocs, sizeBytes };
  });
  return { definitionPath, schemaValidation: validating, tables, indexes, discardedStagedValidators: [] };
}

const UDF_TYPES = { query: "Query", mutation: "Mutation", action: "Action" } as const;

/** AnalyzedModule (deployApi/modules.ts): the module's functions with their validators, and http.js's routes. */
function analyzeModule(exports: Record<string, unknown>, isHttp: boolean) {
  const functions = [];
  for (const [name, value] of Object.entries(exports)) {
    const fn = value as RegisteredFunction | undefined;
    if (!fn || (typeof fn !== "object" && typeof fn !== "function")) continue;
    if (!fn.isQuery && !fn.isMutation && !fn.isAction) continue;
    const kind = kindOf(fn) as "query" | "mutation" | "action";
    functions.push({
      name,
      pos: null,
      udfType: UDF_TYPES[kind],
      visibility: { kind: fn.isInternal ? "internal" : "public" },
      args: fn.exportArgs ? fn.exportArgs() : null,
      returns: fn.exportReturns ? fn.exportReturns() : null,
    });
  }
  const router = exports.default as any;
  const httpRoutes = isHttp && router?.isRouter ? router.getRoutes().map(([path, method]: [string, string]) => ({ path, method })) : null;
  return { functions, httpRoutes, cronSpecs: null, sourceMapped: null };
}

function int64Json(n: bigint): { $integer: string } {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return { $integer: b.toString("base64") };
}

/** A component's (or the app's) modules analysed: canonical module path ("lib.js") → AnalyzedModule. */
function analyzeFunctions(modules: ModuleConfig[], loaded: LoadedFunctions): Record<string, ReturnType<typeof analyzeModule>> {
  const functions: Record<string, ReturnType<typeof analyzeModule>> = {};
  for (const m of modules) {
    if (m.path.startsWith("_deps/") || m.path.startsWith("auth.config.")) continue;
    const exports = loaded.modules.get(m.path.replace(/\.(js|mjs|cjs)$/, ""));
    if (exports) functions[m.path] = analyzeModule(exports, m.path === "http.js");
  }
  return functions;
}

/** A component's exports (its public functions) as the tree the CLI's codegen walks: module path segments, then `_reference/function/<module>:<name>`. */
function exportsTree(functions: Record<string, ReturnType<typeof analyzeModule>>) {
  type Node = { type: "branch"; branch: [string, Node | { type: "leaf"; leaf: string }][] };
  const root: Node = { type: "branch", branch: [] };
  for (const [modulePath, analyzed] of Object.entries(functions)) {
    const segments = modulePath.replace(/\.js$/, "").split("/");
    let node = root;
    for (const segment of segments) {
      let next = node.branch.find(([name]) => name === segment)?.[1] as Node | undefined;
      if (!next) {
        next = { type: "branch", branch: [] };
        node.branch.push([segment, next]);
      }
      node = next;
    }
    for (const f of analyzed.functions) {
      if (f.visibility.kind === "public") node.branch.push([f.name, { type: "leaf", leaf: `_reference/function/${modulePath.replace(/\.js$/, "")}:${f.name}` }]);
    }
  }
  return root;
}

function schemaAnalysis(schema: any) {
  if (!schema) return null;
  const tables = Object.entries<any>(schema.tables ?? {}).map(([tableName, def]) => {
    const e = def.export();
    return { tableName, indexes: e.indexes ?? [], searchIndexes: e.searchIndexes ?? [], vectorIndexes: e.vectorIndexes ?? [], documentType: e.documentType };
  });
  return { tables, schemaValidation: schema.schemaValidation !== false };
}

/** The `use()`s of a definition, as ComponentInstantiation (deployApi/componentDefinition.ts). */
function childComponentsOf(def: RuntimeDefinition | undefined) {
  return (def?._childComponents ?? []).map(([name, imported]) => ({ name, path: imported.componentDefinitionPath, env: null }));
}

/** A definition's HTTP mounts (mount path → `_reference/childComponent/<name>`), as the CLI's analysis says them. */
function httpMountsOf(def: RuntimeDefinition | undefined): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const [name, , , prefix] of def?._childComponents ?? []) {
    if (prefix !== undefined) mounts[mountPath(prefix, `component ${name}`)] = `_reference/childComponent/${name}`;
  }
  return mounts;
}

/** StartPushResponse (deployApi/startPush.ts): the app's analysis and each component definition's. */
function startPushResponse(pushId: string, pending: Pending, env: Record<string, string>, providers: unknown[]) {
  const { app, loaded } = pending;
  const udfConfig = () => ({ serverVersion: app.udfServerVersion ?? "0.0.0", importPhaseRngSeed: { $bytes: randomBytes(32).toString("base64") }, importPhaseUnixTimestamp: int64Json(BigInt(Date.now())) });
  const functions = analyzeFunctions(app.modules, loaded);
  const routes = (functions["http.js"] as any)?.httpRoutes ?? null;
  const definitions = (loaded as any)[DEFINITIONS] as Map<string, RuntimeDefinition> | undefined;
  const analysis: Record<string, unknown> = {
    "": {
      definition: { path: "", definitionType: { type: "app" }, ...(loaded.httpPrefix !== undefined ? { httpPrefix: loaded.httpPrefix } : {}), childComponents: childComponentsOf(definitions?.get("")), httpMounts: httpMountsOf(definitions?.get("")), exports: { type: "branch", branch: [] }, envVars: null },
      schema: schemaAnalysis(loaded.schema),
      functions,
      udfConfig: udfConfig(),
    },
  };
  for (const c of app.components ?? []) {
    // Any instance of the definition: they all run the same code.
    const instance = [...(loaded.components?.values() ?? [])].find((i) => i.definitionDir === c.definitionPath);
    if (!instance) continue;
    const componentFunctions = analyzeFunctions(c.functions, instance.functions);
    analysis[c.definitionPath] = {
      definition: { path: c.definitionPath, definitionType: { type: "childComponent", name: instance.definitionName }, childComponents: childComponentsOf(definitions?.get(c.definitionPath)), httpMounts: httpMountsOf(definitions?.get(c.definitionPath)), exports: exportsTree(componentFunctions), envVars: null },
      schema: schemaAnalysis(instance.functions.schema),
      functions: componentFunctions,
      udfConfig: udfConfig(),
    };
  }
  return {
    environmentVariables: env,
    externalDepsId: null,
    componentDefinitionPackages: {},
    appAuth: providers,
    analysis,
    app: { definitionPath: "", componentPath: "", args: {}, childComponents: {}, httpRoutes: { httpModuleRoutes: routes, mounts: [] }, exports: {} },
    schemaChange: { allocatedComponentIds: null, schemaIds: { pushId }, indexDiffs: { "": pending.indexDiff } },
  };
}

export type PushHooks = {
  runtime: Runtime;
  adminKey: string;
  verifier: TokenVerifier;
  dataDir: string;
  bundleRoot: string;
  /** The function environment (what modules see as process.env). */
  env: Record<string, string>;
  /** Installs pushed functions as the running ones; called under the runtime's lock. */
  install: (loaded: LoadedFunctions) => Promise<void>;
  log: (line: string) => void;
};

/** The push endpoints; index.ts routes `/api/get_config_hashes` and `/api/deploy2/*` here. */
export class PushApi {
  private pending = new Map<string, Pending>();

  constructor(private hooks: PushHooks) {}

  private get file() {
    return path.join(this.hooks.dataDir, "pushed", "modules.json");
  }

  /** The last pushed app, if code was ever pushed to this data directory. */
  saved(): PushedApp | null {
    try {
      return JSON.parse(fs.readFileSync(this.file, "utf8")) as PushedApp;
    } catch {
      return null;
    }
  }

  private save(app: PushedApp) {
    privateDir(path.dirname(this.file));
    const tmp = this.file + ".tmp";
    writePrivateFile(tmp, JSON.stringify(app));
    fs.renameSync(tmp, this.file);
  }

  /** Answers the request if it is one of the push endpoints (true), else false. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const route = url.pathname;
    try {
      if (route === "/api/v1/get_canonical_urls" && req.method === "GET") {
        // `convex dev` (and `deploy --cmd`) read the deployment's URLs from here.
        await requireAdmin(req, this.hooks.adminKey, this.hooks.verifier);
        return send(res, 200, { convexCloudUrl: this.hooks.env.CONVEX_CLOUD_URL ?? "", convexSiteUrl: this.hooks.env.CONVEX_SITE_URL ?? "" });
      }
      if (route !== "/api/get_config_hashes" && !route.startsWith("/api/deploy2/")) return false;
      if (req.method !== "POST") return false;
      await requireAdmin(req, this.hooks.adminKey, this.hooks.verifier);
      const body = await this.body(req);
      // Convex checks the key in the body (must_be_admin_from_key) too.
      if (typeof body?.adminKey === "string" && body.adminKey !== this.hooks.adminKey) {
        await requireAdmin({ headers: { authorization: `Convex ${body.adminKey}` } } as IncomingMessage, this.hooks.adminKey, this.hooks.verifier);
      }
      switch (route) {
        case "/api/get_config_hashes":
          return send(res, 200, this.configHashes());
        case "/api/deploy2/evaluate_push":
          return send(res, 200, { schemaChange: await this.evaluate(body) });
        case "/api/deploy2/evaluate_schema":
          return send(res, 200, await this.evaluateSchema(body));
        case "/api/deploy2/start_push":
          return send(res, 200, await this.startPush(body));
        case "/api/deploy2/wait_for_schema":
          return send(res, 200, this.waitForSchema(body));
        case "/api/deploy2/finish_push":
          return send(res, 200, await this.finishPush(body));
        case "/api/deploy2/report_push_completed":
          return send(res, 200, null);
        default:
          return send(res, 404, { code: "NotFound", message: `No route for POST ${route}` });
      }
    } catch (err: any) {
      if (typeof err?.status === "number" && typeof err?.code === "string") return send(res, err.status, { code: err.code, message: err.message });
      throw err;
    }
  }

  private async body(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_PUSH_BYTES) throw new PushError(413, "RequestTooLarge", `Request body is too large: the limit is ${MAX_PUSH_BYTES / 1024 / 1024} MiB`);
      chunks.push(chunk);
    }
    let bytes = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "br") {
      try {
        bytes = await brotliDecompress(bytes, { maxOutputLength: MAX_PUSH_BYTES });
      } catch {
        throw new PushError(400, "BadBody", "The request body is not valid brotli-compressed data.");
      }
    }
    try {
      return JSON.parse(bytes.toString("utf8") || "{}");
    } catch {
      throw new PushError(400, "BadJsonBody", "The request body is not valid JSON.");
    }
  }

  private configHashes() {
    const app = this.saved();
    return {
      config: { functions: app?.functions ?? "convex/" },
      moduleHashes: (app?.modules ?? []).map((m) => ({ path: m.path, hash: moduleHash(m), environment: m.environment })),
      udfServerVersion: app?.udfServerVersion ?? null,
      nodeVersion: null,
    };
  }

  /** The pushed app a start/evaluate request describes: its changed modules plus the unchanged ones this deployment holds. */
  private appOf(body: any): PushedApp {
    if (Array.isArray(body?.nodeDependencies) && body.nodeDependencies.length > 0) {
      const names = body.nodeDependencies.map((d: any) => d?.name).join(", ");
      throw new PushError(400, "ExternalPackagesNotSupported", `Hit an error while pushing:\nExternal packages (node.externalPackages in convex.json) are not supported by this backend: ${names}`);
    }
    const def = body?.appDefinition;
    if (!def || !Array.isArray(def.changedModules) || !Array.isArray(def.unchangedModuleHashes)) throw new PushError(400, "InvalidConfig", "The push request has no appDefinition with changedModules and unchangedModuleHashes.");
    const held = new Map((this.saved()?.modules ?? []).map((m) => [m.path, m]));
    const modules: ModuleConfig[] = [];
    for (const m of def.changedModules as ModuleConfig[]) {
      if (typeof m?.path !== "string" || typeof m.source !== "string") throw new PushError(400, "InvalidConfig", "A pushed module needs a path and a source.");
      modules.push({ path: m.path, source: m.source, ...(typeof m.sourceMap === "string" ? { sourceMap: m.sourceMap } : {}), environment: m.environment === "node" ? "node" : "isolate" });
    }
    for (const h of def.unchangedModuleHashes as { path: string; sha256: string }[]) {
      const m = held.get(h.path);
      // The CLI thought this module unchanged, but the deployment no longer holds it (another push, a reset).
      if (!m || moduleHash(m) !== h.sha256) throw new PushError(400, "ModuleNotFound", `Hit an error while pushing:\nModule ${h.path} with hash ${h.sha256} was not found on the deployment; push again.`);
      modules.push(m);
    }
    const schema = moduleOrNull(def.schema);
    const components: PushedComponent[] = [];
    for (const c of Array.isArray(body.componentDefinitions) ? body.componentDefinitions : []) {
      const definition = moduleOrNull(c?.definition);
      if (typeof c?.definitionPath !== "string" || !definition || !Array.isArray(c.functions)) throw new PushError(400, "InvalidConfig", "A component definition needs a definitionPath, a definition and functions.");
      if (c.functions.some((m: ModuleConfig) => m?.environment === "node")) throw new PushError(400, "InvalidConfig", `"use node" is not supported in components (${c.definitionPath}).`);
      const functions = (c.functions as unknown[]).map((m) => moduleOrNull(m));
      if (functions.some((m) => m === null)) throw new PushError(400, "InvalidConfig", "A pushed module needs a path and a source.");
      components.push({ definitionPath: c.definitionPath, definition, dependencies: Array.isArray(c.dependencies) ? c.dependencies.filter((d: unknown) => typeof d === "string") : [], schema: moduleOrNull(c.schema), functions: functions as ModuleConfig[] });
    }
    return {
      functions: typeof body.functions === "string" ? body.functions : "convex/",
      udfServerVersion: typeof def.udfServerVersion === "string" ? def.udfServerVersion : null,
      schema,
      modules,
      ...(components.length > 0 ? { definition: moduleOrNull(def.definition), components } : {}),
    };
  }

  /** `schemaOnly`: evaluate_push needs the index diff alone, so the functions' modules are not run. */
  private async prepare(body: any, schemaOnly = false): Promise<Pending> {
    const app = this.appOf(body);
    let loaded: LoadedFunctions;
    try {
      loaded = await loadPushedApp(app, this.hooks.bundleRoot, this.hooks.env, schemaOnly);
    } catch (err: any) {
      if (err instanceof PushError) throw new PushError(err.status, err.code, `Hit an error while pushing:\n${err.message}`);
      throw err;
    }
    const { runtime } = this.hooks;
    return runtime.lock.run(async () => ({
      app,
      loaded,
      schemaError: schemaOnly ? null : existingDataProblem(runtime, loaded),
      indexDiff: diffIndexes(runtime.loaded?.schema, loaded.schema),
    }));
  }

  private async evaluate(body: any) {
    const pending = await this.prepare(body, true);
    return { allocatedComponentIds: null, schemaIds: null, indexDiffs: { "": pending.indexDiff } };
  }

  /**
   * evaluate_schema (deploy_config2.rs; the CLI's deployApi/evaluateSchema.ts):
   * the pushed schemas alone are evaluated (no function module or
   * convex.config runs, nothing changes) and compared with the running ones:
   * the app's, and each pushed component definition's for every installed
   * instance of it. A definition with no instance yet is listed in
   * `newComponentDefinitions` (it has no tables to predict).
   */
  private async evaluateSchema(body: any) {
    const app = this.appOf(body);
    const { bundleRoot } = this.hooks;
    const appSchema = await evaluatedSchema(app.schema, () => loadPushedApp(app, bundleRoot, this.hooks.env, true).then((l) => l.schema), "");
    const byDefinition = new Map<string, unknown>();
    for (const c of app.components ?? []) {
      byDefinition.set(c.definitionPath, await evaluatedSchema(c.schema, () => loadComponentSchema(c, bundleRoot), ` in component definition ${c.definitionPath}`));
    }
    const { runtime } = this.hooks;
    return runtime.lock.run(async () => {
      const installed = [...(runtime.loaded?.components?.values() ?? [])];
      const evaluations: Record<string, unknown> = { "": schemaPrediction(runtime, "", "", runtime.loaded?.schema, appSchema) };
      for (const [definitionPath, schema] of byDefinition) {
        for (const instance of installed.filter((i) => i.definitionDir === definitionPath)) {
          evaluations[instance.path] = schemaPrediction(runtime, instance.path, definitionPath, instance.functions.schema, schema);
        }
      }
      return {
        componentSchemaEvaluations: evaluations,
        newComponentDefinitions: [...byDefinition.keys()].filter((dp) => !installed.some((i) => i.definitionDir === dp)),
      };
    });
  }

  private async startPush(body: any) {
    const pending = await this.prepare(body);
    const pushId = randomUUID();
    // Only the latest push can finish: an older one is a race, as on Convex.
    this.pending.clear();
    this.pending.set(pushId, pending);
    // AuthInfo (deployApi/types.ts): what auth.config.js configured, checked.
    const providers = pending.loaded.authProviders.map((p) =>
      p.type === "oidc" ? { applicationID: p.applicationID, domain: p.domain } : { type: "customJwt", issuer: p.issuer, jwks: p.jwks, algorithm: p.algorithm, ...(p.applicationID !== null ? { applicationID: p.applicationID } : {}) },
    );
    // The deployment's own URLs are not user variables (environment.ts lists neither).
    const { CONVEX_CLOUD_URL: _cloud, CONVEX_SITE_URL: _site, ...userEnv } = this.hooks.env;
    return startPushResponse(pushId, pending, userEnv, providers);
  }

  private pendingOf(schemaChange: any): Pending | null {
    const id = schemaChange?.schemaIds?.pushId;
    return typeof id === "string" ? (this.pending.get(id) ?? null) : null;
  }

  private waitForSchema(body: any) {
    const pending = this.pendingOf(body?.schemaChange);
    if (!pending) return { type: "raceDetected" };
    if (pending.schemaError) return { type: "failed", ...pending.schemaError };
    return { type: "complete" };
  }

  private async finishPush(body: any) {
    const pending = this.pendingOf(body?.startPush?.schemaChange);
    if (!pending) throw new PushError(400, "RaceDetected", "Hit an error while pushing:\nSchema was overwritten by another push.");
    const empty = { authDiff: { added: [], removed: [] }, definitionDiffs: {}, componentDiffs: {} };
    if (body?.dryRun === true) return empty;
    const { runtime } = this.hooks;
    const before = runtime.loaded;
    await runtime.lock.run(async () => {
      // Documents written since start_push are checked again: a refusal keeps the old functions serving.
      const problem = existingDataProblem(runtime, pending.loaded);
      if (problem) throw new PushError(400, "SchemaValidationFailed", `Hit an error while pushing:\nSchema validation failed.\n${problem.error}`);
      try {
        await this.hooks.install(pending.loaded);
      } catch (err: any) {
        // runtime.setFunctions refuses (a bad vector index, say) before it changes anything.
        throw new PushError(400, "InvalidSchema", `Hit an error while pushing:\n${err?.message ?? err}`);
      }
      this.save(pending.app);
    });
    this.pending.clear();
    const names = (l: LoadedFunctions | null) => new Set([...(l?.modules.keys() ?? [])].filter((n) => n !== "schema").map((n) => `${n}.js`));
    const was = names(before);
    const now = names(pending.loaded);
    const cronNames = (l: LoadedFunctions | null) => new Set(Object.keys(l?.crons?.crons ?? {}));
    const oldCrons = cronNames(before);
    const newCrons = cronNames(pending.loaded);
    this.hooks.log(`[INFO] installed pushed functions (${now.size} modules)`);
    return {
      ...empty,
      componentDiffs: {
        "": {
          diffType: { type: before ? "modify" : "create" },
          moduleDiff: { added: [...now].filter((n) => !was.has(n)), removed: [...was].filter((n) => !now.has(n)) },
          udfConfigDiff: null,
          cronDiff: { added: [...newCrons].filter((n) => !oldCrons.has(n)), updated: [...newCrons].filter((n) => oldCrons.has(n)), deleted: [...oldCrons].filter((n) => !newCrons.has(n)) },
          indexDiff: pending.indexDiff,
          schemaDiff: null,
        },
        ...componentDiffs(before, pending.loaded),
      },
    };
  }
}

/** Installed and unmounted component instances, as ComponentDiff (the CLI prints "Installed component <path>."). */
function componentDiffs(before: LoadedFunctions | null, after: LoadedFunctions): Record<string, unknown> {
  const was = new Set(before?.components?.keys() ?? []);
  const now = new Set(after.components?.keys() ?? []);
  const diff = (type: string, modules: string[], removed: string[]) => ({
    diffType: { type },
    moduleDiff: { added: modules, removed },
    udfConfigDiff: null,
    cronDiff: { added: [], updated: [], deleted: [] },
    indexDiff: { added_indexes: [], removed_indexes: [] },
    schemaDiff: null,
  });
  const modulesOf = (l: LoadedFunctions | undefined) => [...(l?.modules.keys() ?? [])].filter((n) => n !== "schema").map((n) => `${n}.js`);
  const out: Record<string, unknown> = {};
  for (const p of now) if (!was.has(p)) out[p] = diff("create", modulesOf(after.components!.get(p)!.functions), []);
  for (const p of was) if (!now.has(p)) out[p] = diff("unmount", [], modulesOf(before!.components!.get(p)!.functions));
  return out;
}

/** A module of the request (path and source), or null. */
function moduleOrNull(m: any): ModuleConfig | null {
  if (!m || typeof m.path !== "string" || typeof m.source !== "string") return null;
  return { path: m.path, source: m.source, ...(typeof m.sourceMap === "string" ? { sourceMap: m.sourceMap } : {}), environment: m.environment === "node" ? "node" : "isolate" };
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
  return true;
}
