import { convexTest } from "convex-test";
import type { ConvexError } from "convex/values";
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import schema from "../../convex/schema";
import type { ErrorData } from "../../convex/model/errors";
import type { Terms } from "../../convex/model/validate";

// Small steps that the scenario tests compose. Each takes the test backend `t`
// so the same scenarios can run against another backend later.

export const SERVICE_KEY = "test-service-key-0123456789";
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;

export const modules = import.meta.glob("../../convex/**/*.ts");

export function newBackend() {
  return convexTest(schema, modules);
}
export type Backend = ReturnType<typeof newBackend>;

export async function seed(t: Backend) {
  await t.mutation(api.seed.catalog, { serviceKey: SERVICE_KEY });
  const products = await t.query(api.products.list, {});
  const suppliers = await t.query(api.suppliers.list, {});
  return { products, suppliers };
}

export const PRIORITIES = { price: 0.5, leadTime: 0.2, paymentTerms: 0.2, quality: 0.1 };
export const GUARDRAILS = { maxLeadTimeDays: 45, minPaymentTermsDays: 30 };

/** A two-line quote (tees at 6.80 list, mailers at 0.92 list). */
export async function requestQuote(t: Backend, overrides: Partial<Parameters<typeof quoteArgs>[0]> = {}) {
  const { products } = await seed(t);
  const args = quoteArgs({ products, ...overrides });
  const quoteId = await t.mutation(api.quotes.request, args);
  const detail = (await t.query(api.quotes.get, { quoteId }))!;
  return { quoteId, negotiations: detail.negotiations, products };
}

export function quoteArgs(opts: { products: Doc<"products">[]; maxRounds?: number }) {
  const tee = opts.products.find((product) => product.sku === "APP-TEE-240-BLK")!;
  const mailer = opts.products.find((product) => product.sku === "PKG-MAILER-1084")!;
  return {
    lineItems: [
      { productId: tee._id, quantity: 2000, targetUnitPrice: 5.5, maxUnitPrice: 6.5 },
      { productId: mailer._id, quantity: 5000, targetUnitPrice: 0.75, maxUnitPrice: 0.9 },
    ],
    priorities: PRIORITIES,
    guardrails: GUARDRAILS,
    notes: "Spring drop",
    seed: 42,
    ...(opts.maxRounds !== undefined ? { maxRounds: opts.maxRounds } : {}),
  };
}

export function terms(teePrice: number, mailerPrice: number, leadTimeDays = 30, paymentTermsDays = 30): Terms {
  return {
    lines: [
      { sku: "APP-TEE-240-BLK", quantity: 2000, unitPrice: teePrice },
      { sku: "PKG-MAILER-1084", quantity: 5000, unitPrice: mailerPrice },
    ],
    leadTimeDays,
    paymentTermsDays,
  };
}

export function claim(t: Backend, quoteId: Id<"quotes">, workerId = "worker-1", leaseMs = 60_000) {
  return t.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId, leaseMs });
}

export function offer(
  t: Backend,
  negotiationId: Id<"negotiations">,
  round: number,
  offeredBy: "brand" | "supplier",
  offerTerms: Terms,
) {
  return t.mutation(api.ingest.recordOffer, { serviceKey: SERVICE_KEY, negotiationId, round, offeredBy, terms: offerTerms });
}

export function say(
  t: Backend,
  negotiationId: Id<"negotiations">,
  seq: number,
  sender: "brand" | "supplier" | "system",
  content: string,
  kind: "text" | "offer" | "acceptance" | "rejection" | "system" = "text",
) {
  return t.mutation(api.ingest.appendMessage, { serviceKey: SERVICE_KEY, negotiationId, seq, sender, kind, content });
}

/** Every row of every table: to assert that a refused call changed nothing. */
export async function snapshot(t: Backend) {
  return await t.run(async (ctx) => {
    const tables = ["products", "suppliers", "quotes", "negotiations", "offers", "messages", "events", "awards"] as const;
    const all: Record<string, unknown[]> = {};
    for (const table of tables) all[table] = await ctx.db.query(table).collect();
    return all;
  });
}

/** The call fails with this code (and field, if given) and the database is unchanged. */
export async function expectRefused(
  t: Backend,
  call: () => Promise<unknown>,
  code: ErrorData["code"],
  field?: string,
): Promise<ErrorData> {
  const before = await snapshot(t);
  let data: ErrorData | undefined;
  try {
    await call();
  } catch (error) {
    data = (error as ConvexError<ErrorData>).data;
    if (data === undefined) throw error;
  }
  expect(data, "expected the call to be refused").toBeDefined();
  expect(data!.code).toBe(code);
  expect(typeof data!.message).toBe("string");
  if (field !== undefined) expect(data!.field).toBe(field);
  expect(await snapshot(t)).toEqual(before);
  return data!;
}
