// Bundles a Convex functions folder with esbuild the way the Convex CLI does
// (one entry per module, imports from outside the folder inlined) and imports
// the result, so user code and the `convex` package's own server code run
// unchanged on top of our syscalls.
import { build, type Metafile } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { parseAuthConfig, type AuthProvider } from "./auth/config.js";
import { makePrivate } from "./file-modes.js";
import { checkHttpMounts, loadComponents, type LoadedComponent } from "./components.js";

// A functions folder outside this project (or without its own node_modules)
// still resolves `convex` and friends from here.
export function fallbackNodePaths(): string[] {
  const paths = [path.resolve("node_modules")];
  try {
    const convexPkg = createRequire(import.meta.url).resolve("convex/package.json");
    paths.push(path.resolve(path.dirname(convexPkg), ".."));
  } catch {
    /* convex resolves from the functions folder itself */
  }
  return [...new Set(paths)];
}

export type FunctionKind = "query" | "mutation" | "action" | "httpAction";

export type RegisteredFunction = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  invokeQuery?: (argsJson: string) => Promise<string>;
  invokeMutation?: (argsJson: string) => Promise<string>;
  invokeAction?: (requestId: string, argsJson: string) => Promise<string>;
  invokeHttpAction?: (request: Request) => Promise<Response>;
  exportArgs?: () => string;
  exportReturns?: () => string;
};

export type LoadedFunctions = {
  modules: Map<string, Record<string, unknown>>;
  /** The default export of `schema.ts`, if any. */
  schema: any | null;
  /** The default export of `crons.ts`, if any. */
  crons: any | null;
  /** The router of `http.ts` (its HTTP actions), if any. */
  httpRouter: HttpRouterLike | null;
  /** The providers of `auth.config.ts`; none without one. */
  authProviders: AuthProvider[];
  /** Every source file that went into the bundle (for watching). */
  inputs: string[];
  /** The component instances of `convex.config.ts` by path (components.ts); empty without one. */
  components?: Map<string, LoadedComponent>;
  /** `defineApp({ httpPrefix })`: the path the app's own http.ts routes are served under. */
  httpPrefix?: string;
};

/** What the site server needs of an `HttpRouter` from convex/server. */
export type HttpRouterLike = { isRouter: true; lookup(path: string, method: string): readonly [RegisteredFunction, string, string] | null };

const ENTRY_RE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
const AUTH_CONFIG = "auth.config";

/** `auth.config.ts` (or .js): bundled like a module, though the CLI's module list skips `*.config.*` files. */
function authConfigFile(functionsDir: string): string | null {
  for (const ext of ["ts", "js", "mjs", "mts", "cjs", "cts"]) {
    const file = path.join(functionsDir, `${AUTH_CONFIG}.${ext}`);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function listEntryPoints(functionsDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (ent.name.startsWith(".") || ent.name.startsWith("#")) continue;
      const full = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (ent.name === "_generated" || ent.name === "node_modules") continue;
        walk(full);
      } else if (
        ENTRY_RE.test(ent.name) &&
        !ent.name.endsWith(".d.ts") &&
        !/\.(test|spec)\.[a-z]+$/.test(ent.name) &&
        !/\.config\.[a-z]+$/.test(ent.name) &&
        ent.name.split(".").length === 2
      ) {
        out.push(full);
      }
    }
  };
  walk(functionsDir);
  return out.sort();
}

let buildCounter = 0;

// Functions see only their own environment variables: every bundle shadows
// `process` with a proxy whose `env` is the backend's function env.
const envRegistry: Record<string, string>[] = ((globalThis as any).__localBackendEnvs ??= []);

// A component's functions see only its own variables, under its instance path (reused across reloads).
const componentEnvs = new Map<string, Record<string, string>>();

export async function loadFunctions(
  functionsDir: string,
  bundleRoot: string,
  env: Record<string, string> = {},
  /** Set when bundling a component's folder (its instance path): no auth config or HTTP router of its own. */
  component?: string,
): Promise<LoadedFunctions> {
  if (component !== undefined) {
    const own = componentEnvs.get(component) ?? {};
    for (const k of Object.keys(own)) delete own[k];
    env = Object.assign(own, env);
    componentEnvs.set(component, own);
  }
  let envId = envRegistry.indexOf(env);
  if (envId < 0) envId = envRegistry.push(env) - 1;
  const absDir = path.resolve(functionsDir);
  if (!fs.existsSync(absDir)) throw new Error(`Functions folder not found: ${absDir}`);
  const authConfig = component === undefined ? authConfigFile(absDir) : null;
  const entries = [...listEntryPoints(absDir), ...(authConfig ? [authConfig] : [])];
  const outdir = path.join(bundleRoot, `${Date.now()}-${process.pid}-${++buildCounter}`);
  const result = await build({
    entryPoints: entries,
    outbase: absDir,
    outdir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    splitting: true,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    nodePaths: fallbackNodePaths(),
    logLevel: "silent",
    sourcemap: "inline",
    // Components' generated `env` reads `globalThis.process.env`: give them their own variables, not the host's.
    ...(component !== undefined ? { conditions: ["convex", "module"], define: { "globalThis.process": "process" } } : {}),
    // Node built-ins stay external; everything else (including `convex`) is inlined.
    banner: {
      js:
        "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);\n" +
        "const Convex = globalThis.__localBackendConvex;\n" +
        `const process = new Proxy(globalThis.process, { get(t, k) { return k === "env" ? globalThis.__localBackendEnvs[${envId}] : Reflect.get(t, k); } });`,
    },
  });
  // A folder with no modules of its own (an app that is only its convex.config and components) builds nothing.
  fs.mkdirSync(outdir, { recursive: true });
  makePrivate(outdir);
  const modules = new Map<string, Record<string, unknown>>();
  for (const entry of entries) {
    const rel = path.relative(absDir, entry).replace(/\\/g, "/").replace(ENTRY_RE, "");
    const file = path.join(outdir, rel + ".mjs");
    modules.set(rel, (await import(pathToFileURL(file).href)) as Record<string, unknown>);
  }
  cleanupOldBundles(bundleRoot, path.basename(outdir));
  const mod = (name: string) => (modules.get(name)?.default as any) ?? null;
  const authProviders = parseAuthConfig(mod(AUTH_CONFIG));
  modules.delete(AUTH_CONFIG);
  // A component's http.ts is served where its parent mounts it (components.ts routeHttp).
  const router = mod("http");
  const httpRouter = router?.isRouter ? router : null;
  const inputs = metafileInputs(result.metafile);
  const tree =
    component === undefined
      ? await loadComponents(absDir, path.join(outdir, ".components"), env, (dir, componentEnv, instance) =>
          loadFunctions(dir, path.join(outdir, ".components"), componentEnv, instance),
        )
      : undefined;
  if (tree) checkHttpMounts(httpRouter, tree.components);
  for (const c of tree?.components.values() ?? []) inputs.push(...c.functions.inputs);
  return {
    modules,
    schema: mod("schema"),
    crons: mod("crons"),
    httpRouter,
    authProviders,
    inputs: [...new Set(inputs)],
    ...(tree ? { components: tree.components } : {}),
    ...(tree?.httpPrefix !== undefined ? { httpPrefix: tree.httpPrefix } : {}),
  };
}

function metafileInputs(meta: Metafile | undefined): string[] {
  if (!meta) return [];
  return Object.keys(meta.inputs)
    .filter((p) => !p.includes("node_modules"))
    .map((p) => path.resolve(p));
}

function cleanupOldBundles(root: string, keep: string) {
  for (const name of fs.readdirSync(root)) {
    if (name === keep) continue;
    try {
      // Keep a few recent builds: modules already imported stay in memory anyway.
      const full = path.join(root, name);
      if (Date.now() - fs.statSync(full).mtimeMs > 60_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      /* another process may be cleaning too */
    }
  }
}

/** "dir/file:name", "dir/file.js:name" or "dir/file" -> module and export. */
export function parseUdfPath(udfPath: string): { module: string; exportName: string; canonical: string } {
  const [modPart, exportName = "default"] = udfPath.split(":");
  const module = modPart.replace(/\.(js|ts|jsx|tsx|mjs)$/, "");
  return { module, exportName, canonical: `${module}:${exportName}` };
}

export function lookupFunction(loaded: LoadedFunctions, udfPath: string): RegisteredFunction | null {
  const { module, exportName } = parseUdfPath(udfPath);
  const mod = loaded.modules.get(module);
  const fn = mod?.[exportName] as RegisteredFunction | undefined;
  if (!fn || (typeof fn !== "function" && typeof fn !== "object")) return null;
  if (!fn.isQuery && !fn.isMutation && !fn.isAction && !fn.isHttp) return null;
  return fn;
}

export function kindOf(fn: RegisteredFunction): FunctionKind {
  if (fn.isQuery) return "query";
  if (fn.isMutation) return "mutation";
  if (fn.isAction) return "action";
  return "httpAction";
}
