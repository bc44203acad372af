import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLocalBackend, type LocalBackend, type LocalBackendOptions } from "../../src/local-backend/index.js";
import { waitFor } from "../helpers/wait.js";

export const FIXTURE = path.resolve(__dirname, "fixture/convex");

export function tempDir(prefix = "lb-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startFixture(opts: LocalBackendOptions = {}): Promise<LocalBackend & { dataDir: string; lines: string[] }> {
  const dataDir = opts.dataDir ?? tempDir();
  const lines: string[] = [];
  const backend = await startLocalBackend({ port: 0, functionsDir: FIXTURE, dataDir, log: (l) => lines.push(l), ...opts });
  return Object.assign(backend, { dataDir, lines });
}

/** Resolves once `predicate` holds, polling; fails after `ms`. */
export async function until(predicate: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  await waitFor(what, async () => ((await predicate()) ? true : undefined), ms, 10);
}

/** The embedded backend on a small app of its own: `files` (name → source) written into a temp functions folder. */
export async function startApp(files: Record<string, string>, prefix = "lb-app-", opts: LocalBackendOptions = {}) {
  const dir = path.join(tempDir(prefix), "convex");
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), source);
  return Object.assign(await startFixture({ functionsDir: dir, ...opts }), { functionsDir: dir });
}
