import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";

// convex/_generated is committed: it must be exactly what `npm run codegen`
// writes for the current convex/ folder, or the typed api lies.

const dir = resolve("convex/_generated");
const snapshot = () => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));

test("npm run codegen leaves the committed convex/_generated unchanged", () => {
  const before = snapshot();
  execFileSync(resolve("node_modules/.bin/convex"), ["codegen", "--system-udfs", "--typecheck", "disable"], {
    stdio: "pipe",
    env: { ...process.env, CONVEX_TELEMETRY_DISABLED: "1" },
  });
  expect(snapshot()).toEqual(before);
}, 120_000);
