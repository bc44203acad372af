// Value helpers for the embedded backend: an order-preserving byte encoding of
// Convex values (so SQLite's memcmp order on BLOBs equals `compareValues`),
// document IDs, and Convex's limits on documents and field names.
import { compareValues, jsonToConvex, type Value } from "convex/values";

// Type tags follow compareValues' type order; 0x00 terminates strings, bytes,
// arrays and objects so a shorter sequence sorts first. 0xFF never starts a value,
// so `prefix + 0xFF` is an upper bound for every key that starts with `prefix`.
const T_UNDEFINED = 0x01;
const T_NULL = 0x02;
const T_INT64 = 0x03;
const T_FLOAT64 = 0x04;
const T_BOOLEAN = 0x05;
const T_STRING = 0x06;
const T_BYTES = 0x07;
const T_ARRAY = 0x08;
const T_OBJECT = 0x09;

export const KEY_MAX = Buffer.from([0xff]);
export const KEY_MIN = Buffer.alloc(0);

export function encodeValue(v: Value | undefined): Buffer {
  const out: number[] = [];
  writeValue(out, v);
  return Buffer.from(out);
}

export function encodeTuple(values: (Value | undefined)[]): Buffer {
  const out: number[] = [];
  for (const v of values) writeValue(out, v);
  return Buffer.from(out);
}

function writeEscaped(out: number[], bytes: Uint8Array) {
  for (const b of bytes) {
    out.push(b);
    if (b === 0) out.push(0xff);
  }
  out.push(0);
}

const scratch = new DataView(new ArrayBuffer(8));

function writeValue(out: number[], v: Value | undefined): void {
  if (v === undefined) {
    out.push(T_UNDEFINED);
  } else if (v === null) {
    out.push(T_NULL);
  } else if (typeof v === "bigint") {
    out.push(T_INT64);
    scratch.setBigInt64(0, v);
    scratch.setUint8(0, scratch.getUint8(0) ^ 0x80);
    for (let i = 0; i < 8; i++) out.push(scratch.getUint8(i));
  } else if (typeof v === "number") {
    out.push(T_FLOAT64);
    scratch.setFloat64(0, v);
    const negative = (scratch.getUint8(0) & 0x80) !== 0;
    for (let i = 0; i < 8; i++) {
      const b = scratch.getUint8(i);
      out.push(negative ? b ^ 0xff : i === 0 ? b ^ 0x80 : b);
    }
  } else if (typeof v === "boolean") {
    out.push(T_BOOLEAN, v ? 1 : 0);
  } else if (typeof v === "string") {
    out.push(T_STRING);
    writeEscaped(out, Buffer.from(v, "utf8"));
  } else if (v instanceof ArrayBuffer) {
    out.push(T_BYTES);
    writeEscaped(out, new Uint8Array(v));
  } else if (Array.isArray(v)) {
    out.push(T_ARRAY);
    for (const item of v) writeValue(out, item);
    out.push(0);
  } else if (typeof v === "object") {
    out.push(T_OBJECT);
    for (const k of Object.keys(v).sort()) {
      const field = (v as Record<string, Value>)[k];
      if (field === undefined) continue;
      writeValue(out, k);
      writeValue(out, field);
    }
    out.push(0);
  } else {
    throw new Error(`Cannot encode value of type ${typeof v}`);
  }
}

/** The smallest key strictly greater than `key` (for half-open ranges). */
export function keySuccessor(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}

export function prefixEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, KEY_MAX]);
}

// ---- IDs ------------------------------------------------------------------
// 16 bytes: u32 table number, u64 sequence, u32 random; base32 with a sorted
// alphabet so string order follows insertion order within a table.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** Digit value by character code (-1: not in the alphabet). */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;
const ID_LENGTH = 26;

export function encodeId(tableNumber: number, seq: bigint, random: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(tableNumber, 0);
  bytes.writeBigUInt64BE(seq, 4);
  bytes.writeUInt32BE(random >>> 0, 12);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  bits <<= 2n; // 128 bits -> 130 bits = 26 chars, most significant first
  let s = "";
  for (let i = ID_LENGTH - 1; i >= 0; i--) s += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return s;
}

/** Table number encoded in an ID, or null if the string is not an ID. */
export function idTableNumber(id: string): number | null {
  if (typeof id !== "string" || id.length !== ID_LENGTH) return null;
  // Plain numbers, not BigInt: this runs for every id a validator or a db call sees.
  let top = 0;
  for (let i = 0; i < ID_LENGTH; i++) {
    const code = id.charCodeAt(i);
    const d = code < 128 ? DIGIT[code]! : -1;
    if (d < 0) return null;
    // The first 7 digits are the top 35 of the 130 bits; the table number is their top 32.
    if (i < 7) top = top * 32 + d;
    else if (i === ID_LENGTH - 1 && (d & 3) !== 0) return null;
  }
  return Math.floor(top / 8);
}

// ---- Limits ---------------------------------------------------------------
const MAX_DOCUMENT_BYTES = 1 << 20;
const MAX_NESTING = 16;
const MAX_ARRAY_LENGTH = 8192;
const MAX_FIELDS = 1024;

function validateFieldName(name: string, topLevel: boolean): string | null {
  if (name.length === 0) return "Empty field names are disallowed.";
  if (name.length > 1024) return `Field name ${name.slice(0, 40)}... is too long (max 1024 characters).`;
  if (name.startsWith("$")) return `Field name ${name} starts with a '$', which is reserved.`;
  if (topLevel && name.startsWith("_")) return `Field name ${name} starts with '_', which is reserved for system fields.`;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c > 0x7e) return `Field name ${JSON.stringify(name)} must only contain non-control ASCII characters.`;
  }
  return null;
}

/** Throws if a document (without system fields) breaks Convex's limits; `jsonLength` is its JSON size. */
export function checkDocumentLimits(table: string, doc: Record<string, Value>, jsonLength: number): void {
  const walk = (v: Value, depth: number, topLevel: boolean) => {
    if (depth > MAX_NESTING) throw new Error(`Document for table "${table}" is nested too deeply (max ${MAX_NESTING} levels).`);
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY_LENGTH) throw new Error(`Array length ${v.length} is too long (max ${MAX_ARRAY_LENGTH}).`);
      for (const item of v) walk(item, depth + 1, false);
    } else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length > MAX_FIELDS) throw new Error(`Object has too many fields (${keys.length}, max ${MAX_FIELDS}).`);
      for (const k of keys) {
        const err = validateFieldName(k, topLevel);
        if (err) throw new Error(`Invalid document for table "${table}": ${err}`);
        const field = v[k];
        if (field !== undefined) walk(field, depth + 1, false);
      }
    } else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || typeof v === "bigint" || v === null || v instanceof ArrayBuffer) {
      // scalar
    } else {
      throw new Error(`Invalid value in document for table "${table}": ${String(v)}`);
    }
  };
  walk(doc, 0, true);
  if (jsonLength > MAX_DOCUMENT_BYTES) {
    throw new Error(`Document for table "${table}" is too large (${jsonLength} bytes, max ${MAX_DOCUMENT_BYTES} bytes).`);
  }
}

/** How deeply Convex lets a value (a function's arguments) nest arrays and objects. */
export const MAX_VALUE_NESTING = 64;

/**
 * Why a function's JSON arguments are refused for their nesting, or null. It
 * runs before anything else touches them: JSON.stringify and the converters
 * recurse, so arguments nested far deeper would overflow the stack there.
 */
export function argumentsNestingError(args: unknown): string | null {
  return nestsDeeperThan(args, MAX_VALUE_NESTING) ? `Arguments are nested too deeply: at most ${MAX_VALUE_NESTING} levels` : null;
}

/** Whether `json` has more than `levels` levels of arrays and objects; recurses at most `levels + 1` deep. */
function nestsDeeperThan(json: unknown, levels: number): boolean {
  if (typeof json !== "object" || json === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(json)) {
    for (const item of json) if (nestsDeeperThan(item, levels - 1)) return true;
    return false;
  }
  const keys = Object.keys(json);
  // `{"$integer": ...}`, `{"$bytes": ...}` and the like encode scalars.
  if (keys.length === 1 && keys[0]!.startsWith("$")) return false;
  for (const k of keys) if (nestsDeeperThan((json as Record<string, unknown>)[k], levels - 1)) return true;
  return false;
}

// ---- Field paths and filters ----------------------------------------------
export function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ArrayBuffer);
}

export function fieldPath(doc: Value, path: string): Value | undefined {
  let cur: Value | undefined = doc;
  for (const p of path.split(".")) {
    cur = cur !== undefined && isPlainObject(cur) ? cur[p] : undefined;
  }
  return cur;
}

/** A JSON value as a query literal or written field (`$undefined` = absent). */
export function literal(json: unknown): Value | undefined {
  if (typeof json === "object" && json !== null && "$undefined" in json) return undefined;
  return jsonToConvex(json as never);
}

/** Evaluates a serialized filter expression (filter_builder_impl) on a document. */
export function evalFilter(doc: Value, e: any): any {
  const bin = (arr: any[]) => [evalFilter(doc, arr[0]), evalFilter(doc, arr[1])];
  if (e.$eq) { const [a, b] = bin(e.$eq); return compareValues(a, b) === 0; }
  if (e.$neq) { const [a, b] = bin(e.$neq); return compareValues(a, b) !== 0; }
  if (e.$lt) { const [a, b] = bin(e.$lt); return compareValues(a, b) < 0; }
  if (e.$lte) { const [a, b] = bin(e.$lte); return compareValues(a, b) <= 0; }
  if (e.$gt) { const [a, b] = bin(e.$gt); return compareValues(a, b) > 0; }
  if (e.$gte) { const [a, b] = bin(e.$gte); return compareValues(a, b) >= 0; }
  if (e.$and) return e.$and.every((c: any) => evalFilter(doc, c) === true);
  if (e.$or) return e.$or.some((c: any) => evalFilter(doc, c) === true);
  if (e.$not) return evalFilter(doc, e.$not) !== true;
  if (e.$add) { const [a, b] = bin(e.$add); return a + b; }
  if (e.$sub) { const [a, b] = bin(e.$sub); return a - b; }
  if (e.$mul) { const [a, b] = bin(e.$mul); return a * b; }
  if (e.$div) { const [a, b] = bin(e.$div); return a / b; }
  if (e.$mod) { const [a, b] = bin(e.$mod); return a % b; }
  if (e.$neg) return -evalFilter(doc, e.$neg);
  if (e.$field !== undefined) return fieldPath(doc, e.$field);
  if ("$literal" in e) return literal(e.$literal);
  throw new Error(`Unsupported filter expression: ${JSON.stringify(e)}`);
}
