// The system queries the Convex CLI's data commands call (`npx convex data`,
// `npx convex data <table>`, its index-deletion check, `convex/functionSpec`),
// for the admin key only: `_system/cli/tables` (a page of { name }),
// `_system/cli/tableData` ({ table, order, paginationOpts }: a page of a
// table's documents, newest first by default), `_system/cli/tableSize`
// ({ tableName }: its number of documents) and `_system/cli/convexUrl:cloudUrl`.
import { currentExec, RawJson } from "./context.js";
import type { RegisteredFunction } from "./modules.js";
import type { Store } from "./store.js";

type Page = { cursor: string | null; numItems: number };

/** A built-in query under `_system/` (runtime.ts serves them to the admin key only); its result as JSON, or as stored JSON text. */
export function systemQuery(handler: (args: any) => unknown | Promise<unknown>): RegisteredFunction {
  return {
    isQuery: true,
    isInternal: true,
    invokeQuery: async (argsJson: string) => {
      const result = await handler((JSON.parse(argsJson) as unknown[])[0] ?? {});
      return result instanceof RawJson ? result.text : JSON.stringify(result ?? null);
    },
  };
}

/** A page through the syscalls, as a function's own paginate would read it (reads recorded, limits counted). */
async function pageOf(query: unknown, page: Page | undefined): Promise<RawJson> {
  const exec = currentExec.getStore()!;
  const result = (await exec.host.asyncSyscall(exec, "1.0/queryPage", {
    query,
    cursor: page?.cursor ?? null,
    pageSize: Math.max(1, Math.min(Number(page?.numItems) || 100, 1000)),
  })) as RawJson;
  return result;
}

function userTable(store: Store, name: unknown): string {
  if (typeof name !== "string" || name.startsWith("_") || !store.userTables().includes(name)) {
    throw new Error(`Table ${JSON.stringify(name)} not found.`);
  }
  return name;
}

export function cliSystemFunctions(store: Store, cloudUrl: () => string): Map<string, RegisteredFunction> {
  return new Map([
    [
      "_system/cli/tables:default",
      systemQuery(({ paginationOpts }: { paginationOpts?: Page }) => {
        const names = store.userTables().sort();
        const start = Number(paginationOpts?.cursor ?? 0) || 0;
        const end = start + Math.max(1, Number(paginationOpts?.numItems) || names.length || 1);
        return { page: names.slice(start, end).map((name) => ({ name })), isDone: end >= names.length, continueCursor: String(end) };
      }),
    ],
    [
      "_system/cli/tableData:default",
      systemQuery(({ table, order, paginationOpts }: { table?: unknown; order?: unknown; paginationOpts?: Page }) =>
        pageOf({ source: { type: "FullTableScan", tableName: userTable(store, table), order: order === "asc" ? "asc" : "desc" }, operators: [] }, paginationOpts),
      ),
    ],
    ["_system/cli/tableSize:default", systemQuery(({ tableName }: { tableName?: unknown }) => store.count(userTable(store, tableName)))],
    ["_system/cli/convexUrl:cloudUrl", systemQuery(() => cloudUrl())],
  ]);
}
