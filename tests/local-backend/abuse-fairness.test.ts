// One socket holding 500 distinct subscriptions that every commit invalidates
// must not starve other clients: the connection gets at most its limit of
// queries (the rest fail with the limit's message, the query set staying
// consistent), re-runs after a commit go round-robin between connections in
// slices, and a normal client's queries and subscriptions are answered
// meanwhile. Latency and memory are printed, never asserted.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_MAX_SUBSCRIPTIONS, maxSubscriptions, tooManySubscriptions } from "../../src/local-backend/sync.js";
import { startFixture, until } from "./helpers.js";

const api = anyApi;
const ABUSIVE = 500;
const ITEMS = 300;

type Version = { querySet: number; ts: string; identity: number };
type Mod = { type: string; queryId: number; value?: unknown; errorMessage?: string };
type Transition = { type: "Transition"; startVersion: Version; endVersion: Version; modifications: Mod[] };

// Distinct arguments, each reading the whole items table: every insert invalidates all of them.
const spec = (i: number) => ({ index: "none", order: "asc", terminal: "collect", minScore: i });

let backend: Awaited<ReturnType<typeof startFixture>>;
beforeAll(async () => {
  backend = await startFixture();
});
afterAll(async () => {
  await backend?.stop();
});

function rawSocket(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.48.0/sync`);
  const transitions: Transition[] = [];
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === "Transition") transitions.push(msg);
  });
  return { ws, transitions, open: new Promise((resolve) => ws.once("open", resolve)) };
}

/** The latest result each query id got, over all Transitions so far. */
function latest(transitions: Transition[]): Map<number, Mod> {
  const out = new Map<number, Mod>();
  for (const t of transitions) for (const m of t.modifications) out.set(m.queryId, m);
  return out;
}

it("parses the limit setting and refuses bad ones in words", () => {
  expect(maxSubscriptions(undefined)).toBe(DEFAULT_MAX_SUBSCRIPTIONS);
  expect(maxSubscriptions("")).toBe(DEFAULT_MAX_SUBSCRIPTIONS);
  expect(maxSubscriptions("10")).toBe(10);
  for (const bad of ["0", "-3", "2.5", "many", "1e999"]) expect(() => maxSubscriptions(bad)).toThrow(/PARLEY_LOCAL_MAX_SUBSCRIPTIONS/);
});

it("caps one socket's subscriptions, keeps a normal client answered while it churns, and keeps its accepted queries live", async () => {
  const http = new ConvexHttpClient(backend.url, { logger: false });
  await http.mutation(api.items.bulk, { from: 0, count: ITEMS, groups: 10 });
  const scoreOf = (i: number) => (i * 7919) % 1000;

  const abusive = rawSocket(backend.url);
  await abusive.open;
  abusive.ws.send(JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-0000000000ab", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
  abusive.ws.send(
    JSON.stringify({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: Array.from({ length: ABUSIVE }, (_, i) => ({ type: "Add", queryId: i, udfPath: "items:run", args: [{ spec: spec(i) }] })),
    }),
  );
  await until(() => abusive.transitions.some((t) => t.endVersion.querySet === 1), 60_000, "the abusive query set");
  const first = abusive.transitions.find((t) => t.endVersion.querySet === 1)!;
  expect(first.modifications).toHaveLength(ABUSIVE);
  const limit = DEFAULT_MAX_SUBSCRIPTIONS;
  for (const m of first.modifications) {
    if (m.queryId < limit) {
      expect(m.type).toBe("QueryUpdated");
      expect((m.value as unknown[]).length).toBe(Array.from({ length: ITEMS }, (_, i) => scoreOf(i)).filter((s) => s >= m.queryId).length);
    } else {
      expect(m).toMatchObject({ type: "QueryFailed", errorMessage: tooManySubscriptions(limit) });
    }
  }

  // A normal client: a live query and HTTP queries, on a table the churn does not touch.
  const normal = new ConvexClient(backend.url, { logger: false });
  let bodies: string[] = [];
  normal.onUpdate(api.messages.list, { channel: "normal" }, (b: string[]) => void (bodies = b));
  await until(() => Array.isArray(bodies), 10_000, "the normal client's first result");

  // Churn: every insert invalidates all of the abusive socket's accepted queries.
  const CHURN = 30;
  let churned = 0;
  const churner = new ConvexHttpClient(backend.url, { logger: false });
  const churn = (async () => {
    for (let i = 0; i < CHURN; i++) {
      await churner.mutation(api.items.insert, { group: 0, score: 500, tag: "churn", flag: true });
      churned++;
    }
  })();

  const liveMs: number[] = [];
  const queryMs: number[] = [];
  for (let round = 0; round < 5; round++) {
    let t = performance.now();
    await http.mutation(api.messages.send, { channel: "normal", body: `hello ${round}` });
    await until(() => bodies.includes(`hello ${round}`), 30_000, `the normal client's update ${round}`);
    liveMs.push(performance.now() - t);
    t = performance.now();
    const listed = await http.query(api.messages.list, { channel: "normal" });
    queryMs.push(performance.now() - t);
    expect(listed).toContain(`hello ${round}`);
  }
  const churnedMeanwhile = churned;
  await churn;
  const mem = process.memoryUsage();
  console.log(
    `[abuse-fairness] ${limit} of ${ABUSIVE} subscriptions accepted on one socket; normal client while ${churnedMeanwhile}/${CHURN} churn commits landed: ` +
      `mutation→update ${liveMs.map((x) => x.toFixed(1)).join(", ")} ms; HTTP query ${queryMs.map((x) => x.toFixed(1)).join(", ")} ms; ` +
      `backend process rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );

  // The abusive socket's accepted queries catch up to the last commit, all of them consistent.
  const total = ITEMS + CHURN;
  await until(() => (latest(abusive.transitions).get(0)?.value as unknown[] | undefined)?.length === total, 60_000, "the abusive socket to catch up");
  const now = latest(abusive.transitions);
  for (let q = 0; q < limit; q++) {
    const expected = Array.from({ length: ITEMS }, (_, i) => scoreOf(i)).filter((s) => s >= q).length + (500 >= q ? CHURN : 0);
    expect((now.get(q)!.value as unknown[]).length, `query ${q}`).toBe(expected);
  }
  // The refused ones never got a result.
  for (let q = limit; q < ABUSIVE; q++) expect(now.get(q)!.type).toBe("QueryFailed");
  // Versions chain, so the official client would accept every Transition.
  for (let i = 1; i < abusive.transitions.length; i++) expect(abusive.transitions[i]!.startVersion).toEqual(abusive.transitions[i - 1]!.endVersion);

  // The query set stays consistent: removing an accepted query makes room for one more, and no more.
  const v = abusive.transitions.at(-1)!.endVersion.querySet;
  abusive.ws.send(
    JSON.stringify({
      type: "ModifyQuerySet",
      baseVersion: v,
      newVersion: v + 1,
      modifications: [
        { type: "Remove", queryId: 0 },
        { type: "Add", queryId: 600, udfPath: "items:run", args: [{ spec: spec(600) }] },
        { type: "Add", queryId: 601, udfPath: "items:run", args: [{ spec: spec(601) }] },
      ],
    }),
  );
  await until(() => abusive.transitions.some((t) => t.endVersion.querySet === v + 1), 30_000, "the second query set change");
  const change = abusive.transitions.find((t) => t.endVersion.querySet === v + 1)!;
  const byId = new Map(change.modifications.map((m) => [m.queryId, m]));
  expect(byId.get(0)!.type).toBe("QueryRemoved");
  expect(byId.get(600)!.type).toBe("QueryUpdated");
  expect(byId.get(601)).toMatchObject({ type: "QueryFailed", errorMessage: tooManySubscriptions(limit) });

  // And the accepted ones keep updating after another commit.
  await churner.mutation(api.items.insert, { group: 1, score: 999, tag: "late", flag: false });
  await until(() => (latest(abusive.transitions).get(600)?.value as unknown[] | undefined)?.length === Array.from({ length: ITEMS }, (_, i) => scoreOf(i)).filter((s) => s >= 600).length + 1, 30_000, "query 600 to see the late insert");
  expect(latest(abusive.transitions).get(0)!.type).toBe("QueryRemoved");

  abusive.ws.close();
  await normal.close();
});

it("takes the limit as an option", async () => {
  const small = await startFixture({ maxSubscriptions: 2 });
  try {
    const sock = rawSocket(small.url);
    await sock.open;
    sock.ws.send(JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-0000000000ac", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
    sock.ws.send(
      JSON.stringify({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [0, 1, 2].map((i) => ({ type: "Add", queryId: i, udfPath: "messages:list", args: [{ channel: `c${i}` }] })),
      }),
    );
    await until(() => sock.transitions.length > 0, 10_000, "the query set");
    expect(sock.transitions[0]!.modifications.map((m) => m.type)).toEqual(["QueryUpdated", "QueryUpdated", "QueryFailed"]);
    expect(sock.transitions[0]!.modifications[2]!.errorMessage).toBe(tooManySubscriptions(2));
    // Re-adding an existing query id replaces it, so it does not count twice.
    sock.ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Add", queryId: 1, udfPath: "messages:list", args: [{ channel: "other" }] }] }));
    await until(() => sock.transitions.length > 1, 10_000, "the replacement");
    expect(sock.transitions[1]!.modifications[0]!.type).toBe("QueryUpdated");
    sock.ws.close();
  } finally {
    await small.stop();
  }
});
