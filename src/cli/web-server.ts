import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

// Serves the built dashboard and /config.json, which tells the bundle where
// Convex is: one build works against any backend and any port.

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
};

const STAMP = ".parley-build.json";

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * Builds web/ into dist/web unless the build there is newer than every source
 * it depends on. Builds into a temporary folder and renames it into place, so
 * a server already serving the old build never sees half a new one.
 */
export async function ensureWebBuild(root: string, log: (line: string) => void): Promise<string> {
  const outDir = join(root, "dist", "web");
  // The dashboard imports the server's shared rules (roles, statuses, names, thresholds) from convex/model.
  const sources = ["web", "src/negotiation", "convex/_generated", "convex/model", "convex/schema.ts", "vite.config.ts", "package.json"];
  const newestSource = Math.max(...(await Promise.all(sources.map((s) => newestMtime(join(root, s))))));
  const stamp = await readFile(join(outDir, STAMP), "utf8").then(
    (text) => JSON.parse(text) as { sourcesMtime: number },
    () => undefined,
  );
  if (stamp && stamp.sourcesMtime >= newestSource) return outDir;

  log("Building the dashboard (once; rebuilt when web/ changes)…");
  const tmpDir = join(root, "dist", `web.tmp-${process.pid}-${Date.now()}`);
  const { build } = await import("vite");
  await build({
    configFile: join(root, "vite.config.ts"),
    root: join(root, "web"),
    logLevel: "warn",
    build: { outDir: tmpDir, emptyOutDir: true },
  });
  await writeFile(join(tmpDir, STAMP), JSON.stringify({ sourcesMtime: newestSource, builtAt: new Date().toISOString() }));
  await mkdir(join(root, "dist"), { recursive: true });
  const oldDir = `${outDir}.old-${process.pid}-${Date.now()}`;
  await rename(outDir, oldDir).catch(() => undefined);
  await rename(tmpDir, outDir);
  await rm(oldDir, { recursive: true, force: true });
  return outDir;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serveDashboard(opts: {
  dir: string;
  port: number;
  host: string;
  config: { convexUrl: string; studioUrl?: string };
}): Promise<WebServer> {
  const dir = resolve(opts.dir);
  const configBody = JSON.stringify(opts.config);
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (url.pathname === "/config.json") {
      response.writeHead(200, { "Content-Type": TYPES[".json"], "Cache-Control": "no-store" }).end(configBody);
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      // A malformed %-escape must not become an unhandled rejection that stops `npm start`.
      response.writeHead(400, { "Content-Type": "text/plain" }).end("Malformed URL.");
      return;
    }
    let path = normalize(join(dir, decoded));
    if (!path.startsWith(dir + sep) && path !== dir) {
      response.writeHead(403).end();
      return;
    }
    let info = await stat(path).catch(() => undefined);
    if (!info || info.isDirectory()) {
      // The router lives in the hash, so every other path is the app itself.
      path = join(dir, "index.html");
      info = await stat(path).catch(() => undefined);
    }
    if (!info) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("The dashboard is not built.");
      return;
    }
    const immutable = url.pathname.startsWith("/assets/");
    response.writeHead(200, {
      "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
      "Content-Length": info.size,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${displayHost(opts.host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export function displayHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
}
