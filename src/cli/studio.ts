import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

// Mastra Studio runs as `mastra dev` in a child process: it bundles and watches
// src/mastra on its own. It is a convenience, so its failure is reported and
// never stops the rest of Parley.

const READY_TIMEOUT_MS = 120_000;

export interface Studio {
  url: string;
  /** Resolves once Studio answers, or rejects with what went wrong. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startStudio(opts: {
  root: string;
  port: number;
  host: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): Studio {
  const url = `http://localhost:${opts.port}`;
  const bin = join(opts.root, "node_modules", ".bin", process.platform === "win32" ? "mastra.cmd" : "mastra");
  const child: ChildProcess = spawn(bin, ["dev"], {
    cwd: opts.root,
    env: {
      ...process.env,
      ...opts.env,
      MASTRA_TELEMETRY_DISABLED: "1",
      PORT: String(opts.port),
      HOST: opts.host,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stopping it also stops the server it spawns.
    detached: process.platform !== "win32",
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
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  return { url, ready, stop };
}
