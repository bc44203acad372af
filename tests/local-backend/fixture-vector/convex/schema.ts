import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// `embedding` is v.any() so tests can store vectors Convex does not index (wrong length, strings, int64s).
export default defineSchema({
  docs: defineTable({ name: v.string(), category: v.optional(v.string()), tag: v.optional(v.number()), embedding: v.optional(v.any()) })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["category", "tag"] })
    .vectorIndex("by_embedding_staged", { vectorField: "embedding", dimensions: 3, staged: true })
    .index("by_name", ["name"])
    .searchIndex("search_name", { searchField: "name" }),
  wide: defineTable({ name: v.string(), embedding: v.array(v.float64()), category: v.string() })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536, filterFields: ["category"] }),
});
