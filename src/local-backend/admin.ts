// The admin API the Convex CLI calls beyond running functions, for the admin
// key only, as a self-hosted Convex answers it (crates/local_backend in
// get-convex/convex-backend):
//
// - `GET /api/stream_function_logs?cursor=<ms>` (`npx convex logs`, `convex dev`)
//   and the older `GET /api/stream_udf_execution`: a long poll over a bounded
//   ring of recent function executions (`FunctionLog`), answered as soon as one
//   newer than the cursor exists, else after 60 s with none.
// - `POST /api/export/request/zip?includeStorage=…` and `GET /api/export/zip/<id>`
//   (`npx convex export`), `POST /api/import/start_upload`, `…/upload_part`,
//   `…/finish_upload` (with `componentPath` for `--component`) and
//   `POST /api/perform_import` (`npx convex import`); see snapshot.ts.
// - the system queries `_system/cli/modules:apiSpec` (what `convex run` lists
//   when a function is not found), `_system/cli/exports:getLatest`,
//   `_system/cli/queryImport` (and `:list`).
//
// A request without the admin key is refused as Convex refuses it: a wrong key
// 401 `BadAdminKey`, no key or a user's token 403 `BadDeployKey`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { convexToJson, type JSONValue } from "convex/values";
import { credentialsOf, type Credentials } from "./auth/credentials.js";
import { AuthFailure } from "./auth/failure.js";
import type { TokenVerifier } from "./auth/verify.js";
import type { Exec } from "./context.js";
import { systemQuery } from "./cli-functions.js";
import { qualify, splitQualified } from "./components.js";
import { kindOf, parseUdfPath, type RegisteredFunction } from "./modules.js";
import type { Runtime } from "./runtime.js";
import {
  buildExport,
  confirmationMessage,
  exportDocument,
  isImportFormat,
  isImportMode,
  parseComponentPathArg,
  parseImport,
  planImport,
  SnapshotError,
  writeImport,
  type ImportFormat,
  type ImportMode,
  type ParsedImport,
  type SnapshotExport,
} from "./snapshot.js";

/** Convex's words for an admin-only endpoint called without the admin key (keybroker bad_admin_key_error). */
const NOT_ADMIN = "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.";
/** How long a log poll waits for a new execution before answering with none (as Convex). */
const LOG_POLL_MS = 60_000;
/** Executions kept for `npx convex logs` (and its `--history`). */
const LOG_CAPACITY = 1000;
/** The most bytes of an import upload held in memory. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
/** Import uploads held at once, and how long one that is never finished is kept. */
const MAX_PENDING_UPLOADS = 4;
const UPLOAD_TTL_MS = 60 * 60 * 1000;
/** One part of an import upload (the CLI sends 5 MiB ones). */
const MAX_PART_BYTES = 64 * 1024 * 1024;

type UdfType = "Query" | "Mutation" | "Action" | "HttpAction";

type Execution = {
  /** Progress: log lines of an action still running, sent as they come (a completion then carries none, as on Convex). */
  kind: "Completion" | "Progress";
  cursor: number;
  udfType: UdfType;
  identifier: string;
  /** The component's path, null for the app's own functions. */
  componentPath: string | null;
  startMs: number;
  endMs: number;
  logLines: string[];
  error: string | null;
  executionId: string;
  caller: string;
  identityType: string;
};

/** The name runHttpAction gives an HTTP action's execution: "GET /path". */
const HTTP_ROUTE = /^[A-Z]+ \//;

const now = () => performance.timeOrigin + performance.now(); // not Date.now, which a query's context freezes

/** A bounded ring of recent function executions, read by cursor (a millisecond timestamp, strictly increasing). */
export class FunctionLog {
  private entries: Execution[] = [];
  private lastCursor = 0;
  private waiters = new Set<() => void>();
  private notifyQueued = false;
  /** The id of each action that logged while running, so its completion carries the same one. */
  private executionIds = new WeakMap<Exec, string>();

  constructor(private capacity = LOG_CAPACITY) {}

  /** Runtime.onExecution: one execution ended (`httpRoute` for an HTTP action). */
  record = (exec: Exec, error: string | null, httpRoute?: string): void => {
    // An action's lines went out as it ran (progress), so its completion carries none, as on Convex.
    this.push(exec, "Completion", exec.kind === "action" ? [] : exec.logLines, error, httpRoute);
  };

  /** Runtime.onActionLog: a running action (or HTTP action, whose udfPath is its route) wrote `line` ("<udfPath> [LEVEL] text"). */
  progress = (exec: Exec, line: string): void => {
    const prefix = `${exec.udfPath} `;
    this.push(exec, "Progress", [line.startsWith(prefix) ? line.slice(prefix.length) : line], null, HTTP_ROUTE.test(exec.udfPath) ? exec.udfPath : undefined);
  };

  private push(exec: Exec, kind: Execution["kind"], logLines: string[], error: string | null, httpRoute?: string) {
    if (exec.udfPath.startsWith("_system")) return; // the deployment's own functions (the CLI's, the dashboard's) are not logged, as on Convex
    const endMs = now();
    const cursor = Math.max(endMs, this.lastCursor + 0.001);
    this.lastCursor = cursor;
    const udfType: UdfType = httpRoute ? "HttpAction" : exec.kind === "query" ? "Query" : exec.kind === "mutation" ? "Mutation" : "Action";
    const { component, udfPath } = splitQualified(exec.udfPath);
    let executionId = this.executionIds.get(exec);
    if (!executionId) {
      executionId = randomUUID();
      if (kind === "Progress") this.executionIds.set(exec, executionId);
    }
    this.entries.push({
      kind,
      cursor,
      udfType,
      identifier: httpRoute ?? udfPath,
      componentPath: component || null,
      startMs: exec.now,
      endMs,
      logLines,
      error,
      executionId,
      caller: exec.scheduledJobId ? "Scheduler" : httpRoute ? "HttpEndpoint" : "Client",
      identityType: exec.identity ? "user" : "unknown",
    });
    // Trimmed in batches, so recording stays O(1) amortised.
    if (this.entries.length > 2 * this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    if (this.waiters.size > 0 && !this.notifyQueued) {
      // After the commit path that recorded it, not inside it.
      this.notifyQueued = true;
      setImmediate(() => {
        this.notifyQueued = false;
        for (const wake of [...this.waiters]) wake();
      });
    }
  };

  /** The kept executions after `cursor` (the newest `capacity`), oldest first. */
  after(cursor: number): Execution[] {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.cursor > cursor) i--;
    return this.entries.slice(Math.max(i, this.entries.length - this.capacity));
  }

  /** Waits until there is an execution after `cursor`, `ms` pass, or `signal` aborts. */
  wait(cursor: number, ms: number, signal: AbortSignal): Promise<Execution[]> {
    const ready = this.after(cursor);
    if (ready.length > 0 || signal.aborted) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(wake);
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve(this.after(cursor));
      };
      const wake = () => {
        if (this.after(cursor).length > 0) done();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener("abort", done);
      this.waiters.add(wake);
    });
  }

}

const ZERO_USAGE = {
  databaseReadBytes: 0,
  databaseWriteBytes: 0,
  databaseIoReadBytes: 0,
  databaseIoWriteBytes: 0,
  databaseReadDocuments: 0,
  databaseWriteDocuments: 0,
  databaseWriteIndexRows: 0,
  storageReadBytes: 0,
  storageWriteBytes: 0,
  vectorIndexReadBytes: 0,
  vectorIndexWriteBytes: 0,
  textIndexQueryBytes: 0,
  textIndexWriteQueryBytes: 0,
  vectorIndexReadQueryBytes: 0,
  vectorIndexWriteQueryBytes: 0,
  networkEgressBytes: 0,
  memoryUsedMb: 0,
};

/** A log line as the CLI and dashboard take it (structured), or as older clients do (`[LEVEL] text`). */
function logLineJson(line: string, at: number, structured: boolean): JSONValue {
  if (!structured) return line;
  const m = /^\[([A-Z]+)\] ([\s\S]*)$/.exec(line);
  return { messages: [m ? m[2]! : line], level: m ? m[1]! : "LOG", timestamp: Math.floor(at), isTruncated: false };
}

/** FunctionExecutionJson::Completion or ::Progress (common/src/log_streaming.rs). */
function completionJson(e: Execution, structured: boolean): JSONValue {
  if (e.kind === "Progress") {
    return {
      kind: "Progress",
      udfType: e.udfType,
      componentPath: e.componentPath,
      identifier: e.identifier,
      timestamp: e.startMs / 1000,
      logLines: e.logLines.map((l) => logLineJson(l, e.endMs, structured)),
      requestId: e.executionId,
      executionId: e.executionId,
    };
  }
  const seconds = (e.endMs - e.startMs) / 1000;
  return {
    kind: "Completion",
    udfType: e.udfType,
    componentPath: e.componentPath,
    identifier: e.identifier,
    logLines: e.logLines.map((l) => logLineJson(l, e.startMs, structured)),
    timestamp: e.startMs / 1000,
    cachedResult: false,
    caller: e.caller,
    parentExecutionId: null,
    executionTime: seconds,
    userExecutionTime: seconds,
    success: null,
    error: e.error,
    requestId: e.executionId,
    executionId: e.executionId,
    usageStats: ZERO_USAGE,
    returnBytes: null,
    occInfo: null,
    willRetry: false,
    executionTimestamp: e.startMs / 1000,
    identityType: e.identityType,
    environment: "isolate",
  };
}

class AdminRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller, if it holds the admin key; otherwise refused with Convex's status, code and words. */
export async function requireAdmin(req: IncomingMessage, adminKey: string, verifier: TokenVerifier): Promise<Credentials> {
  let who: Credentials;
  try {
    who = await credentialsOf(req.headers.authorization, adminKey, verifier);
  } catch (err) {
    if (err instanceof AuthFailure) throw new AdminRefused(err.status, err.code, err.message);
    throw err;
  }
  if (!who.admin) throw new AdminRefused(403, "BadDeployKey", NOT_ADMIN);
  return who;
}

/**
 * `/api/function` (`npx convex run`, `--component <path>` too): the function's
 * internal name (components.ts qualify), or Convex's words for a path that
 * names no function the caller may run (Application::any_udf).
 */
export function anyFunction(runtime: Runtime, udfPath: string, componentPath: unknown, admin: boolean): { name: string } | { missing: string } {
  const component = typeof componentPath === "string" && componentPath !== "" ? componentPath : null;
  const name = component ? qualify(component, udfPath) : udfPath;
  let fn: RegisteredFunction | null = null;
  try {
    fn = runtime.resolve(name, admin);
  } catch {
    /* not there, or not for this caller: the same answer, so nothing leaks */
  }
  if (fn && kindOf(fn) !== "httpAction") return { name };
  const where = component ? ` in '${component}'` : "";
  return { missing: `Could not find function for '${parseUdfPath(udfPath).canonical}'${where}. Did you forget to run \`npx convex dev\`?` };
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The request body, refused past `limit`; the rest is read and dropped (so the 413 reaches a client still sending), up to as much again. */
function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      if (!refused) {
        refused = true;
        chunks.length = 0;
        reject(new SnapshotError("RequestTooLarge", `Request body is too large: the limit is ${limit / 1024 / 1024} MiB`, 413));
      }
      if (size > 2 * limit) req.socket.destroy();
    });
    req.on("end", () => (size <= limit ? resolve(Buffer.concat(chunks)) : undefined));
    req.on("error", reject);
  });
}

async function readJson(req: IncomingMessage): Promise<any> {
  const text = (await readAll(req, 1024 * 1024)).toString("utf8");
  try {
    return JSON.parse(text || "{}");
  } catch {
    throw new SnapshotError("BadJsonBody", "The request body is not valid JSON.");
  }
}

type ImportState =
  | { state: "uploaded" }
  | { state: "waiting_for_confirmation"; message_to_confirm: string; require_manual_confirmation: boolean }
  | { state: "in_progress"; progress_message: string; checkpoint_messages: string[] }
  | { state: "completed"; timestamp: bigint; num_rows_written: bigint }
  | { state: "failed"; error_message: string };

type SnapshotImport = {
  id: string;
  creationTime: number;
  format: ImportFormat;
  mode: ImportMode;
  tableName: string | null;
  /** The component the import is addressed to ("" = the app). */
  componentPath: string;
  state: ImportState;
  parsed: ParsedImport | null;
};

/** Imports whose state is kept for `_system/cli/queryImport:list`. */
const KEPT_IMPORTS = 20;

export class AdminApi {
  readonly functionLog = new FunctionLog();
  private latestExport: SnapshotExport | null = null;
  private uploads = new Map<string, { parts: Map<number, Buffer>; bytes: number; startedAt: number }>();
  private imports = new Map<string, SnapshotImport>();
  private closing = new AbortController();

  constructor(
    private runtime: Runtime,
    private adminKey: string,
    private verifier: TokenVerifier,
    /** Re-runs subscribed queries (an export's or import's state changed). */
    private invalidate: () => void,
  ) {
    runtime.onExecution = this.functionLog.record;
    runtime.onActionLog = this.functionLog.progress;
  }

  close() {
    this.closing.abort(); // answers the log polls still waiting
  }

  /** Answers the request if it is one of the admin routes here; false if it is not. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? "GET";
    const path = url.pathname;
    const route =
      method === "GET" && (path === "/api/stream_function_logs" || path === "/api/stream_udf_execution")
        ? () => this.streamLogs(req, res, url)
        : method === "POST" && path === "/api/export/request/zip"
          ? () => this.requestExport(res, url)
          : method === "GET" && path.startsWith("/api/export/zip/")
            ? () => this.downloadExport(res, decodeURIComponent(path.slice("/api/export/zip/".length)))
            : method === "POST" && path === "/api/import/start_upload"
              ? () => this.startUpload(res)
              : method === "POST" && path === "/api/import/upload_part"
                ? () => this.uploadPart(req, res, url)
                : method === "POST" && path === "/api/import/finish_upload"
                  ? () => this.finishUpload(req, res)
                  : method === "POST" && path === "/api/perform_import"
                    ? () => this.performImport(req, res)
                    : null;
    if (!route) return false;
    try {
      await requireAdmin(req, this.adminKey, this.verifier);
      await route();
    } catch (err) {
      if (err instanceof AdminRefused || err instanceof SnapshotError) {
        req.resume();
        if (!res.headersSent) reply(res, err.status, { code: err.code, message: err.message });
        return true;
      }
      throw err;
    }
    return true;
  }

  private async streamLogs(req: IncomingMessage, res: ServerResponse, url: URL) {
    const cursor = Number(url.searchParams.get("cursor") ?? "0");
    if (!Number.isFinite(cursor)) throw new SnapshotError("BadRequest", "cursor must be a number (milliseconds)");
    // The CLI and dashboard take structured log lines; other clients `[LEVEL] text` (logs.rs).
    const client = String(req.headers["convex-client"] ?? "");
    const structured = url.pathname === "/api/stream_function_logs" && /^(npm-cli|dashboard)-/.test(client);
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    const stop = AbortSignal.any([gone.signal, this.closing.signal]);
    const entries = await this.functionLog.wait(cursor, LOG_POLL_MS, stop);
    if (gone.signal.aborted) return;
    const newCursor = entries.length > 0 ? entries[entries.length - 1]!.cursor : cursor;
    reply(res, 200, { entries: entries.map((e) => completionJson(e, structured)), newCursor });
  }

  // ---- snapshot export ------------------------------------------------------
  private async requestExport(res: ServerResponse, url: URL) {
    const includeStorage = url.searchParams.get("includeStorage") === "true";
    // Convex's export holds the whole deployment, every component's tables too, whatever component id this names; here components have no ids.
    if (url.searchParams.get("component")) throw new SnapshotError("ComponentIdNotSupported", "An export always holds every component's tables; the embedded backend has no component ids, so the component parameter is not supported.");
    this.latestExport = await this.runtime.lock.run(async () => buildExport(this.runtime, includeStorage));
    this.invalidate();
    reply(res, 200, {});
  }

  private downloadExport(res: ServerResponse, id: string) {
    const e = this.latestExport;
    if (!e || (id !== e.id && id !== e.startTs.toString())) {
      if (!/^\d+$/.test(id) && !/^[0-9a-f]{32}$/.test(id)) throw new SnapshotError("BadSnapshotId", "Snapshot Id did not parse to an ID.");
      throw new SnapshotError("ExportNotFound", `No snapshot export ${id}: the embedded backend keeps only the latest export, until it stops.`, 404);
    }
    res.writeHead(200, {
      "Content-Type": "application/zip",
      "Content-Length": String(e.zip.byteLength),
      "Content-Disposition": `attachment; filename=snapshot_${e.startTs}.zip`,
      "Cache-Control": "private, max-age=2592000",
    });
    res.end(e.zip);
  }

  // ---- snapshot import ------------------------------------------------------
  private startUpload(res: ServerResponse) {
    // Uploads never finished are dropped after an hour, and only the latest few are held.
    for (const [token, upload] of this.uploads) if (Date.now() - upload.startedAt > UPLOAD_TTL_MS) this.uploads.delete(token);
    for (const token of [...this.uploads.keys()].slice(0, Math.max(0, this.uploads.size - (MAX_PENDING_UPLOADS - 1)))) this.uploads.delete(token);
    const uploadToken = randomBytes(16).toString("hex");
    this.uploads.set(uploadToken, { parts: new Map(), bytes: 0, startedAt: Date.now() });
    reply(res, 200, { uploadToken });
  }

  private upload(token: string | null) {
    const upload = token ? this.uploads.get(token) : undefined;
    if (!upload) throw new SnapshotError("InvalidUploadToken", "Unknown upload token: start the upload with /api/import/start_upload.");
    return upload;
  }

  private async uploadPart(req: IncomingMessage, res: ServerResponse, url: URL) {
    const upload = this.upload(url.searchParams.get("uploadToken"));
    const partNumber = Number(url.searchParams.get("partNumber"));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw new SnapshotError("InvalidPartNumber", "partNumber must be an integer from 1 to 10000.");
    const bytes = await readAll(req, MAX_PART_BYTES);
    upload.bytes += bytes.length - (upload.parts.get(partNumber)?.length ?? 0);
    if (upload.bytes > MAX_IMPORT_BYTES) {
      this.uploads.delete(url.searchParams.get("uploadToken")!);
      throw new SnapshotError("ImportTooLarge", `The import is too large: the embedded backend holds an upload in memory, up to ${MAX_IMPORT_BYTES / 1024 / 1024} MiB.`, 413);
    }
    upload.parts.set(partNumber, bytes);
    reply(res, 200, String(partNumber));
  }

  private async finishUpload(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const upload = this.upload(typeof body?.uploadToken === "string" ? body.uploadToken : null);
    const args = body.import ?? {};
    if (!isImportFormat(args.format)) throw new SnapshotError("InvalidImportFormat", `Unknown import format ${JSON.stringify(args.format)}: one of csv, jsonLines, jsonArray, zip.`);
    if (!isImportMode(args.mode)) throw new SnapshotError("InvalidImportMode", `Unknown import mode ${JSON.stringify(args.mode)}: one of requireEmpty, append, replace, replaceAll.`);
    const componentPath = parseComponentPathArg(args.componentPath); // `--component a/b`; "" is the app
    const tableName = typeof args.tableName === "string" ? args.tableName : null;
    if (args.format === "zip" ? tableName !== null : tableName === null) {
      throw new SnapshotError("InvalidImport", args.format === "zip" ? "A ZIP import names no table." : `An import of format ${args.format} needs a table name.`);
    }
    const order: unknown[] = Array.isArray(body.partTokens) ? body.partTokens : [...upload.parts.keys()].sort((a, b) => a - b).map(String);
    const parts = order.map((t) => upload.parts.get(Number(t)));
    if (parts.some((p) => !p)) throw new SnapshotError("InvalidPartToken", "A part token names no uploaded part.");
    const file = Buffer.concat(parts as Buffer[]);
    this.uploads.delete(body.uploadToken); // a request refused above may be sent again, corrected

    const id = randomBytes(16).toString("hex");
    const record: SnapshotImport = { id, creationTime: Date.now(), format: args.format, mode: args.mode, tableName, componentPath, state: { state: "uploaded" }, parsed: null };
    this.imports.set(id, record);
    for (const old of [...this.imports.keys()].slice(0, Math.max(0, this.imports.size - KEPT_IMPORTS))) this.imports.delete(old);
    try {
      record.parsed = parseImport(file, args.format, tableName, componentPath);
      const plans = await this.runtime.lock.run(async () => planImport(this.runtime, record.parsed!, record.mode));
      const { message, deletes } = confirmationMessage(plans);
      record.state = { state: "waiting_for_confirmation", message_to_confirm: message, require_manual_confirmation: deletes };
    } catch (err: any) {
      record.parsed = null;
      record.state = { state: "failed", error_message: `Hit an error while importing:\n${err?.message ?? err}` };
    }
    this.invalidate();
    reply(res, 200, { importId: id });
  }

  private async performImport(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const record = typeof body?.importId === "string" ? this.imports.get(body.importId) : undefined;
    if (!record) throw new SnapshotError("ImportNotFound", `No import ${JSON.stringify(body?.importId)}.`, 404);
    if (record.state.state !== "waiting_for_confirmation" || !record.parsed) {
      throw new SnapshotError("ImportNotWaitingForConfirmation", `Import ${record.id} is ${record.state.state}, not waiting for confirmation.`);
    }
    const parsed = record.parsed;
    record.parsed = null;
    record.state = { state: "in_progress", progress_message: "Importing", checkpoint_messages: [] };
    try {
      const written = await this.runtime.inOwnTransaction(() => writeImport(this.runtime, parsed, record.mode));
      record.state = { state: "completed", timestamp: this.runtime.ts, num_rows_written: BigInt(written) };
    } catch (err: any) {
      record.state = { state: "failed", error_message: `Hit an error while importing:\n${err?.message ?? err}` };
    }
    this.invalidate();
    reply(res, 200, {});
  }

  private importDocument(r: SnapshotImport): JSONValue {
    return convexToJson({
      _id: r.id,
      _creationTime: r.creationTime,
      state: r.state,
      format: r.format === "zip" ? { format: "zip" } : { format: r.format === "jsonLines" ? "jsonl" : r.format === "jsonArray" ? "json_array" : "csv", table: r.tableName! },
      mode: r.mode,
      componentPath: r.componentPath,
      requestor: { type: "snapshotImport" },
    } as any);
  }

  /** The system queries of this module, by canonical path (runtime.ts serves them to the admin key only). */
  systemFunctions(): Map<string, RegisteredFunction> {
    return new Map([
      ["_system/cli/modules:apiSpec", systemQuery(() => apiSpec(this.runtime))],
      ["_system/cli/exports:getLatest", systemQuery(() => (this.latestExport ? exportDocument(this.latestExport) : null))],
      [
        "_system/cli/queryImport:default",
        systemQuery(({ importId }: { importId?: unknown }) => {
          const r = typeof importId === "string" ? this.imports.get(importId) : undefined;
          return r ? this.importDocument(r) : null;
        }),
      ],
      ["_system/cli/queryImport:list", systemQuery(() => [...this.imports.values()].reverse().map((r) => this.importDocument(r)))],
    ]);
  }
}

/** `_system/cli/modules:apiSpec`: every function with its kind, visibility and validators, and the HTTP routes. */
function apiSpec(runtime: Runtime): JSONValue[] {
  const out: JSONValue[] = [];
  const loaded = runtime.loaded;
  if (!loaded) return out;
  const anyValidator = { type: "any" };
  for (const [module, exports] of loaded.modules) {
    if (module === "schema" || module === "crons" || module === "http") continue;
    for (const [name, value] of Object.entries(exports)) {
      const fn = value as RegisteredFunction | null;
      if (!fn || (typeof fn !== "object" && typeof fn !== "function") || !(fn.isQuery || fn.isMutation || fn.isAction)) continue;
      const kind = kindOf(fn);
      out.push({
        identifier: `${module}.js:${name}`,
        functionType: kind === "query" ? "Query" : kind === "mutation" ? "Mutation" : "Action",
        visibility: { kind: fn.isInternal ? "internal" : "public" },
        args: fn.exportArgs ? JSON.parse(fn.exportArgs()) : anyValidator,
        returns: fn.exportReturns ? (JSON.parse(fn.exportReturns()) ?? anyValidator) : anyValidator,
      });
    }
  }
  const router = loaded.httpRouter as unknown as { getRoutes?: () => [string, string, unknown][] } | null;
  for (const [path, method] of router?.getRoutes?.() ?? []) out.push({ functionType: "HttpAction", method, path });
  return out;
}
