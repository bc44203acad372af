import { convexTest } from "convex-test";
import { registerComponents } from "../../convex/components.js";
import schema from "../../../convex/schema.js";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import type { ConvexTransport } from "../../../src/mastra/convex-transport.js";

// The real convex/ functions in convex-test, as a transport: for tests that do
// not need the embedded backend's HTTP API.

export const SERVICE_KEY = "test-service-key";

export function convexTestBackend() {
  process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
  const t = registerComponents(convexTest(schema, import.meta.glob(["../../../convex/**/*.*s", "!../../../convex/convex.config.ts"])));
  const transport: ConvexTransport = {
    // convex-test's variadic signature differs from the transport's only in typing.
    mutation: (fn, args) => (t.mutation as (f: unknown, a: unknown) => Promise<never>)(fn, args),
    query: (fn, args) => (t.query as (f: unknown, a: unknown) => Promise<never>)(fn, args),
  };
  return { t, transport };
}

/** The tools' workspace (created with the demo catalog on first use), as Mastra Studio or a script would use it. */
export async function toolsWorkspace(transport: ConvexTransport): Promise<Id<"workspaces">> {
  return await transport.mutation(api.seed.workspace, { serviceKey: SERVICE_KEY, name: "Tests" });
}

/** Requests a quote over the catalog's first products, in the given workspace or the tools' one. */
export async function requestDemoQuote(
  transport: ConvexTransport,
  opts: { seed?: number; maxRounds?: number; lines?: number; workspaceId?: Id<"workspaces"> } = {},
): Promise<Id<"quotes">> {
  const workspaceId = opts.workspaceId ?? (await toolsWorkspace(transport));
  const products = await transport.query(api.worker.products, { serviceKey: SERVICE_KEY, workspaceId });
  const lineItems = products.slice(0, opts.lines ?? 2).map((p, i) => ({
    productId: p._id,
    quantity: 500 + 250 * i,
    targetUnitPrice: Math.round(p.listPrice * 0.8 * 100) / 100,
    maxUnitPrice: Math.round(p.listPrice * 1.05 * 100) / 100,
  }));
  return await transport.mutation(api.worker.requestQuote, {
    serviceKey: SERVICE_KEY,
    workspaceId,
    lineItems,
    priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
    guardrails: { maxLeadTimeDays: 45, minPaymentTermsDays: 15 },
    notes: "Spring collection",
    maxRounds: opts.maxRounds ?? 8,
    seed: opts.seed ?? 42,
  });
}
