import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";

// convex/_generated is committed: it must be exactly what `npm run codegen`
// writes for the current convex/ folder, or the typed api lies. It runs in a
// copy of the project, so that other tests bundling convex/ meanwhile never
// see a half-written _generated.

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));

test("npm run codegen leaves the committed convex/_generated unchanged", () => {
  const copy = mkdtempSync(join(tmpdir(), "parley-codegen-"));
  try {
    cpSync(resolve("convex"), join(copy, "convex"), { recursive: true });
    cpSync(resolve("package.json"), join(copy, "package.json"));
    symlinkSync(resolve("node_modules"), join(copy, "node_modules"), "dir");
    const env = { ...process.env, CONVEX_TELEMETRY_DISABLED: "1" };
    // The two steps of `npm run codegen`: Convex's own, then the components of convex/convex.config.ts.
    execFileSync(resolve("node_modules/.bin/convex"), ["codegen", "--system-udfs", "--typecheck", "disable"], { cwd: copy, stdio: "pipe", env });
    execFileSync(resolve("node_modules/.bin/tsx"), [resolve("src/local-backend/components-codegen.ts"), join(copy, "convex")], { cwd: copy, stdio: "pipe", env });
    expect(snapshot(join(copy, "convex", "_generated"))).toEqual(snapshot(resolve("convex/_generated")));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}, 120_000);
