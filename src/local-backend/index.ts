// The embedded Convex-compatible backend: serves a Convex functions folder over
// Convex's own HTTP and WebSocket protocols, so the official clients work
// against it unchanged. See docs/backend.md.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { WebSocketServer } from "ws";
import { loadFunctions, type LoadedFunctions } from "./modules.js";
import { Runtime } from "./runtime.js";
import { Scheduler } from "./scheduler.js";
import { Store } from "./store.js";
import { SyncServer } from "./sync.js";
import { createHttpHandler } from "./http.js";

export type LocalBackendOptions = {
  /** 0 = a free port. Default 3210. */
  port?: number;
  host?: string;
  /** Default `.data/convex`. */
  dataDir?: string;
  /** Default: `functions` in convex.json, else `convex`. */
  functionsDir?: string;
  /** Environment variables visible to functions as `process.env`. */
  env?: Record<string, string>;
  /** Wipe the data directory first. */
  reset?: boolean;
  log?: (line: string) => void;
  /** Reload functions when their sources change. */
  watch?: boolean;
};

export type LocalBackend = {
  url: string;
  adminKey: string;
  port: number;
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
    if (key) return key;
  } catch {
    /* first start */
  }
  const key = `local|${randomBytes(32).toString("hex")}`;
  fs.writeFileSync(file, key + "\n", { mode: 0o600 });
  return key;
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
  fs.mkdirSync(dataDir, { recursive: true });
  const adminKey = loadAdminKey(dataDir);
  const store = new Store(dataDir);

  let sync: SyncServer | null = null;
  let scheduler: Scheduler | null = null;
  const runtime = new Runtime(store, {
    onCommit: () => sync?.onCommit(),
    onScheduled: () => scheduler?.poke(),
    log,
  });
  const functionEnv: Record<string, string> = { ...(opts.env ?? {}) };

  const bundleRoot = path.join(dataDir, "bundles");
  fs.mkdirSync(bundleRoot, { recursive: true });
  const load = async (): Promise<LoadedFunctions> => {
    const loaded = await loadFunctions(functionsDir, bundleRoot, functionEnv);
    runtime.setFunctions(loaded);
    return loaded;
  };
  let loaded: LoadedFunctions;
  try {
    loaded = await load();
  } catch (err) {
    store.close();
    throw err;
  }

  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  sync = new SyncServer(runtime, adminKey, log);
  scheduler = new Scheduler(runtime, log);
  server.on("request", createHttpHandler(runtime, adminKey, log));
  server.on("upgrade", (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!/^\/api\/[^/]+\/sync$/.test(pathname)) {
      socket.write("HTTP/1.1 404 Not Found\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => sync!.handleConnection(ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 3210, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host}:${port}`;
  functionEnv.CONVEX_CLOUD_URL ??= url;
  functionEnv.CONVEX_SITE_URL ??= url;

  await scheduler.start();
  scheduler.setCrons(loaded.crons);

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
      scheduler?.setCrons(loaded.crons);
      sync?.invalidateAll();
      scheduler?.poke();
      log(`[INFO] reloaded functions from ${functionsDir}`);
      rewatch(loaded.inputs);
    } catch (err: any) {
      log(`[ERROR] reloading functions failed; still serving the previous version:\n${err?.message ?? err}`);
    }
  };
  if (opts.watch) rewatch(loaded.inputs);

  let stopped = false;
  return {
    url,
    adminKey,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const w of watchers) w.close();
      if (reloadTimer) clearTimeout(reloadTimer);
      await scheduler!.stop();
      sync!.close();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.lock.run(async () => undefined);
      store.close();
    },
  };
}
