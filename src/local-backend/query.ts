// Query execution over index ranges: turns the serialized query of
// `convex/server` (source + operators) into a key range, streams it in batches,
// and reports the key range it actually read (for reactivity).
import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto";
import { jsonToConvex, type Value } from "convex/values";
import type { IndexDef, Row, Store, Touched } from "./store.js";
import { encodeValue, evalFilter, keySuccessor, KEY_MAX, KEY_MIN, literal, prefixEnd } from "./values.js";

export type ReadRange = { index: string; lo: Buffer; hi: Buffer };

type RangeExpr = { type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte"; fieldPath: string; value: unknown };

export type Plan = { index: IndexDef; lo: Buffer; hi: Buffer; order: "asc" | "desc"; filters: unknown[]; limit: number | null };

export function planQuery(store: Store, query: any): Plan {
  const source = query.source;
  const filters = (query.operators ?? []).filter((op: any) => "filter" in op).map((op: any) => op.filter);
  const limitOp = (query.operators ?? []).find((op: any) => "limit" in op);
  const limit = limitOp ? limitOp.limit : null;
  const order = source.order ?? "asc";
  if (source.type === "FullTableScan") {
    const index = store.index(`${source.tableName}.by_creation_time`)!;
    return { index, lo: KEY_MIN, hi: KEY_MAX, order, filters, limit };
  }
  if (source.type === "Search") throw new Error("A search query is run by search.ts, not as an index range.");
  const index = store.index(source.indexName);
  if (!index) {
    const [table, name] = source.indexName.split(".");
    throw new Error(`Index ${source.indexName} not found. Declare index "${name}" on table "${table}" in schema.ts.`);
  }
  const { lo, hi } = rangeBounds(index, source.range as RangeExpr[]);
  return { index, lo, hi, order, filters, limit };
}

function rangeBounds(index: IndexDef, range: RangeExpr[]): { lo: Buffer; hi: Buffer } {
  const byField = new Map<string, RangeExpr[]>();
  for (const r of range) byField.set(r.fieldPath, [...(byField.get(r.fieldPath) ?? []), r]);
  const prefix: Buffer[] = [];
  let lower: Buffer | null = null;
  let upper: Buffer | null = null;
  let used = 0;
  for (const field of index.fields) {
    const exprs = byField.get(field);
    if (!exprs) break;
    used += exprs.length;
    const eq = exprs.find((e) => e.type === "Eq");
    if (eq) {
      if (exprs.length > 1) throw new Error(`Index range on ${index.name} has an equality and another bound on "${field}".`);
      prefix.push(encodeValue(literal(eq.value) as Value));
      continue;
    }
    const p = Buffer.concat(prefix);
    for (const e of exprs) {
      const enc = Buffer.concat([p, encodeValue(literal(e.value) as Value)]);
      if (e.type === "Gt") lower = prefixEnd(enc);
      else if (e.type === "Gte") lower = enc;
      else if (e.type === "Lt") upper = enc;
      else if (e.type === "Lte") upper = prefixEnd(enc);
    }
    break;
  }
  if (used !== range.length) {
    throw new Error(
      `Invalid index range for ${index.name}: fields must be compared in index order (${index.fields.join(", ")}), ` +
        `equalities first and at most one lower and one upper bound on the next field.`,
    );
  }
  const p = Buffer.concat(prefix);
  return { lo: lower ?? p, hi: upper ?? (p.length === 0 ? KEY_MAX : prefixEnd(p)) };
}

function passes(filters: unknown[], json: string): boolean {
  if (filters.length === 0) return true;
  const doc = jsonToConvex(JSON.parse(json)) as Value;
  return filters.every((f) => evalFilter(doc, f) === true);
}

/**
 * A cursor over a plan; reads in growing batches. It reads the transaction's
 * current view: after a write that touched the part of the range it has not
 * returned yet, it refetches from strictly after the last key it returned.
 */
export class Stream {
  private buffer: Row[] = [];
  private last: Buffer | null = null;
  /** The range holds nothing after the buffer (as of `fetchedAt`). */
  private exhausted = false;
  private returned = 0;
  private fetchedAt = -1;
  /** `store.touched` as of the fetch, and its length then: the writes since are checked against the buffer. */
  private touchedLog: Touched[] | null = null;
  private touchedSeen = 0;
  private batch: number;
  done = false;
  /** Told of every document read (its JSON's length), for the transaction's limits. */
  meter: ((bytes: number) => void) | null = null;

  constructor(
    private store: Store,
    readonly plan: Plan,
    private writeCounter: () => number,
    private lo = plan.lo,
    private hi = plan.hi,
  ) {
    // `first()`/`unique()`/`take(n)` without filters need at most n rows: do not read (and copy) 16.
    this.batch = plan.limit !== null && plan.filters.length === 0 ? Math.max(1, Math.min(plan.limit, 16)) : 16;
  }

  /** Next raw row in range (ignoring filters), or null at the end. */
  nextRow(): Row | null {
    if (!this.current()) {
      this.buffer = [];
      this.exhausted = false;
    }
    if (this.buffer.length === 0) {
      if (this.exhausted) return null;
      const rows = this.scanRest(this.batch);
      this.fetchedAt = this.writeCounter();
      this.touchedLog = this.store.touched;
      this.touchedSeen = this.store.touched.length;
      if (rows.length < this.batch) this.exhausted = true;
      this.batch = Math.min(this.batch * 2, 512);
      this.buffer = rows;
      if (rows.length === 0) return null;
    }
    const row = this.buffer.shift()!;
    this.last = row.key;
    this.meter?.(row.json.length);
    return row;
  }

  /**
   * Whether the buffer (and `exhausted`) still match the transaction's view:
   * no write since the fetch touched a key after the current position, up to
   * the buffer's end (or the range's end when exhausted).
   */
  private current(): boolean {
    if (this.fetchedAt === this.writeCounter()) return true;
    const log = this.store.touched;
    // Nothing buffered to keep, or the log was drained (a commit was flushed) since the fetch.
    if (this.fetchedAt === -1 || log !== this.touchedLog || log.length < this.touchedSeen) return false;
    const tail = this.buffer.length > 0 ? this.buffer[this.buffer.length - 1].key : null;
    if (!tail && !this.exhausted) return false;
    // The keys [from, to) that the buffer stands for.
    const asc = this.plan.order === "asc";
    const from = asc ? (this.last ? keySuccessor(this.last) : this.lo) : tail && !this.exhausted ? tail : this.lo;
    const to = asc ? (tail && !this.exhausted ? keySuccessor(tail) : this.hi) : (this.last ?? this.hi);
    const name = this.plan.index.name;
    for (let i = this.touchedSeen; i < log.length; i++) {
      const t = log[i];
      if (t.index === name && Buffer.compare(t.key, from) >= 0 && Buffer.compare(t.key, to) < 0) return false;
    }
    this.fetchedAt = this.writeCounter();
    this.touchedSeen = log.length;
    return true;
  }

  /** Next document that passes the filters (JSON), honouring the limit. */
  next(): string | null {
    if (this.done) return null;
    if (this.plan.limit !== null && this.returned >= this.plan.limit) {
      this.done = true;
      return null;
    }
    for (;;) {
      const row = this.nextRow();
      if (!row) {
        this.done = true;
        this.exhausted = true;
        this.buffer = [];
        return null;
      }
      if (passes(this.plan.filters, row.json)) {
        this.returned++;
        return row.json;
      }
    }
  }

  /** Whether any row remains in range after the current position. */
  hasMore(): boolean {
    if (this.buffer.length > 0 && this.current()) return true;
    return this.scanRest(1).length > 0;
  }

  /** Up to `limit` rows of the range after the current position, in the plan's order. */
  private scanRest(limit: number): Row[] {
    const { plan } = this;
    const lo = plan.order === "asc" && this.last ? keySuccessor(this.last) : this.lo;
    const hi = plan.order === "desc" && this.last ? this.last : this.hi;
    return this.store.scan(plan.index.name, lo, hi, plan.order, limit);
  }

  get lastKey(): Buffer | null {
    return this.last;
  }

  /** The key range this stream has depended on so far. */
  covered(): ReadRange {
    const name = this.plan.index.name;
    if (this.exhausted && this.buffer.length === 0) return { index: name, lo: this.lo, hi: this.hi };
    if (!this.last) return { index: name, lo: this.lo, hi: this.lo };
    return this.plan.order === "asc"
      ? { index: name, lo: this.lo, hi: keySuccessor(this.last) }
      : { index: name, lo: this.last, hi: this.hi };
  }
}

// A cursor says where a page stopped (the index key it stopped after; for a
// search, its place in the ranked list, see search.ts) and, as on Convex, a
// hash of the query it belongs to, so a cursor of another query, index or
// range is refused rather than read as a position. Like Convex's, it is sealed
// with the deployment's key (AES-256-GCM): the index key can hold fields the
// query's function never returns, so the client must not read it, nor forge a
// starting point. The IV is an HMAC of the plaintext (a synthetic IV, as in
// SIV), so one page boundary always seals to the same text and a re-run query
// returns an unchanged result. Cursor = base64url(iv ‖ ciphertext ‖ tag).
const FINGERPRINT_BYTES = 12;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The fingerprint of what a cursor belongs to (the query, and whatever else fixes its order). */
export function fingerprintOf(value: unknown): Buffer {
  return createHash("sha256").update(JSON.stringify(value)).digest().subarray(0, FINGERPRINT_BYTES);
}

function fingerprint(plan: Plan, query: unknown): Buffer {
  return fingerprintOf([query, plan.index.fields]);
}

const cursorKeys = new WeakMap<Buffer, { seal: Buffer; iv: Buffer }>();
function keysOf(secret: Buffer) {
  let keys = cursorKeys.get(secret);
  if (!keys) {
    keys = {
      seal: createHmac("sha256", secret).update("parley-local-backend cursor seal").digest(),
      iv: createHmac("sha256", secret).update("parley-local-backend cursor iv").digest(),
    };
    cursorKeys.set(secret, keys);
  }
  return keys;
}

export function encodeCursor(secret: Buffer, fp: Buffer, key: Buffer): string {
  const keys = keysOf(secret);
  const plain = Buffer.concat([fp, key]);
  const iv = createHmac("sha256", keys.iv).update(plain).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, iv);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
}

// Convex's messages; "InvalidCursor" is what usePaginatedQuery looks for to restart from the first page.
const CURSOR_UNPARSABLE = "InvalidCursor: Failed to parse cursor";
const CURSOR_OF_OTHER_QUERY =
  "InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.";

function unseal(secret: Buffer, bytes: Buffer): Buffer | undefined {
  if (bytes.length <= IV_BYTES + TAG_BYTES + FINGERPRINT_BYTES) return undefined;
  const decipher = createDecipheriv("aes-256-gcm", keysOf(secret).seal, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined; // altered, or sealed by another deployment
  }
}

export function decodeCursor(secret: Buffer, cursor: unknown, fp: Buffer, arg: string): Buffer {
  if (typeof cursor !== "string") throw new Error(`${CURSOR_UNPARSABLE} (\`${arg}\` must be a string or null, got ${typeof cursor}).`);
  const bytes = Buffer.from(cursor, "base64url");
  // Buffer.from skips characters that are not base64url: only the canonical text of the bytes is a cursor.
  const plain = bytes.toString("base64url") === cursor ? unseal(secret, bytes) : undefined;
  if (!plain) throw new Error(`${CURSOR_UNPARSABLE} ${JSON.stringify(cursor.length > 80 ? `${cursor.slice(0, 80)}…` : cursor)}.`);
  if (!plain.subarray(0, FINGERPRINT_BYTES).equals(fp)) throw new Error(CURSOR_OF_OTHER_QUERY);
  return plain.subarray(FINGERPRINT_BYTES);
}

export const END_CURSOR = "_end_cursor";

function checkPageArgs(pageSize: unknown, maximumRowsRead: unknown, maximumBytesRead: unknown) {
  // `paginate` refuses negative and non-number sizes itself; NaN and Infinity arrive as null (JSON).
  if (typeof pageSize !== "number" || !Number.isInteger(pageSize)) {
    const got = pageSize === null ? "NaN or Infinity" : JSON.stringify(pageSize);
    throw new Error(`Invalid argument \`numItems\` for \`paginate\`: must be a positive integer, got ${got}.`);
  }
  if (pageSize < 1) {
    throw new Error(`NoDocumentsForPagination: Must request at least 1 document while paginating (\`numItems\` is ${pageSize}).`);
  }
  for (const [name, v] of [["maximumRowsRead", maximumRowsRead], ["maximumBytesRead", maximumBytesRead]] as const) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`InvalidPaginationLimit: maximumRowsRead and maximumBytesRead must be greater than 0 (\`${name}\` is ${JSON.stringify(v)}).`);
    }
  }
}

/** `1.0/queryPage`: one page of a paginated query. */
export function queryPage(
  store: Store,
  writeCounter: () => number,
  args: {
    query: any;
    cursor: string | null;
    endCursor?: string | null;
    pageSize: number;
    maximumRowsRead?: number | null;
    maximumBytesRead?: number | null;
  },
  reads: ReadRange[] | null,
  meter: ((bytes: number) => void) | null = null,
) {
  checkPageArgs(args.pageSize, args.maximumRowsRead, args.maximumBytesRead);
  const plan = planQuery(store, args.query);
  const fp = fingerprint(plan, args.query);
  if (args.cursor === END_CURSOR) {
    return { page: [], isDone: true, continueCursor: END_CURSOR, splitCursor: null, pageStatus: null };
  }
  let lo = plan.lo;
  let hi = plan.hi;
  if (args.cursor !== null && args.cursor !== undefined) {
    const c = decodeCursor(store.cursorSecret, args.cursor, fp, "cursor");
    if (plan.order === "asc") lo = Buffer.compare(keySuccessor(c), lo) > 0 ? keySuccessor(c) : lo;
    else hi = Buffer.compare(c, hi) < 0 ? c : hi;
  }
  const end = args.endCursor !== null && args.endCursor !== undefined && args.endCursor !== END_CURSOR ? decodeCursor(store.cursorSecret, args.endCursor, fp, "endCursor") : null;
  if (end) {
    if (plan.order === "asc") hi = Buffer.compare(keySuccessor(end), hi) < 0 ? keySuccessor(end) : hi;
    else lo = Buffer.compare(end, lo) > 0 ? end : lo;
  }
  const stream = new Stream(store, { ...plan, limit: null }, writeCounter, lo, hi);
  stream.meter = meter;
  const page: string[] = []; // documents as stored JSON text
  let rowsRead = 0;
  let pageStatus: string | null = null;
  let isDone = false;
  for (;;) {
    if (!end && page.length >= args.pageSize) {
      isDone = !stream.hasMore();
      break;
    }
    const row = stream.nextRow();
    if (!row) {
      isDone = true;
      break;
    }
    rowsRead++;
    if (passes(plan.filters, row.json)) page.push(row.json);
    if (args.maximumRowsRead && rowsRead >= args.maximumRowsRead) {
      pageStatus = "SplitRequired";
      break;
    }
  }
  let continueCursor: string;
  if (end) {
    continueCursor = args.endCursor!;
    isDone = false;
  } else if (isDone && pageStatus === null) {
    continueCursor = END_CURSOR;
  } else {
    continueCursor = encodeCursor(store.cursorSecret, fp, stream.lastKey!);
  }
  if (reads) {
    const covered = isDone || end ? { index: plan.index.name, lo, hi } : stream.covered();
    reads.push(covered);
  }
  return { page, isDone, continueCursor, splitCursor: null, pageStatus };
}
