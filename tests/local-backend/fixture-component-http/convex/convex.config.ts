// The app of tests/local-backend/component-http.test.ts: `hooks` served under two
// paths (two instances), and a third instance with HTTP routes it does not mount.
import { defineApp } from "convex/server";
import hooks from "../hooks/convex.config.js";

const app = defineApp();
app.use(hooks, { httpPrefix: "/hooks" });
app.use(hooks, { name: "other", httpPrefix: "/other/" });
app.use(hooks, { name: "unmounted" });
export default app;
