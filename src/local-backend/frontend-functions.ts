// The system functions the Convex dashboard's data page calls, for the admin
// key only, following npm-packages/system-udfs/convex/_system/frontend/ of
// get-convex/convex-backend: `getTableMapping`, `tableSize` (and
// `:sizeOfAllTables`), `paginatedTableDocuments` (field and type filters),
// `getById`, `getSchemas`, `addDocument`, `deleteDocuments` and
// `clearTablePage`. They read and write through the syscalls, as a function's
// own db calls do, so reads are tracked (a subscribed page re-runs after a
// write to its table) and writes are checked against the schema.
import { ConvexError, type JSONValue } from "convex/values";
import { currentExec, RawJson } from "./context.js";
import { systemQuery } from "./cli-functions.js";
import type { RegisteredFunction } from "./modules.js";
import type { Runtime } from "./runtime.js";

/** The dashboard's stand-in for `undefined` in filter values (lib/values.ts). */
const UNDEFINED_PLACEHOLDER =
  "__CONVEX_PLACEHOLDER_undefined_I23atX0jcndVbFgXoQZffsih7eAqktCyFjgUuAeNBtfr3ySOljPSPSEOPFgprkdBO3zXNiGEJxmJ5ZFPc5C5qKesG80QRPvlJe8vgSxAt9feLTwxTg4PHfVwUaTEJU67FDwldWmTxp1guMPwxQ2jOuhEryTBf3mQ";
/** paginationLimits.ts: conservative, as filters may read documents they then drop. */
const MAXIMUM_ROWS_READ = 10_000;
const MAXIMUM_BYTES_READ = 5_000_000;
const MAX_ADD = 4096;
const MAX_DELETE = 4096;
const MAX_CLEAR_ROWS = 4000;

type Page = { numItems: number; cursor: string | null };
type Clause = { op: string; field?: string; value?: any; enabled?: boolean };
type FilterExpression = { clauses?: Clause[]; order?: "asc" | "desc"; index?: unknown };

function syscall(op: string, args: unknown): Promise<unknown> {
  const exec = currentExec.getStore()!;
  return exec.host.asyncSyscall(exec, op, args);
}

/** A built-in mutation under `_system/` (the admin key only); its result as JSON. */
function systemMutation(handler: (args: any) => Promise<unknown>): RegisteredFunction {
  return {
    isMutation: true,
    isInternal: true,
    invokeMutation: async (argsJson: string) => JSON.stringify((await handler((JSON.parse(argsJson) as unknown[])[0] ?? {})) ?? null),
  };
}

const literal = (value: unknown) => ({ $literal: value === UNDEFINED_PLACEHOLDER ? { $undefined: null } : value });

/** A field filter (eq … lt, anyOf, noneOf) as a query filter expression, as applyBuiltinFilters builds it; null when it filters nothing. */
function builtinExpression(f: Clause): unknown | null {
  const field = { $field: f.field };
  if (f.op === "anyOf" || f.op === "noneOf") {
    const values = Array.isArray(f.value) ? f.value : [];
    if (values.length === 0) return null;
    return f.op === "anyOf" ? { $or: values.map((v) => ({ $eq: [field, literal(v)] })) } : { $and: values.map((v) => ({ $neq: [field, literal(v)] })) };
  }
  return { [`$${f.op}`]: [field, literal(f.value)] };
}

const OBJECT_SUPERTYPES = ["null", "array", "id", "bytes"];

/** isType of lib/filters.ts, on a document's Convex JSON (ids are this backend's). */
function isType(value: JSONValue | undefined, type: string, isId: (s: string) => boolean): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "id":
      return typeof value === "string" && isId(value);
    case "bytes":
      return typeof value === "object" && value !== null && !Array.isArray(value) && "$bytes" in value;
    case "bigint":
      return typeof value === "object" && value !== null && !Array.isArray(value) && "$integer" in value;
    case "number":
      return typeof value === "number" || (typeof value === "object" && value !== null && !Array.isArray(value) && "$float" in value);
    case "object":
      return typeof value === "object" && value !== null && !OBJECT_SUPERTYPES.some((t) => isType(value, t, isId)) && !isType(value, "bigint", isId) && !isType(value, "number", isId);
    case "unset":
      return value === undefined;
    default:
      return typeof value === type;
  }
}

export function frontendSystemFunctions(runtime: Runtime): Map<string, RegisteredFunction> {
  const store = runtime.store;
  const userTable = (name: unknown): string => {
    if (typeof name !== "string" || name.startsWith("_")) throw new Error(`Table ${JSON.stringify(name)} is not a user table.`);
    return name;
  };
  return new Map<string, RegisteredFunction>([
    [
      "_system/frontend/getTableMapping:default",
      systemQuery(() => Object.fromEntries(store.userTables().map((name) => [String(store.tableNumber(name)), name]))),
    ],
    ["_system/frontend/tableSize:default", systemQuery(async ({ tableName }: { tableName?: string }) => (tableName ? await syscall("1.0/count", { table: userTable(tableName) }) : 0))],
    [
      "_system/frontend/tableSize:sizeOfAllTables",
      systemQuery(async () => {
        let total = 0;
        for (const table of store.userTables()) total += (await syscall("1.0/count", { table })) as number;
        return total;
      }),
    ],
    [
      "_system/frontend/getSchemas:default",
      // Schemas are not pushed here: the active one is the functions folder's schema.ts, and none is ever in progress.
      systemQuery(() => {
        const schema = runtime.loaded?.schema;
        return typeof schema?.export === "function" ? { active: schema.export() } : {};
      }),
    ],
    [
      "_system/frontend/getById:default",
      systemQuery(async ({ id }: { id?: unknown }) => {
        const table = typeof id === "string" ? store.tableOfId(id) : null;
        if (!table) return null;
        return await syscall("1.0/get", { id, isSystem: table.startsWith("_") });
      }),
    ],
    [
      "_system/frontend/paginatedTableDocuments:default",
      systemQuery(async ({ paginationOpts, table, filters }: { paginationOpts?: Page; table?: string; filters?: string | null }) => {
        let parsed: FilterExpression | null = null;
        if (filters) {
          try {
            parsed = JSON.parse(Buffer.from(filters, "base64").toString("utf8")) as FilterExpression;
          } catch {
            throw new Error("`filters` is not a base64-encoded filter expression.");
          }
        }
        const order = parsed?.order === "asc" ? "asc" : "desc";
        if (parsed?.index) {
          return { page: [{ filter: -1, error: "Index filters are not supported by the embedded backend: filter by field instead." }], isDone: true, continueCursor: "" };
        }
        const enabled = (parsed?.clauses ?? []).filter((c) => c.enabled !== false && c.field !== undefined);
        const typeFilters = enabled.filter((c) => c.op === "type" || c.op === "notype");
        const expressions = enabled.filter((c) => !typeFilters.includes(c)).map(builtinExpression).filter((e) => e !== null);
        const result = (await syscall("1.0/queryPage", {
          query: { source: { type: "FullTableScan", tableName: userTable(table), order }, operators: expressions.length > 0 ? [{ filter: { $and: expressions } }] : [] },
          cursor: paginationOpts?.cursor ?? null,
          pageSize: Math.max(1, Math.min(Number(paginationOpts?.numItems) || 100, 1000)),
          maximumRowsRead: MAXIMUM_ROWS_READ,
          maximumBytesRead: MAXIMUM_BYTES_READ,
        })) as RawJson;
        if (typeFilters.length === 0) return result;
        // Type filters apply to the page read, as on Convex (applyTypeFilters).
        const page = JSON.parse(result.text) as { page: Record<string, JSONValue>[] };
        const isId = (s: string) => store.tableOfId(s) !== null;
        page.page = page.page.filter((doc) => typeFilters.every((f) => isType(doc[f.field!], String(f.value), isId) === (f.op === "type")));
        return page;
      }),
    ],
    [
      "_system/frontend/addDocument:default",
      systemMutation(async ({ table, documents }: { table?: string; documents?: JSONValue[] }) => {
        const docs = Array.isArray(documents) ? documents : [];
        if (docs.length > MAX_ADD) return { success: false, error: `Can’t import more than ${MAX_ADD} documents at once.` };
        try {
          for (const value of docs) await syscall("1.0/insert", { table: userTable(table), value });
        } catch (e: any) {
          // A schema validation error, say: the dashboard shows ConvexError data (the mutation rolls back).
          throw new ConvexError(String(e?.message ?? e));
        }
        return { success: true };
      }),
    ],
    [
      "_system/frontend/deleteDocuments:default",
      systemMutation(async ({ toDelete }: { toDelete?: { id: string; tableName: string }[] }) => {
        const list = Array.isArray(toDelete) ? toDelete : [];
        if (list.length > MAX_DELETE) return { success: false, error: `You can't delete more than ${MAX_DELETE}. Try selecting fewer documents instead..` };
        for (const d of list) await syscall("1.0/remove", { id: d.id });
        return { success: true };
      }),
    ],
    [
      "_system/frontend/clearTablePage:default",
      systemMutation(async ({ tableName, cursor }: { tableName?: string; cursor?: string | null }) => {
        // Oldest first, as on Convex, so the data page's query is not invalidated over and over.
        const result = (await syscall("1.0/queryPage", {
          query: { source: { type: "FullTableScan", tableName: userTable(tableName), order: "asc" }, operators: [] },
          cursor: cursor ?? null,
          pageSize: MAX_CLEAR_ROWS,
          maximumBytesRead: 3_000_000,
        })) as RawJson;
        const { page, isDone, continueCursor } = JSON.parse(result.text) as { page: { _id: string }[]; isDone: boolean; continueCursor: string };
        for (const doc of page) await syscall("1.0/remove", { id: doc._id });
        return { deleted: page.length, continueCursor, hasMore: !isDone };
      }),
    ],
  ]);
}
