import { actionGeneric, anyApi, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

const table = v.union(v.literal("docs"), v.literal("wide"));

export const insert = mutationGeneric({
  args: { table: v.optional(table), rows: v.array(v.any()) },
  handler: async (ctx, { table, rows }) => {
    const ids: string[] = [];
    for (const row of rows) ids.push(await ctx.db.insert(table ?? "docs", row));
    return ids;
  },
});

export const clear = mutationGeneric({
  args: { table: v.optional(table) },
  handler: async (ctx, { table }) => {
    for (const row of await ctx.db.query(table ?? "docs").collect()) await ctx.db.delete(row._id);
  },
});

export const remove = mutationGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => await ctx.db.delete(id as any),
});

/** `unset`: fields to remove (an argument cannot carry `undefined`). */
export const patch = mutationGeneric({
  args: { id: v.string(), fields: v.any(), unset: v.optional(v.array(v.string())) },
  handler: async (ctx, { id, fields, unset }) => {
    for (const k of unset ?? []) fields[k] = undefined;
    await ctx.db.patch(id as any, fields);
  },
});

export const names = queryGeneric({
  args: { ids: v.array(v.string()) },
  handler: async (ctx, { ids }) => Promise.all(ids.map(async (id) => ((await ctx.db.get(id as any)) as any)?.name ?? null)),
});

/** `ctx.vectorSearch` with a filter made of the given categories and tags (all ORed), as the docs show it. */
export const search = actionGeneric({
  args: {
    table: v.optional(v.string()),
    index: v.optional(v.string()),
    vector: v.array(v.float64()),
    limit: v.optional(v.number()),
    categories: v.optional(v.array(v.union(v.string(), v.null()))),
    tags: v.optional(v.array(v.number())),
  },
  handler: async (ctx, { table, index, vector, limit, categories, tags }) => {
    const eqs = (q: any) => [
      ...(categories ?? []).map((c) => q.eq("category", c === null ? undefined : c)),
      ...(tags ?? []).map((t) => q.eq("tag", t)),
    ];
    const filter =
      categories === undefined && tags === undefined
        ? undefined
        : (q: any) => {
            const all = eqs(q);
            return all.length === 1 ? all[0] : q.or(...all);
          };
    return await ctx.vectorSearch((table ?? "docs") as any, (index ?? "by_embedding") as any, { vector, limit, filter } as any);
  },
});

/** Filters Convex refuses. */
export const badFilter = actionGeneric({
  args: { kind: v.string() },
  handler: async (ctx, { kind }) => {
    const filter = (q: any) =>
      kind === "notFilterField" ? q.eq("name", "a")
      : kind === "literal" ? true
      : kind === "nestedEq" ? q.eq("category", q.eq("category", "a"))
      : q.or(q.eq("category", "a"), true);
    return await ctx.vectorSearch("docs", "by_embedding", { vector: [1, 0, 0], filter } as any);
  },
});

/** Inserts through a mutation, then searches: the search sees what the mutation committed. */
export const insertThenSearch = actionGeneric({
  args: { row: v.any(), vector: v.array(v.float64()) },
  handler: async (ctx, { row, vector }): Promise<{ id: string; results: any[] }> => {
    const [id] = (await ctx.runMutation(anyApi.vectors!.insert as any, { rows: [row] })) as string[];
    return { id: id!, results: await ctx.vectorSearch("docs", "by_embedding", { vector, limit: 256 }) };
  },
});
