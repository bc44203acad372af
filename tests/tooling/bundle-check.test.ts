import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";

// The check that npm test runs on convex/ must actually catch a Node-only import.

function check(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "parley-bundle-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return spawnSync(resolve("node_modules/.bin/tsx"), ["scripts/check-convex-bundle.ts", dir], { encoding: "utf8" });
}

test("a module importing node:fs, or marked \"use node\", fails the check and is named", () => {
  const result = check({
    "clean.ts": "export const ok = () => 1;\n",
    "reads.ts": 'import { readFileSync } from "node:fs";\nexport const f = () => readFileSync("x");\n',
    "action.ts": '"use node";\nexport const g = () => 2;\n',
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/reads\.ts: imports Node-only "node:fs"/);
  expect(result.stderr).toMatch(/action\.ts: imports Node-only ""use node" directive"/);
  expect(result.stderr).not.toMatch(/clean\.ts/);
});

test("a folder without Node-only imports passes", () => {
  const result = check({ "clean.ts": "export const ok = () => 1;\n" });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/1 convex\/ modules bundle/);
});
