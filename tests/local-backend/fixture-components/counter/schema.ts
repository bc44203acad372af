import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The same table name as the app's `items`, with another shape.
export default defineSchema({
  items: defineTable({ name: v.string(), value: v.number(), tag: v.literal("component") }).index("by_name", ["name"]),
});
