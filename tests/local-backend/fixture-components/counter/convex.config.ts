import { defineComponent } from "convex/server";
import { v } from "convex/values";
import leaf from "../leaf/convex.config.js";

const component = defineComponent("counter", { env: { GREETING: v.optional(v.string()) } });
component.use(leaf);
export default component;
