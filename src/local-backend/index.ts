// The embedded Convex-compatible backend: serves a Convex functions folder over
// Convex's own HTTP and WebSocket protocols, so the official clients work
// against it unchanged. See docs/backend.md.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import { WebSocketServer } from "ws";
import { TokenVerifier } from "./auth/verify.js";
import { makeFilePrivate, privateDir, writePrivateFile } from "./file-modes.js";
import { AdminApi } from "./admin.js";
import { cliSystemFunctions } from "./cli-functions.js";
import { frontendSystemFunctions } from "./frontend-functions.js";
import { applyChanges, applySaved, changesProblem, environmentSystemFunctions, type EnvChange } from "./environment.js";
import { FileStorage, maxUploadBytes } from "./file-storage.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { createSiteHandler } from "./http-actions.js";
import { loadFunctions, type LoadedFunctions } from "./modules.js";
import { allCrons } from "./components.js";
import { Runtime } from "./runtime.js";
import { Scheduler } from "./scheduler.js";
import { Store } from "./store.js";
import { maxSubscriptions, SyncServer } from "./sync.js";
import { createHttpHandler, type AdminHooks } from "./http.js";
import { loadPushedApp, PushApi } from "./push.js";

export type LocalBackendOptions = {
  /** 0 = a free port. Default 3210. */
  port?: number;
  /** The site origin's port (HTTP actions of `http.ts`). Default `port + 1` (3211), or a free port when `port` is 0; 0 = a free port. */
  sitePort?: number;
  host?: string;
  /** Default `.data/convex`. */
  dataDir?: string;
  /** Default: `functions` in convex.json, else `convex`. */
  functionsDir?: string;
  /**
   * Environment variables visible to functions as `process.env` (Convex Auth's
   * JWT_PRIVATE_KEY and JWKS among them). CONVEX_CLOUD_URL and CONVEX_SITE_URL
   * default to `url` and `siteUrl`.
   */
  env?: Record<string, string>;
  /** Wipe the data directory first. */
  reset?: boolean;
  log?: (line: string) => void;
  /** Reload functions when their sources change. */
  watch?: boolean;
  /** Lower transaction limits than Convex's (limits.ts), for tests of what happens past one. */
  transactionLimits?: Partial<Limits>;
  /** The largest file an upload or ctx.storage.store takes, MiB. Default PARLEY_LOCAL_MAX_UPLOAD_MB, else 256. */
  maxUploadMiB?: number;
  /** The most queries one sync connection subscribes (sync.ts). Default PARLEY_LOCAL_MAX_SUBSCRIPTIONS, else 256. */
  maxSubscriptions?: number;
};

export type LocalBackend = {
  /** The deployment URL (CONVEX_CLOUD_URL): the HTTP API and the sync WebSocket. */
  url: string;
  /** The site origin (CONVEX_SITE_URL): HTTP actions. */
  siteUrl: string;
  adminKey: string;
  port: number;
  sitePort: number;
  /** WebSocket clients, and what is held back for those not reading their socket (sync.ts, backpressure). */
  syncStats(): { connections: number; held: number; heldModifications: number; bufferedBytes: number };
  stop(): Promise<void>;
};

/** The functions folder named by convex.json in `cwd`, else "convex". */
export function defaultFunctionsDir(cwd = process.cwd()): string {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(cwd, "convex.json"), "utf8"));
    if (typeof config.functions === "string") return path.join(cwd, config.functions);
  } catch {
    /* no convex.json */
  }
  return path.join(cwd, "convex");
}

function loadAdminKey(dataDir: string): string {
  const file = path.join(dataDir, "admin_key");
  try {
    const key = fs.readFileSync(file, "utf8").trim();
    if (key) {
      makeFilePrivate(file);
      return key;
    }
  } catch {
    /* first start */
  }
  const key = `local|${randomBytes(32).toString("hex")}`;
  writePrivateFile(file, key + "\n");
  return key;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A listening address as a URL clients can use (a wildcard host is reached on loopback). */
function originUrl(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Function logs to stdout, one write per event-loop turn rather than one per line. */
function bufferedStdoutLog(): (line: string) => void {
  let pending: string[] = [];
  return (line) => {
    if (pending.length === 0) {
      setImmediate(() => {
        const text = pending.join("\n") + "\n";
        pending = [];
        process.stdout.write(text);
      });
    }
    pending.push(line);
  };
}

export async function startLocalBackend(opts: LocalBackendOptions = {}): Promise<LocalBackend> {
  const log = opts.log ?? bufferedStdoutLog();
  const host = opts.host ?? "127.0.0.1";
  const dataDir = path.resolve(opts.dataDir ?? ".data/convex");
  const functionsDir = path.resolve(opts.functionsDir ?? defaultFunctionsDir());
  if (opts.reset) fs.rmSync(dataDir, { recursive: true, force: true });
  privateDir(dataDir);
  const adminKey = loadAdminKey(dataDir);
  const store = new Store(dataDir);

  let sync: SyncServer | null = null;
  let scheduler: Scheduler | null = null;
  const runtime = new Runtime(store, {
    onCommit: () => sync?.onCommit(),
    onScheduled: () => scheduler?.poke(),
    log,
  });
  if (opts.transactionLimits) runtime.limits = { ...DEFAULT_LIMITS, ...opts.transactionLimits };
  const verifier = new TokenVerifier(() => runtime.loaded?.authProviders ?? [], log);
  // The ports are bound before the functions load (see below), but a request is
  // answered only once they have: a client that connects early waits rather
  // than being told its function does not exist.
  let markLoaded!: () => void;
  const functionsLoaded = new Promise<void>((resolve) => (markLoaded = resolve));
  const afterLoad =
    <A extends unknown[]>(handle: (...args: A) => unknown) =>
    (...args: A) =>
      void functionsLoaded.then(() => handle(...args));
  const admin = new AdminApi(runtime, adminKey, verifier, () => sync?.invalidateAll());
  const adminHooks: AdminHooks = { admin };
  const server = http.createServer(afterLoad(createHttpHandler(runtime, adminKey, verifier, log, adminHooks)));
  const site = http.createServer(afterLoad(createSiteHandler(runtime, adminKey, verifier, log)));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  sync = new SyncServer(runtime, adminKey, verifier, log, maxSubscriptions(opts.maxSubscriptions ?? process.env.PARLEY_LOCAL_MAX_SUBSCRIPTIONS));
  server.on("upgrade", afterLoad((req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!/^\/api\/[^/]+\/sync$/.test(pathname)) {
      socket.write("HTTP/1.1 404 Not Found\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => sync!.handleConnection(ws));
  }));

  // Both origins are bound before the functions load: auth.config.ts and module
  // top levels may read CONVEX_SITE_URL / CONVEX_CLOUD_URL.
  const functionEnv: Record<string, string> = { ...(opts.env ?? {}) };
  // What `npx convex env set` changed before wins over the launcher's defaults.
  applySaved(store, functionEnv);
  runtime.systemFunctions = new Map([
    ...environmentSystemFunctions(functionEnv),
    ...cliSystemFunctions(store, () => functionEnv.CONVEX_CLOUD_URL ?? ""),
    ...admin.systemFunctions(),
    ...frontendSystemFunctions(runtime),
  ]);
  const bundleRoot = path.join(dataDir, "bundles");
  // Code pushed with `npx convex deploy`/`dev` (push.ts) wins over the functions folder, restarts included.
  const push = new PushApi({
    runtime,
    adminKey,
    verifier,
    dataDir,
    bundleRoot,
    env: functionEnv,
    log,
    install: async (pushed) => {
      runtime.setFunctions(pushed);
      loaded = pushed;
      scheduler?.setCrons(allCrons(pushed));
      sync?.invalidateAll();
      scheduler?.poke();
    },
  });
  adminHooks.push = push;
  const load = async (): Promise<LoadedFunctions> => {
    const pushed = push.saved();
    const loaded = pushed ? await loadPushedApp(pushed, bundleRoot, functionEnv) : await loadFunctions(functionsDir, bundleRoot, functionEnv);
    runtime.setFunctions(loaded);
    return loaded;
  };
  const requestedPort = opts.port ?? 3210;
  let port: number;
  let sitePort: number;
  let loaded: LoadedFunctions;
  try {
    port = await listen(server, requestedPort, host);
    sitePort = await listen(site, opts.sitePort ?? (requestedPort === 0 ? 0 : requestedPort + 1), host);
    functionEnv.CONVEX_CLOUD_URL ??= originUrl(host, port);
    const origin = functionEnv.CONVEX_CLOUD_URL;
    runtime.files = new FileStorage(runtime, adminKey, () => origin, maxUploadBytes(opts.maxUploadMiB ?? process.env.PARLEY_LOCAL_MAX_UPLOAD_MB));
    functionEnv.CONVEX_SITE_URL ??= originUrl(host, sitePort);
    privateDir(bundleRoot);
    loaded = await load();
    markLoaded();
  } catch (err) {
    sync.close();
    await Promise.all([closeServer(server), closeServer(site)]);
    await store.close();
    throw err;
  }
  const url = originUrl(host, port);
  const siteUrl = originUrl(host, sitePort);
  scheduler = new Scheduler(runtime, log);

  await scheduler.start();
  scheduler.setCrons(allCrons(loaded));

  let watchers: fs.FSWatcher[] = [];
  let reloadTimer: NodeJS.Timeout | null = null;
  const rewatch = (inputs: string[]) => {
    for (const w of watchers) w.close();
    watchers = [];
    const dirs = new Set([functionsDir, ...inputs.map((f) => path.dirname(f))]);
    for (const dir of dirs) {
      try {
        const w = fs.watch(dir, { recursive: dir === functionsDir }, (_event, file) => {
          if (file && (String(file).includes("_generated") || String(file).startsWith("."))) return;
          if (reloadTimer) clearTimeout(reloadTimer);
          reloadTimer = setTimeout(reload, 150);
        });
        watchers.push(w);
      } catch {
        /* directory vanished */
      }
    }
  };
  const reload = async () => {
    try {
      loaded = await runtime.lock.run(load);
      scheduler?.setCrons(allCrons(loaded));
      sync?.invalidateAll();
      scheduler?.poke();
      log(`[INFO] reloaded functions from ${push.saved() ? "the pushed code" : functionsDir}`);
      rewatch(loaded.inputs);
    } catch (err: any) {
      log(`[ERROR] reloading functions failed; still serving the previous version:\n${err?.message ?? err}`);
    }
  };
  if (opts.watch) rewatch(loaded.inputs);
  adminHooks.updateEnvironment = async (changes) => {
    const problem = changesProblem(changes, functionEnv);
    if (problem) return problem;
    await runtime.lock.run(async () => applyChanges(store, functionEnv, changes as EnvChange[]));
    // Module top levels and auth.config.ts read the environment when they load.
    await reload();
    return null;
  };

  let stopped = false;
  return {
    url,
    siteUrl,
    adminKey,
    port,
    sitePort,
    syncStats: () => sync!.stats(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const w of watchers) w.close();
      if (reloadTimer) clearTimeout(reloadTimer);
      await scheduler!.stop();
      admin.close();
      sync!.close();
      wss.close();
      await Promise.all([closeServer(server), closeServer(site)]);
      await runtime.lock.run(async () => undefined);
      await store.close();
    },
  };
}
