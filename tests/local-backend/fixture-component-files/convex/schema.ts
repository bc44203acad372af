import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The component's table and index names, with rows of the app's own.
export default defineSchema({
  chunks: defineTable({ text: v.string(), kind: v.string(), embedding: v.array(v.float64()) }).vectorIndex("by_embedding", {
    vectorField: "embedding",
    dimensions: 3,
    filterFields: ["kind"],
  }),
});
