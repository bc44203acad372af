// The official clients (ConvexClient over WebSocket, ConvexHttpClient over HTTP)
// against the embedded backend serving the fixture project.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import WebSocket from "ws";
import { startFixture, until } from "./helpers.js";

const api = anyApi;
let backend: Awaited<ReturnType<typeof startFixture>>;
const clients: ConvexClient[] = [];
const client = (url = backend.url) => {
  const c = new ConvexClient(url, { logger: false });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  backend = await startFixture({ env: { FIXTURE_SECRET: "s3cret" } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend.stop();
});

describe("ConvexClient", () => {
  it("a subscription sees a mutation's effect", async () => {
    const c = client();
    const seen: string[][] = [];
    c.onUpdate(api.messages.list, { channel: "sub" }, (v) => seen.push(v));
    await until(() => seen.length === 1, 10_000, "initial result");
    expect(seen[0]).toEqual([]);
    await c.mutation(api.messages.send, { channel: "sub", body: "hello" });
    await until(() => seen.at(-1)?.length === 1, 10_000, "update");
    expect(seen.at(-1)).toEqual(["hello"]);
  });

  it("a mutation's promise resolves only after its effect is visible to the same client", async () => {
    const c = client();
    let latest: string[] | undefined;
    c.onUpdate(api.messages.list, { channel: "ryw" }, (v) => (latest = v));
    await until(() => latest !== undefined);
    for (let i = 0; i < 5; i++) {
      await c.mutation(api.messages.send, { channel: "ryw", body: `m${i}` });
      expect(latest).toContain(`m${i}`);
    }
  });

  it("many clients on one query all get every update, in order, from shared pre-framed transitions", async () => {
    const subs = Array.from({ length: 25 }, () => client());
    const seen = subs.map(() => [] as (string | null)[]);
    subs.forEach((c, i) => c.onUpdate(api.messages.latest, { channel: "fan" }, (v) => seen[i].push(v)));
    await until(() => seen.every((s) => s.length === 1), 10_000, "initial results");
    const writer = new ConvexHttpClient(backend.url, { logger: false });
    for (let n = 0; n < 5; n++) {
      await writer.mutation(api.messages.send, { channel: "fan", body: `f${n}` });
      await until(() => seen.every((s) => s.at(-1) === `f${n}`), 10_000, `update f${n} on every client`);
    }
    for (const s of seen) expect(s.filter((v) => v !== null)).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    // A client that writes still gets its own transition (not the shared one) and stays in sync.
    await subs[0].mutation(api.messages.send, { channel: "fan", body: "own" });
    expect(seen[0].at(-1)).toBe("own");
    await until(() => seen.every((s) => s.at(-1) === "own"), 10_000, "own write everywhere");
  });

  it("two clients see each other's writes", async () => {
    const a = client();
    const b = client();
    let va: string[] = [];
    let vb: string[] = [];
    a.onUpdate(api.messages.list, { channel: "pair" }, (v) => (va = v));
    b.onUpdate(api.messages.list, { channel: "pair" }, (v) => (vb = v));
    await a.mutation(api.messages.send, { channel: "pair", body: "from-a" });
    await b.mutation(api.messages.send, { channel: "pair", body: "from-b" });
    await until(() => va.length === 2 && vb.length === 2, 10_000, "both writes on both clients");
    expect(va).toEqual(["from-a", "from-b"]);
    expect(vb).toEqual(va);
  });

  it("carries ConvexError data, rejects bad args and unknown or internal functions, and stays usable", async () => {
    const c = client();
    const err = await c.mutation(api.messages.send, { channel: "e", body: "" }).catch((e) => e);
    expect(err).toBeInstanceOf(ConvexError);
    expect(err.data).toEqual({ code: "INVALID_ARGUMENT", message: "body is empty", field: "body" });
    await expect(c.mutation(api.messages.send, { channel: 1 } as any)).rejects.toThrow(/ArgumentValidationError/);
    await expect(c.mutation(api.nope.nothing, {})).rejects.toThrow(/Could not find public function/);
    await expect(c.mutation(api.messages.secret, { channel: "e" })).rejects.toThrow(/Could not find public function/);
    await expect(c.mutation(api.messages.badWrite, {})).rejects.toThrow(/does not match the schema/);
    expect(await c.query(api.messages.list, { channel: "e" })).toEqual([]);
    // A failing query that threw no ConvexError reaches the client as a plain
    // Error, as from Convex Cloud (the client makes a ConvexError of any errorData).
    const plain = await c.query(api.messages.list, { channel: 1 } as any).catch((e) => e);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(ConvexError);
    expect(plain.message).toMatch(/ArgumentValidationError/);
    await c.mutation(api.messages.send, { channel: "e", body: "ok" });
    expect(await c.query(api.messages.list, { channel: "e" })).toEqual(["ok"]);
  });

  it("reconnects after a dropped connection and applies a re-sent mutation once", async () => {
    // A proxy that cuts the connection the first time a MutationResponse passes:
    // the mutation is committed but the client never hears back, so it re-sends.
    const target = new URL(backend.url);
    let dropped = 0;
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((down) => {
      sockets.add(down);
      const up = net.connect(Number(target.port), target.hostname);
      down.pipe(up);
      up.on("data", (chunk) => {
        if (dropped === 0 && chunk.includes("MutationResponse")) {
          dropped++;
          up.destroy();
          down.destroy();
          return;
        }
        down.write(chunk);
      });
      up.on("error", () => down.destroy());
      down.on("error", () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    try {
      var c = new ConvexClient(`http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, { logger: false });
      expect(await c.query(api.counters.get, { name: "once" })).toBe(0);
      const result = await c.mutation(api.counters.increment, { name: "once" });
      expect(dropped).toBe(1);
      expect(result).toBe(1);
      expect(await c.query(api.counters.get, { name: "once" })).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      proxy.close();
      // close() waits for a socket that the proxy may have cut mid-handshake.
      await Promise.race([c!.close(), new Promise((r) => setTimeout(r, 500))]);
    }
  });
});

describe("ConvexHttpClient", () => {
  it("runs queries, mutations and actions; ConvexError data crosses HTTP", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    const id = await http.mutation(api.messages.send, { channel: "h", body: "x" });
    expect(await http.query(api.messages.get, { id })).toMatchObject({ _id: id, body: "x", channel: "h" });
    expect(await http.action(api.actions.roundTrip, { channel: "h2", body: "y" })).toEqual(["y", "internal"]);
    const err = await http.action(api.actions.fail, {}).catch((e) => e);
    expect(err).toBeInstanceOf(ConvexError);
    expect(err.data).toEqual({ code: "WRAPPED", inner: "INVALID_ARGUMENT" });
    expect(await (http as any).function(api.messages.list, undefined, { channel: "h" })).toEqual(["x"]);
  });

  it("gives functions their env vars only", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.action(api.actions.env, {})).toEqual({ secret: "s3cret", home: null });
  });

  it("internal functions need the admin key", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await expect(http.mutation(api.messages.secret as any, { channel: "adm" })).rejects.toThrow(/Could not find public function/);
    (http as any).setAdminAuth(backend.adminKey);
    expect(typeof (await http.mutation(api.messages.secret as any, { channel: "adm" }))).toBe("string");
    const bad = new ConvexHttpClient(backend.url, { logger: false });
    (bad as any).setAdminAuth("wrong");
    await expect(bad.mutation(api.messages.secret as any, { channel: "adm" })).rejects.toThrow(/admin key/);
  });

  it("a failed mutation leaves no partial writes", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await expect(http.mutation(api.messages.sendTwiceThenFail, { channel: "atomic" })).rejects.toThrow(/boom after two writes/);
    expect(await http.query(api.messages.list, { channel: "atomic" })).toEqual([]);
  });

  it("concurrent mutations (committed in groups) are serializable, and a failing one undoes only itself", async () => {
    const calls = Array.from({ length: 40 }, (_, i) => {
      const http = new ConvexHttpClient(backend.url, { logger: false });
      if (i % 5 === 4) return http.mutation(api.messages.sendTwiceThenFail, { channel: "group" }).then(() => "ok", () => "failed");
      if (i % 2 === 0) return http.mutation(api.counters.increment, { name: "group" }).then(String);
      return http.mutation(api.messages.sendPair, { channel: "group", n: i }).then(String);
    });
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === "failed")).toHaveLength(8);
    // Every increment saw the previous ones: 16 distinct values 1..16.
    const counts = results.filter((_, i) => i % 5 !== 4 && i % 2 === 0).map(Number).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const http = new ConvexHttpClient(backend.url, { logger: false });
    const bodies: string[] = await http.query(api.messages.list, { channel: "group" });
    expect(bodies.filter((b) => b.startsWith("partial"))).toEqual([]);
    expect(bodies).toHaveLength(2 * 16);
    expect(await http.query(api.counters.get, { name: "group" })).toBe(16);
  });

  it("nested runMutation/runQuery inside a mutation see their own writes", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.mutation(api.messages.sendViaNested, { channel: "nest" })).toBe(1);
  });

  it("freezes Date.now and seeds Math.random per call", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    const r = await http.query(api.counters.determinism, {});
    expect(r.same).toBe(true);
    expect(r.r1).not.toBe(r.r2);
  });

  it("answers function errors with status 560 and the error body", async () => {
    const res = await fetch(`${backend.url}/api/mutation`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ path: "messages:send", args: { channel: "c", body: "" }, format: "json" }),
    });
    expect(res.status).toBe(560);
    const body = await res.json();
    expect(body.status).toBe("error");
    expect(body.errorData).toEqual({ code: "INVALID_ARGUMENT", message: "body is empty", field: "body" });
  });
});

describe("scheduler and crons", () => {
  it("runs runAfter jobs, honours cancel, and runs crons", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await http.mutation(api.jobs.scheduleNote, { text: "soon", delayMs: 0 });
    const later = await http.mutation(api.jobs.scheduleNote, { text: "never", delayMs: 60_000 });
    await http.mutation(api.jobs.cancel, { id: later });
    await until(async () => (await http.query(api.jobs.notes, { source: "scheduler" })).includes("soon"), 10_000, "scheduled job");
    const states = await http.query(api.jobs.jobStates, {});
    expect(states).toEqual(expect.arrayContaining([{ name: "jobs:writeNote", state: "canceled" }, { name: "jobs:writeNote", state: "success" }]));
    await until(async () => (await http.query(api.jobs.notes, { source: "cron" })).length > 0, 10_000, "cron tick");
  });
});

describe("protocol robustness", () => {
  it("ignores malformed messages and keeps the connection usable", async () => {
    const ws = new WebSocket(backend.url.replace("http", "ws") + "/api/1.48.0/sync");
    const got: any[] = [];
    ws.on("message", (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send("not json");
    ws.send(JSON.stringify({ type: "Bogus" }));
    ws.send(JSON.stringify({ type: "Connect", sessionId: "raw", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "nope:missing", args: [{}] }, { type: "Add", queryId: 1, udfPath: "messages:list", args: [{ channel: "raw" }] }] }));
    ws.send(JSON.stringify({ type: "Mutation", requestId: 0, udfPath: "messages:send", args: [{ channel: 5 }] }));
    await until(() => got.some((m) => m.type === "Transition") && got.some((m) => m.type === "MutationResponse"));
    const t = got.find((m) => m.type === "Transition");
    expect(t.startVersion).toEqual({ querySet: 0, ts: "AAAAAAAAAAA=", identity: 0 });
    expect(t.modifications[0]).toMatchObject({ type: "QueryFailed", queryId: 0 });
    expect(t.modifications[1]).toMatchObject({ type: "QueryUpdated", queryId: 1, value: [] });
    expect(got.find((m) => m.type === "MutationResponse")).toMatchObject({ success: false });
    ws.close();
  });

  it("sees a written key inside a read range among many written around it (and none at its exclusive end)", async () => {
    const ws = new WebSocket(backend.url.replace("http", "ws") + "/api/1.48.0/sync");
    const got: any[] = [];
    ws.on("message", (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "Connect", sessionId: "ranges", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
    // Group 5, scores in [2000, 3000): the bulk insert's scores are all < 1000, its other groups on both sides.
    const spec = { index: "by_group_score", group: 5, lo: 2000, loInclusive: true, hi: 3000, order: "asc", terminal: "collect" };
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 1, udfPath: "items:run", args: [{ spec }] }] }));
    await until(() => got.length === 1);
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await http.mutation(api.items.bulk, { from: 0, count: 300, groups: 10 });
    await http.mutation(api.items.insert, { group: 5, score: 3000, tag: "edge", flag: true });
    await http.mutation(api.items.insert, { group: 5, score: 2000, tag: "in", flag: true });
    await until(() => got.length === 2, 10_000, "one transition");
    expect(got[1].modifications).toHaveLength(1);
    expect(got[1].modifications[0].value.map((d: any) => d.tag)).toEqual(["in"]);
    ws.close();
  });

  it("only pushes to subscribers whose read ranges a commit touched", async () => {
    const ws = new WebSocket(backend.url.replace("http", "ws") + "/api/1.48.0/sync");
    const got: any[] = [];
    ws.on("message", (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "Connect", sessionId: "watcher", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 7, udfPath: "messages:list", args: [{ channel: "watched" }] }] }));
    await until(() => got.length === 1);
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await http.mutation(api.messages.send, { channel: "other", body: "not for you" });
    await http.mutation(api.messages.send, { channel: "watched", body: "for you" });
    await until(() => got.length === 2, 10_000, "one transition");
    expect(got[1].type).toBe("Transition");
    expect(got[1].startVersion).toEqual(got[0].endVersion);
    expect(got[1].modifications).toEqual([{ type: "QueryUpdated", queryId: 7, value: ["for you"], logLines: [], journal: null }]);
    ws.close();
  });
});
