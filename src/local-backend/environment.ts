// The deployment's environment variables, as the Convex CLI manages them
// (`npx convex env set|get|list|remove`): `POST /api/update_environment_variables`
// with `{ changes: [{ name, value | null }] }`, and the system queries
// `_system/cli/queryEnvironmentVariables` (all, as `{ name, value }[]`) and
// `…:get` (`{ name }` → one or null), all for the admin key only.
//
// The variables a launcher passes (`startLocalBackend({ env })`) are the
// defaults; what the admin API changes is kept in the data directory and wins
// over them on the next start, as a deployment's own settings would. Functions
// see a change at once: modules are loaded again (module top levels and
// auth.config.ts read process.env there) and subscribed queries re-run.
import { systemQuery } from "./cli-functions.js";
import type { RegisteredFunction } from "./modules.js";
import type { Store } from "./store.js";

/** Convex's rules for a variable (docs.convex.dev/production/environment-variables). */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_NAME_LENGTH = 40;
const MAX_VALUE_BYTES = 8 * 1024;
const MAX_VARIABLES = 100;
const META_KEY = "environment_variables";
/** Set by the deployment itself: listed by no one, changed by no one. */
const BUILT_IN = new Set(["CONVEX_CLOUD_URL", "CONVEX_SITE_URL"]);

export type EnvChange = { name: string; value: string | null };

/** Why a batch of changes cannot be made, in words; null when it can. */
export function changesProblem(changes: unknown, current: Record<string, string>): string | null {
  if (!Array.isArray(changes)) return "Expected `changes`: a list of { name, value } (value null to remove).";
  const next = { ...current };
  for (const change of changes) {
    const name = (change as EnvChange | null)?.name;
    const value = (change as EnvChange | null)?.value;
    if (typeof name !== "string" || !NAME.test(name)) {
      return `Invalid environment variable name ${JSON.stringify(name)}: it must start with a letter and contain only letters, numbers and underscores.`;
    }
    if (name.length > MAX_NAME_LENGTH) return `Environment variable name ${name} is longer than ${MAX_NAME_LENGTH} characters.`;
    if (BUILT_IN.has(name)) return `${name} is set by the deployment itself and cannot be changed.`;
    if (value !== null && typeof value !== "string") return `The value of ${name} must be a string (or null to remove it).`;
    if (typeof value === "string" && Buffer.byteLength(value) > MAX_VALUE_BYTES) return `The value of ${name} is larger than 8 KB.`;
    if (value === null) delete next[name];
    else next[name] = value;
  }
  if (Object.keys(next).filter((n) => !BUILT_IN.has(n)).length > MAX_VARIABLES) return `A deployment has at most ${MAX_VARIABLES} environment variables.`;
  return null;
}

/** What the admin API set (a value) or removed (null) before: applied over the launcher's defaults at start. */
export function loadSavedChanges(store: Store): Record<string, string | null> {
  const saved = store.getMeta(META_KEY);
  return saved ? (JSON.parse(saved) as Record<string, string | null>) : {};
}

/** Applies `changes` to `env` (the object functions read as process.env) and records them with the saved ones. */
export function applyChanges(store: Store, env: Record<string, string>, changes: EnvChange[]): void {
  const saved = loadSavedChanges(store);
  for (const { name, value } of changes) {
    if (value === null) delete env[name];
    else env[name] = value;
    saved[name] = value;
  }
  store.setMeta(META_KEY, JSON.stringify(saved));
}

/** Applies what was saved over the launcher's defaults, at start. */
export function applySaved(store: Store, env: Record<string, string>): void {
  for (const [name, value] of Object.entries(loadSavedChanges(store))) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
}

/** The system functions of this module, by canonical path; the admin key only. */
export function environmentSystemFunctions(env: Record<string, string>): Map<string, RegisteredFunction> {
  const list = () =>
    Object.keys(env)
      .filter((name) => !BUILT_IN.has(name))
      .sort()
      .map((name) => ({ name, value: env[name]! }));
  return new Map([
    ["_system/cli/queryEnvironmentVariables:default", systemQuery(() => list())],
    [
      "_system/cli/queryEnvironmentVariables:get",
      systemQuery((args: { name?: unknown }) => (typeof args.name === "string" && args.name in env && !BUILT_IN.has(args.name) ? { name: args.name, value: env[args.name]! } : null)),
    ],
  ]);
}
