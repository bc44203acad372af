// A client that stops reading its socket: its Transitions are held back and
// folded into one (the latest result per query), so the backend's memory for it
// stays bounded however many commits follow; other clients are not held up; and
// when it reads again it catches up to the latest state in one Transition.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { startApp, until } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ blobs: defineTable({ i: v.number(), text: v.string() }) });
`;

// 400 KB per result: a few dozen commits would be many megabytes queued for a client that reads nothing.
const BIG = `
import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const get = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("blobs").first()) ?? null });
export const set = mutationGeneric({
  args: { i: v.number() },
  handler: async (ctx, { i }) => {
    const text = String(i % 10).repeat(400_000);
    const row = await ctx.db.query("blobs").first();
    if (row) await ctx.db.patch(row._id, { i, text });
    else await ctx.db.insert("blobs", { i, text });
  },
});
`;

let backend: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "big.ts": BIG }, "lb-backpressure-");
});
afterAll(async () => {
  await backend?.stop();
});

type Version = { querySet: number; ts: string; identity: number };
type Transition = { type: "Transition"; startVersion: Version; endVersion: Version; modifications: { type: string; queryId: number; value?: { i: number } | null }[] };

it("holds back and folds a stalled client's Transitions, keeps others live, and catches the stalled one up when it reads again", async () => {
  const http = new ConvexHttpClient(backend.url, { logger: false });
  await http.mutation(api.big.set, { i: 0 });

  // A raw protocol client, so that its socket can stop being read.
  const ws = new WebSocket(`${backend.url.replace(/^http/, "ws")}/api/1.48.0/sync`);
  const transitions: Transition[] = [];
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === "Transition") transitions.push(msg);
  });
  await new Promise((resolve) => ws.once("open", resolve));
  ws.send(JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000001", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "big:get", args: [{}] }] }));
  await until(() => transitions.length === 1, 10_000, "the first result");
  expect(transitions[0]!.modifications[0]!.value!.i).toBe(0);

  // A live client on the same query, reading normally.
  const live = new ConvexClient(backend.url, { logger: false });
  let liveI = -1;
  live.onUpdate(api.big.get, {}, (row: { i: number } | null) => void (liveI = row?.i ?? -1));
  await until(() => liveI === 0, 10_000, "the live client's first result");

  // The raw client stops reading.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const COMMITS = 60;
  for (let i = 1; i <= COMMITS; i++) {
    await http.mutation(api.big.set, { i });
    // The live client keeps up, commit after commit.
    await until(() => liveI === i, 10_000, `the live client to see commit ${i}`);
  }
  const stats = backend.syncStats();
  // 60 × 400 KB = 24 MB would be queued without backpressure; held back, one folded result waits.
  expect(stats.held).toBe(1);
  expect(stats.heldModifications).toBe(1);
  expect(stats.bufferedBytes).toBeLessThan(6 * 1024 * 1024);

  // Reading again: the held Transition brings it to the latest result.
  const before = transitions.length;
  (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await until(() => transitions.at(-1)?.modifications.at(-1)?.value?.i === COMMITS, 20_000, "the stalled client to catch up");
  expect(transitions.length).toBeLessThan(COMMITS);
  expect(transitions.length).toBeGreaterThan(before);
  await until(() => backend.syncStats().held === 0, 5_000, "nothing held");

  // The versions chain: each Transition starts where the last ended, the folded one too, so the official client accepts them.
  for (let i = 1; i < transitions.length; i++) expect(transitions[i]!.startVersion).toEqual(transitions[i - 1]!.endVersion);

  // And it is a working connection again: a query set change is answered.
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] }));
  await until(() => transitions.at(-1)?.endVersion.querySet === 2, 10_000, "the query set change");
  ws.close();
  await live.close();
});
