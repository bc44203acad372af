// The docs component's functions: its own vector search and its own file storage.
import { actionGeneric, anyApi, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

const api = anyApi;

export const addChunk = mutationGeneric({
  args: { text: v.string(), kind: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, args) => await ctx.db.insert("chunks", args),
});

export const texts = queryGeneric({
  args: { ids: v.array(v.id("chunks")) },
  handler: async (ctx, { ids }) => Promise.all(ids.map(async (id) => (await ctx.db.get(id))?.text ?? null)),
});

/** Its own index; `table` lets a test name another table (the app's has the same name only by coincidence). */
export const search = actionGeneric({
  args: { vector: v.array(v.float64()), kinds: v.optional(v.array(v.string())), limit: v.optional(v.number()), table: v.optional(v.string()) },
  handler: async (ctx, { vector, kinds, limit, table }): Promise<{ text: string | null; score: number; id: string }[]> => {
    const results = await ctx.vectorSearch((table ?? "chunks") as any, "by_embedding", {
      vector,
      limit,
      filter: kinds ? (q: any) => q.or(...kinds.map((k) => q.eq("kind", k))) : undefined,
    });
    if (table !== undefined) return results.map((r) => ({ id: r._id, score: r._score, text: null }));
    const texts: (string | null)[] = await ctx.runQuery(api.lib.texts, { ids: results.map((r) => r._id) });
    return results.map((r, i) => ({ id: r._id, score: r._score, text: texts[i] ?? null }));
  },
});

export const storeText = actionGeneric({
  args: { text: v.string(), type: v.string() },
  handler: async (ctx, { text, type }) => await ctx.storage.store(new Blob([text], { type })),
});

export const readText = actionGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const blob = await ctx.storage.get(id as any);
    return blob ? { text: await blob.text(), type: blob.type } : null;
  },
});

export const fileUrl = queryGeneric({ args: { id: v.string() }, handler: async (ctx, { id }) => await ctx.storage.getUrl(id as any) });

/** `db.system.get` of a file id, or the error it gives. */
export const fileDoc = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    try {
      return await ctx.db.system.get(id as any);
    } catch (e: any) {
      return `error: ${e.message}`;
    }
  },
});

export const listFiles = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.system.query("_storage").collect()).map((f) => ({ id: f._id, size: f.size, contentType: f.contentType ?? null })),
});

export const deleteFile = mutationGeneric({ args: { id: v.string() }, handler: async (ctx, { id }) => void (await ctx.storage.delete(id as any)) });

export const uploadUrl = mutationGeneric({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() });

/** An attachment row referencing the component's own file (v.id("_storage") checks it is one). */
export const attach = mutationGeneric({
  args: { name: v.string(), file: v.id("_storage") },
  handler: async (ctx, args) => await ctx.db.insert("attachments", args),
});

export const attachments = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("attachments").collect()).map((a) => ({ name: a.name, file: a.file })),
});
