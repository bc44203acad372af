// Convex components on the embedded backend: the fixture app of
// fixture-components/ installs a local component (`counter`, which uses
// `leaf`) twice and the published @convex-dev/rate-limiter (which uses
// @convex-dev/batch-worker); everything goes through the official clients.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { startFixture, tempDir, until } from "./helpers.js";

const api = anyApi;
const FUNCTIONS = path.resolve(__dirname, "fixture-components/convex");

let backend: Awaited<ReturnType<typeof startFixture>>;
let http: ConvexHttpClient;
const dataDir = tempDir("lb-components-");

beforeAll(async () => {
  backend = await startFixture({ functionsDir: FUNCTIONS, dataDir, env: { APP_SECRET: "app only" } });
  http = new ConvexHttpClient(backend.url);
}, 60_000); // bundling five components takes more than the default 10 s when other suites load the machine
afterAll(async () => {
  await backend?.stop();
});

/** The ConvexError data a failed call carries. */
async function errorOf(p: Promise<unknown>): Promise<{ message: string; data: unknown }> {
  try {
    await p;
  } catch (e: any) {
    return { message: e.message, data: e instanceof ConvexError ? e.data : undefined };
  }
  throw new Error("expected the call to fail");
}

describe("calling into a component", () => {
  it("the component's mutation and query run on its own tables; same table names do not meet", async () => {
    const { appId, componentId } = await http.mutation(api.app.addBoth, { name: "iso", value: 2 });
    expect(await http.query(api.app.listApp, {})).toContainEqual({ name: "iso", value: 2 });
    // The component's `items` has another shape (tag) and its own rows.
    expect(await http.query(api.app.listCounter, {})).toContainEqual({ name: "iso", value: 20, tag: "component" });
    expect((await http.query(api.app.listApp, {})).some((r: any) => r.value === 20)).toBe(false);
    // The second instance of the same component has tables of its own.
    expect(await http.query(api.app.listCounter, { which: "secondCounter" })).toEqual([]);
    // Neither side decodes the other's IDs as its own table's.
    expect(await http.query(api.app.appSees, { id: componentId })).toEqual({
      normalized: null,
      get: expect.stringMatching(/^error: .*Unable to decode ID/),
    });
    expect(await http.query(api.app.componentSees, { id: appId })).toBeNull();
    expect(await http.query(api.app.appSees, { id: appId })).toEqual({ normalized: appId, get: "found" });
  });

  it("the app cannot reach a component's table by its stored name", async () => {
    for (const call of [http.query(api.app.peek, { table: "items@counter" }), http.mutation(api.app.poke, { table: "items@counter" })]) {
      expect((await errorOf(call)).message).toContain('InvalidTableName: Invalid table name: "items@counter"');
    }
    expect(await http.query(api.app.peek, { table: "items" })).toBeGreaterThan(0);
  });

  it("nested components: a component calls its own child", async () => {
    await http.mutation(api.app.addBoth, { name: "nest", value: 1 });
    expect(await http.query(api.app.nested, {})).toContain("added nest");
  });

  it("a throwing component mutation rolls back only its own writes; the caller catches it and commits its own", async () => {
    const caught = await http.mutation(api.app.survivesComponentFailure, { name: "boom" });
    expect(caught).toEqual({ message: expect.any(String), data: { code: "ComponentFailed", name: "boom" } });
    expect(await http.query(api.app.listApp, {})).toContainEqual({ name: "boom", value: 1 });
    expect(await http.query(api.app.logLines, {})).toContain("after failure of boom");
    // The component's row and its child's log entry were rolled back with it.
    expect((await http.query(api.app.listCounter, {})).some((r: any) => r.name === "boom")).toBe(false);
    expect(await http.query(api.app.nested, {})).not.toContain("failing boom");
  });

  it("an uncaught component failure fails the caller, and none of its writes commit", async () => {
    const err = await errorOf(http.mutation(api.app.failsWithComponent, { name: "all-or-nothing" }));
    expect(err.data).toEqual({ code: "ComponentFailed", name: "all-or-nothing" });
    expect((await http.query(api.app.listApp, {})).some((r: any) => r.name === "all-or-nothing")).toBe(false);
  });

  it("a parent calls only its child's public functions, and only installed components", async () => {
    expect((await errorOf(http.query(api.app.callInternalOfComponent, {}))).message).toContain(
      "Could not find public function for 'lib:secret' in component 'counter'",
    );
    expect((await errorOf(http.query(api.app.callMissingComponent, {}))).message).toContain("_reference/childComponent/nope/lib/list");
  });

  it("clients cannot call a component's functions directly", async () => {
    for (const name of ["counter@lib:list", "counter/lib:list"]) {
      expect((await errorOf(http.query(name as any, {}))).message).toContain("Could not find public function");
    }
  });

  it("actions call components through ctx.runQuery / ctx.runMutation", async () => {
    expect(await http.action(api.app.fromAction, { name: "from-action" })).toContainEqual({ name: "from-action", value: 3, tag: "component" });
  });

  it("a component sees only the env vars it declares, as its parent passed them, and no user identity", async () => {
    const admin = new ConvexHttpClient(backend.url);
    (admin as any).setAdminAuth(backend.adminKey, { subject: "user-1", issuer: "https://issuer.example" });
    const info = await admin.query(api.app.componentInfo, {});
    expect(info.appIdentity).toBe("user-1");
    expect(info.appEnv).toBeNull();
    expect(info.counter).toEqual({ greeting: "hello from the app", appSecret: null, identity: null, items: expect.any(Number) });
    expect(info.second).toEqual({ greeting: null, appSecret: null, identity: null, items: 0 });
  });

  it("a subscription to a query that reads a component re-runs when the component's table changes", async () => {
    const client = new ConvexClient(backend.url, { logger: false });
    try {
      const seen: any[][] = [];
      client.onUpdate(api.app.listCounter, { which: "secondCounter" }, (rows) => seen.push(rows));
      await until(() => seen.length === 1, 10_000, "first result");
      const handle = await http.mutation(api.app.handleOfComponentAdd, {});
      expect(seen.at(-1)).toEqual([]);
      // Writes to the other instance do not change this one.
      await http.mutation(api.app.runHandle, { handle, name: "other-instance" });
      expect(seen.at(-1)).toEqual([]);
      await http.mutation(api.app.addBoth, { name: "live", value: 1 });
      expect(seen.at(-1)).toEqual([]);
      const admin = new ConvexHttpClient(backend.url);
      (admin as any).setAdminAuth(backend.adminKey);
      await admin.mutation("secondCounter@lib:add" as any, { name: "live-second", value: 4 });
      await until(() => seen.at(-1)?.length === 1, 10_000, "update");
      expect(seen.at(-1)).toEqual([{ name: "live-second", value: 4, tag: "component" }]);
    } finally {
      await client.close();
    }
  });
});

describe("function handles and the scheduler", () => {
  it("createFunctionHandle gives a string that ctx.runMutation and ctx.scheduler.runAfter accept", async () => {
    const handle = await http.mutation(api.app.handleOfComponentAdd, {});
    expect(handle).toMatch(/^function:\/\//);
    const id = await http.mutation(api.app.runHandle, { handle, name: "by-handle" });
    expect(typeof id).toBe("string");
    expect(await http.query(api.app.listCounter, {})).toContainEqual({ name: "by-handle", value: 7, tag: "component" });
    await http.mutation(api.app.scheduleHandle, { handle, name: "scheduled-by-handle" });
    await until(
      async () => (await http.query(api.app.listCounter, {})).some((r: any) => r.name === "scheduled-by-handle"),
      10_000,
      "the scheduled handle ran",
    );
  });

  it("a component calls the app back through a handle of the app's internal mutation", async () => {
    expect(await http.mutation(api.app.componentCallsBack, { text: "called back" })).toBe("called back".length);
    expect(await http.query(api.app.logLines, {})).toContain("called back");
  });

  it("a handle that names no function is refused", async () => {
    expect((await errorOf(http.mutation(api.app.runHandle, { handle: "function://counter@lib:nope", name: "x" }))).message).toContain(
      "Function handle not found",
    );
  });

  it("a component's scheduler runs the component's own functions, tracked in its own _scheduled_functions", async () => {
    const jobId = await http.mutation(api.app.componentSchedules, { name: "self-scheduled" });
    await until(async () => (await http.query(api.app.jobOfComponent, { id: jobId }))?.state === "success", 10_000, "job done");
    expect(await http.query(api.app.jobOfComponent, { id: jobId })).toEqual({ name: "lib:add", state: "success" });
    expect(await http.query(api.app.listCounter, {})).toContainEqual({ name: "self-scheduled", value: 5, tag: "component" });
    // The app's view of the system table does not decode the component's job.
    expect(await http.query(api.app.appSees, { id: jobId })).toMatchObject({ normalized: null });
  });
});

describe("@convex-dev/rate-limiter", () => {
  it("limit() allows the configured count in a window, then answers ok: false with a retryAfter", async () => {
    for (let i = 0; i < 3; i++) expect(await http.mutation(api.app.send, { user: "alice" })).toEqual({ ok: true });
    const limited = await http.mutation(api.app.send, { user: "alice" });
    expect(limited.ok).toBe(false);
    expect(limited.retryAfter).toBeGreaterThan(0);
    expect(await http.query(api.app.checkSend, { user: "alice" })).toMatchObject({ ok: false });
    // Another key has its own budget.
    expect(await http.mutation(api.app.send, { user: "bob" })).toEqual({ ok: true });
    expect(await http.query(api.app.checkSend, { user: "bob" })).toEqual({ ok: true });
  });

  it("throws: true raises the rate limiter's ConvexError and the caller's writes roll back", async () => {
    for (let i = 0; i < 3; i++) expect(await http.mutation(api.app.sendOrThrow, { user: "carol" })).toBe("sent");
    const err = await errorOf(http.mutation(api.app.sendOrThrow, { user: "carol" }));
    expect(err.data).toMatchObject({ kind: "RateLimited", name: "send" });
    expect((await http.query(api.app.logLines, {})).filter((l: string) => l === "sent by carol")).toHaveLength(3);
  });

  it("reset() gives the key its budget back; a token bucket limits too", async () => {
    for (let i = 0; i < 3; i++) await http.mutation(api.app.send, { user: "dave" });
    expect((await http.mutation(api.app.send, { user: "dave" })).ok).toBe(false);
    await http.mutation(api.app.resetSend, { user: "dave" });
    expect(await http.mutation(api.app.send, { user: "dave" })).toEqual({ ok: true });
    expect(await http.mutation(api.app.burst, {})).toEqual({ ok: true });
    expect(await http.mutation(api.app.burst, {})).toEqual({ ok: true });
    expect((await http.mutation(api.app.burst, {})).ok).toBe(false);
  });
});

describe("@convex-dev/presence and @convex-dev/aggregate", () => {
  it("presence: heartbeats put users in a room, disconnect takes them offline", async () => {
    const alice = await http.mutation(api.app.heartbeat, { room: "lobby", user: "alice", session: "s-alice" });
    await http.mutation(api.app.heartbeat, { room: "lobby", user: "bob", session: "s-bob" });
    expect(typeof alice.roomToken).toBe("string");
    const here = await http.query(api.app.whoIsHere, { roomToken: alice.roomToken });
    expect(here).toEqual(expect.arrayContaining([{ userId: "alice", online: true }, { userId: "bob", online: true }]));
    await http.mutation(api.app.leave, { sessionToken: alice.sessionToken });
    expect(await http.query(api.app.whoIsHere, { roomToken: alice.roomToken })).toEqual(
      expect.arrayContaining([{ userId: "alice", online: false }, { userId: "bob", online: true }]),
    );
  });

  it("aggregate (installed as `scores`): count and sum over its B-tree, with bounds", async () => {
    for (const [id, score] of [["p1", 5], ["p2", 12], ["p3", 30], ["p4", 7]] as const) await http.mutation(api.app.addScore, { id, score });
    expect(await http.query(api.app.scoreStats, {})).toEqual({ count: 4, sum: 54 });
    expect(await http.query(api.app.scoreStats, { atLeast: 7 })).toEqual({ count: 3, sum: 54 });
  });
});

describe("db.vars.commitTs and applyUpdates: \"asynchronously\"", () => {
  it("commitTs resolves to the mutation's commit timestamp: one value per mutation, increasing in commit order", async () => {
    await http.mutation(api.app.stamp, { label: "first" });
    await http.mutation(api.app.stamp, { label: "second" });
    const rows: { label: string; at: string }[] = await http.query(api.app.stamps, {});
    expect(rows.map((r) => r.label).sort()).toEqual(["first-a", "first-b", "second-a", "second-b"]);
    const at = (label: string) => BigInt(rows.find((r) => r.label === label)!.at);
    expect(at("first-a")).toBe(at("first-b"));
    expect(at("second-a")).toBe(at("second-b"));
    expect(at("second-a") > at("first-a")).toBe(true);
  });

  it("the rate limiter's queued consumption is applied by @convex-dev/batch-worker's loop, then limits", async () => {
    expect(await http.mutation(api.app.sendQueued, { user: "quinn" })).toEqual({ ok: true });
    expect(await http.mutation(api.app.sendQueued, { user: "quinn" })).toEqual({ ok: true });
    // The worker (scheduled in batch-worker's own _scheduled_functions, calling the rate
    // limiter's functions through handles) drains the queue in the background.
    await until(async () => (await http.query(api.app.queuedValue, { user: "quinn" })) === 0, 15_000, "the queue was applied");
    const limited = await http.mutation(api.app.sendQueued, { user: "quinn" });
    expect(limited.ok).toBe(false);
    expect(limited.retryAfter).toBeGreaterThan(0);
  });
});

describe("durability", () => {
  it("components' data survives a restart", async () => {
    await http.mutation(api.app.addBoth, { name: "durable", value: 1 });
    for (let i = 0; i < 3; i++) await http.mutation(api.app.send, { user: "erin" });
    await backend.stop();
    backend = await startFixture({ functionsDir: FUNCTIONS, dataDir, env: { APP_SECRET: "app only" } });
    http = new ConvexHttpClient(backend.url);
    expect(await http.query(api.app.listCounter, {})).toContainEqual({ name: "durable", value: 10, tag: "component" });
    expect((await http.mutation(api.app.send, { user: "erin" })).ok).toBe(false);
  });
});

describe("a component of a temporary app: crons, reload, bad definitions", () => {
  /** An app in a temp folder with `convex/` and a local component `ticker/`. */
  function writeApp(files: Record<string, string>): string {
    const root = tempDir("lb-components-app-");
    for (const [name, source] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), source);
    }
    return root;
  }
  const ticker = {
    "ticker/convex.config.ts": `import { defineComponent } from "convex/server";\nexport default defineComponent("ticker");\n`,
    "ticker/schema.ts": `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ ticks: defineTable({ n: v.number() }) });\n`,
    "ticker/lib.ts": `import { internalMutationGeneric, queryGeneric } from "convex/server";
export const tick = internalMutationGeneric({ args: {}, handler: async (ctx) => { await ctx.db.insert("ticks", { n: 1 }); } });
export const count = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("ticks").collect()).length });
export const version = queryGeneric({ args: {}, handler: async () => "v1" });
`,
    "ticker/crons.ts": `import { anyApi, cronJobs } from "convex/server";
const crons = cronJobs();
crons.interval("tick", { seconds: 1 }, anyApi.lib.tick, {});
export default crons;
`,
    "convex/convex.config.ts": `import { defineApp } from "convex/server";\nimport ticker from "../ticker/convex.config.js";\nconst app = defineApp();\napp.use(ticker);\nexport default app;\n`,
    "convex/app.ts": `import { componentsGeneric, queryGeneric } from "convex/server";
const components = componentsGeneric();
export const ticks = queryGeneric({ args: {}, handler: async (ctx) => ctx.runQuery(components.ticker.lib.count, {}) });
export const version = queryGeneric({ args: {}, handler: async (ctx) => ctx.runQuery(components.ticker.lib.version, {}) });
`,
  };

  it("a component's crons.ts runs its own functions on schedule", async () => {
    const root = writeApp(ticker);
    const b = await startFixture({ functionsDir: path.join(root, "convex") });
    try {
      const c = new ConvexHttpClient(b.url);
      await until(async () => (await c.query(api.app.ticks, {})) >= 1, 15_000, "the component's cron ran");
      expect(b.lines.filter((l) => l.includes("[ERROR]"))).toEqual([]);
    } finally {
      await b.stop();
    }
  });

  it("editing a local component's source reloads it", async () => {
    const root = writeApp(ticker);
    const b = await startFixture({ functionsDir: path.join(root, "convex"), watch: true });
    try {
      const c = new ConvexHttpClient(b.url);
      expect(await c.query(api.app.version, {})).toBe("v1");
      fs.writeFileSync(path.join(root, "ticker/lib.ts"), ticker["ticker/lib.ts"].replace('"v1"', '"v2"'));
      await until(async () => (await c.query(api.app.version, {})) === "v2", 15_000, "reloaded component");
    } finally {
      await b.stop();
    }
  });

  it("a definition that uses one component twice under the same name is refused in words", async () => {
    const root = writeApp({
      ...ticker,
      "convex/convex.config.ts": `import { defineApp } from "convex/server";\nimport ticker from "../ticker/convex.config.js";\nconst app = defineApp();\napp.use(ticker);\napp.use(ticker);\nexport default app;\n`,
    });
    await expect(startFixture({ functionsDir: path.join(root, "convex") })).rejects.toThrow(/Component "ticker" is used twice in the app/);
  });

  it("a component that requires an env var its parent does not pass is refused in words", async () => {
    const root = writeApp({
      ...ticker,
      "ticker/convex.config.ts": `import { defineComponent } from "convex/server";\nimport { v } from "convex/values";\nexport default defineComponent("ticker", { env: { API_KEY: v.string() } });\n`,
    });
    await expect(startFixture({ functionsDir: path.join(root, "convex") })).rejects.toThrow(/Component ticker requires the env var "API_KEY"/);
  });
});
