// Snapshot export and import, as the Convex CLI drives them (`npx convex export
// --path x.zip`, `npx convex import x.zip | --table t file.jsonl|json|csv`),
// following the real backend (crates/exports, crates/application/src/
// snapshot_import in get-convex/convex-backend):
//
// - An export is a ZIP: README.md, `_tables/documents.jsonl` ({ name, id }: each
//   user table and its table number, so ids survive a round trip), then per
//   table `<table>/documents.jsonl` (one document a line in Convex's export
//   JSON: int64 as a bare integer, float64 always with a `.` or exponent, bytes
//   and non-finite floats as `{ "$bytes" | "$float": … }`) and
//   `<table>/generated_schema.jsonl` (`"uniform"`, the marker of that
//   encoding); with `includeStorage`, `_storage/documents.jsonl` and each file
//   as `_storage/<id>`. Each component's tables follow under
//   `_components/<name>/` (nested: `_components/a/_components/b/` for the
//   component at path "a/b"), laid out as the app's are, with their own
//   `_tables` and, with `includeStorage`, their own `_storage` (each
//   component has file storage of its own, file-storage.ts). It is taken at
//   one timestamp, under the runtime's lock.
// - An import is uploaded in parts, parsed when the upload finishes (a bad file
//   fails the import with Convex's wording), shown as a change summary to
//   confirm, and written on `perform_import` in one transaction: all of it or
//   none. Documents keep their `_id` and `_creationTime` when they carry them.
//   A ZIP's `_components/<name>/` folders, below the component `--component`
//   names (the app without it), address the components' tables; each is
//   written into that component's tables and checked against its schema.
//
// Both run to completion inside the request that starts them, so the state the
// CLI then subscribes to (`_system/cli/exports:getLatest`,
// `_system/cli/queryImport`) is already final. Only the latest export is kept,
// in memory; an import's upload is held in memory too.
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { randomBytes } from "node:crypto";
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import Papa from "papaparse";
import { sha256Base64, STORAGE_TABLE } from "./file-storage.js";
import { ROOT, splitTable, storedTableName } from "./components.js";
import type { Runtime } from "./runtime.js";
import type { Doc } from "./store.js";
import { idTableNumber } from "./values.js";

const README = `# Welcome to your Convex snapshot export!

This ZIP file contains a snapshot of the tables in your Convex deployment.

Documents for each table are listed as lines of JSON in
<table_name>/documents.jsonl files.

For details on the format and how to use this snapshot with npx convex import,
check out [the docs](https://docs.convex.dev/database/import-export/export) or
ask us in [Discord](http://convex.dev/community).
`;

const TABLES_TABLE = "_tables";
/** The folder of components' tables in a snapshot (COMPONENTS_TABLE). */
const COMPONENTS = "_components";
const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
export const IMPORT_FORMATS = ["csv", "jsonLines", "jsonArray", "zip"] as const;
export const IMPORT_MODES = ["requireEmpty", "append", "replace", "replaceAll"] as const;
type ImportFormat = (typeof IMPORT_FORMATS)[number];
type ImportMode = (typeof IMPORT_MODES)[number];
/** A JSON array import is read whole: Convex's limit for it (TRANSACTION_MAX_USER_WRITE_SIZE_BYTES). */
const MAX_JSON_ARRAY_BYTES = 16 * 1024 * 1024;

/** A refusal with Convex's code and words (ErrorMetadata::bad_request and friends). */
export class SnapshotError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// ---- export JSON (ValueFormat::ConvexExportJSON) -------------------------------

/** A stored document's Convex JSON as export JSON text. */
export function exportJsonText(v: JSONValue): string {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    // A float64 keeps a dot, so an import reads it back as a float, not an int64.
    const text = JSON.stringify(v);
    return /[.eE]/.test(text) ? text : `${text}.0`;
  }
  if (Array.isArray(v)) return `[${v.map(exportJsonText).join(",")}]`;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "$integer") return (jsonToConvex(v) as bigint).toString();
  if (keys.length === 1 && keys[0] === "$float") {
    const f = jsonToConvex(v) as number;
    if (Object.is(f, -0)) return "-0.0";
    return JSON.stringify(v); // NaN and the infinities keep Convex's encoding
  }
  if (keys.length === 1 && keys[0] === "$bytes") return JSON.stringify(v);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${exportJsonText(v[k]!)}`).join(",")}}`;
}

/**
 * Export JSON text as a Convex value (ConvexValue::from_clean_lossless): an
 * integer literal is an int64, any other number a float64, and an object whose
 * first key starts with `$` is Convex's own encoding.
 */
export function parseExportJson(text: string): Value {
  return fromLossless(JSON.parse(integersAsBigInts(text)));
}

const INT_MARK = "\u0000int:";

/** Rewrites integer literals outside strings as marked strings, so JSON.parse keeps their digits. */
function integersAsBigInts(text: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      if (/^-?\d+$/.test(literal)) {
        out += text.slice(last, i) + JSON.stringify(INT_MARK + literal);
        last = j;
      }
      i = j - 1;
    }
  }
  return out + text.slice(last);
}

function fromLossless(v: unknown): Value {
  if (typeof v === "string" && v.startsWith(INT_MARK)) {
    const n = BigInt(v.slice(INT_MARK.length));
    if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new Error(`${n} does not fit in an int64`);
    return n;
  }
  if (v === null || typeof v !== "object") return v as Value;
  if (Array.isArray(v)) return v.map(fromLossless);
  const keys = Object.keys(v);
  if (keys.length > 0 && keys[0]!.startsWith("$")) return jsonToConvex(v as JSONValue);
  const out: Record<string, Value> = {};
  for (const k of keys) out[k] = fromLossless((v as Record<string, unknown>)[k]);
  return out;
}

// ---- exports --------------------------------------------------------------------

export type SnapshotExport = {
  id: string;
  startTs: bigint;
  completeTs: bigint;
  creationTime: number;
  includeStorage: boolean;
  zip: Uint8Array;
};

/** The folder of a component's tables in a snapshot ZIP (get_export_path_prefix): "" for the app, `_components/a/_components/b/` for "a/b". */
export function componentPrefix(component: string): string {
  return component === ROOT ? "" : component.split("/").map((name) => `${COMPONENTS}/${name}/`).join("");
}

/** Component paths in Convex's order (ComponentPath: segment by segment), the app ("") first. */
function byPath(a: string, b: string): number {
  const x = a === ROOT ? [] : a.split("/");
  const y = b === ROOT ? [] : b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/**
 * Every user table that holds or held a document, by component ("" = the
 * app): its name there and its table number. Every installed component is
 * there, with no tables if it has none; so is a component no longer installed
 * whose tables or files are still stored (Convex exports unmounted components too).
 */
function userTablesByComponent(runtime: Runtime): Map<string, { name: string; id: number }[]> {
  const out = new Map<string, { name: string; id: number }[]>([[ROOT, []]]);
  for (const path of runtime.components?.keys() ?? []) out.set(path, []);
  for (const { name, num } of runtime.store.db.prepare("SELECT name, num FROM tables").all() as { name: string; num: number }[]) {
    const { component, table } = splitTable(name);
    let list = out.get(component);
    // System tables (_storage, _scheduled_functions) are not user tables, but say the component existed: one no longer installed with only files is still exported.
    if (table.startsWith("_")) {
      if (!list) out.set(component, []);
      continue;
    }
    if (!list) out.set(component, (list = []));
    list.push({ name: table, id: num });
  }
  for (const list of out.values()) list.sort((a, b) => a.id - b.id);
  return new Map([...out].sort(([a], [b]) => byPath(a, b)));
}

/** Builds the ZIP of every user table, the app's and each component's (and, with `includeStorage`, the files): call under the runtime's lock. */
export function buildExport(runtime: Runtime, includeStorage: boolean): SnapshotExport {
  const store = runtime.store;
  const files: Zippable = { "README.md": strToU8(README) };
  const docsOf = store.db.prepare("SELECT json FROM docs WHERE tbl = ? ORDER BY id");
  for (const [component, tables] of userTablesByComponent(runtime)) {
    const prefix = componentPrefix(component);
    files[`${prefix}${TABLES_TABLE}/documents.jsonl`] = strToU8(tables.map((t) => JSON.stringify(t) + "\n").join(""));
    for (const { name } of tables) {
      const lines = (docsOf.all(storedTableName(component, name)) as { json: string }[]).map(({ json }) => exportJsonText(JSON.parse(json)) + "\n");
      files[`${prefix}${name}/documents.jsonl`] = strToU8(lines.join(""));
      files[`${prefix}${name}/generated_schema.jsonl`] = strToU8('"uniform"\n');
    }
    // Each component's files, under its prefix as the app's are at the top (Convex's write_storage_table).
    if (includeStorage) {
      const rows = docsOf.all(storedTableName(component, STORAGE_TABLE)) as { json: string }[];
      const meta: string[] = [];
      for (const { json } of rows) {
        const doc = JSON.parse(json) as { _id: string; _creationTime: number; sha256: string; size: number; contentType?: string };
        meta.push(JSON.stringify({ _id: doc._id, _creationTime: doc._creationTime, sha256: doc.sha256, size: doc.size, contentType: doc.contentType ?? null }) + "\n");
        const file = store.getFile(doc._id);
        // Already compressed formats gain nothing from deflate.
        if (file) files[`${prefix}${STORAGE_TABLE}/${doc._id}`] = [file.bytes, { level: 0 }];
      }
      files[`${prefix}${STORAGE_TABLE}/documents.jsonl`] = strToU8(meta.join(""));
    }
  }
  const now = Date.now();
  return {
    id: randomBytes(16).toString("hex"),
    startTs: runtime.ts,
    completeTs: BigInt(now) * 1_000_000n,
    creationTime: now,
    includeStorage,
    zip: zipSync(files),
  };
}

/** The `_exports` document `_system/cli/exports:getLatest` answers with, as Convex JSON. */
export function exportDocument(e: SnapshotExport): JSONValue {
  return convexToJson({
    _id: e.id,
    _creationTime: e.creationTime,
    state: "completed",
    start_ts: e.startTs,
    complete_ts: e.completeTs,
    // Convex keeps a snapshot for 14 days; here only the latest, until the backend stops.
    expiration_ts: e.completeTs + 14n * 86_400n * 1_000_000_000n,
    zip_object_key: `snapshot_${e.startTs}.zip`,
    format: { format: "zip", include_storage: e.includeStorage },
    requestor: "snapshotExport",
  });
}

// ---- imports --------------------------------------------------------------------

/** One table of an import: `component` is its component's path ("" = the app). */
type ParsedTable = { component: string; name: string; rows: unknown[]; lossless: boolean };
/** A file of an import, for the file storage of `component` ("" = the app). */
type StorageEntry = { component: string; id: string; creationTime: number | null; contentType: string | null; bytes: Uint8Array };
export type ParsedImport = {
  tables: ParsedTable[];
  /** Each `_tables/documents.jsonl`: the table numbers of the exporting deployment, by `tableKey(component, name)`. */
  tableNumbers: Map<string, number>;
  /** The files of the app's `_storage` and of each component's. */
  storage: StorageEntry[];
};

/** A (component, table) pair as one map key; "\0" is in neither. */
const tableKey = (component: string, table: string) => `${component}\u0000${table}`;

function importError(code: string, message: string): SnapshotError {
  return new SnapshotError(code, message);
}

/** Convex's check of an identifier (sync_types check_valid_identifier): null when valid, else why not, in its words (a char as Rust's Debug shows it). */
function identifierError(s: string): string | null {
  if (s.length === 0) return "Identifier cannot be empty";
  if (!/^[A-Za-z_]/.test(s)) return `Invalid first character '${s[0]}' in ${s}: Identifiers must start with an alphabetic character or underscore`;
  const bad = /[^A-Za-z0-9_]/.exec(s);
  if (bad) return `Identifier ${s} has invalid character '${bad[0]}': Identifiers can only contain alphanumeric characters or underscores`;
  if (s.length > 64) return `Identifier is too long (${s.length} > maximum 64)`;
  if (/^_+$/.test(s)) return `Identifier ${s} cannot have exclusively underscores`;
  return null;
}

/**
 * The `componentPath` of an import request (`npx convex import --component
 * a/b`): "" for none (the app), else its names checked as Convex checks them
 * (ComponentPath::deserialize).
 */
export function parseComponentPathArg(arg: unknown): string {
  if (arg === undefined || arg === null || arg === "") return ROOT;
  if (typeof arg !== "string") throw importError("InvalidComponentPath", `componentPath must be a string, not ${JSON.stringify(arg)}`);
  for (const name of arg.split("/")) {
    const why = identifierError(name);
    if (why) throw importError("InvalidComponentPath", why);
  }
  return arg;
}

const COMPONENT_NAME = /^(.*\/)?_components\/([^/]+)\/$/;

/** The component a ZIP entry's folder addresses (parse_component_path): `base` plus one name per trailing `_components/<name>/`; anything before them is ignored. */
function componentOfPrefix(prefix: string, base: string): string {
  const names: string[] = [];
  for (let m = COMPONENT_NAME.exec(prefix); m; m = COMPONENT_NAME.exec(prefix)) {
    const name = m[2]!;
    const why = identifierError(name);
    if (why) throw importError("InvalidComponentName", `component name '${name}' invalid: ${why}`);
    names.unshift(name);
    prefix = m[1] ?? "";
  }
  return [...(base === ROOT ? [] : [base]), ...names].join("/");
}

function jsonLines(text: string, lossless: boolean): unknown[] {
  if (text.charCodeAt(0) === 0xfeff) throw importError("Utf8BomNotSupported", "UTF-8 BOM is not supported. Please save your file without BOM.");
  const rows: unknown[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    try {
      rows.push(lossless ? parseExportJson(line) : JSON.parse(line));
    } catch (e: any) {
      throw importError("JsonInvalidRow", `Row ${i + 1} wasn't valid JSON: ${e?.message ?? e}`);
    }
  }
  return rows;
}

function csvCell(t: string): unknown {
  // parse_csv_cell: a cell that parses as a float64 (Rust's f64::from_str, which
  // takes no surrounding space) is one, anything else the string as written.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || /^[+-]?(inf|infinity|nan)$/i.test(t)) {
    const n = /nan/i.test(t) ? NaN : /inf/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t);
    return n;
  }
  return t;
}

/**
 * Reads an uploaded file into tables of rows (not yet Convex values for
 * `lossless: false` ones). `component` is the component the import is
 * addressed to (`--component`; "" = the app): a single table goes into it, and
 * a ZIP's tables into it or, under `_components/<name>/`, its descendants.
 */
export function parseImport(bytes: Uint8Array, format: ImportFormat, tableName: string | null, component: string = ROOT): ParsedImport {
  const text = () => {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw importError("Utf8BomNotSupported", "UTF-8 BOM is not supported. Please save your file without BOM.");
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (e: any) {
      throw importError("NotUtf8", `Import wasn't valid UTF8: ${e?.message ?? e}`);
    }
  };
  const single = (rows: unknown[]): ParsedImport => ({ tables: [{ component, name: tableName!, rows, lossless: false }], tableNumbers: new Map(), storage: [] });
  if (format === "jsonLines") return single(jsonLines(text(), false));
  if (format === "jsonArray") {
    if (bytes.byteLength > MAX_JSON_ARRAY_BYTES) {
      throw importError("JsonArrayTooLarge", `Import is too large for JSON (${bytes.byteLength} bytes > maximum 16 MiB). Consider converting data to JSONLines`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text());
    } catch (e: any) {
      if (e instanceof SnapshotError) throw e;
      throw importError("NotJson", `Not valid JSON: ${e?.message ?? e}`);
    }
    if (!Array.isArray(value)) throw importError("NotJsonArray", "Not a JSON array");
    return single(value);
  }
  if (format === "csv") {
    const parsed = Papa.parse<string[]>(text(), { skipEmptyLines: true });
    const [header, ...records] = parsed.data;
    if (!header) throw importError("CsvMissingHeaders", "CSV file doesn't have headers");
    // Convex trims spaces (only spaces) around a header.
    const names = header.map((h) => h.replace(/^ +| +$/g, ""));
    for (const name of names) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw importError("CsvInvalidHeader", `CSV header ${JSON.stringify(name)} isn't a valid field name`);
    }
    const rows = records.map((record, i) => {
      if (record.length !== names.length) throw importError("CsvRowMissingFields", `CSV row ${i + 1} doesn't have all of the fields in the header`);
      return Object.fromEntries(names.map((n, j) => [n, csvCell(record[j]!)]));
    });
    return single(rows);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch {
    throw importError("InvalidZip", "invalid zip file");
  }
  const decode = (name: string) => new TextDecoder().decode(entries[name]);
  const uniform = new Set<string>();
  const documents = new Map<string, { component: string; table: string; entry: string }>();
  const storageFiles = new Map<string, Uint8Array>();
  for (const name of Object.keys(entries)) {
    const docs = /^(.*\/)?([^/]+)\/documents\.jsonl$/.exec(name);
    const schema = /^(.*\/)?([^/]+)\/generated_schema\.jsonl$/.exec(name);
    const file = /(.*\/)?_storage\/([^/.]+)(?:\.[^/]+)?$/.exec(name);
    if (docs) {
      const table = docs[2]!;
      if (table.startsWith("_") && table !== TABLES_TABLE && table !== STORAGE_TABLE) continue; // other system tables are skipped, as on Convex
      const where = componentOfPrefix(docs[1] ?? "", component);
      documents.set(tableKey(where, table), { component: where, table, entry: name });
    } else if (schema) {
      const first = decode(name).split("\n")[0]!.trim();
      if (first === '"uniform"') uniform.add(tableKey(componentOfPrefix(schema[1] ?? "", component), schema[2]!));
    } else if (file && file[2] !== "documents") {
      storageFiles.set(tableKey(componentOfPrefix(file[1] ?? "", component), file[2]!), entries[name]!);
    }
  }
  const tableNumbers = new Map<string, number>();
  const tables: ParsedTable[] = [];
  const storage: StorageEntry[] = [];
  for (const [key, { component: where, table, entry }] of documents) {
    const rows = jsonLines(decode(entry), uniform.has(key) || table === TABLES_TABLE);
    if (table === TABLES_TABLE) {
      for (const row of rows as { name?: unknown; id?: unknown }[]) {
        if (typeof row?.name === "string" && (typeof row.id === "bigint" || typeof row.id === "number")) tableNumbers.set(tableKey(where, row.name), Number(row.id));
      }
    } else if (table === STORAGE_TABLE) {
      // Each component's files go into its own file storage, as the app's into the app's.
      (rows as Record<string, unknown>[]).forEach((row, i) => {
        const id = row?._id;
        const of = where === ROOT ? "" : ` of component "${where}"`;
        if (typeof id !== "string") throw importError("InvalidStorageId", `_storage row ${i + 1}${of} has no _id`);
        const bytes = storageFiles.get(tableKey(where, id));
        if (!bytes) throw importError("MissingStorageFile", `The file of _storage document ${id}${of} is missing from the ZIP.`);
        const creationTime = row._creationTime === undefined || row._creationTime === null ? null : Number(row._creationTime);
        storage.push({ component: where, id, creationTime, contentType: typeof row.contentType === "string" ? row.contentType : null, bytes });
      });
    } else {
      tables.push({ component: where, name: table, rows, lossless: uniform.has(key) });
    }
  }
  return { tables, tableNumbers, storage };
}

type Plan = { component: string; table: string; added: number; deleted: number; existing: number; unit: string };

function checkTableName(name: string) {
  if (name.startsWith("_")) throw importError("InvalidTableName", `Invalid table name ${name} starts with metadata prefix '_'`);
  if (!TABLE_NAME.test(name) || name.length > 64) throw importError("InvalidTableName", `table name '${name}' invalid: table names must start with a letter and contain only letters, digits and underscores (at most 64 characters)`);
}

/**
 * An import may write only into the app and the components installed now:
 * they have the schema its documents are checked against. (Convex would
 * create an unmounted component for an unknown path; here that would be
 * tables no function can read, so it is refused.)
 */
function checkComponent(runtime: Runtime, component: string) {
  if (component === ROOT || runtime.components?.has(component)) return;
  const installed = [...(runtime.components?.keys() ?? [])].sort(byPath);
  throw importError(
    "ComponentNotFound",
    `Component "${component}" not found: the import addresses it (with --component, or a ZIP's ${componentPrefix(component)} folder), but this deployment has no component at that path. ${
      installed.length > 0 ? `Its components are: ${installed.join(", ")}.` : "It has no components."
    }`,
  );
}

/** Every stored user table of the app and every component, as (component, table, stored name). */
function allUserTables(runtime: Runtime): { component: string; table: string; stored: string }[] {
  const out: { component: string; table: string; stored: string }[] = [];
  for (const [component, tables] of userTablesByComponent(runtime)) for (const { name } of tables) out.push({ component, table: name, stored: storedTableName(component, name) });
  return out;
}

/** An import's files by the component whose storage they go into. */
function storageByComponent(parsed: ParsedImport): Map<string, StorageEntry[]> {
  const out = new Map<string, StorageEntry[]>();
  for (const f of parsed.storage) {
    let list = out.get(f.component);
    if (!list) out.set(f.component, (list = []));
    list.push(f);
  }
  return out;
}

/** What the import would create and delete, per table (and whether it may go ahead in `mode` at all). */
export function planImport(runtime: Runtime, parsed: ParsedImport, mode: ImportMode): Plan[] {
  const store = runtime.store;
  const plans = new Map<string, Plan>();
  for (const t of parsed.tables) {
    checkTableName(t.name);
    checkComponent(runtime, t.component);
    const count = store.count(storedTableName(t.component, t.name));
    if (mode === "requireEmpty" && count > 0) {
      throw importError("TableExists", `Table ${t.name} already exists. Please choose a new table name or use replace/append modes.`);
    }
    const deleted = mode === "replace" || mode === "replaceAll" ? count : 0;
    plans.set(tableKey(t.component, t.name), { component: t.component, table: t.name, added: t.rows.length, deleted, existing: count, unit: " documents" });
  }
  for (const [component, files] of storageByComponent(parsed)) {
    checkComponent(runtime, component);
    const count = store.count(storedTableName(component, STORAGE_TABLE));
    if (mode === "requireEmpty" && count > 0) {
      throw importError("TableExists", `Table ${STORAGE_TABLE} already exists. Please choose a new table name or use replace/append modes.`);
    }
    plans.set(tableKey(component, STORAGE_TABLE), { component, table: STORAGE_TABLE, added: files.length, deleted: mode === "replace" || mode === "replaceAll" ? count : 0, existing: count, unit: " files" });
  }
  if (mode === "replaceAll") {
    // As on Convex, every user table of the deployment, the components' too, that the import does not write is emptied.
    for (const { component, table, stored } of allUserTables(runtime)) {
      if (!plans.has(tableKey(component, table))) {
        const count = store.count(stored);
        if (count > 0) plans.set(tableKey(component, table), { component, table, added: 0, deleted: count, existing: count, unit: " documents" });
      }
    }
  }
  return [...plans.values()].sort((a, b) => byPath(a.component, b.component) || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

const thousands = (n: number) => n.toLocaleString("en-US");

/** One component's table of changes (render_table_changes). */
function renderTableChanges(plans: Plan[]): string[] {
  const lines: string[] = [];
  const parts = [["table", "create", "delete"], ...plans.map((p) => [p.table, thousands(p.added), `${thousands(p.deleted)} of ${thousands(p.existing)}${p.unit}`])];
  const w = [0, 1, 2].map((i) => Math.max(...parts.map((p) => p[i]!.length)));
  parts.forEach((p, i) => {
    lines.push(`${p[0]!.padEnd(w[0]!)} | ${p[1]!.padEnd(w[1]!)} | ${p[2]!.padEnd(w[2]!)} |`);
    if (i === 0) lines.push("-".repeat(w[0]! + 3 + w[1]! + 3 + w[2]! + 2));
  });
  return lines;
}

/**
 * The change summary Convex asks the CLI to confirm (messages_to_confirm_replace),
 * and whether it deletes anything: the app's tables, then each component's
 * under a `Component <path>` line. `plans` come sorted by planImport.
 */
export function confirmationMessage(plans: Plan[]): { message: string; deletes: boolean } {
  const lines: string[] = [];
  if (plans.length > 0) {
    lines.push("Import change summary:");
    for (let i = 0; i < plans.length; ) {
      const component = plans[i]!.component;
      let j = i;
      while (j < plans.length && plans[j]!.component === component) j++;
      if (component !== ROOT) lines.push(`Component ${component}`);
      lines.push(...renderTableChanges(plans.slice(i, j)));
      i = j;
    }
  }
  lines.push("Once the import has started, it will run in the background.\nInterrupting `npx convex import` will not cancel it.");
  return { message: lines.join("\n"), deletes: plans.some((p) => p.deleted > 0) };
}

/** The sequence number inside one of this backend's ids (values.ts encodeId: table, seq, random). */
function idSeq(id: string): bigint {
  const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  let bits = 0n;
  for (const ch of id) bits = (bits << 5n) | BigInt(ALPHABET.indexOf(ch));
  return ((bits >> 2n) >> 32n) & ((1n << 64n) - 1n);
}

/** Replaces, anywhere in a value, each string that is an imported document's old id by its id here. */
function remapIds(v: Value, ids: Map<string, string>): Value {
  if (typeof v === "string") return ids.get(v) ?? v;
  if (v === null || typeof v !== "object" || v instanceof ArrayBuffer) return v;
  if (Array.isArray(v)) return v.map((x) => remapIds(x, ids));
  const out: Record<string, Value> = {};
  for (const k in v) out[k] = remapIds((v as Record<string, Value>)[k]!, ids);
  return out;
}

/**
 * Writes the import: call inside `runtime.inOwnTransaction`, so a failure
 * anywhere leaves the deployment as it was. Returns the number of documents
 * written (files not counted, as on Convex).
 *
 * A document keeps its `_id` when that is an id of its table here (a snapshot
 * of this backend, or of one whose table numbers it could take). Any other
 * `_id` (one of Convex Cloud's, or of a table numbered differently here) gets
 * a new id, and every string of the import equal to the old id, the
 * references to that document, is rewritten to the new one. A component's
 * table is written under its stored name (`table@path`) and checked against
 * that component's schema.
 */
export function writeImport(runtime: Runtime, parsed: ParsedImport, mode: ImportMode): number {
  const store = runtime.store;
  planImport(runtime, parsed, mode); // the state may have changed since it was confirmed
  const deleteAll = (table: string) => {
    for (const { json } of store.db.prepare("SELECT json FROM docs WHERE tbl = ?").all(table) as { json: string }[]) {
      const doc = jsonToConvex(JSON.parse(json)) as Doc;
      store.write(table, doc._id, doc, null);
      if (splitTable(table).table === STORAGE_TABLE) store.deleteFile(doc._id);
      runtime.writeCount++;
    }
  };
  if (mode === "replaceAll") for (const { stored } of allUserTables(runtime)) deleteAll(stored);
  else if (mode === "replace") for (const t of parsed.tables) deleteAll(storedTableName(t.component, t.name));
  const storage = storageByComponent(parsed);
  // A file storage the import brings files for is replaced (a component's as the app's).
  if (mode === "replace" || mode === "replaceAll") for (const component of storage.keys()) deleteAll(storedTableName(component, STORAGE_TABLE));

  // Table numbers first: a table new here takes the number it had where it was exported.
  // (adoptTable leaves a table that has a number, or a number that is taken, alone.)
  for (const [component, files] of storage) {
    const storageNumber = idTableNumber(files[0]!.id);
    if (storageNumber !== null) store.adoptTable(storedTableName(component, STORAGE_TABLE), storageNumber);
  }
  for (const t of parsed.tables) {
    const wanted = parsed.tableNumbers.get(tableKey(t.component, t.name));
    if (wanted !== undefined) store.adoptTable(storedTableName(t.component, t.name), wanted);
  }

  // Then ids: kept where they can be, else new (and remembered, to rewrite references).
  const remapped = new Map<string, string>();
  const idFor = (stored: string, table: string, given: unknown, row: number, seen: Set<string>): string => {
    if (typeof given !== "string" || given.length === 0) throw importError("InvalidId", `Row ${row} of table "${table}" has an invalid _id ${JSON.stringify(given)}.`);
    if (seen.has(given)) throw importError("DuplicateId", `Objects in table "${table}" have duplicate _id fields`);
    seen.add(given);
    if (idTableNumber(given) === store.tableNumber(stored)) {
      if (store.getJson(given) !== null) throw importError("DuplicateId", `A document with _id ${given} already exists in table "${table}".`);
      store.seqAtLeast(idSeq(given));
      return given;
    }
    const id = store.newId(stored);
    remapped.set(given, id);
    return id;
  };
  const seenFiles = new Map<string, Set<string>>();
  const storageIds = parsed.storage.map((f, i) => {
    let seen = seenFiles.get(f.component);
    if (!seen) seenFiles.set(f.component, (seen = new Set()));
    return idFor(storedTableName(f.component, STORAGE_TABLE), STORAGE_TABLE, f.id, i + 1, seen);
  });
  const rowIds = parsed.tables.map((t) => {
    const seen = new Set<string>();
    const stored = storedTableName(t.component, t.name);
    return t.rows.map((raw, i) => {
      const given = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)._id : undefined;
      return given === undefined ? null : idFor(stored, t.name, given, i + 1, seen);
    });
  });

  const creationTimeOf = (given: unknown): number => {
    if (given === undefined || given === null) return store.creationTime(Date.now());
    const t = Number(given);
    if (!Number.isFinite(t)) throw importError("InvalidCreationTime", `_creationTime ${String(given)} is not a number.`);
    return t;
  };
  parsed.storage.forEach((f, i) => {
    const id = storageIds[i]!;
    const doc = { _id: id, _creationTime: creationTimeOf(f.creationTime), sha256: sha256Base64(f.bytes), size: f.bytes.byteLength, ...(f.contentType ? { contentType: f.contentType } : {}) } as Doc;
    store.write(storedTableName(f.component, STORAGE_TABLE), id, null, doc);
    store.putFile(id, randomBytes(16).toString("hex"), f.bytes);
    runtime.writeCount++;
  });

  let written = 0;
  parsed.tables.forEach((t, ti) => {
    const stored = storedTableName(t.component, t.name);
    t.rows.forEach((raw, i) => {
      const row = i + 1;
      let value: Value;
      try {
        value = t.lossless ? (raw as Value) : jsonToConvex(raw as JSONValue);
      } catch (e: any) {
        throw importError("InvalidConvexValue", `Row ${row} wasn't a valid Convex value: ${e?.message ?? e}`);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof ArrayBuffer) throw importError("NotAnObject", `Row ${row} wasn't an object`);
      const { _id, _creationTime, ...rest } = value as Record<string, Value>;
      const fields: Record<string, Value> = {};
      for (const k in rest) if (rest[k] !== undefined) fields[k] = remapped.size > 0 ? remapIds(rest[k]!, remapped) : rest[k]!;
      // The stored name picks the component's schema, and the ids its documents may hold (runtime.checkDoc).
      runtime.checkDoc(stored, fields, JSON.stringify(convexToJson(fields)).length);
      const id = rowIds[ti]![i] ?? store.newId(stored);
      const doc = { ...fields, _id: id, _creationTime: creationTimeOf(_creationTime) } as Doc;
      store.write(stored, id, null, doc);
      runtime.writeCount++;
      written++;
    });
  });
  return written;
}

export function isImportFormat(f: unknown): f is ImportFormat {
  return (IMPORT_FORMATS as readonly unknown[]).includes(f);
}
export function isImportMode(m: unknown): m is ImportMode {
  return (IMPORT_MODES as readonly unknown[]).includes(m);
}
export type { ImportFormat, ImportMode };
