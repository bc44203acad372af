import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { removePidFile, startWatchdog, writePidFile } from "./studio-guard.js";

// Mastra Studio runs as `mastra dev` in a child process: it bundles and watches
// src/mastra on its own. It is a convenience, so its failure is reported and
// never stops the rest of Parley. It never outlives this process: see
// studio-guard.ts.

const READY_TIMEOUT_MS = 120_000;

export interface Studio {
  url: string;
  /** Resolves once Studio answers, or rejects with what went wrong. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** How a browser reaches a server listening on `host`. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

export function startStudio(opts: {
  /** The checkout: its node_modules and src/mastra. */
  root: string;
  /** Where `mastra dev` runs and keeps .mastra/ (one dev server per directory); default `root`. */
  workDir?: string;
  port: number;
  host: string;
  env: Record<string, string>;
  /** Where Studio's pid is kept while it runs, for the next start to stop it if it outlives this process. */
  pidFile: string;
  log: (line: string) => void;
}): Studio {
  const url = `http://${urlHost(opts.host)}:${opts.port}`;
  const workDir = opts.workDir ?? opts.root;
  const bin = join(opts.root, "node_modules", ".bin", process.platform === "win32" ? "mastra.cmd" : "mastra");
  const args = workDir === opts.root ? ["dev"] : ["dev", "--root", workDir, "--dir", join(opts.root, "src", "mastra")];
  const child: ChildProcess = spawn(bin, args, {
    cwd: workDir,
    env: {
      ...process.env,
      ...opts.env,
      MASTRA_TELEMETRY_DISABLED: "1",
      PORT: String(opts.port),
      // The Mastra config (src/mastra/index.ts) binds to PARLEY_HOST; HOST only names it in mastra dev's lock file.
      PARLEY_HOST: opts.host,
      HOST: opts.host,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stopping it also stops the server it spawns.
    detached: process.platform !== "win32",
  });
  const group = child.pid;
  const watchdog = group !== undefined && process.platform !== "win32" ? startWatchdog(group) : undefined;
  if (group !== undefined) writePidFile(opts.pidFile, { pid: group, watchdog: watchdog?.pid, root: workDir });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (group !== undefined && process.platform !== "win32") process.kill(-group, sig);
      else child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  // process.exit (a second Ctrl-C, an uncaught error) runs no async code, but this runs.
  const onExit = () => signal("SIGTERM");
  process.on("exit", onExit);
  child.once("exit", () => {
    process.off("exit", onExit);
    watchdog?.release();
    removePidFile(opts.pidFile);
  });

  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString().split(/\r?\n/)) {
      if (line.trim()) tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  };

  const ready = new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on("data", remember);
    child.stderr?.on("data", remember);
    // Ready when its HTTP server answers; bundling first can take a while.
    const started = Date.now();
    const probe = async () => {
      if (settled) return;
      try {
        await fetch(url, { signal: AbortSignal.timeout(1000) });
        settle();
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() - started > READY_TIMEOUT_MS) {
        settle(new Error(`\`mastra dev\` did not answer on ${url} within ${READY_TIMEOUT_MS / 1000}s`));
        return;
      }
      setTimeout(probe, 500).unref();
    };
    void probe();
    child.once("error", (error) => settle(new Error(`could not run \`mastra dev\`: ${error.message}`)));
    child.once("exit", (code, signal) =>
      settle(new Error(`\`mastra dev\` exited (${signal ?? `code ${code}`}):\n    ${tail.slice(-8).join("\n    ")}`)),
    );
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  return { url, ready, stop };
}
