import { anyApi, componentsGeneric, internalQueryGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { ConvexError, v } from "convex/values";

const api = anyApi;
const components = componentsGeneric();

export const add = mutationGeneric({
  args: { name: v.string(), value: v.number() },
  handler: async (ctx, { name, value }) => {
    const id = await ctx.db.insert("items", { name, value, tag: "component" });
    await ctx.runMutation(components.leaf.log.append, { text: `added ${name}` });
    return id;
  },
});

export const list = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query("items").withIndex("by_name").collect()).map((d) => ({ name: d.name, value: d.value, tag: d.tag })),
});

export const addThenFail = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("items", { name, value: -1, tag: "component" });
    await ctx.runMutation(components.leaf.log.append, { text: `failing ${name}` });
    throw new ConvexError({ code: "ComponentFailed", name });
  },
});

export const secret = internalQueryGeneric({ args: {}, handler: async () => "internal" });

export const leafEntries = queryGeneric({ args: {}, handler: async (ctx) => ctx.runQuery(components.leaf.log.all, {}) });

export const info = queryGeneric({
  args: {},
  handler: async (ctx) => ({
    greeting: process.env.GREETING ?? null,
    appSecret: process.env.APP_SECRET ?? null,
    identity: await ctx.auth.getUserIdentity(),
    items: await ctx.db.query("items").collect().then((rows) => rows.length),
  }),
});

/** Whether the component sees the ID as one of its own `items` (an app's ID: it must not). */
export const sees = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.db.normalizeId("items", id),
});

export const callHandle = mutationGeneric({
  args: { handle: v.string(), text: v.string() },
  handler: async (ctx, { handle, text }) => ctx.runMutation(handle as any, { text }),
});

export const scheduleAdd = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => ctx.scheduler.runAfter(0, api.lib.add, { name, value: 5 }),
});

export const jobState = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const jobId = ctx.db.system.normalizeId("_scheduled_functions", id);
    const job = jobId && (await ctx.db.system.get(jobId));
    return job ? { name: job.name, state: job.state.kind } : null;
  },
});
