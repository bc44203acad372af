// `components` in `_generated/api.d.ts` without a deployment: the real
// `convex codegen --system-udfs` writes the api files, components-codegen.ts
// adds `components`, and TypeScript checks code that uses them.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeComponentsCodegen } from "../../src/local-backend/components-codegen.js";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "node_modules/convex/bin/main.js");
// Inside the project's node_modules, so `convex` and `@convex-dev/*` resolve, and outside tsc's and vitest's view.
// (A fresh `npm ci` has no node_modules/.cache yet.)
fs.mkdirSync(path.join(ROOT, "node_modules/.cache"), { recursive: true });
const work = fs.mkdtempSync(path.join(ROOT, "node_modules/.cache/components-codegen-"));
const functionsDir = path.join(work, "convex");

beforeAll(async () => {
  fs.cpSync(path.resolve(__dirname, "fixture-components"), work, { recursive: true });
  fs.writeFileSync(path.join(work, "package.json"), JSON.stringify({ name: "codegen-fixture", private: true, dependencies: { convex: "*" } }));
  await promisify(execFile)(process.execPath, [CLI, "codegen", "--system-udfs", "--typecheck", "disable"], { cwd: work, timeout: 60_000 });
}, 90_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function typeErrors(file: string, source: string): string[] {
  fs.writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ["node"],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("components codegen", () => {
  it("adds `components` to the api files convex codegen wrote, typed as the official codegen types them", async () => {
    expect(await writeComponentsCodegen(functionsDir)).toEqual({ components: true });
    const dts = fs.readFileSync(path.join(functionsDir, "_generated/api.d.ts"), "utf8");
    expect(dts).toContain('"rateLimiter": import("@convex-dev/rate-limiter/_generated/component.js").ComponentApi<"rateLimiter">;');
    expect(dts).toContain('add: import("convex/server").FunctionReference<"mutation", "internal", { name: string; value: number }, any, "counter">;');
    // Internal functions are not part of a component's API.
    expect(dts).not.toContain("secret");
    expect(fs.readFileSync(path.join(functionsDir, "_generated/api.js"), "utf8")).toContain("export const components = componentsGeneric();");
    // Running it again refreshes the block rather than adding another.
    await writeComponentsCodegen(functionsDir);
    expect(fs.readFileSync(path.join(functionsDir, "_generated/api.d.ts"), "utf8").split("export declare const components").length).toBe(2);
  }, 60_000);

  it("the generated types check: a RateLimiter takes components.rateLimiter, and a wrong call does not compile", () => {
    const errors = typeErrors(
      path.join(functionsDir, "usage.ts"),
      `import type { FunctionReference } from "convex/server";
import { RateLimiter } from "@convex-dev/rate-limiter";
import { components } from "./_generated/api.js";

export const limiter = new RateLimiter(components.rateLimiter, { send: { kind: "fixed window", rate: 3, period: 60_000 } });
export const add: FunctionReference<"mutation", "internal", { name: string; value: number }, any, "counter"> = components.counter.lib.add;
export const list: FunctionReference<"query", "internal", {}, any, "secondCounter"> = components.secondCounter.lib.list;
// @ts-expect-error an internal function is not in the component's API
components.counter.lib.secret;
// @ts-expect-error the arguments' types come from the validators
export const wrong: FunctionReference<"mutation", "internal", { name: number }, any, "counter"> = components.counter.lib.add;
`,
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it("without a convex.config.ts there is nothing to add, and a previous block is removed", async () => {
    fs.renameSync(path.join(functionsDir, "convex.config.ts"), path.join(functionsDir, "convex.config.ts.off"));
    try {
      expect(await writeComponentsCodegen(functionsDir)).toEqual({ components: false });
      expect(fs.readFileSync(path.join(functionsDir, "_generated/api.d.ts"), "utf8")).not.toContain("components");
      expect(fs.readFileSync(path.join(functionsDir, "_generated/api.js"), "utf8")).not.toContain("components");
    } finally {
      fs.renameSync(path.join(functionsDir, "convex.config.ts.off"), path.join(functionsDir, "convex.config.ts"));
    }
  }, 60_000);
});
