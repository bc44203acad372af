// The site origin (Convex's `.convex.site`): serves the HTTP actions routed by
// the functions folder's `http.ts`, and by each component's where the app
// mounts it (`use(component, { httpPrefix })`, components.ts routeHttp). Requests are routed with the router's own
// `lookup` and run through the registered httpAction's `invokeHttpAction`, the
// entry point Convex's runtime uses; bodies stream in both directions, each
// limited to 20 MiB as on Convex (HTTP_ACTION_BODY_LIMIT).
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { credentialsOf } from "./auth/credentials.js";
import { qualify, ROOT, routeHttp } from "./components.js";
import type { TokenVerifier } from "./auth/verify.js";
import { RejectedIdentity, type Caller } from "./context.js";
import { errorDataJson, isConvexError } from "./errors.js";
import type { Runtime } from "./runtime.js";

const HTTP_ACTION_BODY_LIMIT = 20 * 1024 * 1024;
const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

export function createSiteHandler(runtime: Runtime, adminKey: string, verifier: TokenVerifier, log: (line: string) => void) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    try {
      const match = runtime.loaded ? routeHttp(runtime.loaded, url.pathname, method) : null;
      if (!match) return replyText(res, 404, "No matching routes found");
      if (Number(req.headers["content-length"] ?? 0) > HTTP_ACTION_BODY_LIMIT) {
        return replyText(res, 413, `Request body too large: HTTP actions accept up to ${HTTP_ACTION_BODY_LIMIT / 1024 / 1024} MiB`);
      }
      // Auth reaches the app's functions only, as on Convex: a component's action reads the header itself if it wants it.
      const identity = match.component === ROOT ? await callerOf(req, adminKey, verifier) : null;
      const request = toRequest(req, url, method);
      const route = qualify(match.component, `${match.method} ${match.route}`);
      try {
        await runtime.runHttpAction(match.fn, route, request, identity, (response) => writeResponse(res, response, method === "HEAD", log));
      } catch (err: any) {
        log(`[ERROR] ${route}: ${err?.stack ?? err}`);
        if (res.headersSent) res.destroy();
        else writeServerError(res, err);
      }
    } catch (err: any) {
      log(`[ERROR] http action ${method} ${url.pathname}: ${err?.stack ?? err}`);
      if (!res.headersSent) replyText(res, 500, String(err?.message ?? err));
      else res.destroy();
    }
  };
}

/**
 * The identity an HTTP action runs with. A header that does not verify (or is
 * not Convex auth at all, e.g. a webhook's own scheme) does not stop the
 * request: the action runs, and getUserIdentity throws why.
 */
async function callerOf(req: IncomingMessage, adminKey: string, verifier: TokenVerifier): Promise<Caller> {
  try {
    return (await credentialsOf(req.headers.authorization, adminKey, verifier)).identity;
  } catch (err: any) {
    return new RejectedIdentity(String(err?.message ?? err));
  }
}

function toRequest(req: IncomingMessage, url: URL, method: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  if (BODYLESS.has(method)) return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: limitedBody(req), duplex: "half" } as RequestInit);
}

/** The request's body as a web stream that fails once it exceeds the limit (a chunked body has no length to check up front). */
function limitedBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let size = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > HTTP_ACTION_BODY_LIMIT) {
        controller.error(new Error(`HttpRequestTooLarge: HTTP actions accept request bodies up to ${HTTP_ACTION_BODY_LIMIT / 1024 / 1024} MiB`));
      } else {
        controller.enqueue(chunk);
      }
    },
  });
  return (Readable.toWeb(req) as ReadableStream<Uint8Array>).pipeThrough(limit);
}

/** Writes the action's Response, streaming its body; past the size limit the rest is dropped and the error logged (as Convex does). */
async function writeResponse(res: ServerResponse, response: Response, head: boolean, log: (line: string) => void) {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  let sent = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    sent += chunk.byteLength;
    if (sent > HTTP_ACTION_BODY_LIMIT) {
      log(`[ERROR] HttpResponseTooLarge: HTTP actions support responses up to ${HTTP_ACTION_BODY_LIMIT / 1024 / 1024} MiB`);
      break;
    }
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}

/** Resolves when `res` can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** A handler that threw: 500 with Convex's body (`code`, `trace`, and a ConvexError's `data`). */
function writeServerError(res: ServerResponse, err: any) {
  const name = isConvexError(err) ? "ConvexError" : (err?.name ?? "Error");
  const message = `Uncaught ${name}: ${err?.message ?? String(err)}`;
  const data = errorDataJson(err);
  const body = {
    code: `[Request ID: ${randomUUID().replace(/-/g, "").slice(0, 16)}] Server Error: ${message}`,
    trace: typeof err?.stack === "string" ? `${message}\n${err.stack.split("\n").slice(1).join("\n")}` : message,
    ...(data !== undefined ? { data } : {}),
  };
  res.writeHead(500, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function replyText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}
