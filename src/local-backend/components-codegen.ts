// Writes `components` into a functions folder's `_generated/api.d.ts` and
// `api.js`, as `npx convex dev` does, without a deployment. The official
// codegen learns the installed components from the deployment's push
// analysis; `convex codegen --system-udfs` (offline) leaves them out. Here the
// app's `convex.config.ts` is evaluated locally (components.ts) and each
// installed component gets the type the official codegen gives it:
// `import("<package>/_generated/component.js").ComponentApi<"<name>">` for a
// published package that ships one (the `useComponentApiImports` style),
// otherwise its public functions' types written out from their validators.
//
//   tsx src/local-backend/components-codegen.ts [functionsDir]   (after `convex codegen`)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidatorJSON } from "convex/values";
import { appComponents } from "./components.js";
import { kindOf, loadFunctions } from "./modules.js";

const BEGIN = "// ---- components (src/local-backend/components-codegen.ts) ----";
const END = "// ---- end of components ----";

/** A TypeScript type for a validator's JSON (ids cross component boundaries as strings). */
export function validatorType(v: ValidatorJSON | null): string {
  if (!v) return "any";
  switch (v.type) {
    case "null":
      return "null";
    case "number":
      return "number";
    case "bigint":
    case "commitTs":
      return "bigint";
    case "boolean":
      return "boolean";
    case "string":
    case "id":
      return "string";
    case "bytes":
      return "ArrayBuffer";
    case "any":
      return "any";
    case "literal": {
      const value = v.value as unknown;
      if (value && typeof value === "object" && "$integer" in (value as object)) return "bigint";
      return JSON.stringify(value);
    }
    case "array":
      return `Array<${validatorType(v.value)}>`;
    case "record":
      return `Record<${validatorType(v.keys as ValidatorJSON)}, ${validatorType(v.values.fieldType)}>`;
    case "union":
      return v.value.length === 0 ? "never" : v.value.map((m) => validatorType(m)).join(" | ");
    case "object": {
      const fields = Object.entries(v.value).map(([k, f]) => `${propertyName(k)}${f.optional ? "?" : ""}: ${validatorType(f.fieldType)}`);
      return fields.length === 0 ? "{}" : `{ ${fields.join("; ")} }`;
    }
    default:
      return "any";
  }
}

function propertyName(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k);
}

type Tree = { [key: string]: Tree | string };

/** `ComponentApi<Name>` of a component's folder: its public functions as `FunctionReference`s. */
async function inlineComponentApi(definitionDir: string, instanceName: string, bundleDir: string): Promise<string> {
  const loaded = await loadFunctions(definitionDir, bundleDir, {}, `codegen/${instanceName}`);
  const tree: Tree = {};
  for (const [module, exports] of [...loaded.modules].sort(([a], [b]) => a.localeCompare(b))) {
    if (module === "schema" || module === "crons" || module === "http") continue;
    for (const [name, fn] of Object.entries<any>(exports)) {
      if (!fn || (!fn.isQuery && !fn.isMutation && !fn.isAction) || !fn.isPublic) continue;
      const args = JSON.parse(fn.exportArgs?.() ?? '{"type":"any"}');
      const returns = JSON.parse(fn.exportReturns?.() ?? "null");
      let node = tree;
      for (const part of module.split("/")) node = (node[part] ??= {}) as Tree;
      const argsType = args.type === "any" ? "any" : validatorType(args);
      node[name] = `import("convex/server").FunctionReference<"${kindOf(fn)}", "internal", ${argsType}, ${validatorType(returns)}, Name>`;
    }
  }
  const render = (t: Tree, indent: string): string =>
    `{\n${Object.entries(t)
      .map(([k, v]) => `${indent}  ${propertyName(k)}: ${typeof v === "string" ? v : render(v, indent + "  ")};`)
      .join("\n")}\n${indent}}`;
  return render(tree, "  ");
}

/** The `components` declaration for `_generated/api.d.ts`. */
export async function componentsDeclaration(functionsDir: string): Promise<string | null> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "components-codegen-"));
  try {
    const children = await appComponents(functionsDir, work);
    if (children.length === 0) return null;
    const lines = ["export declare const components: {"];
    for (const child of children) {
      const bare = !child.specifier.startsWith(".") && !path.isAbsolute(child.specifier);
      const shipsApi = ["component.d.ts", "component.ts"].some((f) => fs.existsSync(path.join(child.definitionDir, "_generated", f)));
      if (bare && shipsApi) {
        const pkg = child.specifier.replace(/\/convex\.config.*$/, "");
        lines.push(`  ${JSON.stringify(child.name)}: import("${pkg}/_generated/component.js").ComponentApi<${JSON.stringify(child.name)}>;`);
      } else {
        const api = await inlineComponentApi(child.definitionDir, child.name, path.join(work, "bundles"));
        lines.push(`  ${JSON.stringify(child.name)}: ${api.replace(/, Name>/g, `, ${JSON.stringify(child.name)}>`)};`);
      }
    }
    lines.push("};");
    return lines.join("\n");
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function withBlock(text: string, block: string | null): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const base = start >= 0 && end > start ? text.slice(0, start).trimEnd() + "\n" + text.slice(end + END.length).trimStart() : text;
  return block === null ? base : `${base.trimEnd()}\n\n${BEGIN}\n${block}\n${END}\n`;
}

/** Adds (or refreshes) `components` in `_generated/api.d.ts` and `api.js`; removes it when the app installs none. */
export async function writeComponentsCodegen(functionsDir: string): Promise<{ components: boolean }> {
  const generated = path.join(functionsDir, "_generated");
  const dts = path.join(generated, "api.d.ts");
  const js = path.join(generated, "api.js");
  if (!fs.existsSync(dts) || !fs.existsSync(js)) throw new Error(`Run \`convex codegen\` first: ${generated} has no api.d.ts / api.js.`);
  const declaration = await componentsDeclaration(functionsDir);
  fs.writeFileSync(dts, withBlock(fs.readFileSync(dts, "utf8"), declaration));
  const value = declaration === null ? null : `import { componentsGeneric } from "convex/server";\nexport const components = componentsGeneric();`;
  fs.writeFileSync(js, withBlock(fs.readFileSync(js, "utf8"), value));
  return { components: declaration !== null };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = path.resolve(process.argv[2] ?? "convex");
  writeComponentsCodegen(dir).then(
    ({ components }) => console.log(components ? `Wrote components into ${path.join(dir, "_generated")}` : `No components installed in ${dir}`),
    (err) => {
      console.error(err?.message ?? err);
      process.exit(1);
    },
  );
}
