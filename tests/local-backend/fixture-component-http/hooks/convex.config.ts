import { defineComponent } from "convex/server";
import inner from "../inner/convex.config.js";

// A component with webhooks of its own, as @convex-dev/stripe's or a mail provider's.
const component = defineComponent("hooks");
component.use(inner, { httpPrefix: "/inner/" });
export default component;
