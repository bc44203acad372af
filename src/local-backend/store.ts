// Durable storage on node:sqlite (WAL). Documents are kept as Convex JSON; every
// index (by_id, by_creation_time and the schema's) is a table of order-preserving
// keys (see values.ts) so an index range is one B-tree range scan.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomInt } from "node:crypto";
import { Worker } from "node:worker_threads";
import { convexToJson, jsonToConvex, type Value } from "convex/values";
import { makeFilePrivate, PRIVATE_FILE, privateDir } from "./file-modes.js";
import type { SearchIndexDef } from "./search.js";
import { encodeId, encodeTuple, fieldPath, idTableNumber } from "./values.js";

export type Doc = Record<string, Value> & { _id: string; _creationTime: number };
export type IndexDef = { name: string; table: string; fields: string[] };
export type Touched = { index: string; key: Buffer };
export type Row = { key: Buffer; json: string };

/** How often the checkpointer thread copies committed pages into the database file. */
const CHECKPOINT_MS = 250;

const CHECKPOINTER = `
const { DatabaseSync } = require("node:sqlite");
const { parentPort, workerData } = require("node:worker_threads");
const db = new DatabaseSync(workerData.file);
db.exec("PRAGMA busy_timeout = 1000");
const checkpoint = () => { try { db.exec("PRAGMA wal_checkpoint(PASSIVE)"); } catch {} };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage("closed");
});
`;

function startCheckpointer(file: string): { stop(): Promise<void> } {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, everyMs: CHECKPOINT_MS } });
  worker.unref();
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("message", () => void worker.terminate().then(done, done));
        worker.once("exit", done);
        worker.once("error", done);
        worker.postMessage("stop");
      })),
  };
}

const SYSTEM_INDEXES: Record<string, { name: string; fields: string[] }[]> = {
  _scheduled_functions: [{ name: "by_state_time", fields: ["state.kind", "scheduledTime"] }],
};

const CURSOR_SECRET = "cursorSecret";

export class Store {
  readonly db: DatabaseSync;
  private tableNums = new Map<string, number>();
  private tableNames = new Map<number, string>();
  private indexes = new Map<string, IndexDef[]>();
  private indexByName = new Map<string, IndexDef>();
  /** The schema's search indexes ("table.name"), set with its indexes (search.ts). */
  searchIndexes = new Map<string, SearchIndexDef>();
  /** Told of every document write (vector-search.ts keeps its in-memory indexes current by it). */
  readonly onWrite: ((table: string, id: string) => void)[] = [];
  private seq: bigint;
  private lastCreationTime: number;
  private savepoints = 0;
  /** A table was created since the store opened (rollbacks then re-read the table list). */
  private tablesAdded = false;
  /** Index keys written since the last drain; drives reactivity. */
  touched: Touched[] = [];
  private st: Record<string, StatementSync>;
  private readonly checkpointer: { stop(): Promise<void> };
  private scanArrays = false;

  constructor(dir: string) {
    privateDir(dir);
    const file = path.join(dir, "db.sqlite3");
    // SQLite gives the -wal and -shm files the database file's mode: make it private before they exist.
    fs.closeSync(fs.openSync(file, "a", PRIVATE_FILE));
    makeFilePrivate(file);
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA cache_size = -65536;
      PRAGMA mmap_size = 268435456;
      PRAGMA temp_store = MEMORY;
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tables (name TEXT PRIMARY KEY, num INTEGER NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS docs (id TEXT PRIMARY KEY, tbl TEXT NOT NULL, json TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS idx (name TEXT NOT NULL, key BLOB NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS index_defs (name TEXT PRIMARY KEY, fields TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS files (storage_id TEXT PRIMARY KEY, url_key TEXT NOT NULL UNIQUE, bytes BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS mutation_log (session TEXT NOT NULL, request INTEGER NOT NULL, ts TEXT NOT NULL, result TEXT NOT NULL, PRIMARY KEY (session, request)) WITHOUT ROWID;
    `);
    for (const suffix of ["-wal", "-shm"]) makeFilePrivate(file + suffix);
    // Checkpoints (copying the WAL into the database file, and syncing both)
    // run on a thread of their own: here, inside a commit, one every thousand
    // pages held this event loop for 10–40 ms. Passive, they never block a write.
    this.db.exec("PRAGMA wal_autocheckpoint = 0");
    this.checkpointer = startCheckpointer(file);
    this.st = {
      get: this.db.prepare("SELECT json FROM docs WHERE id = ?"),
      putDoc: this.db.prepare("INSERT OR REPLACE INTO docs (id, tbl, json) VALUES (?, ?, ?)"),
      delDoc: this.db.prepare("DELETE FROM docs WHERE id = ?"),
      putIdx: this.db.prepare("INSERT INTO idx (name, key, id) VALUES (?, ?, ?)"),
      delIdx: this.db.prepare("DELETE FROM idx WHERE name = ? AND key = ?"),
      // Keys as hex text and rows as arrays: a BLOB column costs node:sqlite an ArrayBuffer per row,
      // and row objects a property per column; together about a third of a scan.
      scanAsc: this.db.prepare("SELECT hex(i.key) AS key, d.json AS json FROM idx i JOIN docs d ON d.id = i.id WHERE i.name = ? AND i.key >= ? AND i.key < ? ORDER BY i.key ASC LIMIT ?"),
      scanDesc: this.db.prepare("SELECT hex(i.key) AS key, d.json AS json FROM idx i JOIN docs d ON d.id = i.id WHERE i.name = ? AND i.key >= ? AND i.key < ? ORDER BY i.key DESC LIMIT ?"),
      count: this.db.prepare("SELECT count(*) AS n FROM idx WHERE name = ?"),
      // UTF-8 bytes of each document's JSON, summed in SQLite rather than read out row by row.
      sizeBytes: this.db.prepare("SELECT coalesce(sum(length(CAST(d.json AS BLOB))), 0) AS n FROM idx i JOIN docs d ON d.id = i.id WHERE i.name = ?"),
      getMeta: this.db.prepare("SELECT v FROM meta WHERE k = ?"),
      setMeta: this.db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)"),
      putFile: this.db.prepare("INSERT INTO files (storage_id, url_key, bytes) VALUES (?, ?, ?)"),
      getFile: this.db.prepare("SELECT url_key, bytes FROM files WHERE storage_id = ?"),
      getFileByKey: this.db.prepare("SELECT storage_id, bytes FROM files WHERE url_key = ?"),
      delFile: this.db.prepare("DELETE FROM files WHERE storage_id = ?"),
      getMutation: this.db.prepare("SELECT ts, result FROM mutation_log WHERE session = ? AND request = ?"),
      putMutation: this.db.prepare("INSERT OR REPLACE INTO mutation_log (session, request, ts, result) VALUES (?, ?, ?, ?)"),
    };
    // setReturnArrays is Node 22.16+/24; without it rows come as objects.
    this.scanArrays = typeof this.st.scanAsc.setReturnArrays === "function";
    if (this.scanArrays) {
      this.st.scanAsc.setReturnArrays(true);
      this.st.scanDesc.setReturnArrays(true);
    }
    for (const row of this.db.prepare("SELECT name, num FROM tables").all() as { name: string; num: number }[]) {
      this.tableNums.set(row.name, row.num);
      this.tableNames.set(row.num, row.name);
    }
    this.seq = BigInt(this.getMeta("seq") ?? "0");
    this.lastCreationTime = Number(this.getMeta("lastCreationTime") ?? "0");
    // The deployment's own key for sealing pagination cursors (query.ts): kept
    // with the data, so cursors held by clients outlive a restart.
    let secret = this.getMeta(CURSOR_SECRET);
    if (!secret) this.setMeta(CURSOR_SECRET, (secret = randomBytes(32).toString("hex")));
    this.cursorSecret = Buffer.from(secret, "hex");
  }

  /** The key pagination cursors are sealed with; never leaves the backend. */
  readonly cursorSecret: Buffer;

  /** Stops the checkpointer (after a last checkpoint), then closes the database. */
  async close() {
    await this.checkpointer.stop();
    this.db.close();
  }

  getMeta(k: string): string | null {
    const row = this.st.getMeta.get(k) as { v: string } | undefined;
    return row ? row.v : null;
  }
  setMeta(k: string, v: string) {
    this.st.setMeta.run(k, v);
  }

  // ---- transactions -------------------------------------------------------
  begin() {
    this.db.exec("BEGIN IMMEDIATE");
  }
  commit() {
    this.setMeta("seq", this.seq.toString());
    this.setMeta("lastCreationTime", String(this.lastCreationTime));
    this.db.exec("COMMIT");
  }
  rollback() {
    if (this.db.isTransaction) this.db.exec("ROLLBACK");
    this.seq = BigInt(this.getMeta("seq") ?? "0");
    this.reloadTablesIfAdded();
  }
  savepoint(): string {
    const name = `sp${++this.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    return name;
  }
  release(name: string) {
    this.db.exec(`RELEASE ${name}`);
  }
  rollbackTo(name: string) {
    this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
    this.reloadTablesIfAdded();
  }

  /** A table created in the part rolled back is gone again: its `tables` row went with it, so the maps forget it too. */
  private reloadTablesIfAdded() {
    if (!this.tablesAdded) return;
    this.tableNums.clear();
    this.tableNames.clear();
    for (const row of this.db.prepare("SELECT name, num FROM tables").all() as { name: string; num: number }[]) {
      this.tableNums.set(row.name, row.num);
      this.tableNames.set(row.num, row.name);
    }
  }

  // ---- tables, ids, indexes ----------------------------------------------
  tableNumber(table: string): number {
    let n = this.tableNums.get(table);
    if (n === undefined) {
      n = this.tableNums.size === 0 ? 1 : Math.max(...this.tableNums.values()) + 1;
      this.db.prepare("INSERT INTO tables (name, num) VALUES (?, ?)").run(table, n);
      this.tablesAdded = true;
      this.tableNums.set(table, n);
      this.tableNames.set(n, table);
      const put = this.db.prepare("INSERT OR REPLACE INTO index_defs (name, fields) VALUES (?, ?)");
      for (const def of this.indexesOf(table)) put.run(def.name, JSON.stringify(def.fields));
    }
    return n;
  }

  /** Snapshot import (snapshot.ts): a table without a number yet takes `num` if it is free, so imported ids keep their table. */
  adoptTable(table: string, num: number): void {
    if (this.tableNums.has(table) || this.tableNames.has(num) || !(Number.isInteger(num) && num > 0 && num < 2 ** 32)) return;
    this.db.prepare("INSERT INTO tables (name, num) VALUES (?, ?)").run(table, num);
    this.tablesAdded = true;
    this.tableNums.set(table, num);
    this.tableNames.set(num, table);
    const put = this.db.prepare("INSERT OR REPLACE INTO index_defs (name, fields) VALUES (?, ?)");
    for (const def of this.indexesOf(table)) put.run(def.name, JSON.stringify(def.fields));
  }

  /** Snapshot import: ids made from now on are numbered after `seq`, an imported id's. */
  seqAtLeast(seq: bigint): void {
    if (seq > this.seq) this.seq = seq;
  }

  /** The app's tables that hold or held a document (not the system's, `_`-prefixed, nor components', `table@component`). */
  userTables(): string[] {
    return [...this.tableNums.keys()].filter((name) => !name.startsWith("_") && !name.includes("@"));
  }

  /** The table an ID belongs to, or null if it is not an ID of a known table. */
  tableOfId = (id: string): string | null => {
    const n = idTableNumber(id);
    return n === null ? null : (this.tableNames.get(n) ?? null);
  };

  newId(table: string): string {
    if (table === "_storage" || table.startsWith("_storage@")) {
      // A file's id is a capability: whoever holds it may attach it or ask for its URL.
      // 96 random bits, not a sequence number plus 32, so that it cannot be guessed.
      for (;;) {
        const id = encodeId(this.tableNumber(table), randomBytes(8).readBigUInt64BE(), randomInt(0, 2 ** 32 - 1));
        if (this.getJson(id) === null) return id;
      }
    }
    this.seq += 1n;
    return encodeId(this.tableNumber(table), this.seq, randomInt(0, 2 ** 32 - 1));
  }

  creationTime(now: number): number {
    const t = now <= this.lastCreationTime ? this.lastCreationTime + 0.001 : now;
    this.lastCreationTime = t;
    return t;
  }

  indexesOf(table: string): IndexDef[] {
    let defs = this.indexes.get(table);
    if (!defs) {
      defs = this.builtinIndexes(table);
      // A component's system tables ("_scheduled_functions@<component>", components.ts) have the same indexes.
      for (const extra of SYSTEM_INDEXES[table.split("@")[0]] ?? []) {
        defs.push({ name: `${table}.${extra.name}`, table, fields: [...extra.fields, "_creationTime", "_id"] });
      }
      this.indexes.set(table, defs);
      for (const d of defs) this.indexByName.set(d.name, d);
    }
    return defs;
  }

  private builtinIndexes(table: string): IndexDef[] {
    return [
      { name: `${table}.by_id`, table, fields: ["_id"] },
      { name: `${table}.by_creation_time`, table, fields: ["_creationTime", "_id"] },
    ];
  }

  index(name: string): IndexDef | undefined {
    const table = name.slice(0, name.indexOf("."));
    this.indexesOf(table);
    return this.indexByName.get(name);
  }

  /** Installs the schema's indexes, backfilling any that are new or changed. */
  setSchemaIndexes(schemaIndexes: Record<string, { indexDescriptor: string; fields: string[] }[]>) {
    const wanted = new Map<string, IndexDef>();
    const tables = new Set([...this.tableNums.keys(), ...Object.keys(schemaIndexes)]);
    this.indexes.clear();
    this.indexByName.clear();
    for (const table of tables) {
      const defs = this.indexesOf(table);
      for (const ix of schemaIndexes[table] ?? []) {
        const def = { name: `${table}.${ix.indexDescriptor}`, table, fields: [...ix.fields, "_creationTime", "_id"] };
        defs.push(def);
        this.indexByName.set(def.name, def);
      }
      for (const d of defs) wanted.set(d.name, d);
    }
    const existing = new Map(
      (this.db.prepare("SELECT name, fields FROM index_defs").all() as { name: string; fields: string }[]).map((r) => [r.name, r.fields]),
    );
    this.begin();
    try {
      for (const [name, fields] of existing) {
        const want = wanted.get(name);
        if (!want || JSON.stringify(want.fields) !== fields) {
          this.db.prepare("DELETE FROM idx WHERE name = ?").run(name);
          this.db.prepare("DELETE FROM index_defs WHERE name = ?").run(name);
          existing.delete(name);
        }
      }
      for (const def of wanted.values()) {
        if (existing.has(def.name)) continue;
        this.db.prepare("DELETE FROM idx WHERE name = ?").run(def.name);
        const docs = this.db.prepare("SELECT json FROM docs WHERE tbl = ?").all(def.table) as { json: string }[];
        for (const { json } of docs) {
          const doc = jsonToConvex(JSON.parse(json)) as Doc;
          this.st.putIdx.run(def.name, this.indexKey(def, doc), doc._id);
        }
        this.db.prepare("INSERT INTO index_defs (name, fields) VALUES (?, ?)").run(def.name, JSON.stringify(def.fields));
      }
      this.commit();
    } catch (e) {
      this.rollback();
      throw e;
    }
  }

  indexKey(def: IndexDef, doc: Doc): Buffer {
    return encodeTuple(def.fields.map((f) => fieldPath(doc, f)));
  }

  // ---- file storage: the bytes of each _storage document (see file-storage.ts) ----
  putFile(storageId: string, urlKey: string, bytes: Uint8Array) {
    this.st.putFile.run(storageId, urlKey, bytes);
  }

  getFile(storageId: string): { urlKey: string; bytes: Uint8Array } | null {
    const row = this.st.getFile.get(storageId) as { url_key: string; bytes: Uint8Array } | undefined;
    return row ? { urlKey: row.url_key, bytes: row.bytes } : null;
  }

  getFileByUrlKey(urlKey: string): { storageId: string; bytes: Uint8Array } | null {
    const row = this.st.getFileByKey.get(urlKey) as { storage_id: string; bytes: Uint8Array } | undefined;
    return row ? { storageId: row.storage_id, bytes: row.bytes } : null;
  }

  deleteFile(storageId: string) {
    this.st.delFile.run(storageId);
  }

  // ---- documents ----------------------------------------------------------
  getJson(id: string): string | null {
    const row = this.st.get.get(id) as { json: string } | undefined;
    return row ? row.json : null;
  }

  get(id: string): Doc | null {
    const json = this.getJson(id);
    return json === null ? null : (jsonToConvex(JSON.parse(json)) as Doc);
  }

  /** Writes (or deletes, when `next` is null) a document and its index entries; `nextJson` saves re-serialising it. */
  write(table: string, id: string, prev: Doc | null, next: Doc | null, nextJson?: string) {
    for (const def of this.indexesOf(table)) {
      const oldKey = prev ? this.indexKey(def, prev) : null;
      const newKey = next ? this.indexKey(def, next) : null;
      if (oldKey && newKey && oldKey.equals(newKey)) {
        this.touched.push({ index: def.name, key: newKey });
        continue;
      }
      if (oldKey) {
        this.st.delIdx.run(def.name, oldKey);
        this.touched.push({ index: def.name, key: oldKey });
      }
      if (newKey) {
        this.st.putIdx.run(def.name, newKey, id);
        this.touched.push({ index: def.name, key: newKey });
      }
    }
    if (next) this.st.putDoc.run(id, table, nextJson ?? JSON.stringify(convexToJson(next)));
    else this.st.delDoc.run(id);
    for (const listener of this.onWrite) listener(table, id);
  }

  /** Rows of an index with lo <= key < hi, in key order. */
  scan(index: string, lo: Buffer, hi: Buffer, order: "asc" | "desc", limit: number): Row[] {
    const stmt = order === "asc" ? this.st.scanAsc : this.st.scanDesc;
    const rows = stmt.all(index, lo, hi, limit) as unknown[];
    const out: Row[] = new Array(rows.length);
    if (this.scanArrays) {
      for (let i = 0; i < rows.length; i++) {
        const [key, json] = rows[i] as [string, string];
        out[i] = { key: Buffer.from(key, "hex"), json };
      }
    } else {
      for (let i = 0; i < rows.length; i++) {
        const { key, json } = rows[i] as { key: string; json: string };
        out[i] = { key: Buffer.from(key, "hex"), json };
      }
    }
    return out;
  }

  count(table: string): number {
    return Number((this.st.count.get(`${table}.by_creation_time`) as { n: number }).n);
  }

  /** The stored size of a table's documents: the UTF-8 bytes of their JSON. */
  sizeBytes(table: string): number {
    return Number((this.st.sizeBytes.get(`${table}.by_creation_time`) as { n: number }).n);
  }

  // ---- mutation idempotency -----------------------------------------------
  recordMutation(session: string, request: number, ts: bigint, resultJson: string) {
    this.st.putMutation.run(session, request, ts.toString(), resultJson);
  }
  findMutation(session: string, request: number): { ts: bigint; result: string } | null {
    const row = this.st.getMutation.get(session, request) as { ts: string; result: string } | undefined;
    return row ? { ts: BigInt(row.ts), result: row.result } : null;
  }
  pruneMutations(olderThanTs: bigint) {
    this.db.prepare("DELETE FROM mutation_log WHERE CAST(ts AS INTEGER) < ?").run(olderThanTs);
  }
}
