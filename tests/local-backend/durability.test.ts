// A child backend is SIGKILLed in the middle of a stream of mutations; after a
// restart on the same data directory every acknowledged mutation is there, no
// transaction is half-applied, and scheduled work still runs.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { FIXTURE, tempDir, until } from "./helpers.js";

const api = anyApi;
const ROOT = path.resolve(__dirname, "../..");
const children: ChildProcess[] = [];

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/local-backend/cli.ts", "--port", "0", "--data-dir", dataDir, "--functions", FIXTURE, "--no-watch"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /CONVEX_URL=(\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr!.on("data", (d) => (err += d));
    child.on("exit", (code) => reject(new Error(`backend exited (${code}): ${err}`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("durability", () => {
  it("keeps every acknowledged mutation and no partial transaction across SIGKILL; scheduled work survives", async () => {
    const dataDir = tempDir("lb-durable-");
    const first = await startChild(dataDir);
    const http1 = new ConvexHttpClient(first.url, { logger: false });
    await http1.mutation(api.jobs.scheduleNote, { text: "after-restart", delayMs: 5000 });

    const acked = new Set<number>();
    let next = 0;
    let killed = false;
    const writer = async () => {
      const client = new ConvexHttpClient(first.url, { logger: false });
      while (!killed) {
        const n = next++;
        try {
          acked.add(await client.mutation(api.messages.sendPair, { channel: "durable", n }));
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    await until(() => acked.size >= 150, 30_000, "150 acknowledged mutations");
    expect(await http1.query(api.jobs.notes, { source: "scheduler" })).toEqual([]);
    killed = true;
    first.child.kill("SIGKILL");
    await Promise.all(writers);

    const second = await startChild(dataDir);
    const http2 = new ConvexHttpClient(second.url, { logger: false });
    const bodies: string[] = await http2.query(api.messages.list, { channel: "durable" });
    const halves = new Map<number, string[]>();
    for (const b of bodies) {
      const [n, half] = b.split("-");
      halves.set(Number(n), [...(halves.get(Number(n)) ?? []), half]);
    }
    for (const n of acked) expect(halves.get(n), `acknowledged mutation ${n}`).toEqual(["a", "b"]);
    for (const [n, h] of halves) expect(h, `transaction ${n} is whole`).toEqual(["a", "b"]);
    expect(new Set(bodies).size).toBe(bodies.length);

    await until(async () => (await http2.query(api.jobs.notes, { source: "scheduler" })).includes("after-restart"), 15_000, "scheduled note");
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
    expect(second.child.exitCode).toBe(0);
  });
});
