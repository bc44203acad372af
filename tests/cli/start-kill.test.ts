import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPortFree } from "../../src/cli/ports.js";
import { listeningAddresses, LOOPBACK } from "../helpers/listening.js";
import { waitFor } from "../helpers/wait.js";

// `npm start` stopped the hard way (SIGKILL, which runs none of its code) leaves
// no Mastra Studio behind: its watchdog stops it, and a second start on the
// same ports succeeds. If the watchdog is killed too, the next start finds the
// leftover Studio through the pid file and stops it first.

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-kill-data-"));
// Its own root for `mastra dev` (one dev server per directory), like studio.test.ts.
const studioRoot = fs.mkdtempSync(path.join(os.tmpdir(), "parley-kill-studio-"));
for (const f of ["node_modules", "package.json", "tsconfig.json"]) fs.symlinkSync(path.resolve(f), path.join(studioRoot, f));
const pidFile = path.join(dataDir, "studio.pid");
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    // The backend also takes the next port, for its HTTP actions.
    if (await isPortFree(port + 1, "127.0.0.1")) return port;
  }
}

const ports = { webPort: await freePort(), backendPort: await freePort(), studioPort: await freePort() };


const groupAlive = (group: number) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

const studioRecord = () => JSON.parse(fs.readFileSync(pidFile, "utf8")) as { pid: number; watchdog: number };

/** Starts Parley in a child; resolves once it printed its URLs. */
async function start(): Promise<{ child: ChildProcess; studioUrl: string | null; output: () => string }> {
  const { PARLEY_SERVICE_KEY: _key, PARLEY_HOST: _host, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "tests/cli/helpers/parley-child.ts"], {
    env: {
      ...env,
      PARLEY_TEST_START: JSON.stringify({ ...ports, dataDir, studioRoot }),
      PARLEY_MODEL: "scripted",
      MASTRA_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const output = () => `${stdout}\n${stderr}`.slice(-3000);
  const line = await waitFor(
    "Parley to start",
    () => {
      if (child.exitCode !== null) throw new Error(`Parley exited (${child.exitCode}):\n${output()}`);
      return stdout.includes("\n") ? stdout.split("\n")[0] : undefined;
    },
    170_000,
  );
  return { child, studioUrl: (JSON.parse(line!) as { studioUrl: string | null }).studioUrl, output };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (fs.existsSync(pidFile)) {
    try {
      process.kill(-studioRecord().pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(studioRoot, { recursive: true, force: true });
});

describe("npm start's children", () => {
  it("do not survive a SIGKILL of npm start, and the next start on the same ports succeeds", { timeout: 420_000 }, async () => {
    const first = await start();
    expect(first.studioUrl, first.output()).toBeTruthy();
    const { pid: studio } = studioRecord();
    expect(groupAlive(studio)).toBe(true);
    const addresses = listeningAddresses(ports.studioPort);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK).toContain(address);

    first.child.kill("SIGKILL");
    await exited(first.child);
    await waitFor("Studio to stop after npm start was killed", () => (groupAlive(studio) ? undefined : true), 15_000);
    expect(await isPortFree(ports.studioPort, "127.0.0.1")).toBe(true);

    const second = await start();
    expect(second.studioUrl, second.output()).toBeTruthy();
    expect((await fetch(`${second.studioUrl}/api/workflows`)).ok).toBe(true);

    // Now the watchdog dies with npm start: Studio is left over, and the next start stops it.
    const { pid: leftover, watchdog } = studioRecord();
    process.kill(watchdog, "SIGKILL");
    second.child.kill("SIGKILL");
    await exited(second.child);
    await new Promise((r) => setTimeout(r, 500));
    expect(groupAlive(leftover)).toBe(true);

    const third = await start();
    expect(third.output()).toContain(`Stopping the Mastra Studio a previous start left running (pid ${leftover})`);
    expect(groupAlive(leftover)).toBe(false);
    expect(third.studioUrl, third.output()).toBeTruthy();
    const { pid: last } = studioRecord();

    // And a normal stop (SIGTERM) stops it too, and removes the pid file.
    third.child.kill("SIGTERM");
    await waitFor("npm start to stop", () => (third.child.exitCode !== null ? true : undefined), 30_000);
    await waitFor("its Studio to stop", () => (groupAlive(last) ? undefined : true), 15_000);
    expect(fs.existsSync(pidFile)).toBe(false);
  });
});
