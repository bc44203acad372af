// Abusive inputs: request bodies over the size limit, and function arguments
// (or whole socket messages) nested far deeper than Convex allows. Each must
// get a clear answer, and leave the connection and other clients working.
import http from "node:http";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import WebSocket from "ws";
import { startFixture, until } from "./helpers.js";

const api = anyApi;
const MiB = 1024 * 1024;
const TOO_DEEP = "Arguments are nested too deeply: at most 64 levels";
const MILLION = 1_000_000;

let backend: Awaited<ReturnType<typeof startFixture>>;
let watcher: ConvexClient;
/** What the watcher (an ordinary client, subscribed throughout) has seen on channel "abuse". */
const watched: string[][] = [];

beforeAll(async () => {
  backend = await startFixture();
  watcher = new ConvexClient(backend.url, { logger: false });
  watcher.onUpdate(api.messages.list, { channel: "abuse" }, (v) => watched.push(v));
  await until(() => watched.length > 0, 10_000, "the watcher's first result");
});
afterAll(async () => {
  await watcher.close();
  await backend.stop();
});

/** JSON text of arrays nested `n` deep. */
const deepArray = (n: number) => "[".repeat(n) + "]".repeat(n);
/** JSON text of objects nested `n` deep around a number. */
const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

type Raw = { ws: WebSocket; got: any[]; closed: Promise<{ code: number; reason: string }> };

async function rawSocket(sessionId: string): Promise<Raw> {
  const ws = new WebSocket(backend.url.replace("http", "ws") + "/api/1.48.0/sync");
  const got: any[] = [];
  ws.on("message", (d) => got.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((r) => ws.once("open", r));
  ws.send(JSON.stringify({ type: "Connect", sessionId, connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
  return { ws, got, closed };
}

const transitions = (r: Raw) => r.got.filter((m) => m.type === "Transition");

/** Waits for the transition that takes the query set to `querySet`. */
async function transitionTo(r: Raw, querySet: number) {
  await until(() => transitions(r).some((t) => t.endVersion.querySet === querySet), 10_000, `transition to query set ${querySet}`);
  return transitions(r).find((t) => t.endVersion.querySet === querySet);
}

const addQuery = (queryId: number, argsJson: string) => `{"type":"Add","queryId":${queryId},"udfPath":"messages:list","args":[${argsJson}]}`;
const modifyQuerySet = (base: number, mods: string[]) => `{"type":"ModifyQuerySet","baseVersion":${base},"newVersion":${base + 1},"modifications":[${mods.join(",")}]}`;

describe("deeply nested arguments over the socket", () => {
  it("fail only their own query; the query set advances and keeps working, and other clients are unaffected", async () => {
    const r = await rawSocket("deep-queries");
    r.ws.send(
      modifyQuerySet(0, [
        addQuery(0, '{"channel":"abuse"}'),
        addQuery(1, `{"channel":${deepArray(MILLION)}}`),
        addQuery(2, `{"channel":"abuse","x":${deepObject(MILLION)}}`),
      ]),
    );
    const first = await transitionTo(r, 1);
    expect(first.startVersion.querySet).toBe(0);
    expect(first.modifications).toEqual([
      expect.objectContaining({ type: "QueryUpdated", queryId: 0, value: watched.at(-1) }),
      expect.objectContaining({ type: "QueryFailed", queryId: 1, errorMessage: TOO_DEEP }),
      expect.objectContaining({ type: "QueryFailed", queryId: 2, errorMessage: TOO_DEEP }),
    ]);

    // The same connection: add a query, remove a refused one.
    r.ws.send(modifyQuerySet(1, [addQuery(3, '{"channel":"abuse-2"}'), '{"type":"Remove","queryId":1}']));
    const second = await transitionTo(r, 2);
    expect(second.startVersion.querySet).toBe(1);
    expect(second.modifications).toEqual([
      expect.objectContaining({ type: "QueryUpdated", queryId: 3, value: [] }),
      { type: "QueryRemoved", queryId: 1 },
    ]);

    // A commit reaches both this connection's live query and the other client.
    const before = transitions(r).length;
    await new ConvexHttpClient(backend.url, { logger: false }).mutation(api.messages.send, { channel: "abuse", body: "after the deep query" });
    await until(() => watched.at(-1)?.includes("after the deep query") === true, 10_000, "the watcher's update");
    await until(() => transitions(r).length > before, 10_000, "this connection's update");
    const pushed = transitions(r).slice(before).flatMap((t) => t.modifications);
    expect(pushed).toContainEqual(expect.objectContaining({ type: "QueryUpdated", queryId: 0, value: expect.arrayContaining(["after the deep query"]) }));
    expect(pushed.some((m) => m.queryId === 2)).toBe(false);
    r.ws.close();
  });

  it("answer a mutation or an action with a failed response, and later requests still run", async () => {
    const r = await rawSocket("deep-requests");
    r.ws.send(`{"type":"Mutation","requestId":0,"udfPath":"messages:send","args":[{"channel":"abuse-m","body":${deepArray(MILLION)}}]}`);
    r.ws.send(`{"type":"Action","requestId":1,"udfPath":"actions:roundTrip","args":[{"channel":"abuse-m","body":${deepObject(MILLION)}}]}`);
    r.ws.send(JSON.stringify({ type: "Mutation", requestId: 2, udfPath: "messages:send", args: [{ channel: "abuse-m", body: "fine" }] }));
    await until(() => r.got.filter((m) => m.type === "MutationResponse" || m.type === "ActionResponse").length === 3, 10_000, "three responses");
    expect(r.got.find((m) => m.requestId === 0)).toMatchObject({ type: "MutationResponse", success: false, result: TOO_DEEP });
    expect(r.got.find((m) => m.requestId === 1)).toMatchObject({ type: "ActionResponse", success: false, result: TOO_DEEP });
    expect(r.got.find((m) => m.requestId === 2)).toMatchObject({ type: "MutationResponse", success: true });
    const http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.query(api.messages.list, { channel: "abuse-m" })).toEqual(["fine"]);
    r.ws.close();
  });

  it("allow 64 levels and refuse 65 (the arguments object is the first)", async () => {
    const r = await rawSocket("deep-boundary");
    // `x` holds 63 (then 64) levels below the arguments object.
    r.ws.send(modifyQuerySet(0, [addQuery(0, `{"channel":"abuse","x":${deepObject(63)}}`), addQuery(1, `{"channel":"abuse","x":${deepObject(64)}}`)]));
    const t = await transitionTo(r, 1);
    // 64 levels pass the nesting check and reach the function's validator.
    expect(t.modifications[0]).toMatchObject({ type: "QueryFailed", queryId: 0, errorMessage: expect.stringMatching(/ArgumentValidationError/) });
    expect(t.modifications[1]).toMatchObject({ type: "QueryFailed", queryId: 1, errorMessage: TOO_DEEP });
    r.ws.close();
  });

  it("a non-string udfPath nested a million deep fails its own query only", async () => {
    const r = await rawSocket("deep-path");
    r.ws.send(
      modifyQuerySet(0, [`{"type":"Add","queryId":0,"udfPath":${deepArray(MILLION)},"args":[{}]}`, addQuery(1, '{"channel":"abuse"}')]),
    );
    const t = await transitionTo(r, 1);
    expect(t.modifications[0]).toMatchObject({ type: "QueryFailed", queryId: 0 });
    expect(t.modifications[1]).toMatchObject({ type: "QueryUpdated", queryId: 1 });
    r.ws.send(`{"type":"Mutation","requestId":5,"udfPath":${deepArray(MILLION)},"args":[{}]}`);
    await until(() => r.got.some((m) => m.type === "MutationResponse"), 10_000, "the mutation's response");
    expect(r.got.find((m) => m.type === "MutationResponse")).toMatchObject({ requestId: 5, success: false });
    r.ws.close();
  });
});

describe("socket messages the parser cannot take", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a whole message nested a million deep is ignored like any unknown message", async () => {
    const r = await rawSocket("deep-message");
    r.ws.send(deepArray(MILLION));
    r.ws.send(deepObject(MILLION));
    r.ws.send(modifyQuerySet(0, [addQuery(0, '{"channel":"abuse"}')]));
    const t = await transitionTo(r, 1);
    expect(t.modifications[0]).toMatchObject({ type: "QueryUpdated", queryId: 0 });
    r.ws.close();
  });

  it("a parse that overflows closes that connection with the reason; the backend and other clients go on", async () => {
    // V8's JSON.parse does not recurse, so the overflow another engine (or a
    // future V8) could hit is injected for one marked message.
    const parse = JSON.parse;
    vi.spyOn(JSON, "parse").mockImplementation((text: string, reviver?: any) => {
      if (typeof text === "string" && text.startsWith('{"type":"Overflow"')) throw new RangeError("Maximum call stack size exceeded");
      return parse(text, reviver);
    });
    const r = await rawSocket("overflow");
    r.ws.send(modifyQuerySet(0, [addQuery(0, '{"channel":"abuse"}')]));
    await transitionTo(r, 1);
    r.ws.send('{"type":"Overflow"}');
    const closed = await r.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/Message could not be parsed: Maximum call stack size exceeded/);
    vi.restoreAllMocks();

    await new ConvexHttpClient(backend.url, { logger: false }).mutation(api.messages.send, { channel: "abuse", body: "after the overflow" });
    await until(() => watched.at(-1)?.includes("after the overflow") === true, 10_000, "the watcher's update");
    expect(backend.lines.some((l) => l.includes("could not be parsed"))).toBe(true);
  });
});

describe("deeply nested arguments over HTTP", () => {
  for (const route of ["query", "mutation", "action", "function"]) {
    it(`/api/${route} answers 400 with the reason`, async () => {
      const path = route === "action" ? "actions:roundTrip" : route === "query" ? "messages:list" : "messages:send";
      const res = await fetch(`${backend.url}/api/${route}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: `{"path":"${path}","format":"json","args":[{"channel":"abuse-h","body":${deepArray(MILLION)}}]}`,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: "BadRequest", message: TOO_DEEP });
    });
  }

  it("the official client sees the reason, and ordinary calls still work", async () => {
    const client = new ConvexHttpClient(backend.url, { logger: false });
    let deep: any = "bottom";
    for (let i = 0; i < 100; i++) deep = { a: deep };
    await expect(client.query(api.messages.list, { channel: "abuse-h", x: deep } as any)).rejects.toThrow(TOO_DEEP);
    expect(await client.query(api.messages.list, { channel: "abuse-h" })).toEqual([]);
  });
});

describe("request bodies over 16 MiB", () => {
  const tooLarge = { code: "RequestTooLarge", message: "Request body is too large: the limit is 16 MiB" };
  const bigMutation = (channel: string, bytes: number) => JSON.stringify({ path: "messages:send", format: "json", args: [{ channel, body: "x".repeat(bytes) }] });

  it("a declared body gets 413 with the reason, and nothing runs", async () => {
    for (const route of ["mutation", "query", "action", "function"]) {
      const res = await fetch(`${backend.url}/api/${route}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: bigMutation("big-declared", 17 * MiB) });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual(tooLarge);
    }
    const client = new ConvexHttpClient(backend.url, { logger: false });
    expect(await client.query(api.messages.list, { channel: "big-declared" })).toEqual([]);
  });

  it("a body just under the limit is still read", async () => {
    const res = await fetch(`${backend.url}/api/mutation`, { method: "POST", headers: { "Content-Type": "application/json" }, body: bigMutation("big-under", 16 * MiB - 200) });
    // Read and run: the mutation refuses a 16 MiB document, not the body.
    expect(res.status).toBe(560);
    expect((await res.json()).errorMessage).toMatch(/too large/);
  });

  it("a streamed body (no length) gets 413 once it passes the limit", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(new Uint8Array(MiB).fill(0x20));
        else controller.close();
      },
    });
    const res = await fetch(`${backend.url}/api/mutation`, { method: "POST", headers: { "Content-Type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(tooLarge);
  });

  it("a client still sending gets the 413 before its body ends", async () => {
    const got = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const chunk = Buffer.alloc(MiB, 0x20);
      let answered = false;
      const req = http.request(`${backend.url}/api/mutation`, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
        answered = true;
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      });
      req.on("error", (err) => (answered ? undefined : reject(err)));
      // Never ends the body: only the server's answer stops it.
      const pump = () => {
        while (!answered && req.write(chunk));
        if (!answered) req.once("drain", pump);
      };
      pump();
    });
    expect(got.status).toBe(413);
    expect(JSON.parse(got.body)).toEqual(tooLarge);
  });

  it("a client that keeps sending long after the 413 is cut off", async () => {
    const { port } = new URL(backend.url);
    const { answer, cut } = await new Promise<{ answer: string; cut: boolean }>((resolve) => {
      const socket = net.connect(Number(port), "127.0.0.1");
      let answer = "";
      let ended = false;
      socket.on("data", (d) => (answer += d));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve({ answer, cut: !ended }));
      const chunk = Buffer.alloc(MiB, 0x20);
      const chunkFrame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
      let sent = 0;
      socket.write("POST /api/mutation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      const pump = () => {
        while (!socket.destroyed && sent < 256) {
          sent++;
          if (!socket.write(chunkFrame)) return void socket.once("drain", pump);
        }
        // 256 MiB sent without the server cutting it off: give up.
        ended = true;
        socket.end("0\r\n\r\n");
      };
      pump();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain(tooLarge.message);
    expect(cut).toBe(true);
  });

  it("the official client sees the reason, and the backend keeps serving", async () => {
    const client = new ConvexHttpClient(backend.url, { logger: false });
    await expect(client.mutation(api.messages.send, { channel: "big-client", body: "x".repeat(17 * MiB) })).rejects.toThrow(/Request body is too large: the limit is 16 MiB/);
    await client.mutation(api.messages.send, { channel: "big-client", body: "small" });
    expect(await client.query(api.messages.list, { channel: "big-client" })).toEqual(["small"]);
  });
});
