import aggregate from "@convex-dev/aggregate/convex.config.js";
import presence from "@convex-dev/presence/convex.config.js";
import rateLimiter from "@convex-dev/rate-limiter/convex.config.js";
import { defineApp } from "convex/server";

// The Convex components Parley uses, from the ecosystem rather than written by
// hand: the rate limiter (quote requests, sign-in attempts), presence (who is
// typing and viewing a negotiation) and aggregates (counts over quotes).
// They run the same on Convex Cloud, a self-hosted Convex and the embedded
// backend (docs/backend.md, "Components").
const app = defineApp();
app.use(rateLimiter);
app.use(presence);
app.use(aggregate, { name: "quoteCounts" });
app.use(aggregate, { name: "quoteDeals" });
app.use(aggregate, { name: "quoteSavings" });
app.use(aggregate, { name: "quoteNegotiations" });
app.use(aggregate, { name: "quoteSeries" });
app.use(aggregate, { name: "quoteSuppliers" });
export default app;
