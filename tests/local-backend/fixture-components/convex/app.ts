import { anyApi, componentsGeneric, createFunctionHandle, internalMutationGeneric, mutationGeneric, queryGeneric, actionGeneric } from "convex/server";
import { ConvexError, v } from "convex/values";
import { HOUR, MINUTE, RateLimiter } from "@convex-dev/rate-limiter";
import type { ComponentApi as RateLimiterApi } from "@convex-dev/rate-limiter/_generated/component.js";
import { Presence } from "@convex-dev/presence";
import type { ComponentApi as PresenceApi } from "@convex-dev/presence/_generated/component.js";
import { DirectAggregate } from "@convex-dev/aggregate";
import type { ComponentApi as AggregateApi } from "@convex-dev/aggregate/_generated/component.js";

// What `_generated/api` exports: `components.<name>` are references into the installed components.
const components = componentsGeneric();
const api = anyApi;

const rateLimiter = new RateLimiter(components.rateLimiter as unknown as RateLimiterApi, {
  send: { kind: "fixed window", rate: 3, period: MINUTE },
  burst: { kind: "token bucket", rate: 2, period: MINUTE, capacity: 2 },
  // Consumption is queued and applied by @convex-dev/batch-worker's loop (scheduler, function handles, db.vars.commitTs).
  // An hour's window: a fixed window restarts on the clock, and the test's three calls must fall in one.
  queued: { kind: "fixed window", rate: 2, period: HOUR, applyUpdates: "asynchronously" },
});

export const addBoth = mutationGeneric({
  args: { name: v.string(), value: v.number() },
  handler: async (ctx, { name, value }) => {
    const appId = await ctx.db.insert("items", { name, value });
    const componentId: string = await ctx.runMutation(components.counter.lib.add, { name, value: value * 10 });
    return { appId, componentId };
  },
});

export const listApp = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("items").collect()).map((d) => ({ name: d.name, value: d.value })),
});

export const listCounter = queryGeneric({
  args: { which: v.optional(v.union(v.literal("counter"), v.literal("secondCounter"))) },
  handler: async (ctx, { which }) => ctx.runQuery(components[which ?? "counter"].lib.list, {}),
});

/** Whether the app sees the ID as one of its own tables' (it must not, for a component's). */
export const appSees = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ({
    normalized: ctx.db.normalizeId("items", id),
    get: await ctx.db.get(id as any).then(
      (d) => (d === null ? "null" : "found"),
      (e: Error) => `error: ${e.message}`,
    ),
  }),
});

/** Writes its own row, then calls a component mutation that writes and throws; goes on after catching it. */
export const survivesComponentFailure = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("items", { name, value: 1 });
    let caught: { message: string; data: unknown } | null = null;
    try {
      await ctx.runMutation(components.counter.lib.addThenFail, { name });
    } catch (e: any) {
      caught = { message: e.message, data: e instanceof ConvexError ? e.data : (e.data ?? null) };
    }
    await ctx.db.insert("log", { text: `after failure of ${name}` });
    return caught;
  },
});

/** The component's failure is not caught: the whole mutation rolls back. */
export const failsWithComponent = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("items", { name, value: 1 });
    await ctx.runMutation(components.counter.lib.addThenFail, { name });
  },
});

export const logLines = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.query("log").collect()).map((d) => d.text) });

export const callInternalOfComponent = queryGeneric({
  args: {},
  handler: async (ctx) => ctx.runQuery(components.counter.lib.secret, {}),
});

export const callMissingComponent = queryGeneric({
  args: {},
  handler: async (ctx) => ctx.runQuery((components as any).nope.lib.list, {}),
});

export const componentSees = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.runQuery(components.counter.lib.sees, { id }),
});

/** Tries to reach a component's table by its stored name (refused). */
export const peek = queryGeneric({
  args: { table: v.string() },
  handler: async (ctx, { table }) => (await ctx.db.query(table as any).collect()).length,
});

export const poke = mutationGeneric({
  args: { table: v.string() },
  handler: async (ctx, { table }) => ctx.db.insert(table as any, { name: "x", value: 1, tag: "component" }),
});

export const nested = queryGeneric({ args: {}, handler: async (ctx) => ctx.runQuery(components.counter.lib.leafEntries, {}) });

export const componentInfo = queryGeneric({
  args: {},
  handler: async (ctx) => ({
    counter: await ctx.runQuery(components.counter.lib.info, {}),
    second: await ctx.runQuery(components.secondCounter.lib.info, {}),
    appEnv: process.env.GREETING ?? null,
    appIdentity: (await ctx.auth.getUserIdentity())?.subject ?? null,
  }),
});

/** Two documents stamped with `db.vars.commitTs`, one inserted and one patched. */
export const stamp = mutationGeneric({
  args: { label: v.string() },
  handler: async (ctx, { label }) => {
    await ctx.db.insert("stamps", { at: ctx.db.vars.commitTs, label: `${label}-a` });
    const id = await ctx.db.insert("stamps", { at: 0n, label: `${label}-b` });
    await ctx.db.patch(id, { at: ctx.db.vars.commitTs });
  },
});

export const stamps = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query("stamps").withIndex("at").collect()).map((d) => ({ label: d.label, at: typeof d.at === "bigint" ? d.at.toString() : "unresolved" })),
});

// ---- function handles and the scheduler -------------------------------------------

export const handleOfComponentAdd = mutationGeneric({
  args: {},
  handler: async () => createFunctionHandle(components.counter.lib.add),
});

export const runHandle = mutationGeneric({
  args: { handle: v.string(), name: v.string() },
  handler: async (ctx, { handle, name }) => ctx.runMutation(handle as any, { name, value: 7 }),
});

export const scheduleHandle = mutationGeneric({
  args: { handle: v.string(), name: v.string() },
  handler: async (ctx, { handle, name }) => ctx.scheduler.runAfter(0, handle as any, { name, value: 8 }),
});

export const record = internalMutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    await ctx.db.insert("log", { text });
    return text.length;
  },
});

/** Hands the component a handle of the app's own internal mutation, which the component calls back. */
export const componentCallsBack = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const handle = await createFunctionHandle(api.app.record);
    return ctx.runMutation(components.counter.lib.callHandle, { handle, text });
  },
});

export const componentSchedules = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => ctx.runMutation(components.counter.lib.scheduleAdd, { name }),
});

export const jobOfComponent = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.runQuery(components.counter.lib.jobState, { id }),
});

export const fromAction = actionGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }): Promise<unknown> => {
    await ctx.runMutation(components.counter.lib.add, { name, value: 3 });
    return ctx.runQuery(components.counter.lib.list, {});
  },
});

// ---- the rate limiter -----------------------------------------------------------------

export const send = mutationGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => rateLimiter.limit(ctx, "send", { key: user }),
});

export const burst = mutationGeneric({
  args: {},
  handler: async (ctx) => rateLimiter.limit(ctx, "burst"),
});

export const checkSend = queryGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => rateLimiter.check(ctx, "send", { key: user }),
});

export const sendOrThrow = mutationGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => {
    await rateLimiter.limit(ctx, "send", { key: user, throws: true });
    await ctx.db.insert("log", { text: `sent by ${user}` });
    return "sent";
  },
});

export const sendQueued = mutationGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => rateLimiter.limit(ctx, "queued", { key: user }),
});

export const queuedValue = queryGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => (await rateLimiter.getValue(ctx, "queued", { key: user })).value,
});

export const resetSend = mutationGeneric({
  args: { user: v.string() },
  handler: async (ctx, { user }) => rateLimiter.reset(ctx, "send", { key: user }),
});

// ---- @convex-dev/presence and @convex-dev/aggregate ------------------------------------

const presence = new Presence(components.presence as unknown as PresenceApi);
const scores = new DirectAggregate<{ Key: number; Id: string }>(components.scores as unknown as AggregateApi);

export const heartbeat = mutationGeneric({
  args: { room: v.string(), user: v.string(), session: v.string() },
  handler: async (ctx, { room, user, session }) => presence.heartbeat(ctx, room, user, session, 10_000),
});

export const whoIsHere = queryGeneric({
  args: { roomToken: v.string() },
  handler: async (ctx, { roomToken }) => (await presence.list(ctx, roomToken)).map((p) => ({ userId: p.userId, online: p.online })),
});

export const leave = mutationGeneric({
  args: { sessionToken: v.string() },
  handler: async (ctx, { sessionToken }) => presence.disconnect(ctx, sessionToken),
});

export const addScore = mutationGeneric({
  args: { id: v.string(), score: v.number() },
  handler: async (ctx, { id, score }) => scores.insert(ctx, { key: score, id, sumValue: score }),
});

export const scoreStats = queryGeneric({
  args: { atLeast: v.optional(v.number()) },
  handler: async (ctx, { atLeast }) => ({
    count: atLeast === undefined ? await scores.count(ctx) : await scores.count(ctx, { bounds: { lower: { key: atLeast, inclusive: true } } }),
    sum: await scores.sum(ctx),
  }),
});
