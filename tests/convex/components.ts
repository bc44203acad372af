import aggregateTest from "@convex-dev/aggregate/test";
import presenceTest from "@convex-dev/presence/test";
import rateLimiterTest from "@convex-dev/rate-limiter/test";
import type { TestConvex } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";

// The components of convex/convex.config.ts, registered under the same names
// in a convex-test backend, with each package's own test registration.
export function registerComponents<T extends TestConvex<SchemaDefinition<GenericSchema, boolean>>>(t: T): T {
  rateLimiterTest.register(t, "rateLimiter");
  presenceTest.register(t, "presence");
  aggregateTest.register(t, "quoteCounts");
  aggregateTest.register(t, "quoteDeals");
  aggregateTest.register(t, "quoteSavings");
  aggregateTest.register(t, "quoteNegotiations");
  aggregateTest.register(t, "quoteSeries");
  aggregateTest.register(t, "quoteSuppliers");
  return t;
}
