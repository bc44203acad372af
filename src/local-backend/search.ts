// Full text search as Convex has it (docs.convex.dev/search/text-search):
// `.withSearchIndex(name, q => q.search(field, text).eq(filterField, value)…)`
// over a schema's `searchIndex(name, { searchField, filterFields })`.
//
// - Text is split into terms as Tantivy's SimpleTokenizer does (on anything
//   that is not a letter or a digit), lowercased; terms longer than 32
//   characters are dropped. A query has at most 16 terms and 8 equality filters.
// - A document matches when its search field holds any of the query's terms;
//   the last term also matches as a prefix (typeahead: "r" finds "rabbit").
// - Results come in relevance order, BM25 (k1 1.2, b 0.75) over the documents
//   that pass the equality filters, newest first among equal scores; at most
//   1024 are considered, as on Convex. `.filter()`, `.take()`, `.first()` and
//   `.paginate()` then work on that ranked list.
//
// The one difference is cost: Convex keeps an inverted index; here a search
// reads every document of the table (one range scan, documents parsed once) and
// ranks them, so a search costs time linear in the table. Reactivity is exact
// but broad: a search query depends on the whole table and re-runs after any
// write to it.
import { jsonToConvex, type JSONValue, type Value } from "convex/values";
import type { Store } from "./store.js";
import { encodeValue, evalFilter, keySuccessor, KEY_MAX, KEY_MIN, literal } from "./values.js";
import { decodeCursor, encodeCursor, END_CURSOR, fingerprintOf, type ReadRange } from "./query.js";

export type SearchIndexDef = { name: string; table: string; searchField: string; filterFields: string[] };

type SearchFilter = { type: "Search"; fieldPath: string; value: string } | { type: "Eq"; fieldPath: string; value: JSONValue | undefined };

export const MAX_TERM_LENGTH = 32;
export const MAX_QUERY_TERMS = 16;
export const MAX_FILTERS = 8;
export const MAX_CANDIDATES = 1024;
const K1 = 1.2;
const B = 0.75;
const SCAN_BATCH = 512;

/** The terms of a text, in order, as the search index sees them. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^\p{L}\p{N}]+/u)) {
    if (raw === "" || [...raw].length > MAX_TERM_LENGTH) continue;
    out.push(raw.toLowerCase());
  }
  return out;
}

/** A field of a document by dotted path ("a.b"), undefined when absent. */
function fieldOf(doc: Value, path: string): Value | undefined {
  let v: any = doc;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** Checks a search filter expression against its index; returns the query's terms and its equality filters. */
function parseFilters(def: SearchIndexDef, filters: SearchFilter[]): { terms: string[]; eqs: { fieldPath: string; key: Buffer | null }[] } {
  const searches = filters.filter((f) => f.type === "Search");
  if (searches.length !== 1) throw new Error(`A search query on ${def.name} needs exactly one .search() expression.`);
  const search = searches[0]!;
  if (search.fieldPath !== def.searchField) {
    throw new Error(`Search index ${def.name} searches "${def.searchField}", not "${search.fieldPath}".`);
  }
  const eqs = filters.filter((f): f is Extract<SearchFilter, { type: "Eq" }> => f.type === "Eq");
  if (eqs.length > MAX_FILTERS) throw new Error(`A search query may have at most ${MAX_FILTERS} equality filters (it has ${eqs.length}).`);
  for (const e of eqs) {
    if (!def.filterFields.includes(e.fieldPath)) {
      throw new Error(`"${e.fieldPath}" is not a filter field of search index ${def.name} (its filter fields: ${def.filterFields.join(", ") || "none"}).`);
    }
  }
  const terms = tokenize(search.value);
  if (terms.length > MAX_QUERY_TERMS) throw new Error(`A search query may have at most ${MAX_QUERY_TERMS} terms (it has ${terms.length}).`);
  return {
    terms,
    eqs: eqs.map((e) => {
      const value = literal(e.value);
      return { fieldPath: e.fieldPath, key: value === undefined ? null : encodeValue(value) };
    }),
  };
}

/**
 * The documents (as stored JSON text) that the search filter expression
 * selects, best match first: the source of a search query.
 */
export function searchDocuments(store: Store, def: SearchIndexDef, filters: SearchFilter[]): string[] {
  const { terms, eqs } = parseFilters(def, filters);
  if (terms.length === 0) return [];
  const last = terms.length - 1;
  type Candidate = { json: string; creationTime: number; length: number; tf: number[] };
  const candidates: Candidate[] = [];
  const df = new Array<number>(terms.length).fill(0);
  let docs = 0;
  let totalLength = 0;
  const index = store.index(`${def.table}.by_creation_time`)!;
  let lo: Buffer = KEY_MIN;
  for (;;) {
    const rows = store.scan(index.name, lo, KEY_MAX, "asc", SCAN_BATCH);
    for (const row of rows) {
      const doc = jsonToConvex(JSON.parse(row.json)) as Record<string, Value>;
      if (!eqs.every((e) => sameValue(fieldOf(doc, e.fieldPath), e.key))) continue;
      const text = fieldOf(doc, def.searchField);
      if (typeof text !== "string") continue;
      const tokens = tokenize(text);
      docs++;
      totalLength += tokens.length;
      const tf = terms.map((term, i) => tokens.reduce((n, t) => n + (t === term || (i === last && t.startsWith(term)) ? 1 : 0), 0));
      if (tf.every((n) => n === 0)) continue;
      tf.forEach((n, i) => n > 0 && df[i]!++);
      candidates.push({ json: row.json, creationTime: doc._creationTime as number, length: tokens.length, tf });
    }
    if (rows.length < SCAN_BATCH) break;
    lo = keySuccessor(rows[rows.length - 1]!.key);
  }
  const avgLength = docs > 0 ? totalLength / docs : 0;
  const idf = df.map((n) => Math.log(1 + (docs - n + 0.5) / (n + 0.5)));
  const scored = candidates.map((c) => ({
    c,
    score: c.tf.reduce((sum, tf, i) => sum + (tf === 0 ? 0 : (idf[i]! * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * c.length) / Math.max(avgLength, 1e-9)))), 0),
  }));
  scored.sort((a, b) => b.score - a.score || b.c.creationTime - a.c.creationTime);
  return scored.slice(0, MAX_CANDIDATES).map((s) => s.c.json);
}

function sameValue(value: Value | undefined, key: Buffer | null): boolean {
  if (key === null) return value === undefined;
  return value !== undefined && encodeValue(value).equals(key);
}

/** What a search query depends on: the whole table (any write to it may change the ranking). */
export function searchReadRange(def: SearchIndexDef): ReadRange {
  return { index: `${def.table}.by_creation_time`, lo: KEY_MIN, hi: KEY_MAX };
}

/** The `.filter()` operators of a query, applied after ranking. */
export function passesFilters(filters: unknown[], json: string): boolean {
  if (filters.length === 0) return true;
  const doc = jsonToConvex(JSON.parse(json)) as Value;
  return filters.every((f) => evalFilter(doc, f) === true);
}

/** A search query's results, read one by one (1.0/queryStreamNext) like any query stream. */
export class SearchStream {
  private at = 0;
  private returned = 0;

  constructor(
    private readonly rows: string[],
    private readonly filters: unknown[],
    private readonly limit: number | null,
    private readonly range: ReadRange,
    /** Told of every result read (its JSON's length), for the transaction's limits. */
    private readonly meter: (bytes: number) => void,
  ) {}

  next(): string | null {
    while (this.at < this.rows.length) {
      if (this.limit !== null && this.returned >= this.limit) return null;
      const json = this.rows[this.at++]!;
      this.meter(json.length);
      if (passesFilters(this.filters, json)) {
        this.returned++;
        return json;
      }
    }
    return null;
  }

  covered(): ReadRange {
    return this.range;
  }
}

/** The search index a query's source names, or the error Convex gives. */
function searchIndexOf(store: Store, indexName: string): SearchIndexDef {
  const def = store.searchIndexes.get(indexName);
  if (!def) {
    const [table, name] = indexName.split(".");
    throw new Error(`Search index ${indexName} not found. Declare searchIndex("${name}", …) on table "${table}" in schema.ts.`);
  }
  return def;
}

function operatorsOf(query: any): { filters: unknown[]; limit: number | null } {
  const ops = query.operators ?? [];
  const limitOp = ops.find((op: any) => "limit" in op);
  return { filters: ops.filter((op: any) => "filter" in op).map((op: any) => op.filter), limit: limitOp ? limitOp.limit : null };
}

export function isSearchQuery(query: any): boolean {
  return query?.source?.type === "Search";
}

/** `1.0/queryStream` of a search query. */
export function openSearch(store: Store, query: any, meter: (bytes: number) => void): SearchStream {
  const def = searchIndexOf(store, query.source.indexName);
  const { filters, limit } = operatorsOf(query);
  return new SearchStream(searchDocuments(store, def, query.source.filters), filters, limit, searchReadRange(def), meter);
}

// A search page's cursor is query.ts's, holding its position in the ranked list.
function positionCursor(store: Store, fp: Buffer, at: number): string {
  const position = Buffer.alloc(4);
  position.writeUInt32BE(at);
  return encodeCursor(store.cursorSecret, fp, position);
}

function cursorPosition(store: Store, cursor: string, fp: Buffer, arg: string): number {
  const position = decodeCursor(store.cursorSecret, cursor, fp, arg);
  if (position.length !== 4) throw new Error(`InvalidCursor: Failed to parse cursor (\`${arg}\` is not a cursor of a search query).`);
  return position.readUInt32BE();
}

/** `1.0/queryPage` of a search query: a page of the ranked list, by position. */
export function searchPage(
  store: Store,
  args: { query: any; cursor: string | null; endCursor?: string | null; pageSize: number; maximumRowsRead?: number | null },
  reads: ReadRange[] | null,
  meter: (bytes: number) => void,
) {
  const def = searchIndexOf(store, args.query.source.indexName);
  const { filters } = operatorsOf(args.query);
  reads?.push(searchReadRange(def));
  if (args.cursor === END_CURSOR) return { page: [], isDone: true, continueCursor: END_CURSOR, splitCursor: null, pageStatus: null };
  const fp = fingerprintOf([args.query, "search"]);
  const rows = searchDocuments(store, def, args.query.source.filters);
  let at = args.cursor === null || args.cursor === undefined ? 0 : cursorPosition(store, args.cursor, fp, "cursor");
  const end =
    args.endCursor === null || args.endCursor === undefined ? null : args.endCursor === END_CURSOR ? rows.length : cursorPosition(store, args.endCursor, fp, "endCursor");
  const page: string[] = [];
  let read = 0;
  let pageStatus: string | null = null;
  while (at < (end ?? rows.length) && (end !== null || page.length < args.pageSize)) {
    const json = rows[at++]!;
    read++;
    meter(json.length);
    if (passesFilters(filters, json)) page.push(json);
    if (args.maximumRowsRead && read >= args.maximumRowsRead && end === null) {
      pageStatus = "SplitRequired";
      break;
    }
  }
  const isDone = end === null && at >= rows.length && pageStatus === null;
  const continueCursor = end !== null ? args.endCursor! : isDone ? END_CURSOR : positionCursor(store, fp, at);
  return { page, isDone, continueCursor, splitCursor: null, pageStatus };
}
