// Vector search as Convex has it (docs.convex.dev/search/vector-search): a
// schema's `vectorIndex(name, { vectorField, dimensions, filterFields })` and,
// in actions, `ctx.vectorSearch(table, index, { vector, limit, filter })`,
// which the `convex` package sends as the `1.0/actions/vectorSearch` syscall
// and which answers `[{ _id, _score }]`, most similar first.
//
// The rules are the real backend's (crates/vector in get-convex/convex-backend):
// - A document is indexed when its vector field is an array of exactly
//   `dimensions` numbers (float64); anything else (missing, another length,
//   int64 elements) is skipped, not an error.
// - The score is cosine similarity in float32, as Qdrant computes it: both
//   vectors normalised, then their dot product; a zero vector scores 0.
//   Results come highest score first, ties by ID (descending), at most
//   `limit` (default 10, at most 256).
// - A filter is `q.eq(field, value)` on the index's filter fields and `q.or`
//   of those. Convex merges it into one set of values per field, and a
//   document matches when any field holds one of its values (fields are ORed,
//   as Qdrant's `should`); at most 64 values in all.
// - The search sees the committed state when the action calls it.
// - Components: each component's schema has its own vector indexes on its own
//   tables (stored as `<table>@<path>`, components.ts); `ctx.vectorSearch` in
//   a component names its index in that component's terms and reaches only
//   its tables, and results are IDs of them. Error messages use the names the
//   caller knows.
//
// The structure: per index, every indexed document's normalised vector in one
// Float32Array (row-major, `dimensions` floats per document), its ID and the
// encoded value of each filter field, kept in slots that a delete refills from
// the last one. An index is built from the table on its first search (one scan,
// each document parsed once) and then kept current: every document write marks
// its ID, and the next search re-reads just the marked documents, so a search
// never re-decodes the table. A search is an exact brute-force scan: O(n·d) for
// n indexed documents of d dimensions (Convex uses HNSW, approximate and
// sublinear), and the index holds 4·d bytes per document in memory.
import { jsonToConvex, type Value } from "convex/values";
import type { Store } from "./store.js";
import { ROOT, tableIn } from "./components.js";
import { encodeValue, fieldPath, KEY_MAX, KEY_MIN, keySuccessor, literal } from "./values.js";

export type VectorIndexDef = {
  /** "table.index" as stored ("table@component.index" for a component's). */
  name: string;
  /** The stored table name. */
  table: string;
  /** "table.index" as its component's code names it, for messages. */
  local: string;
  vectorField: string;
  dimensions: number;
  filterFields: string[];
  staged: boolean;
};

export const MIN_DIMENSIONS = 2;
export const MAX_DIMENSIONS = 4096;
export const DEFAULT_LIMIT = 10;
export const MAX_RESULTS = 256;
export const MAX_FILTER_LENGTH = 64;
export const MAX_FILTER_FIELDS = 16;
const SCAN_BATCH = 512;

export type VectorSearchResult = { _id: string; _score: number };

/** A vector search request's failure, in Convex's words. */
export class VectorSearchError extends Error {}

// ---- the schema ----------------------------------------------------------------

/**
 * The vector indexes of a loaded schema (`defineSchema(...)`) of `component`,
 * checked as Convex checks them on push; names and tables as stored.
 */
export function vectorIndexesOfSchema(schema: any, component = ROOT): { defs: VectorIndexDef[]; tables: string[] } {
  const defs: VectorIndexDef[] = [];
  const localTables = Object.keys(schema?.tables ?? {});
  const tables = localTables.map((t) => tableIn(component, t));
  const where = component === ROOT ? "" : ` in component "${component}"`;
  for (const table of localTables) {
    const exported = schema.tables[table].export();
    const all = [
      ...((exported.vectorIndexes ?? []) as any[]).map((ix) => ({ ix, staged: false })),
      ...((exported.stagedVectorIndexes ?? []) as any[]).map((ix) => ({ ix, staged: true })),
    ];
    for (const { ix, staged } of all) {
      const local = `${table}.${ix.indexDescriptor}`;
      const dimensions = ix.dimensions;
      if (!Number.isInteger(dimensions) || dimensions < MIN_DIMENSIONS || dimensions > MAX_DIMENSIONS) {
        throw new Error(`Vector index ${local}${where}: Dimensions ${dimensions} must be between ${MIN_DIMENSIONS} and ${MAX_DIMENSIONS}.`);
      }
      const filterFields = [...new Set<string>(ix.filterFields ?? [])];
      if (filterFields.length > MAX_FILTER_FIELDS) {
        throw new Error(`Vector index ${local}${where}: Search indexes may have up to ${MAX_FILTER_FIELDS} filter fields.`);
      }
      const stored = tableIn(component, table);
      defs.push({ name: `${stored}.${ix.indexDescriptor}`, table: stored, local, vectorField: ix.vectorField, dimensions, filterFields, staged });
    }
  }
  return { defs, tables };
}

const registries = new WeakMap<Store, VectorIndexes>();

/**
 * Installs the vector indexes of the app's schema and of each component's
 * (`[path, schema]`) on a store. Checks them first, so a bad one throws before
 * anything changes (the load fails, as Convex refuses the push). An index
 * whose definition did not change keeps what it has built.
 */
export function setVectorIndexes(store: Store, schema: unknown, componentSchemas: [string, unknown][] = []): void {
  const defs: VectorIndexDef[] = [];
  const tables: string[] = [];
  for (const [component, s] of [[ROOT, schema] as [string, unknown], ...componentSchemas]) {
    const of = vectorIndexesOfSchema(s, component);
    defs.push(...of.defs);
    tables.push(...of.tables);
  }
  let registry = registries.get(store);
  if (!registry) {
    registry = new VectorIndexes(store);
    registries.set(store, registry);
  }
  registry.install(defs, tables);
}

/**
 * `1.0/actions/vectorSearch` from a function of `component` (its index and
 * table names are that component's): the caller must hold the runtime's
 * lock, so the store holds committed state only.
 */
export function vectorSearch(store: Store, query: unknown, component = ROOT): { results: VectorSearchResult[] } {
  const registry = registries.get(store);
  if (!registry) throw new Error("Vector search is not ready yet: no functions are loaded.");
  return { results: registry.search(query, component) };
}

class VectorIndexes {
  private defs = new Map<string, VectorIndexDef>();
  private schemaTables = new Set<string>();
  private built = new Map<string, VectorIndex>();
  /** Built indexes by table, for the write hook. */
  private byTable = new Map<string, VectorIndex[]>();

  constructor(private readonly store: Store) {
    store.onWrite.push((table, id) => {
      for (const ix of this.byTable.get(table) ?? []) ix.dirty.add(id);
    });
  }

  install(defs: VectorIndexDef[], tables: string[]) {
    const next = new Map(defs.map((d) => [d.name, d]));
    for (const [name, ix] of this.built) {
      const def = next.get(name);
      if (!def || JSON.stringify(def) !== JSON.stringify(ix.def)) this.built.delete(name);
    }
    this.defs = next;
    this.schemaTables = new Set(tables);
    this.byTable.clear();
    for (const ix of this.built.values()) this.byTable.set(ix.def.table, [...(this.byTable.get(ix.def.table) ?? []), ix]);
  }

  search(raw: unknown, component = ROOT): VectorSearchResult[] {
    const query = parseQuery(raw);
    const dot = query.indexName.indexOf(".");
    // parseQuery checked the table name (no "@"), so this names a table of the caller's component only.
    const table = tableIn(component, query.indexName.slice(0, dot));
    const indexName = `${table}${query.indexName.slice(dot)}`;
    // As on Convex: a table that does not exist has nothing to find.
    const exists = this.schemaTables.has(table) || (component === ROOT ? this.store.userTables().includes(table) : this.store.count(table) > 0);
    if (!exists) return [];
    const def = this.defs.get(indexName);
    if (!def) {
      if (this.store.index(indexName) || this.store.searchIndexes.has(indexName)) {
        throw new VectorSearchError(`Index ${query.indexName} is not a vector index`);
      }
      throw new VectorSearchError(`Index ${query.indexName} not found.`);
    }
    if (def.staged) throw new VectorSearchError(`Index ${def.local} is currently staged and not available to query until it is enabled.`);
    const compiled = compile(def, query);
    return this.index(def).search(compiled);
  }

  /** The index, built on first use and brought up to date with the writes since the last search. */
  private index(def: VectorIndexDef): VectorIndex {
    let ix = this.built.get(def.name);
    if (!ix) {
      ix = new VectorIndex(def);
      const by = this.store.index(`${def.table}.by_creation_time`)!;
      let lo: Buffer = KEY_MIN;
      for (;;) {
        const rows = this.store.scan(by.name, lo, KEY_MAX, "asc", SCAN_BATCH);
        for (const row of rows) {
          const doc = jsonToConvex(JSON.parse(row.json)) as Record<string, Value>;
          ix.put(doc._id as string, doc);
        }
        if (rows.length < SCAN_BATCH) break;
        lo = keySuccessor(rows[rows.length - 1]!.key);
      }
      this.built.set(def.name, ix);
      this.byTable.set(def.table, [...(this.byTable.get(def.table) ?? []), ix]);
      return ix;
    }
    // A marked ID may belong to a write that was rolled back: re-reading gives what is committed either way.
    for (const id of ix.dirty) {
      const json = this.store.getJson(id);
      if (json === null) ix.remove(id);
      else ix.put(id, jsonToConvex(JSON.parse(json)) as Record<string, Value>);
    }
    ix.dirty.clear();
    return ix;
  }
}

// ---- the request -----------------------------------------------------------------

type ParsedQuery = {
  indexName: string;
  limit: number;
  vector: number[];
  /** field → the encoded values it may hold (a document matching any field's set passes). */
  filter: Map<string, Set<string>>;
};

/** serde's words for a value that is not what the request needs. */
function serdeType(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (typeof v === "number") return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (Array.isArray(v)) return "sequence";
  return "map";
}

/** The syscall's `query`, decoded as the backend's `VectorSearchJson` is (its errors are InvalidVectorQuery). */
function parseQuery(raw: any): ParsedQuery {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new VectorSearchError(`invalid type: ${serdeType(raw)}, expected struct VectorSearchJson`);
  const indexName = raw.indexName;
  if (typeof indexName !== "string") throw new VectorSearchError(`invalid type: ${serdeType(indexName ?? null)}, expected a string`);
  const parts = indexName.split(".");
  if (parts.length < 2) throw new VectorSearchError(`Insufficient components in index name ${indexName}`);
  if (parts.length > 2) throw new VectorSearchError(`Too many components in index name ${indexName}`);
  if (!/^_?[A-Za-z][A-Za-z0-9_]*$/.test(parts[0]!)) {
    throw new VectorSearchError(`Invalid table name: "${parts[0]}". Identifiers must start with a letter and can only contain letters, digits, and underscores.`);
  }
  let limit = DEFAULT_LIMIT;
  if (raw.limit !== undefined && raw.limit !== null) {
    const l = raw.limit;
    if (typeof l !== "number" || !Number.isInteger(l)) throw new VectorSearchError(`invalid type: ${serdeType(l)}, expected u32`);
    if (l < 0 || l > 0xffff_ffff) throw new VectorSearchError(`invalid value: integer \`${l}\`, expected u32`);
    limit = l;
  }
  if (!Array.isArray(raw.vector)) throw new VectorSearchError(`invalid type: ${serdeType(raw.vector ?? null)}, expected a sequence`);
  for (const x of raw.vector) {
    if (typeof x !== "number") throw new VectorSearchError(`invalid type: ${serdeType(x)}, expected f32`);
  }
  const filter = new Map<string, Set<string>>();
  if (raw.expressions !== undefined && raw.expressions !== null) assembleFilter(raw.expressions, filter);
  return { indexName, limit, vector: raw.vector, filter };
}

/** `q.eq`/`q.or` into one set of values per field, as Convex's assemble_filter_map does. */
function assembleFilter(e: any, into: Map<string, Set<string>>) {
  if (e !== null && typeof e === "object" && !Array.isArray(e)) {
    if ("$eq" in e) {
      const [left, right] = Array.isArray(e.$eq) ? e.$eq : [];
      const isField = left !== null && typeof left === "object" && typeof left.$field === "string";
      const isLiteral = right !== null && typeof right === "object" && "$literal" in right;
      if (!isField || !isLiteral || e.$eq.length !== 2) {
        throw new VectorSearchError("`q.eq` must take a field path as its first argument and a value as its second");
      }
      const key = encodeValue(literal(right.$literal)).toString("latin1");
      let values = into.get(left.$field);
      if (!values) into.set(left.$field, (values = new Set()));
      values.add(key);
      return;
    }
    if ("$or" in e && Array.isArray(e.$or)) {
      for (const sub of e.$or) assembleFilter(sub, into);
      return;
    }
  }
  throw new VectorSearchError("Filters should be a combination of `q.eq` and `q.or`.");
}

type Compiled = { vector: Float64Array; limit: number; conditions: { field: number; values: Set<string> }[] };

/** Checks a query against its index, in the order Convex's QdrantSchema::compile does. */
function compile(def: VectorIndexDef, q: ParsedQuery): Compiled {
  if (q.vector.length > MAX_DIMENSIONS) throw new VectorSearchError(`Expected a vector with dimensions ${MAX_DIMENSIONS}, received ${q.vector.length}.`);
  if (q.limit > MAX_RESULTS) throw new VectorSearchError(`Vector queries can fetch at most ${MAX_RESULTS} results, requested ${q.limit}.`);
  const conditions: Compiled["conditions"] = [];
  let length = 0;
  for (const field of [...q.filter.keys()].sort()) {
    const at = def.filterFields.indexOf(field);
    if (at === -1) {
      throw new VectorSearchError(`Vector query against ${def.local} contains a filter on "${field}" but that field isn't indexed for filtering in \`filterFields\`.`);
    }
    const values = q.filter.get(field)!;
    conditions.push({ field: at, values });
    length += values.size;
  }
  if (length > MAX_FILTER_LENGTH) {
    throw new VectorSearchError(`Vector query against ${def.local} has too many conditions. Max: ${MAX_FILTER_LENGTH} Actual: ${length}`);
  }
  if (q.vector.length !== def.dimensions) throw new VectorSearchError(`Expected a vector with dimensions ${def.dimensions}, received ${q.vector.length}.`);
  // The query vector as float32, normalised, like Qdrant's cosine preprocessing.
  const vector = Float64Array.from(q.vector, (x) => Math.fround(x));
  normalise(vector);
  return { vector, limit: q.limit, conditions };
}

/** Scales a vector to length 1 in place; a zero (or non-finite) vector is left as it is. */
function normalise(v: Float64Array | Float32Array) {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (!(sum > 0) || !Number.isFinite(sum)) return;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
}

/** The shortest decimal that reads back as the same float32, as Convex's JSON shows an f32 score. */
export function float32Json(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return f;
  for (let digits = 1; digits < 10; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  return f;
}

// ---- the index ---------------------------------------------------------------------

class VectorIndex {
  private readonly dim: number;
  private count = 0;
  private vectors: Float32Array;
  private ids: string[] = [];
  /** Per filter field, per slot: the field's value, encoded (undefined included) as Convex compares it. */
  private filterKeys: string[][];
  private slotOf = new Map<string, number>();
  /** IDs written since the last search (see VectorIndexes.index). */
  readonly dirty = new Set<string>();

  constructor(readonly def: VectorIndexDef) {
    this.dim = def.dimensions;
    this.vectors = new Float32Array(this.dim * 16);
    this.filterKeys = def.filterFields.map(() => []);
  }

  /** Indexes a document's current version (or drops it, when its vector field no longer qualifies). */
  put(id: string, doc: Record<string, Value>) {
    const vector = this.vectorOf(doc);
    if (!vector) return this.remove(id);
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.count++;
      if (this.count * this.dim > this.vectors.length) {
        const grown = new Float32Array(this.vectors.length * 2);
        grown.set(this.vectors);
        this.vectors = grown;
      }
      this.slotOf.set(id, slot);
      this.ids[slot] = id;
    }
    this.vectors.set(vector, slot * this.dim);
    this.def.filterFields.forEach((f, i) => (this.filterKeys[i]![slot] = encodeValue(fieldPath(doc, f)).toString("latin1")));
  }

  remove(id: string) {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    const last = --this.count;
    if (slot !== last) {
      // Refill the hole from the last slot, so the rows stay dense.
      this.vectors.copyWithin(slot * this.dim, last * this.dim, (last + 1) * this.dim);
      const moved = this.ids[last]!;
      this.ids[slot] = moved;
      this.slotOf.set(moved, slot);
      for (const keys of this.filterKeys) keys[slot] = keys[last]!;
    }
    this.ids.length = last;
    for (const keys of this.filterKeys) keys.length = last;
  }

  /**
   * The vector Convex would index, normalised, or null: an array of exactly
   * `dimensions` numbers. (A NaN or infinite element, which Convex indexes with
   * scores that are not numbers, is not indexed here.)
   */
  private vectorOf(doc: Record<string, Value>): Float32Array | null {
    const value = fieldPath(doc, this.def.vectorField);
    if (!Array.isArray(value) || value.length !== this.dim) return null;
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const x = value[i];
      if (typeof x !== "number") return null;
      out[i] = x;
      if (!Number.isFinite(out[i]!)) return null;
    }
    normalise(out);
    return out;
  }

  /** The `limit` best-scoring documents that pass the filter: an exact scan of every row. */
  search(q: Compiled): VectorSearchResult[] {
    if (q.limit === 0) return [];
    const { dim, vectors, ids } = this;
    const query = q.vector;
    // The best so far, best first; a row enters only when it beats the worst of them.
    const bestScores: number[] = [];
    const bestIds: string[] = [];
    for (let slot = 0; slot < this.count; slot++) {
      if (q.conditions.length > 0 && !q.conditions.some((c) => c.values.has(this.filterKeys[c.field]![slot]!))) continue;
      let dot = 0;
      const base = slot * dim;
      for (let i = 0; i < dim; i++) dot += query[i]! * vectors[base + i]!;
      const score = Math.fround(dot);
      const id = ids[slot]!;
      const n = bestScores.length;
      if (n === q.limit && !ranksBefore(score, id, bestScores[n - 1]!, bestIds[n - 1]!)) continue;
      let at = n === q.limit ? n - 1 : n;
      while (at > 0 && ranksBefore(score, id, bestScores[at - 1]!, bestIds[at - 1]!)) {
        bestScores[at] = bestScores[at - 1]!;
        bestIds[at] = bestIds[at - 1]!;
        at--;
      }
      bestScores[at] = score;
      bestIds[at] = id;
    }
    return bestIds.map((id, i) => ({ _id: id, _score: float32Json(bestScores[i]!) }));
  }
}

/** Highest score first; on a tie, the greater ID first (Convex sorts by (score, id) descending). */
function ranksBefore(score: number, id: string, otherScore: number, otherId: string): boolean {
  return score > otherScore || (score === otherScore && id > otherId);
}
