// The app of tests/local-backend/components.test.ts: a local component
// (`counter`, which itself uses `leaf`) installed twice, and published ones:
// the rate limiter (which uses @convex-dev/batch-worker), presence, aggregate.
import { defineApp } from "convex/server";
import aggregate from "@convex-dev/aggregate/convex.config.js";
import presence from "@convex-dev/presence/convex.config.js";
import rateLimiter from "@convex-dev/rate-limiter/convex.config.js";
import counter from "../counter/convex.config.js";

const app = defineApp();
app.use(rateLimiter);
app.use(presence);
app.use(aggregate, { name: "scores" });
app.use(counter, { env: { GREETING: "hello from the app" } });
app.use(counter, { name: "secondCounter" });
export default app;
