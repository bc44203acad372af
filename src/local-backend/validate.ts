// Checks Convex values against exported validator JSON (`validator.json`), as
// the real backend does for function arguments, return values and documents.
import { convexToJson, type ValidatorJSON, type Value } from "convex/values";
import { isPlainObject } from "./values.js";

type IdTable = (id: string) => string | null;

function show(v: Value | undefined): string {
  if (v === undefined) return "undefined";
  try {
    const s = JSON.stringify(convexToJson(v));
    return s.length > 200 ? s.slice(0, 200) + "..." : s;
  } catch {
    return String(v);
  }
}

function describe(vj: ValidatorJSON): string {
  switch (vj.type) {
    case "literal": return `v.literal(${JSON.stringify(vj.value)})`;
    case "id": return `v.id("${vj.tableName}")`;
    case "array": return `v.array(${describe(vj.value)})`;
    case "record": return `v.record(${describe(vj.keys)}, ${describe(vj.values.fieldType)})`;
    case "object": return `v.object({${Object.entries(vj.value).map(([k, f]) => `${k}: ${f.optional ? `v.optional(${describe(f.fieldType)})` : describe(f.fieldType)}`).join(", ")}})`;
    case "union": return `v.union(${vj.value.map(describe).join(", ")})`;
    case "bigint": return "v.int64()";
    case "number": return "v.float64()";
    default: return `v.${vj.type}()`;
  }
}

/** Returns null if `value` matches, otherwise a message naming the path. */
export function check(vj: ValidatorJSON, value: Value | undefined, idTable: IdTable, path = ""): string | null {
  const fail = () => `Value does not match validator.\nPath: ${path || "(root)"}\nValue: ${show(value)}\nValidator: ${describe(vj)}`;
  switch (vj.type) {
    case "any": return value === undefined ? fail() : null;
    case "null": return value === null ? null : fail();
    case "number": return typeof value === "number" ? null : fail();
    case "bigint": return typeof value === "bigint" ? null : fail();
    case "commitTs": return typeof value === "bigint" ? null : fail();
    case "boolean": return typeof value === "boolean" ? null : fail();
    case "string": return typeof value === "string" ? null : fail();
    case "bytes": return value instanceof ArrayBuffer ? null : fail();
    case "literal":
      return value !== undefined && JSON.stringify(convexToJson(value)) === JSON.stringify(vj.value) ? null : fail();
    case "id": {
      if (typeof value !== "string") return fail();
      const table = idTable(value);
      return table === vj.tableName ? null : `${fail()}\n(expected an ID for table "${vj.tableName}")`;
    }
    case "array": {
      if (!Array.isArray(value)) return fail();
      for (let i = 0; i < value.length; i++) {
        const err = check(vj.value, value[i], idTable, `${path}[${i}]`);
        if (err) return err;
      }
      return null;
    }
    case "record": {
      if (!isPlainObject(value)) return fail();
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const kerr = check(vj.keys, k, idTable, `${path}.${k}(key)`);
        if (kerr) return kerr;
        const verr = check(vj.values.fieldType, v, idTable, `${path}.${k}`);
        if (verr) return verr;
      }
      return null;
    }
    case "object": {
      if (!isPlainObject(value)) return fail();
      for (const [k, f] of Object.entries(vj.value)) {
        const fv = value[k];
        if (fv === undefined) {
          if (!f.optional) return `Object is missing the required field \`${k}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\nPath: ${path || "(root)"}\nObject: ${show(value)}\nValidator: ${describe(vj)}`;
          continue;
        }
        const err = check(f.fieldType, fv, idTable, `${path}.${k}`);
        if (err) return err;
      }
      for (const k of Object.keys(value)) {
        if (!(k in vj.value) && value[k] !== undefined) {
          return `Object contains extra field \`${k}\` that is not in the validator.\nPath: ${path || "(root)"}\nObject: ${show(value)}\nValidator: ${describe(vj)}`;
        }
      }
      return null;
    }
    case "union": {
      for (const member of vj.value) if (check(member, value, idTable, path) === null) return null;
      return fail();
    }
  }
  return null;
}
