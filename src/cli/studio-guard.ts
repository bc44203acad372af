import { spawn } from "node:child_process";
import { readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";

// Studio runs in a process group of its own (so that stopping it also stops the
// server it spawns), which means it does not die with `npm start`. Two guards
// see that it does: a watchdog that stops the group as soon as its pipe from
// `npm start` closes, however `npm start` ended (SIGKILL included), and a pid
// file from which the next start stops a Studio that outlived even the watchdog.

// Plain JavaScript for `node -e`, so it needs no loader. argv[1] is the group.
const WATCHDOG = `
const group = -Number(process.argv[1]);
const alive = () => { try { process.kill(group, 0); return true; } catch { return false; } };
const kill = (signal) => { try { process.kill(group, signal); } catch {} };
let closed = false;
const stopGroup = () => {
  if (closed) return;
  closed = true;
  kill("SIGTERM");
  const since = Date.now();
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() - since > 5000) { kill("SIGKILL"); process.exit(0); }
  }, 100);
};
process.stdin.on("end", stopGroup);
process.stdin.on("error", stopGroup);
process.stdin.resume();
`;

/** Starts the watchdog of process group `group`; `release()` (after a clean stop) lets it exit. */
export function startWatchdog(group: number): { pid?: number; release(): void } {
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG, String(group)], {
    stdio: ["pipe", "ignore", "ignore"],
    // Not in our group either, so a signal to the whole of `npm start`'s group still leaves it to clean up.
    detached: process.platform !== "win32",
  });
  watchdog.unref();
  const pipe = watchdog.stdin as Socket;
  pipe.on("error", () => {});
  pipe.unref();
  return { pid: watchdog.pid, release: () => void pipe.end() };
}

interface StudioRecord {
  pid: number;
  /** Its watchdog's pid: for whoever looks into a leftover (and for the tests). */
  watchdog?: number;
  /** The directory `mastra dev` runs in: how a pid is told to be ours. */
  root: string;
}

export function writePidFile(file: string, record: StudioRecord): void {
  writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is `mastra dev` running in `root` (a pid may have been reused since the file was written). */
function isOurStudio(pid: number, root: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return args.some((a) => /(^|\/)mastra(\/|$)/.test(a)) && args.includes("dev") && realpathSync(cwd) === realpathSync(root);
  } catch {
    return false;
  }
}

/** Stops the Studio a previous start left running (its parent was SIGKILLed along with its watchdog), if the pid file names one. */
export async function stopStaleStudio(file: string, log: (line: string) => void): Promise<void> {
  let record: StudioRecord;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as StudioRecord;
  } catch {
    return;
  }
  if (isOurStudio(record.pid, record.root) && groupAlive(record.pid)) {
    log(`Stopping the Mastra Studio a previous start left running (pid ${record.pid})…`);
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-record.pid, sig);
      } catch {
        // Gone already.
      }
    };
    signal("SIGTERM");
    const deadline = Date.now() + 5000;
    while (groupAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(record.pid)) signal("SIGKILL");
    while (groupAlive(record.pid) && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 50));
  }
  removePidFile(file);
}
