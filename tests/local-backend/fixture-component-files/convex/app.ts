// The app's side: its own chunks and files, and calls into the docs component.
import { actionGeneric, anyApi, componentsGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

const api = anyApi;
const components = componentsGeneric();

export const addChunk = mutationGeneric({
  args: { text: v.string(), kind: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, args) => await ctx.db.insert("chunks", args),
});

export const texts = queryGeneric({
  args: { ids: v.array(v.id("chunks")) },
  handler: async (ctx, { ids }) => Promise.all(ids.map(async (id) => (await ctx.db.get(id))?.text ?? null)),
});

export const search = actionGeneric({
  args: { vector: v.array(v.float64()) },
  handler: async (ctx, { vector }): Promise<(string | null)[]> => {
    const results = await ctx.vectorSearch("chunks", "by_embedding", { vector });
    return await ctx.runQuery(api.app.texts, { ids: results.map((r) => r._id) });
  },
});

// ---- the component, through its public functions ----
export const docsAddChunk = mutationGeneric({
  args: { text: v.string(), kind: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, args): Promise<string> => await ctx.runMutation(components.docs.lib.addChunk, args),
});
export const docsSearch = actionGeneric({
  args: { vector: v.array(v.float64()), kinds: v.optional(v.array(v.string())), limit: v.optional(v.number()), table: v.optional(v.string()) },
  handler: async (ctx, args): Promise<any> => await ctx.runAction(components.docs.lib.search, args),
});
export const docsStoreText = actionGeneric({
  args: { text: v.string(), type: v.string() },
  handler: async (ctx, args): Promise<string> => await ctx.runAction(components.docs.lib.storeText, args),
});
export const docsReadText = actionGeneric({ args: { id: v.string() }, handler: async (ctx, args): Promise<any> => await ctx.runAction(components.docs.lib.readText, args) });
export const docsFileUrl = queryGeneric({ args: { id: v.string() }, handler: async (ctx, args): Promise<any> => await ctx.runQuery(components.docs.lib.fileUrl, args) });
export const docsFileDoc = queryGeneric({ args: { id: v.string() }, handler: async (ctx, args): Promise<any> => await ctx.runQuery(components.docs.lib.fileDoc, args) });
export const docsListFiles = queryGeneric({ args: {}, handler: async (ctx): Promise<any> => await ctx.runQuery(components.docs.lib.listFiles, {}) });
export const docsDeleteFile = mutationGeneric({ args: { id: v.string() }, handler: async (ctx, args): Promise<any> => await ctx.runMutation(components.docs.lib.deleteFile, args) });
export const docsUploadUrl = mutationGeneric({ args: {}, handler: async (ctx): Promise<string> => await ctx.runMutation(components.docs.lib.uploadUrl, {}) });
export const docsAttach = mutationGeneric({
  args: { name: v.string(), file: v.string() },
  handler: async (ctx, args): Promise<string> => await ctx.runMutation(components.docs.lib.attach, args),
});

// ---- the app's own storage ----
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
export const listFiles = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.system.query("_storage").collect()).map((f) => f._id) });
export const deleteFile = mutationGeneric({ args: { id: v.string() }, handler: async (ctx, { id }) => void (await ctx.storage.delete(id as any)) });
export const docsAttachments = queryGeneric({ args: {}, handler: async (ctx): Promise<any> => await ctx.runQuery(components.docs.lib.attachments, {}) });
