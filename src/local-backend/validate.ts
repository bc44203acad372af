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

/**
 * Whether `value` matches: the fast path, run on every argument, return value
 * and document written. No closures and no path strings (tsx names every
 * closure it creates, per call); `explain` builds the message when it fails.
 */
function matches(vj: ValidatorJSON, value: Value | undefined, idTable: IdTable): boolean {
  switch (vj.type) {
    case "any": return value !== undefined;
    case "null": return value === null;
    case "number": return typeof value === "number";
    case "bigint":
    case "commitTs": return typeof value === "bigint";
    case "boolean": return typeof value === "boolean";
    case "string": return typeof value === "string";
    case "bytes": return value instanceof ArrayBuffer;
    case "literal": {
      const expected = vj.value as unknown;
      if (typeof expected === "string" || typeof expected === "boolean" || (typeof expected === "number" && !Number.isNaN(expected))) return value === expected;
      return value !== undefined && JSON.stringify(convexToJson(value)) === JSON.stringify(expected);
    }
    case "id": return typeof value === "string" && idTable(value) === vj.tableName;
    case "array": {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i++) if (!matches(vj.value, value[i], idTable)) return false;
      return true;
    }
    case "record": {
      if (!isPlainObject(value)) return false;
      for (const k in value) {
        const v = value[k];
        if (v === undefined) continue;
        if (!matches(vj.keys, k, idTable) || !matches(vj.values.fieldType, v, idTable)) return false;
      }
      return true;
    }
    case "object": {
      if (!isPlainObject(value)) return false;
      const fields = vj.value;
      let present = 0;
      for (const k in fields) {
        const f = fields[k]!;
        const fv = value[k];
        if (fv === undefined) {
          if (!f.optional) return false;
          continue;
        }
        present++;
        if (!matches(f.fieldType, fv, idTable)) return false;
      }
      // Every defined field of the value was one of the validator's.
      let defined = 0;
      for (const k in value) if (value[k] !== undefined) defined++;
      return defined === present;
    }
    case "union": {
      for (const member of vj.value) if (matches(member, value, idTable)) return true;
      return false;
    }
  }
  return true;
}

/** Returns null if `value` matches, otherwise a message naming the path. */
export function check(vj: ValidatorJSON, value: Value | undefined, idTable: IdTable, path = ""): string | null {
  if (matches(vj, value, idTable)) return null;
  return explain(vj, value, idTable, path) ?? `Value does not match validator.\nPath: ${path || "(root)"}\nValue: ${show(value)}\nValidator: ${describe(vj)}`;
}

/** Why `value` does not match (null if it does): the first mismatch, with its path. */
function explain(vj: ValidatorJSON, value: Value | undefined, idTable: IdTable, path: string): string | null {
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
        const err = explain(vj.value, value[i], idTable, `${path}[${i}]`);
        if (err) return err;
      }
      return null;
    }
    case "record": {
      if (!isPlainObject(value)) return fail();
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const kerr = explain(vj.keys, k, idTable, `${path}.${k}(key)`);
        if (kerr) return kerr;
        const verr = explain(vj.values.fieldType, v, idTable, `${path}.${k}`);
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
        const err = explain(f.fieldType, fv, idTable, `${path}.${k}`);
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
      for (const member of vj.value) if (matches(member, value, idTable)) return null;
      return fail();
    }
  }
  return null;
}
