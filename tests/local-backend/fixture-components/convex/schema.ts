import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// `items` is also a table of the counter component: the two must not meet.
export default defineSchema({
  items: defineTable({ name: v.string(), value: v.number() }).index("by_name", ["name"]),
  log: defineTable({ text: v.string() }),
  stamps: defineTable({ at: v.commitTs(), label: v.string() }).index("at", ["at"]),
});
