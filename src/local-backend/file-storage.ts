// File storage as Convex has it (docs.convex.dev/file-storage): a file is a
// document of the `_storage` system table ({ sha256, size, contentType? },
// read with ctx.db.system) and its bytes. The bytes live in the same SQLite
// database as the documents, in a `files` table written in the same
// transaction as the document, so a file and its document appear, and go,
// together (a mutation that deletes a file and then throws deletes nothing).
//
// - ctx.storage.generateUploadUrl() (mutations, actions): a URL on the
//   deployment's origin, `/api/storage/upload?token=…`, that takes one POST of
//   the file's bytes for an hour and answers `{ "storageId": … }`. The token is
//   an HMAC of its expiry under a key derived from the deployment's admin key.
// - ctx.storage.getUrl(id) (all functions): `/api/storage/<key>`, where <key>
//   is 128 random bits of the file's own, never its document id, so a URL can
//   be neither guessed nor derived. null once the file is deleted.
// - ctx.storage.store(blob) / get(id) (actions), delete(id) (mutations,
//   actions), getMetadata(id) (deprecated on Convex, kept working).
//
// Components: each component has file storage of its own, as on Convex
// (crates/file_storage: every call takes the caller's ComponentId). Its files
// are documents of its own `_storage` table (stored as `_storage@<path>`,
// components.ts), so `db.system.get` inside the component finds them; an
// upload URL's token carries the component it uploads into, and a download
// URL names its component (`/api/storage/<key>?component=<path>`, as Convex
// adds `?component=<id>`). A file id of another component's storage (or of
// the app's, seen from a component) is no file here: reads answer null and
// delete says it is not found, as Convex's lookup in the caller's namespace does.
//
// One difference: Convex streams an upload of any size to object storage;
// here an upload is held in memory, so it is refused past `maxUploadBytes`
// (PARLEY_LOCAL_MAX_UPLOAD_MB, default 256 MiB) with a 413 that says so.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Exec } from "./context.js";
import type { Runtime } from "./runtime.js";
import type { Doc } from "./store.js";
import { ROOT, splitTable, tableIn } from "./components.js";
import { encodeTuple, keySuccessor } from "./values.js";

export const STORAGE_TABLE = "_storage";
/** How long an upload URL takes uploads, as on Convex. */
export const UPLOAD_URL_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/** The upload limit from a MiB setting (option or PARLEY_LOCAL_MAX_UPLOAD_MB); a bad one is refused in words. */
export function maxUploadBytes(mib: number | string | undefined): number {
  if (mib === undefined || mib === "") return DEFAULT_MAX_UPLOAD_BYTES;
  const n = Number(mib);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`PARLEY_LOCAL_MAX_UPLOAD_MB must be a positive number of MiB, not ${JSON.stringify(String(mib))}.`);
  return Math.floor(n * 1024 * 1024);
}

/** A refusal with the HTTP status the upload or download route answers with. */
export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredFile {
  bytes: Uint8Array;
  contentType: string | null;
  sha256: string;
}

/** The base64 SHA-256 that `_storage` documents carry. */
export function sha256Base64(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}

export class FileStorage {
  private readonly tokenKey: Buffer;

  constructor(
    private readonly rt: Runtime,
    adminKey: string,
    /** The deployment's origin (CONVEX_CLOUD_URL), which serves uploads and downloads. */
    private readonly origin: () => string,
    readonly maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES,
  ) {
    this.tokenKey = createHmac("sha256", adminKey).update("parley-local-backend upload tokens").digest();
  }

  // ---- upload URLs ------------------------------------------------------------
  /** An upload URL into `component`'s storage (the app's by default): the token signs the component too. */
  uploadUrl(now = Date.now(), component = ROOT): string {
    const body = `${now + UPLOAD_URL_TTL_MS}.${randomBytes(12).toString("base64url")}${component === ROOT ? "" : `.${Buffer.from(component).toString("base64url")}`}`;
    return `${this.origin()}/api/storage/upload?token=${body}.${this.sign(body)}`;
  }

  /**
   * The component whose storage `token` uploads into ("" = the app's); throws
   * a StorageError unless it is one this deployment issued and it has not expired.
   */
  checkUploadToken(token: string | null, now = Date.now()): string {
    const parts = token?.split(".") ?? [];
    if (parts.length !== 3 && parts.length !== 4) throw new StorageError(401, "InvalidUploadToken", "This upload URL is not valid: get a new one from ctx.storage.generateUploadUrl().");
    const body = parts.slice(0, -1).join(".");
    const given = Buffer.from(parts[parts.length - 1]!, "base64url");
    const expected = Buffer.from(this.sign(body), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new StorageError(401, "InvalidUploadToken", "This upload URL is not valid: get a new one from ctx.storage.generateUploadUrl().");
    }
    if (!(Number(parts[0]) > now)) {
      throw new StorageError(401, "UploadUrlExpired", "This upload URL has expired (they last an hour): get a new one from ctx.storage.generateUploadUrl().");
    }
    return parts.length === 4 ? Buffer.from(parts[2]!, "base64url").toString() : ROOT;
  }

  private sign(body: string): string {
    return createHmac("sha256", this.tokenKey).update(body).digest("base64url");
  }

  // ---- writes -------------------------------------------------------------------
  /** Stores a file in `component`'s storage, in a transaction of its own (an upload, or ctx.storage.store in an action). */
  async store(bytes: Uint8Array, contentType: string | null, expectedSha256?: string, component = ROOT): Promise<string> {
    if (bytes.byteLength > this.maxUploadBytes) throw this.tooLarge();
    const sha256 = sha256Base64(bytes);
    if (expectedSha256 !== undefined && expectedSha256 !== sha256) {
      throw new StorageError(400, "Sha256Mismatch", `The file's SHA-256 is ${sha256}, not the ${expectedSha256} it was stored with.`);
    }
    return await this.rt.inOwnTransaction(() => this.insert(bytes, contentType, sha256, component));
  }

  tooLarge(): StorageError {
    return new StorageError(413, "FileTooLarge", `The file is too large: the embedded backend takes files up to ${Math.floor(this.maxUploadBytes / 1024 / 1024)} MiB (PARLEY_LOCAL_MAX_UPLOAD_MB).`);
  }

  /** Inside the current transaction. */
  private insert(bytes: Uint8Array, contentType: string | null, sha256: string, component: string): string {
    if (component !== ROOT && !this.rt.components?.has(component)) {
      throw new StorageError(400, "ComponentNotFound", `Component "${component}" is not installed: its upload URL no longer takes files.`);
    }
    const exec = this.rt.newExec("mutation", "_system:storage", null, null, null, null);
    const fields = { sha256, size: bytes.byteLength, ...(contentType ? { contentType } : {}) };
    const id = this.rt.syscalls.insert(exec, tableIn(component, STORAGE_TABLE), fields, true);
    this.rt.store.putFile(id, randomBytes(16).toString("hex"), bytes);
    return id;
  }

  /** Deletes a file inside the caller's transaction (a mutation's, or one of its own for an action). */
  delete(storageId: unknown, component = ROOT): void {
    const id = this.storageId(storageId, "delete", component);
    const prev = id === null ? null : this.rt.store.get(id);
    if (!prev) throw new Error(`Storage object ${storageId} not found.`);
    this.rt.store.write(tableIn(component, STORAGE_TABLE), prev._id, prev, null);
    this.rt.store.deleteFile(prev._id);
    this.rt.writeCount++;
  }

  // ---- reads --------------------------------------------------------------------
  /** The `_storage` document, recording the read so that a query that asked re-runs when it changes. */
  private document(exec: Exec, storageId: unknown, verb: string, component: string): Doc | null {
    const id = this.storageId(storageId, verb, component);
    if (id === null) return null;
    if (exec.reads) {
      const key = encodeTuple([id]);
      exec.reads.push({ index: `${tableIn(component, STORAGE_TABLE)}.by_id`, lo: key, hi: keySuccessor(key) });
    }
    return this.rt.store.get(id);
  }

  url(exec: Exec, storageId: unknown, component = ROOT): string | null {
    const doc = this.document(exec, storageId, "getUrl", component);
    const file = doc && this.rt.store.getFile(doc._id);
    if (!file) return null;
    return `${this.origin()}/api/storage/${file.urlKey}${component === ROOT ? "" : `?component=${encodeURIComponent(component)}`}`;
  }

  metadata(exec: Exec, storageId: unknown, component = ROOT): { storageId: string; sha256: string; size: number; contentType: string | null } | null {
    const doc = this.document(exec, storageId, "getMetadata", component);
    if (!doc) return null;
    return { storageId: doc._id, sha256: doc.sha256 as string, size: doc.size as number, contentType: (doc.contentType as string | undefined) ?? null };
  }

  read(storageId: unknown, component = ROOT): StoredFile | null {
    const id = this.storageId(storageId, "get", component);
    const doc = id === null ? null : this.rt.store.get(id);
    const file = doc && this.rt.store.getFile(doc._id);
    return file ? this.stored(doc, file.bytes) : null;
  }

  /** The file a download URL names (its key, and `?component=` for a component's file), or null. */
  readByUrlKey(urlKey: string, component = ROOT): StoredFile | null {
    if (!/^[0-9a-f]{32}$/.test(urlKey)) return null;
    const file = this.rt.store.getFileByUrlKey(urlKey);
    // A key names a file of the URL's component only, as Convex looks the file up in that component.
    if (!file || this.rt.store.tableOfId(file.storageId) !== tableIn(component, STORAGE_TABLE)) return null;
    const doc = this.rt.store.get(file.storageId);
    return doc ? this.stored(doc, file.bytes) : null;
  }

  private stored(doc: Doc, bytes: Uint8Array): StoredFile {
    return { bytes, contentType: (doc.contentType as string | undefined) ?? null, sha256: doc.sha256 as string };
  }

  /**
   * `storageId` as an ID of `component`'s _storage table; null for an ID of
   * another component's (or the app's) _storage, which names no file here;
   * the error Convex gives for anything else.
   */
  private storageId(storageId: unknown, verb: string, component: string): string | null {
    const stored = typeof storageId === "string" ? this.rt.store.tableOfId(storageId) : null;
    const t = stored === null ? null : splitTable(stored);
    if (t?.table !== STORAGE_TABLE) {
      throw new Error(`Invalid argument \`storageId\` for \`storage.${verb}\`: ${JSON.stringify(storageId)} is not an ID of the _storage table.`);
    }
    return t.component === component ? (storageId as string) : null;
  }
}
