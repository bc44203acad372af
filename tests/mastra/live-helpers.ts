import { ConvexHttpClient } from "convex/browser";
import { expect } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { ConvexTransport, NegotiationState, QuoteState } from "../../src/mastra/convex-transport.js";
import { signUpBrand, type BrandSession } from "../helpers/brand-session.js";
import { SERVICE_KEY } from "./helpers/convex-test-backend.js";

// A quote with one live supplier, as a brand and a supplier's person make it
// on a running deployment: the brand signs up, requests a quote (the first
// supplier live, the others simulated) and invites the live supplier's person,
// who signs up and accepts the link. Shared by the live-*.test.ts files.

export interface LiveQuote {
  quoteId: Id<"quotes">;
  liveId: Id<"negotiations">;
  brand: BrandSession;
  /** The supplier's person, signed in, acting in the portal. */
  contact: ConvexHttpClient;
}

let people = 0;

export async function liveQuote(url: string, transport: ConvexTransport, opts: { seed?: number; maxRounds?: number } = {}): Promise<LiveQuote> {
  const n = `${process.pid}-${++people}-${Date.now()}`;
  const brand = await signUpBrand(url, { email: `buyer-${n}@acme.test` });
  const suppliers = await brand.query(api.suppliers.list, {});
  const products = await transport.query(api.worker.products, { serviceKey: SERVICE_KEY, workspaceId: brand.workspaceId });
  const quoteId = await transport.mutation(api.worker.requestQuote, {
    serviceKey: SERVICE_KEY,
    workspaceId: brand.workspaceId,
    lineItems: products.slice(0, 2).map((p, i) => ({
      productId: p._id,
      quantity: 500 + 250 * i,
      targetUnitPrice: Math.round(p.listPrice * 0.8 * 100) / 100,
      maxUnitPrice: Math.round(p.listPrice * 1.05 * 100) / 100,
    })),
    priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
    guardrails: { maxLeadTimeDays: 45, minPaymentTermsDays: 15 },
    maxRounds: opts.maxRounds ?? 8,
    seed: opts.seed ?? 7,
    liveSupplierIds: [suppliers[0]!._id],
  });
  const state = await quoteState(transport, quoteId);
  const live = state.negotiations.find((x) => x.side === "live")!;
  const { token } = await brand.mutation(api.supplierInvitations.create, { negotiationId: live._id, name: "Sam Supplier", email: `sam-${n}@supplier.test` });
  const contact = new ConvexHttpClient(url, { logger: false });
  const { tokens } = await contact.action(api.auth.signIn, {
    provider: "password",
    params: { email: `sam-${n}@supplier.test`, password: "correct horse battery staple", flow: "signUp" },
  });
  contact.setAuth(tokens!.token);
  expect(await contact.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(live._id);
  return { quoteId, liveId: live._id, brand, contact };
}

export const quoteState = (transport: ConvexTransport, quoteId: Id<"quotes">) =>
  transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }) as Promise<QuoteState>;

/** The supplier's opening from the portal: high, but inside the brand's limits, so the brand counters rather than accepts. */
export async function supplierOffers(q: LiveQuote, transport: ConvexTransport, markup = 1.04): Promise<Id<"offers"> | null> {
  const view = await q.contact.query(api.supplierPortal.negotiation, { negotiationId: q.liveId });
  const products = await transport.query(api.worker.products, { serviceKey: SERVICE_KEY, workspaceId: q.brand.workspaceId });
  const price = (sku: string) => Math.round(products.find((p) => p.sku === sku)!.listPrice * markup * 100) / 100;
  return await q.contact.mutation(api.supplierPortal.makeSupplierOffer, {
    negotiationId: q.liveId,
    lines: view.quote.lineItems.map((line) => ({ sku: line.sku, unitPrice: price(line.sku) })),
    leadTimeDays: 40,
    paymentTermsDays: 20,
    message: "Our best opening: list price, 40 days, payment in 20.",
  });
}

/** Waiting for a live supplier: nobody holds the quote, and the run's id is kept to resume it. */
export const isWaiting = (s: QuoteState) =>
  s.quote.status === "negotiating" && s.quote.suspendedRunId !== undefined && s.quote.claimedBy === undefined && s.quote.leaseExpiresAt === undefined;

/** Per round and side, how many offers and offer messages a negotiation holds: a duplicate answer shows as a 2. */
export function answersPerRound(n: NegotiationState) {
  const counts: Record<string, number> = {};
  for (const o of n.offers) counts[`offer r${o.round} ${o.offeredBy}`] = (counts[`offer r${o.round} ${o.offeredBy}`] ?? 0) + 1;
  for (const m of n.messages.filter((m) => m.kind === "offer")) {
    const round = n.offers.find((o) => o._id === m.offerId)?.round;
    counts[`message r${round} ${m.sender}`] = (counts[`message r${round} ${m.sender}`] ?? 0) + 1;
  }
  return counts;
}
