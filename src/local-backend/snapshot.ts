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
//   as `_storage/<id>`. It is taken at one timestamp, under the runtime's lock.
// - An import is uploaded in parts, parsed when the upload finishes (a bad file
//   fails the import with Convex's wording), shown as a change summary to
//   confirm, and written on `perform_import` in one transaction: all of it or
//   none. Documents keep their `_id` and `_creationTime` when they carry them.
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

/** Builds the ZIP of every user table (and, with `includeStorage`, the files): call under the runtime's lock. */
export function buildExport(runtime: Runtime, includeStorage: boolean): SnapshotExport {
  const store = runtime.store;
  const files: Zippable = { "README.md": strToU8(README) };
  const tables = store.userTables().map((name) => ({ name, id: store.tableNumber(name) }));
  tables.sort((a, b) => a.id - b.id);
  files[`${TABLES_TABLE}/documents.jsonl`] = strToU8(tables.map((t) => JSON.stringify(t) + "\n").join(""));
  const docsOf = store.db.prepare("SELECT json FROM docs WHERE tbl = ? ORDER BY id");
  for (const { name } of tables) {
    const lines = (docsOf.all(name) as { json: string }[]).map(({ json }) => exportJsonText(JSON.parse(json)) + "\n");
    files[`${name}/documents.jsonl`] = strToU8(lines.join(""));
    files[`${name}/generated_schema.jsonl`] = strToU8('"uniform"\n');
  }
  if (includeStorage) {
    const rows = docsOf.all(STORAGE_TABLE) as { json: string }[];
    const meta: string[] = [];
    for (const { json } of rows) {
      const doc = JSON.parse(json) as { _id: string; _creationTime: number; sha256: string; size: number; contentType?: string };
      meta.push(JSON.stringify({ _id: doc._id, _creationTime: doc._creationTime, sha256: doc.sha256, size: doc.size, contentType: doc.contentType ?? null }) + "\n");
      const file = store.getFile(doc._id);
      // Already compressed formats gain nothing from deflate.
      if (file) files[`${STORAGE_TABLE}/${doc._id}`] = [file.bytes, { level: 0 }];
    }
    files[`${STORAGE_TABLE}/documents.jsonl`] = strToU8(meta.join(""));
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

type ParsedTable = { name: string; rows: unknown[]; lossless: boolean };
type StorageEntry = { id: string; creationTime: number | null; contentType: string | null; bytes: Uint8Array };
export type ParsedImport = {
  tables: ParsedTable[];
  /** `_tables/documents.jsonl`: the table numbers of the exporting deployment. */
  tableNumbers: Map<string, number>;
  storage: StorageEntry[];
};

function importError(code: string, message: string): SnapshotError {
  return new SnapshotError(code, message);
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

function csvCell(s: string): unknown {
  // parse_csv_cell: a cell that parses as a float64 is one, anything else a string.
  const t = s.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || /^[+-]?(inf|infinity|nan)$/i.test(t)) {
    const n = /nan/i.test(t) ? NaN : /inf/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t);
    return n;
  }
  return s;
}

/** Reads an uploaded file into tables of rows (not yet Convex values for `lossless: false` ones). */
export function parseImport(bytes: Uint8Array, format: ImportFormat, tableName: string | null): ParsedImport {
  const text = () => {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw importError("Utf8BomNotSupported", "UTF-8 BOM is not supported. Please save your file without BOM.");
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (e: any) {
      throw importError("NotUtf8", `Import wasn't valid UTF8: ${e?.message ?? e}`);
    }
  };
  const single = (rows: unknown[]): ParsedImport => ({ tables: [{ name: tableName!, rows, lossless: false }], tableNumbers: new Map(), storage: [] });
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
    const names = header.map((h) => h.trim());
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
  const documents = new Map<string, string>();
  const storageFiles = new Map<string, Uint8Array>();
  for (const name of Object.keys(entries)) {
    if (name.startsWith("_components/") || name.includes("/_components/")) {
      throw importError("ComponentsNotSupported", `${name}: the embedded backend has no components, so a snapshot with component tables cannot be imported.`);
    }
    const docs = /^(?:.*\/)?([^/]+)\/documents\.jsonl$/.exec(name);
    const schema = /^(?:.*\/)?([^/]+)\/generated_schema\.jsonl$/.exec(name);
    const file = /(?:.*\/)?_storage\/([^/.]+)(?:\.[^/]+)?$/.exec(name);
    if (docs) {
      const table = docs[1]!;
      if (table.startsWith("_") && table !== TABLES_TABLE && table !== STORAGE_TABLE) continue; // other system tables are skipped, as on Convex
      documents.set(table, name);
    } else if (schema) {
      const first = decode(name).split("\n")[0]!.trim();
      if (first === '"uniform"') uniform.add(schema[1]!);
    } else if (file && file[1] !== "documents") {
      storageFiles.set(file[1]!, entries[name]!);
    }
  }
  const tableNumbers = new Map<string, number>();
  const tables: ParsedTable[] = [];
  let storage: StorageEntry[] = [];
  for (const [table, entry] of documents) {
    const rows = jsonLines(decode(entry), uniform.has(table) || table === TABLES_TABLE);
    if (table === TABLES_TABLE) {
      for (const row of rows as { name?: unknown; id?: unknown }[]) {
        if (typeof row?.name === "string" && (typeof row.id === "bigint" || typeof row.id === "number")) tableNumbers.set(row.name, Number(row.id));
      }
    } else if (table === STORAGE_TABLE) {
      storage = (rows as Record<string, unknown>[]).map((row, i) => {
        const id = row?._id;
        if (typeof id !== "string") throw importError("InvalidStorageId", `_storage row ${i + 1} has no _id`);
        const bytes = storageFiles.get(id);
        if (!bytes) throw importError("MissingStorageFile", `The file of _storage document ${id} is missing from the ZIP.`);
        const creationTime = row._creationTime === undefined || row._creationTime === null ? null : Number(row._creationTime);
        return { id, creationTime, contentType: typeof row.contentType === "string" ? row.contentType : null, bytes };
      });
    } else {
      tables.push({ name: table, rows, lossless: uniform.has(table) });
    }
  }
  return { tables, tableNumbers, storage };
}

type Plan = { table: string; added: number; deleted: number; existing: number; unit: string };

function checkTableName(name: string) {
  if (name.startsWith("_")) throw importError("InvalidTableName", `Invalid table name ${name} starts with metadata prefix '_'`);
  if (!TABLE_NAME.test(name) || name.length > 64) throw importError("InvalidTableName", `table name '${name}' invalid: table names must start with a letter and contain only letters, digits and underscores (at most 64 characters)`);
}

/** What the import would create and delete, per table (and whether it may go ahead in `mode` at all). */
export function planImport(runtime: Runtime, parsed: ParsedImport, mode: ImportMode): Plan[] {
  const store = runtime.store;
  const plans = new Map<string, Plan>();
  const existing = (table: string) => store.count(table);
  for (const t of parsed.tables) {
    checkTableName(t.name);
    const count = existing(t.name);
    if (mode === "requireEmpty" && count > 0) {
      throw importError("TableExists", `Table ${t.name} already exists. Please choose a new table name or use replace/append modes.`);
    }
    const deleted = mode === "replace" || mode === "replaceAll" ? count : 0;
    plans.set(t.name, { table: t.name, added: t.rows.length, deleted, existing: count, unit: " documents" });
  }
  if (parsed.storage.length > 0) {
    const count = existing(STORAGE_TABLE);
    if (mode === "requireEmpty" && count > 0) {
      throw importError("TableExists", `Table ${STORAGE_TABLE} already exists. Please choose a new table name or use replace/append modes.`);
    }
    plans.set(STORAGE_TABLE, { table: STORAGE_TABLE, added: parsed.storage.length, deleted: mode === "replace" || mode === "replaceAll" ? count : 0, existing: count, unit: " files" });
  }
  if (mode === "replaceAll") {
    for (const table of store.userTables()) {
      if (!plans.has(table)) {
        const count = store.count(table);
        if (count > 0) plans.set(table, { table, added: 0, deleted: count, existing: count, unit: " documents" });
      }
    }
  }
  return [...plans.values()].sort((a, b) => (a.table < b.table ? -1 : 1));
}

const thousands = (n: number) => n.toLocaleString("en-US");

/** The change summary Convex asks the CLI to confirm (render_table_changes), and whether it deletes anything. */
export function confirmationMessage(plans: Plan[]): { message: string; deletes: boolean } {
  const lines: string[] = [];
  if (plans.length > 0) {
    const parts = [["table", "create", "delete"], ...plans.map((p) => [p.table, thousands(p.added), `${thousands(p.deleted)} of ${thousands(p.existing)}${p.unit}`])];
    const w = [0, 1, 2].map((i) => Math.max(...parts.map((p) => p[i]!.length)));
    lines.push("Import change summary:");
    parts.forEach((p, i) => {
      lines.push(`${p[0]!.padEnd(w[0]!)} | ${p[1]!.padEnd(w[1]!)} | ${p[2]!.padEnd(w[2]!)} |`);
      if (i === 0) lines.push("-".repeat(w[0]! + 3 + w[1]! + 3 + w[2]! + 2));
    });
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
 * references to that document, is rewritten to the new one.
 */
export function writeImport(runtime: Runtime, parsed: ParsedImport, mode: ImportMode): number {
  const store = runtime.store;
  planImport(runtime, parsed, mode); // the state may have changed since it was confirmed
  const deleteAll = (table: string) => {
    for (const { json } of store.db.prepare("SELECT json FROM docs WHERE tbl = ?").all(table) as { json: string }[]) {
      const doc = jsonToConvex(JSON.parse(json)) as Doc;
      store.write(table, doc._id, doc, null);
      if (table === STORAGE_TABLE) store.deleteFile(doc._id);
      runtime.writeCount++;
    }
  };
  if (mode === "replaceAll") for (const table of store.userTables()) deleteAll(table);
  else if (mode === "replace") for (const t of parsed.tables) if (store.userTables().includes(t.name)) deleteAll(t.name);
  if (parsed.storage.length > 0 && (mode === "replace" || mode === "replaceAll")) deleteAll(STORAGE_TABLE);

  // Table numbers first: a table new here takes the number it had where it was exported.
  // (adoptTable leaves a table that has a number, or a number that is taken, alone.)
  const storageNumber = parsed.storage.length > 0 ? idTableNumber(parsed.storage[0]!.id) : null;
  if (storageNumber !== null) store.adoptTable(STORAGE_TABLE, storageNumber);
  for (const t of parsed.tables) {
    const wanted = parsed.tableNumbers.get(t.name);
    if (wanted !== undefined) store.adoptTable(t.name, wanted);
  }

  // Then ids: kept where they can be, else new (and remembered, to rewrite references).
  const remapped = new Map<string, string>();
  const idFor = (table: string, given: unknown, row: number, seen: Set<string>): string => {
    if (typeof given !== "string" || given.length === 0) throw importError("InvalidId", `Row ${row} of table "${table}" has an invalid _id ${JSON.stringify(given)}.`);
    if (seen.has(given)) throw importError("DuplicateId", `Objects in table "${table}" have duplicate _id fields`);
    seen.add(given);
    if (idTableNumber(given) === store.tableNumber(table)) {
      if (store.getJson(given) !== null) throw importError("DuplicateId", `A document with _id ${given} already exists in table "${table}".`);
      store.seqAtLeast(idSeq(given));
      return given;
    }
    const id = store.newId(table);
    remapped.set(given, id);
    return id;
  };
  const storageIds = parsed.storage.map((f, i) => idFor(STORAGE_TABLE, f.id, i + 1, new Set()));
  const rowIds = parsed.tables.map((t) => {
    const seen = new Set<string>();
    return t.rows.map((raw, i) => {
      const given = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)._id : undefined;
      return given === undefined ? null : idFor(t.name, given, i + 1, seen);
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
    store.write(STORAGE_TABLE, id, null, doc);
    store.putFile(id, randomBytes(16).toString("hex"), f.bytes);
    runtime.writeCount++;
  });

  let written = 0;
  parsed.tables.forEach((t, ti) => {
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
      runtime.checkDoc(t.name, fields, JSON.stringify(convexToJson(fields)).length);
      const id = rowIds[ti]![i] ?? store.newId(t.name);
      const doc = { ...fields, _id: id, _creationTime: creationTimeOf(_creationTime) } as Doc;
      store.write(t.name, id, null, doc);
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
