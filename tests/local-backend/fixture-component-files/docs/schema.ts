import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The same table and index names as the app's, so that a search or file id meant for one cannot find the other's.
export default defineSchema({
  chunks: defineTable({ text: v.string(), kind: v.string(), embedding: v.array(v.float64()) }).vectorIndex("by_embedding", {
    vectorField: "embedding",
    dimensions: 3,
    filterFields: ["kind"],
  }),
  attachments: defineTable({ name: v.string(), file: v.id("_storage") }),
});
