// Bundles every function module of convex/ the way Convex's default runtime sees
// it (no Node APIs) and fails, naming the file, on any Node-only import: if this
// passes, `npx convex deploy` accepts convex/ unchanged.
import { builtinModules } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
// The folder to check: convex/ by default; another one in this script's own test.
const convexDir = path.resolve(process.argv[2] ?? path.join(root, "convex"));
const nodeOnly = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

const entries = readdirSync(convexDir)
  .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith(".d.ts"))
  .map((file) => path.join(convexDir, file));

type Violation = { entry: string; importer: string; module: string };

function forbidNode(entry: string, violations: Violation[]): Plugin {
  return {
    name: "forbid-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split("/")[0]!;
        if (!nodeOnly.has(args.path) && !nodeOnly.has(bare) && !args.path.startsWith("node:")) return undefined;
        violations.push({ entry, importer: path.relative(root, args.importer), module: args.path });
        return { path: args.path, external: true };
      });
    },
  };
}

async function check(entry: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  if (/^\s*["']use node["']/m.test(readFileSync(entry, "utf8"))) {
    violations.push({ entry, importer: path.relative(root, entry), module: '"use node" directive' });
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    // As the Convex CLI bundles for its default runtime (convex/src/cli/lib/config.ts):
    // platform "browser", so packages such as jose resolve to their Web Crypto build.
    platform: "browser",
    format: "esm",
    conditions: ["convex", "module"],
    target: "es2022",
    logLevel: "silent",
    plugins: [forbidNode(entry, violations)],
  });
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.text).join("\n"));
  return violations;
}

let failed = false;
for (const entry of entries) {
  const relative = path.relative(root, entry);
  try {
    const violations = await check(entry);
    for (const violation of violations) {
      failed = true;
      console.error(
        `✗ ${relative}: imports Node-only "${violation.module}" (from ${violation.importer}); Convex's default runtime has no Node APIs`,
      );
    }
  } catch (error) {
    failed = true;
    console.error(`✗ ${relative}: does not bundle: ${(error as Error).message}`);
  }
}
if (failed) {
  console.error(`${path.relative(root, convexDir) || "."}/ would not deploy to Convex's default runtime.`);
  process.exit(1);
}
console.log(`✓ ${entries.length} convex/ modules bundle without Node-only imports`);
