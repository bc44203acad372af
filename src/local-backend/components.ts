// Convex components (`convex.config.ts`, `app.use(component)`): the tree of
// component instances, each with its own bundle of functions, schema, tables,
// scheduler and environment, and the naming that keeps them apart.
//
// Names. The app (the root component, path "") keeps every name it had before
// components existed. A component instance has a path ("rateLimiter",
// "rateLimiter/batchWorker"); its functions are addressed internally as
// "<path>@<module>:<export>" and its tables are stored as "<table>@<path>".
// Neither "@" nor "/" can appear in a Convex module path or table name, so
// these names never collide with the app's, nor with another component's.
import { build, type Plugin } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { makePrivate } from "./file-modes.js";
import { fallbackNodePaths, type HttpRouterLike, type LoadedFunctions, type RegisteredFunction } from "./modules.js";

export const ROOT = "";

/** One installed component: `app.use(definition, { name })`, or a component's own `use`. */
export type LoadedComponent = {
  /** "rateLimiter", "rateLimiter/batchWorker". */
  path: string;
  /** The directory of its `convex.config.(ts|js)`: its functions folder. */
  definitionDir: string;
  /** The `defineComponent(name)` name. */
  definitionName: string;
  functions: LoadedFunctions;
  /** The environment its functions see: only the variables it declares, as its parent passed them. */
  env: Record<string, string>;
  /** Child instance name → path. */
  children: Map<string, string>;
  /** `use(component, { httpPrefix })`: where its http.ts is served inside its parent's routes ("/files/"). */
  httpMount?: string;
  /** That path from the site's root: its parent's prefix, then its mount. */
  httpPrefix?: string;
};

const PATH_SEGMENT = /^[A-Za-z0-9_]+$/;
const QUALIFIED = /^([A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)@(.*)$/s;

// ---- names ------------------------------------------------------------------------

/** The internal address of a function of `component` ("" = the app, whose names are unchanged). */
export function qualify(component: string, udfPath: string): string {
  return component === ROOT ? udfPath : `${component}@${udfPath}`;
}

/** "rateLimiter@lib:rateLimit" → component "rateLimiter", udfPath "lib:rateLimit"; anything else is the app's. */
export function splitQualified(name: string): { component: string; udfPath: string } {
  const m = QUALIFIED.exec(name);
  return m ? { component: m[1], udfPath: m[2] } : { component: ROOT, udfPath: name };
}

/** The stored name of `component`'s table `table` (a name from function code: one with "@" would reach into a component's tables). */
export function tableIn(component: string, table: string): string {
  if (typeof table === "string" && table.includes("@")) {
    throw new Error(`InvalidTableName: Invalid table name: "${table}". Identifiers must start with a letter and can only contain letters, digits, and underscores.`);
  }
  return storedTableName(component, table);
}

/** The stored name of `component`'s table `table`, for a name already checked (a snapshot's, a schema's): `table` or `table@component`. */
export function storedTableName(component: string, table: string): string {
  return component === ROOT ? table : `${table}@${component}`;
}

/** A stored table name → the component it belongs to and its name there. */
export function splitTable(stored: string): { component: string; table: string } {
  const at = stored.indexOf("@");
  return at < 0 ? { component: ROOT, table: stored } : { component: stored.slice(at + 1), table: stored.slice(0, at) };
}

/** Index "table.index" of `component` → its stored name. */
export function indexIn(component: string, indexName: string): string {
  const dot = indexName.indexOf(".");
  if (component === ROOT) return dot < 0 ? indexName : `${tableIn(ROOT, indexName.slice(0, dot))}${indexName.slice(dot)}`;
  return dot < 0 ? indexName : `${tableIn(component, indexName.slice(0, dot))}${indexName.slice(dot)}`;
}

/** A serialized query (`1.0/queryStream`, `1.0/queryPage`) with its table or index renamed into `component`. */
export function queryIn(component: string, query: any): any {
  if (!query?.source) return query;
  if (component === ROOT) {
    // The app's names are its own: only check that none reaches into a component.
    if (typeof query.source.tableName === "string") tableIn(ROOT, query.source.tableName);
    if (typeof query.source.indexName === "string") indexIn(ROOT, query.source.indexName);
    return query;
  }
  const source = { ...query.source };
  if (typeof source.tableName === "string") source.tableName = tableIn(component, source.tableName);
  if (typeof source.indexName === "string") source.indexName = indexIn(component, source.indexName);
  return { ...query, source };
}

/**
 * `_scheduled_functions` documents name the function they run relative to
 * their component, as on Convex; a job scheduled (through a function handle)
 * for another component's function carries that component's path, and "@"
 * alone marks the app's.
 */
export function jobName(caller: string, target: string): string {
  const t = splitQualified(target);
  if (t.component === caller) return t.udfPath;
  return t.component === ROOT ? `@${t.udfPath}` : target;
}

/** The function a job of `component`'s `_scheduled_functions` runs (internal address). */
export function jobTarget(component: string, name: string): string {
  if (name.startsWith("@")) return name.slice(1);
  if (QUALIFIED.test(name)) return name;
  return qualify(component, name);
}

/**
 * `_reference/childComponent/<name>/<module path...>/<export>` relative to
 * the calling component → the internal address, or null when it names no
 * installed component.
 */
export function resolveReference(caller: string, reference: string, components: Map<string, LoadedComponent> | undefined): string | null {
  const parts = reference.split("/");
  if (parts[0] !== "_reference" || parts[1] !== "childComponent" || parts.length < 5) return null;
  const childName = parts[2];
  const childPath = caller === ROOT ? childName : `${caller}/${childName}`;
  if (!components?.has(childPath)) return null;
  const fnParts = parts.slice(3);
  return qualify(childPath, `${fnParts.slice(0, -1).join("/")}:${fnParts[fnParts.length - 1]}`);
}

// ---- loading ----------------------------------------------------------------------

const DEFINITION_FILES = ["convex.config.ts", "convex.config.js", "convex.config.mts", "convex.config.mjs"];

/** The `convex.config.*` of a folder, if any. */
export function definitionFile(dir: string): string | null {
  for (const name of DEFINITION_FILES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** What `defineApp()` / `defineComponent()` return at runtime (convex/server/components). */
export type RuntimeDefinition = {
  _isRoot: boolean;
  _name?: string;
  _env?: Record<string, { isOptional?: string }>;
  _childComponents: [string, { componentDefinitionPath: string; defaultName: string }, Record<string, unknown> | null, string | undefined][];
  /** `defineApp({ httpPrefix })`: the app's own http.ts routes are served under it. */
  _httpPrefix?: string;
};

// A component definition imported by another definition evaluates to what the
// Convex CLI makes of it (`{ componentDefinitionPath, defaultName }`): the
// bundles read it from here.
const importedDefinitions: Record<string, { componentDefinitionPath: string; defaultName: string }> = ((globalThis as any).__localBackendComponentDefs ??= {});

let definitionBuilds = 0;

/**
 * Evaluates a `convex.config.*` and, first, every component definition it
 * imports (depth first, so `use()` sees each child's `defaultName`). Returns
 * every definition by directory.
 */
async function evaluateDefinitions(
  file: string,
  outRoot: string,
  into: Map<string, RuntimeDefinition>,
  stack: string[] = [],
  /** Definition folder → the specifier its importer named it by ("@convex-dev/rate-limiter/convex.config.js"). */
  specifiers?: Map<string, string>,
): Promise<RuntimeDefinition> {
  const dir = path.dirname(file);
  const known = into.get(dir);
  if (known) return known;
  if (stack.includes(dir)) throw new Error(`Component definitions import each other in a cycle: ${[...stack, dir].join(" -> ")}`);
  const children = new Set<string>();
  const plugin: Plugin = {
    name: "local-backend-component-definitions",
    setup(b) {
      b.onResolve({ filter: /convex\.config/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData?.inner) return undefined;
        const candidates = [args.path];
        const ext = path.extname(args.path);
        if (ext === ".js") candidates.push(args.path.slice(0, -3) + ".ts");
        if (ext !== ".js" && ext !== ".ts") candidates.push(args.path + ".js", args.path + ".ts");
        for (const candidate of candidates) {
          const r = await b.resolve(candidate, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { inner: true } });
          if (r.errors.length > 0 || !r.path) continue;
          // Only a definition file that is its folder's own convex.config is a component.
          if (definitionFile(path.dirname(r.path)) !== r.path) return undefined;
          children.add(r.path);
          if (!specifiers?.has(path.dirname(r.path))) specifiers?.set(path.dirname(r.path), args.path);
          return { path: r.path, namespace: "local-backend-component" };
        }
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "local-backend-component" }, (args) => ({
        contents: `export default globalThis.__localBackendComponentDefs[${JSON.stringify(path.dirname(args.path))}];`,
        loader: "js",
      }));
    },
  };
  const outfile = path.join(outRoot, `definition-${++definitionBuilds}.mjs`);
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    conditions: ["convex", "module"],
    logLevel: "silent",
    nodePaths: fallbackNodePaths(),
    plugins: [plugin],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  for (const child of children) {
    const def = await evaluateDefinitions(child, outRoot, into, [...stack, dir], specifiers);
    importedDefinitions[path.dirname(child)] = { componentDefinitionPath: path.dirname(child), defaultName: def._name ?? path.basename(path.dirname(child)) };
  }
  const mod = await import(pathToFileURL(outfile).href);
  const def = mod.default as RuntimeDefinition | undefined;
  if (!def || !Array.isArray(def._childComponents)) {
    throw new Error(`${file} must export default defineApp() or defineComponent(name) from "convex/server".`);
  }
  into.set(dir, def);
  return def;
}

export type LoadBundle = (dir: string, env: Record<string, string>, component: string) => Promise<LoadedFunctions>;

/**
 * The component instances installed by the app's `convex.config.*` (none
 * without one), each bundled from its definition's folder with `loadBundle`.
 * `appEnv` is the deployment's environment, which `app.env.X` references read.
 */
export async function loadComponents(
  functionsDir: string,
  bundleDir: string,
  appEnv: Record<string, string>,
  loadBundle: LoadBundle,
): Promise<{ components: Map<string, LoadedComponent>; httpPrefix?: string }> {
  const out = new Map<string, LoadedComponent>();
  const appFile = definitionFile(functionsDir);
  if (!appFile) return { components: out };
  fs.mkdirSync(bundleDir, { recursive: true });
  const definitions = new Map<string, RuntimeDefinition>();
  const app = await evaluateDefinitions(appFile, bundleDir, definitions);
  makePrivate(bundleDir);
  if (!app._isRoot) throw new Error(`${appFile} must export default defineApp(), not defineComponent().`);
  const install = async (parent: RuntimeDefinition, parentPath: string, parentEnv: Record<string, string>, depth: number) => {
    if (depth > 16) throw new Error("Components are nested more than 16 deep; do they use each other in a cycle?");
    const names = new Set<string>();
    const children = new Map<string, string>();
    for (const [name, imported, envArgs, httpPrefix] of parent._childComponents) {
      if (!PATH_SEGMENT.test(name)) throw new Error(`Component name "${name}" must contain only letters, digits and underscores.`);
      if (names.has(name)) throw new Error(`Component "${name}" is used twice in ${parentPath === ROOT ? "the app" : `component ${parentPath}`}: give one of them another name with use(component, { name }).`);
      names.add(name);
      const dir = imported.componentDefinitionPath;
      const def = definitions.get(dir);
      if (!def) throw new Error(`Component definition not found for "${name}" (${dir}).`);
      const instancePath = parentPath === ROOT ? name : `${parentPath}/${name}`;
      const mount = httpMountOf(instancePath, httpPrefix, out.get(parentPath));
      const env = { ...componentEnv(instancePath, def, envArgs ?? {}, parentEnv), ...systemEnv(appEnv, mount?.httpPrefix) };
      const functions = await loadBundle(dir, env, instancePath);
      out.set(instancePath, { path: instancePath, definitionDir: dir, definitionName: def._name ?? name, functions, env, children: new Map(), ...mount });
      children.set(name, instancePath);
      await install(def, instancePath, env, depth + 1);
    }
    if (parentPath !== ROOT) out.get(parentPath)!.children = children;
  };
  await install(app, ROOT, appEnv, 0);
  return { components: out, ...(app._httpPrefix !== undefined ? { httpPrefix: mountPath(app._httpPrefix, "defineApp") } : {}) };
}

/** The variables a component declares (`defineComponent(name, { env })`), valued as its parent's `use()` passed them. */
export function componentEnv(instancePath: string, def: RuntimeDefinition, args: Record<string, unknown>, parentEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const declared = def._env ?? {};
  for (const [key, value] of Object.entries(args)) {
    if (!(key in declared)) throw new Error(`Component ${instancePath} does not declare an env var "${key}".`);
    if (typeof value === "string") env[key] = value;
    else if (value && typeof value === "object" && typeof (value as { __envVarRef?: unknown }).__envVarRef === "string") {
      const ref = (value as { __envVarRef: string }).__envVarRef;
      if (parentEnv[ref] !== undefined) env[key] = parentEnv[ref];
    }
  }
  for (const [key, validator] of Object.entries(declared)) {
    if (env[key] === undefined && validator?.isOptional !== "optional") {
      throw new Error(`Component ${instancePath} requires the env var "${key}": pass it with use(component, { env: { ${key}: ... } }).`);
    }
  }
  return env;
}

/** The components the app's `convex.config.*` installs directly (for codegen, components-codegen.ts); none without one. */
export async function appComponents(functionsDir: string, outDir: string): Promise<{ name: string; definitionDir: string; specifier: string; definitionName: string }[]> {
  const appFile = definitionFile(functionsDir);
  if (!appFile) return [];
  fs.mkdirSync(outDir, { recursive: true });
  const definitions = new Map<string, RuntimeDefinition>();
  const specifiers = new Map<string, string>();
  const app = await evaluateDefinitions(appFile, outDir, definitions, [], specifiers);
  return app._childComponents.map(([name, imported]) => ({
    name,
    definitionDir: imported.componentDefinitionPath,
    specifier: specifiers.get(imported.componentDefinitionPath) ?? imported.componentDefinitionPath,
    definitionName: definitions.get(imported.componentDefinitionPath)?._name ?? name,
  }));
}

/**
 * The crons of the app's `crons.ts` and of every component's (a component's
 * cron runs its own function, its id prefixed with the component's path).
 * Without components, the app's crons object as is.
 */
export function allCrons(loaded: LoadedFunctions): any {
  if (!loaded.components || loaded.components.size === 0) return loaded.crons;
  const crons: Record<string, any> = { ...(loaded.crons?.crons ?? {}) };
  for (const c of loaded.components.values()) {
    for (const [id, cron] of Object.entries<any>(c.functions.crons?.crons ?? {})) crons[`${c.path}/${id}`] = { ...cron, name: qualify(c.path, cron.name) };
  }
  return { crons };
}

// ---- HTTP routes of components ----------------------------------------------------
// `app.use(component, { httpPrefix: "/files/" })` serves the component's own
// http.ts under that path, as Convex does (its deploy's checks, and its router:
// application_function_runner/http_routing.rs in convex-backend). The prefix is
// stripped before the component's routes match; a component's mounts are
// inside its own; between a parent's prefix routes and its mounts the longest
// prefix wins; `defineApp({ httpPrefix })` moves the app's own routes (not its
// mounts) under a prefix. A component's function sees the deployment's URLs, as
// every Convex function does, its CONVEX_SITE_URL ending in its prefix.

/** A `use()`'s or `defineApp()`'s httpPrefix as Convex's deploy takes it: "/…/" (the last "/" added), with no "*" or query. */
export function mountPath(raw: unknown, where: string): string {
  if (typeof raw !== "string" || !raw.startsWith("/")) {
    throw new Error(`httpPrefix of ${where} must start with "/": got ${JSON.stringify(raw)}.`);
  }
  const mount = raw.endsWith("/") ? raw : `${raw}/`;
  if (/[*?#\s]/.test(mount)) throw new Error(`httpPrefix of ${where} must be a plain path (no "*", "?", "#" or spaces): got ${JSON.stringify(raw)}.`);
  return mount;
}

/** Where `instancePath` is served: its mount in its parent, and that path from the site's root (none without httpPrefix). */
export function httpMountOf(instancePath: string, raw: string | undefined, parent: LoadedComponent | undefined): { httpMount: string; httpPrefix: string } | undefined {
  if (raw === undefined) return undefined;
  const httpMount = mountPath(raw, `component ${instancePath}`);
  return { httpMount, httpPrefix: parent?.httpPrefix ? `${parent.httpPrefix.replace(/\/+$/, "")}${httpMount}` : httpMount };
}

/** The variables every function sees, components' too: the deployment's URLs, the site's under the component's prefix. */
export function systemEnv(appEnv: Record<string, string>, httpPrefix?: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (appEnv.CONVEX_CLOUD_URL !== undefined) env.CONVEX_CLOUD_URL = appEnv.CONVEX_CLOUD_URL;
  const site = appEnv.CONVEX_SITE_URL;
  if (site !== undefined) env.CONVEX_SITE_URL = httpPrefix ? `${site.replace(/\/+$/, "")}${httpPrefix.replace(/\/+$/, "")}` : site;
  return env;
}

type RouterWithRoutes = HttpRouterLike & { getRoutes?: () => readonly (readonly [string, string, unknown])[] };

function routesOf(router: HttpRouterLike | null | undefined): readonly (readonly [string, string, unknown])[] {
  return (router as RouterWithRoutes | null | undefined)?.getRoutes?.() ?? [];
}

/** Child instance paths of `parent` ("" = the app) that are served over HTTP. */
function mountedChildren(components: Map<string, LoadedComponent>, parent: string): LoadedComponent[] {
  const out: LoadedComponent[] = [];
  for (const c of components.values()) {
    if (c.httpMount === undefined) continue;
    const at = c.path.lastIndexOf("/");
    if ((at < 0 ? ROOT : c.path.slice(0, at)) === parent) out.push(c);
  }
  return out;
}

/**
 * Refuses what Convex's deploy refuses (a TypecheckError): a mount onto a
 * component without HTTP routes, two mounts on one path, or a mount on the
 * path of one of the parent's own prefix routes.
 */
export function checkHttpMounts(appRouter: HttpRouterLike | null, components: Map<string, LoadedComponent>): void {
  for (const parent of [ROOT, ...components.keys()]) {
    const router = parent === ROOT ? appRouter : components.get(parent)!.functions.httpRouter;
    const prefixes = new Set(routesOf(router).map(([p]) => p).filter((p) => p.endsWith("*")).map((p) => (p === "*" ? "/" : p.slice(0, -1))));
    const taken = new Set<string>();
    for (const child of mountedChildren(components, parent)) {
      const mount = child.httpMount!;
      const name = child.path.slice(child.path.lastIndexOf("/") + 1);
      if (routesOf(child.functions.httpRouter).length === 0) {
        throw new Error(`TypecheckError: HTTP mount "${mount}" is invalid: Child component "${name}" doesn't have any HTTP routes.`);
      }
      if (prefixes.has(mount)) throw new Error(`TypecheckError: HTTP mount "${mount}" is invalid: Overlap with existing prefix route`);
      if (taken.has(mount)) throw new Error(`TypecheckError: HTTP mount "${mount}" is invalid: Overlap with previously mounted route`);
      taken.add(mount);
    }
  }
}

/** The HTTP action a request reaches: the component serving it ("" = the app), the action, and the route it matched. */
export type HttpTarget = { component: string; fn: RegisteredFunction; method: string; route: string };

/** Routes `pathname` as Convex does, through the app's routes and its components' mounts; null when nothing serves it. */
export function routeHttp(loaded: LoadedFunctions, pathname: string, method: string): HttpTarget | null {
  const components = loaded.components ?? new Map<string, LoadedComponent>();
  let component = ROOT;
  let routed = pathname;
  for (let depth = 0; depth <= 17; depth++) {
    const router = component === ROOT ? loaded.httpRouter : components.get(component)?.functions.httpRouter ?? null;
    const mounts = mountedChildren(components, component);
    // The app's own routes may sit under defineApp's prefix; its mounts never do.
    const prefix = component === ROOT ? loaded.httpPrefix : undefined;
    const own = prefix === undefined ? routed : routed.startsWith(prefix) ? `/${routed.slice(prefix.length)}` : null;
    const hit = own !== null && router ? router.lookup(own, method) : null;
    if (hit && !hit[2].endsWith("*")) return { component, fn: hit[0], method: hit[1], route: hit[2] };
    // The most specific prefix: the router's (its length without the "*") or a mount's.
    let best: { length: number; mount?: LoadedComponent } | undefined = hit ? { length: (prefix?.length ?? 1) - 1 + hit[2].length - 1 } : undefined;
    for (const m of mounts) {
      if (routed.startsWith(m.httpMount!) && (!best || m.httpMount!.length >= best.length)) best = { length: m.httpMount!.length, mount: m };
    }
    if (!best) return null;
    if (!best.mount) return { component, fn: hit![0], method: hit![1], route: hit![2] };
    routed = `/${routed.slice(best.mount.httpMount!.length)}`;
    component = best.mount.path;
  }
  return null;
}
