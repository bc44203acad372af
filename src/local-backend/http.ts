// HTTP API used by ConvexHttpClient (convex/src/browser/http_client.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { credentialsOf, type Credentials } from "./auth/credentials.js";
import { AuthFailure } from "./auth/failure.js";
import type { TokenVerifier } from "./auth/verify.js";
import { anyFunction, type AdminApi } from "./admin.js";
import { StorageError } from "./file-storage.js";
import type { PushApi } from "./push.js";
import type { CallOptions, Outcome, Runtime } from "./runtime.js";
import { encodeTs, normalizeArgs } from "./sync.js";
import { argumentsNestingError } from "./values.js";

const STATUS_UDF_FAILED = 560;
/** The largest request body taken in (a function call's path and arguments). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** After a 413, how much more of the body is read and dropped before the connection is cut. */
const MAX_DISCARDED_BYTES = MAX_BODY_BYTES;

function cors(res: ServerResponse) {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Allow-Headers", "Content-Type, Authorization, Convex-Client");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
}

function reply(res: ServerResponse, status: number, body: unknown) {
  replyText(res, status, JSON.stringify(body));
}

function replyText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(text);
}

class BodyTooLarge extends Error {}

/** The request body's bytes, refusing (BodyTooLarge) past `limit`. */
function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off("data", onData);
        req.off("end", onEnd);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

/** `POST /api/storage/upload?token=…`: the file's bytes in, `{ storageId }` out (file-storage.ts). */
async function upload(runtime: Runtime, req: IncomingMessage, res: ServerResponse, url: URL) {
  const files = runtime.files!;
  let component: string;
  try {
    component = files.checkUploadToken(url.searchParams.get("token"));
  } catch (err) {
    if (err instanceof StorageError) return reply(res, err.status, { code: err.code, message: err.message });
    throw err;
  }
  let bytes: Buffer;
  try {
    bytes = await readBytes(req, files.maxUploadBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) return void res.destroy(); // the client went away mid-body
    const refusal = files.tooLarge();
    req.resume();
    return reply(res, refusal.status, { code: refusal.code, message: refusal.message });
  }
  const contentType = req.headers["content-type"]?.trim() || null;
  try {
    reply(res, 200, { storageId: await files.store(bytes, contentType, undefined, component) });
  } catch (err) {
    if (err instanceof StorageError) return reply(res, err.status, { code: err.code, message: err.message });
    throw err;
  }
}

/**
 * Who is calling and the JSON body of their request; null when the request was
 * answered already (bad credentials, a body too large or not JSON, a client gone).
 */
async function callerAndBody(req: IncomingMessage, res: ServerResponse, adminKey: string, verifier: TokenVerifier): Promise<{ who: Credentials; body: any } | null> {
  let who: Credentials;
  try {
    who = await credentialsOf(req.headers.authorization, adminKey, verifier);
  } catch (err) {
    if (err instanceof AuthFailure) return (reply(res, err.status, { code: err.code, message: err.message }), null);
    throw err;
  }
  let text: string;
  try {
    text = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) return (refuseBody(req, res), null);
    return (res.destroy(), null); // the client went away mid-body
  }
  try {
    return { who, body: JSON.parse(text || "{}") };
  } catch {
    return (reply(res, 400, { code: "BadJsonBody", message: "The request body is not valid JSON." }), null);
  }
}

/** The Convex CLI's `npx convex env set|remove`: admin key only (environment.ts). */
async function updateEnvironment(req: IncomingMessage, res: ServerResponse, adminKey: string, verifier: TokenVerifier, hooks: AdminHooks) {
  const call = await callerAndBody(req, res, adminKey, verifier);
  if (!call) return;
  const { who, body } = call;
  if (!who.admin) return reply(res, 401, { code: "Unauthorized", message: "Changing environment variables needs the deployment's admin key." });
  const problem = hooks.updateEnvironment ? await hooks.updateEnvironment(body?.changes) : "The deployment is not ready yet.";
  if (problem) return reply(res, 400, { code: "InvalidEnvironmentVariables", message: problem });
  reply(res, 200, {});
}

/** `GET /api/storage/<key>[?component=<path>]`: a file by the URL ctx.storage.getUrl gave. */
function download(runtime: Runtime, res: ServerResponse, key: string, component: string) {
  const file = runtime.files!.readByUrlKey(key, component);
  if (!file) return reply(res, 404, { code: "FileNotFound", message: "There is no file at this URL: it was deleted, or the URL is wrong." });
  res.writeHead(200, {
    "Content-Type": file.contentType ?? "application/octet-stream",
    "Content-Length": String(file.bytes.byteLength),
    // Its URL names one file's bytes for good: a deleted file's URL is dead, never reused.
    "Cache-Control": "private, max-age=2592000, immutable",
    ETag: `"${file.sha256}"`,
    "X-Content-Type-Options": "nosniff",
  });
  res.end(file.bytes);
}

/** The request body as text (events rather than an async iterator: this runs for every call), refusing past the limit. */
async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req, MAX_BODY_BYTES)).toString("utf8");
}

/**
 * Answers 413. The rest of the body is read and dropped rather than left
 * unread: closing a socket with unread data resets it, and a client still
 * sending may then lose the answer. A client that keeps sending long after is
 * cut off.
 */
function refuseBody(req: IncomingMessage, res: ServerResponse) {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARDED_BYTES) req.socket.destroy();
  });
  req.resume();
  reply(res, 413, { code: "RequestTooLarge", message: `Request body is too large: the limit is ${MAX_BODY_BYTES / 1024 / 1024} MiB` });
}

/** What the admin API changes outside the runtime (set by index.ts once the functions are loaded). */
export type AdminHooks = {
  /** `POST /api/update_environment_variables`: null when applied, else why not, in words. */
  updateEnvironment?: (changes: unknown) => Promise<string | null>;
  /** Logs, snapshot export and import (admin.ts). */
  admin?: AdminApi;
  /** `npx convex deploy` / `dev`: get_config_hashes and /api/deploy2/* (push.ts). */
  push?: PushApi;
};

export function createHttpHandler(runtime: Runtime, adminKey: string, verifier: TokenVerifier, log: (line: string) => void, hooks: AdminHooks = {}) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    cors(res);
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      res.end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (req.method === "GET" && (url.pathname === "/version" || url.pathname === "/")) {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("parley-local-backend");
        return;
      }
      if (req.method === "GET" && url.pathname === "/instance_name") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("local");
        return;
      }
      const stored = /^\/api\/storage\/([^/]+)$/.exec(url.pathname);
      if (stored && req.method === "POST" && stored[1] === "upload") return await upload(runtime, req, res, url);
      if (stored && req.method === "GET") return download(runtime, res, stored[1]!, url.searchParams.get("component") ?? "");
      if (url.pathname.startsWith("/api/") && hooks.admin && (await hooks.admin.handle(req, res, url))) return;
      if (url.pathname.startsWith("/api/") && hooks.push && (await hooks.push.handle(req, res, url))) return;
      if (req.method !== "POST") return reply(res, 404, { code: "NotFound", message: `No route for ${req.method} ${url.pathname}` });
      if (url.pathname === "/api/query_ts") return reply(res, 200, { ts: encodeTs(runtime.ts) });
      const route = url.pathname.replace(/^\/api\//, "");
      if (route === "update_environment_variables") return await updateEnvironment(req, res, adminKey, verifier, hooks);
      if (!["query", "query_at_ts", "mutation", "action", "function", "run"].includes(route)) {
        return reply(res, 404, { code: "NotFound", message: `No route for POST ${url.pathname}` });
      }
      const call = await callerAndBody(req, res, adminKey, verifier);
      if (!call) return;
      const { who, body } = call;
      if (typeof body?.path !== "string") return reply(res, 400, { code: "BadRequest", message: "Missing `path` (the function name)." });
      const opts: CallOptions = { identity: who.identity, allowInternal: who.admin };
      const args = normalizeArgs(body.args);
      const tooDeep = argumentsNestingError(args);
      if (tooDeep) return reply(res, 400, { code: "BadRequest", message: tooDeep });
      let outcome: Outcome;
      if (route === "query" || route === "query_at_ts") outcome = await runtime.runQuery(body.path, args, opts);
      else if (route === "mutation") outcome = await runtime.runMutation(body.path, args, opts);
      else if (route === "action") outcome = await runtime.runAction(body.path, args, opts);
      else {
        const fn = anyFunction(runtime, body.path, body.componentPath, who.admin);
        outcome = "missing" in fn ? { ok: false, errorMessage: fn.missing, logLines: [], ts: runtime.ts } : await runtime.runAny(fn.name, args, opts);
      }
      if (outcome.ok) return replyText(res, 200, `{"status":"success","value":${outcome.json},"logLines":${JSON.stringify(outcome.logLines)}}`);
      return reply(res, STATUS_UDF_FAILED, {
        status: "error",
        errorMessage: outcome.errorMessage,
        ...(outcome.errorData !== undefined ? { errorData: outcome.errorData } : {}),
        logLines: outcome.logLines,
      });
    } catch (err: any) {
      log(`[ERROR] http ${url.pathname}: ${err?.stack ?? err}`);
      if (!res.headersSent) reply(res, 500, { code: "InternalServerError", message: String(err?.message ?? err) });
    }
  };
}
