import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startLocalBackend } from "../local-backend/index.js";
import { loadOrCreateAuthKeys } from "./auth-keys.js";
import { assertPortFree, BusyPortError, isAddressInUse } from "./ports.js";
import { startStudio, type Studio } from "./studio.js";
import { stopStaleStudio } from "./studio-guard.js";
import { ensureWebBuild, serveDashboard } from "./web-server.js";

// `npm start`: the embedded Convex backend (or CONVEX_URL), the quote worker,
// Mastra Studio and the dashboard, in that order, stopped in the reverse order.
// startParley is also how the browser tests boot the stack. Each workspace gets
// its demo catalog when its first user creates it, so nothing is seeded here.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface StartOptions {
  /** Where the backend's data and the service key live. Default: .data */
  dataDir?: string;
  /** 0 picks a free port. */
  webPort?: number;
  backendPort?: number;
  studioPort?: number;
  /** Start Mastra Studio (`mastra dev`). Default true. */
  studio?: boolean;
  /** Where `mastra dev` runs and keeps .mastra/ (one Studio per directory; tests use their own). Default: the checkout */
  studioRoot?: string;
  /** Use this Convex deployment instead of the embedded backend. */
  convexUrl?: string;
  host?: string;
  /** Start the quote worker. Default true. */
  worker?: boolean;
  /** Wipe the embedded backend's data first. */
  reset?: boolean;
  log?: (line: string) => void;
}

export interface Parley {
  webUrl: string;
  convexUrl: string;
  /**
   * Studio's address once it answers (undefined without Studio, or if it did
   * not start). startParley does not wait for it: the dashboard is ready first.
   */
  studioReady: Promise<string | undefined>;
  serviceKey: string;
  stop(): Promise<void>;
}

/** The service key the worker presents to Convex; made once per data dir. */
async function loadServiceKey(dataDir: string, log: (line: string) => void): Promise<string> {
  if (process.env.PARLEY_SERVICE_KEY) return process.env.PARLEY_SERVICE_KEY;
  const file = join(dataDir, "service-key");
  const existing = await readFile(file, "utf8").then((text) => text.trim(), () => "");
  if (existing) return existing;
  const key = randomBytes(32).toString("hex");
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  log(`Generated a service key in ${file}`);
  return key;
}

export async function startParley(options: StartOptions = {}): Promise<Parley> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? "127.0.0.1";
  const dataDir = resolve(options.dataDir ?? join(ROOT, ".data"));
  const webPort = options.webPort ?? 3000;
  const backendPort = options.backendPort ?? 3210;
  const studioPort = options.studioPort ?? 4111;
  const withStudio = options.studio ?? true;
  const externalUrl = options.convexUrl;
  const studioPidFile = join(dataDir, "studio.pid");

  // A Studio that outlived a killed start would hold its port.
  await stopStaleStudio(studioPidFile, log);
  // Say which port is busy before starting anything, rather than half-starting.
  await assertPortFree(webPort, host, "dashboard", "Pick another with --port or PARLEY_PORT.");
  if (!externalUrl) {
    await assertPortFree(backendPort, host, "Convex backend", "Pick another with --backend-port or PARLEY_BACKEND_PORT.");
    // Its HTTP actions (sign-in's keys among them) are served on the next port, as Convex's site origin.
    if (backendPort !== 0) {
      await assertPortFree(backendPort + 1, host, "Convex backend's site (HTTP actions)", "Pick another backend port with --backend-port or PARLEY_BACKEND_PORT; the site takes the one after it.");
    }
  }
  if (withStudio) {
    await assertPortFree(studioPort, host, "Mastra Studio", "Pick another with --studio-port or PARLEY_STUDIO_PORT, or use --no-studio.");
  }

  const stops: { name: string; stop: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { name, stop: stopOne } of stops.reverse()) {
        try {
          await stopOne();
        } catch (error) {
          log(`  could not stop the ${name} cleanly: ${(error as Error).message}`);
        }
      }
    })());

  try {
    // Keys live here: only this user may enter (mkdir's mode is subject to the umask).
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    const serviceKey = await loadServiceKey(dataDir, log);

    let convexUrl: string;
    if (externalUrl) {
      convexUrl = externalUrl;
      log(`Using the Convex deployment at ${convexUrl}`);
      if (!process.env.PARLEY_SERVICE_KEY) {
        log("  PARLEY_SERVICE_KEY is not set: the worker's key must match the deployment's PARLEY_SERVICE_KEY.");
      }
    } else {
      log("Starting the embedded Convex backend…");
      // Convex Auth signs sign-in tokens with JWT_PRIVATE_KEY; the backend verifies them with JWKS.
      const authKeys = await loadOrCreateAuthKeys(dataDir);
      const backend = await startLocalBackend({
        port: backendPort,
        host,
        dataDir: join(dataDir, "convex"),
        log: (line: string) => log(`  [backend] ${line}`),
        functionsDir: join(ROOT, "convex"),
        env: { PARLEY_SERVICE_KEY: serviceKey, ...authKeys },
        reset: options.reset ?? false,
      }).catch((error: unknown) => {
        if (isAddressInUse(error)) {
          throw new BusyPortError(backendPort, "Convex backend", "Pick another with --backend-port or PARLEY_BACKEND_PORT.");
        }
        throw error;
      });
      stops.push({ name: "Convex backend", stop: () => backend.stop() });
      convexUrl = backend.url;
      log(`  backend ready at ${convexUrl}`);
    }

    if (options.worker ?? true) {
      log("Starting the quote worker…");
      // Mastra keeps its workflow runs in this deployment: its store reads these
      // two on import (Studio gets them in its env), so it shares the worker's runs.
      process.env.CONVEX_URL = convexUrl;
      process.env.PARLEY_SERVICE_KEY = serviceKey;
      // Loaded here, not at the top: Mastra reads its settings from the environment on import.
      const { startQuoteWorker } = await import("../mastra/index.js");
      const worker = await startQuoteWorker({
        convexUrl,
        serviceKey,
        workerId: `start-${process.pid}`,
        log: (line: string) => log(`  [worker] ${line}`),
      });
      stops.push({ name: "quote worker", stop: async () => void (await worker.stop()) });
    }

    let studio: Studio | undefined;
    if (withStudio) {
      log("Starting Mastra Studio (mastra dev)…");
      studio = startStudio({
        root: ROOT,
        port: studioPort,
        host,
        workDir: options.studioRoot,
        env: { CONVEX_URL: convexUrl, PARLEY_SERVICE_KEY: serviceKey },
        pidFile: studioPidFile,
        log,
      });
      stops.push({ name: "Mastra Studio", stop: () => studio!.stop() });
    }

    const webDir = await ensureWebBuild(ROOT, log);
    const web = await serveDashboard({
      dir: webDir,
      port: webPort,
      host,
      config: { convexUrl, ...(studio ? { studioUrl: studio.url } : {}) },
    }).catch((error: unknown) => {
      if (isAddressInUse(error)) throw new BusyPortError(webPort, "dashboard", "Pick another with --port or PARLEY_PORT.");
      throw error;
    });
    stops.push({ name: "dashboard", stop: () => web.close() });

    if (options.worker ?? true) {
      // In the worker's process, once the dashboard's address is known: the invitation links point at it.
      const { startMailer } = await import("../mastra/worker/mailer.js");
      const { clientTransport } = await import("../mastra/convex-transport.js");
      const mailTransport = clientTransport(convexUrl);
      const env = process.env;
      const mailer = startMailer({
        transport: mailTransport,
        serviceKey,
        publicUrl: env.PARLEY_PUBLIC_URL || web.url,
        smtpUrl: env.PARLEY_SMTP_URL || undefined,
        from: env.PARLEY_MAIL_FROM || undefined,
        log: (line: string) => log(`  [mailer] ${line}`),
      });
      stops.push({ name: "invitation mailer", stop: async () => (await mailer.stop(), await mailTransport.close()) });
    }

    // Studio is a convenience: its failure is reported, and everything else runs without it.
    const studioReady: Promise<string | undefined> = studio
      ? studio.ready.then(
          () => studio!.url,
          (error: Error) => {
            log(`Mastra Studio did not start; everything else runs. ${error.message}`);
            return undefined;
          },
        )
      : Promise.resolve(undefined);

    return { webUrl: web.url, convexUrl, studioReady, serviceKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0–65535), not "${value}"`);
  return n;
}

const USAGE = `Usage: npm start -- [options]

  --port <n>           dashboard port (PARLEY_PORT, default 3000)
  --backend-port <n>   embedded Convex backend port (PARLEY_BACKEND_PORT, default 3210)
  --studio-port <n>    Mastra Studio port (PARLEY_STUDIO_PORT, default 4111)
  --host <host>        interface to listen on (PARLEY_HOST, default 127.0.0.1)
  --data-dir <dir>     data directory (PARLEY_DATA_DIR, default .data)
  --no-studio          do not start Mastra Studio
  --reset              wipe the embedded backend's data first
  CONVEX_URL=<url>     use that Convex deployment instead of the embedded backend
  PARLEY_MODEL_TOKENS_PER_SEC, PARLEY_MODEL_LATENCY_MS
                       pace of the scripted model (default 25 words/s after 300 ms; 0 = full speed)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "backend-port": { type: "string" },
      "studio-port": { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      studio: { type: "boolean", default: true },
      "no-studio": { type: "boolean" },
      reset: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = process.env;
  // At full speed the scripted model finishes a quote in a few seconds, too fast
  // to watch; by default `npm start` paces it like a real model. Set either
  // variable (0 = full speed) to change it.
  if (env.PARLEY_MODEL_TOKENS_PER_SEC === undefined && env.PARLEY_MODEL_LATENCY_MS === undefined) {
    env.PARLEY_MODEL_TOKENS_PER_SEC = "25";
    env.PARLEY_MODEL_LATENCY_MS = "300";
  }
  const started = Date.now();
  const parley = await startParley({
    webPort: port(values.port ?? env.PARLEY_PORT, "--port"),
    backendPort: port(values["backend-port"] ?? env.PARLEY_BACKEND_PORT, "--backend-port"),
    studioPort: port(values["studio-port"] ?? env.PARLEY_STUDIO_PORT, "--studio-port"),
    host: values.host ?? env.PARLEY_HOST,
    dataDir: values["data-dir"] ?? env.PARLEY_DATA_DIR,
    studio: values["no-studio"] ? false : values.studio,
    convexUrl: env.CONVEX_URL || undefined,
    reset: values.reset,
  });

  const withStudio = !values["no-studio"] && values.studio;
  console.log(`
Parley is running (${((Date.now() - started) / 1000).toFixed(1)}s).

  Dashboard      ${parley.webUrl}
  Mastra Studio  ${withStudio ? "starting… (its address follows here when it answers)" : "not running (--no-studio)"}
  Convex         ${parley.convexUrl}

Press Ctrl-C to stop.`);
  void parley.studioReady.then((url) => {
    if (url) console.log(`\nMastra Studio is ready (${((Date.now() - started) / 1000).toFixed(1)}s): ${url}`);
  });

  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      console.log("Stopping now.");
      process.exit(130);
    }
    console.log(`\n${signal}: stopping Parley… (press Ctrl-C again to force)`);
    parley.stop().then(
      () => {
        console.log("Stopped.");
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // An error nobody caught still stops everything before exiting, as Node would (code 1).
  const crash = (error: unknown) => {
    console.error("\nParley stopped on an uncaught error:", error instanceof Error ? (error.stack ?? error.message) : error);
    const force = setTimeout(() => process.exit(1), 10_000);
    void parley.stop().finally(() => {
      clearTimeout(force);
      process.exit(1);
    });
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    if (error instanceof BusyPortError) console.error(`\n${error.message}`);
    else console.error("\nParley could not start:", error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}

