// The one-way imports of the layout (docs/architecture.md): the engine
// (src/negotiation) imports nothing of ours outside itself, and convex/ knows
// nothing of Mastra, the CLI, the embedded backend or the dashboard. Read from
// the sources' own import statements, so a new file is covered as soon as it
// exists.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The repository paths a file imports by relative specifier (static imports, re-exports and dynamic imports). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

it("src/negotiation imports nothing of ours outside itself", () => {
  const files = sources("src/negotiation");
  expect(files.length).toBeGreaterThan(10);
  const outside = files.flatMap((file) => relativeImports(file).filter((to) => !to.startsWith("src/negotiation/")).map((to) => `${relative(ROOT, file)} → ${to}`));
  expect(outside).toEqual([]);
});

it("convex/ imports neither Mastra, the CLI, the embedded backend nor the dashboard", () => {
  const files = sources("convex").filter((f) => !f.includes("/_generated/"));
  expect(files.length).toBeGreaterThan(10);
  const forbidden = ["src/mastra", "src/cli", "src/local-backend", "web"];
  const crossings = files.flatMap((file) =>
    relativeImports(file)
      .filter((to) => forbidden.some((f) => to === f || to.startsWith(`${f}/`)))
      .map((to) => `${relative(ROOT, file)} → ${to}`),
  );
  expect(crossings).toEqual([]);
});
