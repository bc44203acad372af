import { ConvexError } from "convex/values";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import { evaluateNegotiations, supplierProfileOf, type NegotiationOutcome } from "../../negotiation/index.js";
import type { ConvexRecommendation, NegotiationStatus } from "../convex-transport.js";
import type { NegotiationRuntime } from "../runtime.js";
import { retryTransport } from "../backend-retry.js";
import { isLeaseLost } from "../storage/message-persister.js";
import { createLull } from "./live-lull.js";
import { termsOutcome } from "./negotiation-state.js";
import type { QuoteState } from "../convex-transport.js";
import {
  LeaseLostError,
  readQuoteState,
  runSupplierNegotiation,
  type NegotiationCallbacks,
  type SupplierNegotiationResult,
} from "./run-supplier-negotiation.js";

// The three steps of a quote as plain functions; the Mastra workflow wraps them.

export interface QuoteRequestInput {
  /** The workspace the quote is for: the service key belongs to none. */
  workspaceId: string;
  lineItems: { productId?: string; sku?: string; quantity: number; targetUnitPrice?: number; maxUnitPrice?: number }[];
  priorities?: { price: number; leadTime: number; paymentTerms: number; quality: number };
  guardrails?: { maxLeadTimeDays: number; minPaymentTermsDays: number };
  notes?: string;
  seed?: number;
  maxRounds?: number;
}

const DEFAULT_PRIORITIES = { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 };
const DEFAULT_GUARDRAILS = { maxLeadTimeDays: 45, minPaymentTermsDays: 15 };
const cents = (x: number) => Math.round(x * 100) / 100;

/** Creates a quote (and its negotiations) in the workspace the input names, so it shows up in its dashboard. */
export async function createQuote(runtime: NegotiationRuntime, input: QuoteRequestInput): Promise<Id<"quotes">> {
  const workspaceId = input.workspaceId as Id<"workspaces">;
  const products = await runtime.transport.query(api.worker.products, { serviceKey: runtime.serviceKey, workspaceId });
  const lineItems = input.lineItems.map((line, i) => {
    const product = products.find((p) => p._id === line.productId || p.sku === line.sku);
    if (!product) throw new Error(`lineItems[${i}]: no product with ${line.productId ? `id ${line.productId}` : `sku ${line.sku}`}`);
    return {
      productId: product._id,
      quantity: line.quantity,
      targetUnitPrice: line.targetUnitPrice ?? cents(product.listPrice * 0.85),
      maxUnitPrice: line.maxUnitPrice ?? cents(product.listPrice * 1.05),
    };
  });
  return await runtime.transport.mutation(api.worker.requestQuote, {
    serviceKey: runtime.serviceKey,
    workspaceId,
    lineItems,
    priorities: input.priorities ?? DEFAULT_PRIORITIES,
    guardrails: input.guardrails ?? DEFAULT_GUARDRAILS,
    ...(input.notes !== undefined ? { notes: input.notes } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    ...(input.maxRounds !== undefined ? { maxRounds: input.maxRounds } : {}),
  });
}

/**
 * The lease epoch a run writes under: the one its claim returned, or, for a
 * caller that claimed the quote itself without keeping it (tests, tools), the
 * quote's epoch as this run first reads it. Either way it is fixed for the run,
 * so a run never adopts a later claim's epoch.
 */
function leaseEpochOf(quote: QuoteState["quote"], given: number | undefined): number {
  const epoch = given ?? quote.leaseEpoch;
  if (epoch === undefined) throw new Error(`quote ${quote._id} has not been claimed: claim it (worker.claimQuote) before negotiating`);
  return epoch;
}

/**
 * Every negotiation of the quote at once; one's failure never stops the others.
 * Losing the lease stops them all (LeaseLostError): their writes would be refused.
 */
export async function runNegotiations(
  runtime: NegotiationRuntime,
  quoteId: Id<"quotes">,
  callbacks: NegotiationCallbacks = {},
  options: {
    signal?: AbortSignal;
    /** The epoch of the caller's claim on the quote (default: the quote's, as first read here). */
    leaseEpoch?: number;
    /** The quote as the caller has just read it, so the first turns need not read it again. */
    state?: QuoteState;
  } = {},
): Promise<SupplierNegotiationResult[]> {
  const { signal, leaseEpoch } = options;
  const state = options.state ?? (await readQuoteState(runtime, quoteId, signal));
  const lost = new AbortController();
  const writer = runtime.persister.withLease(leaseEpochOf(state.quote, leaseEpoch), (error) => {
    runtime.log.warn("another worker holds this quote's lease now; stopping", { quoteId, error: String(error) });
    lost.abort(new LeaseLostError(error instanceof Error ? error.message : String(error)));
  });
  const lull = createLull(state.negotiations.map((n) => n._id));
  const context = { quoteId, runtime, writer, signal: signal ? AbortSignal.any([signal, lost.signal]) : lost.signal, state, lull };
  return await Promise.all(
    state.negotiations.map((n) => runSupplierNegotiation(n._id, context, callbacks).finally(() => lull.done(n._id))),
  );
}

/**
 * The negotiations until each is done or waits on its live supplier. When some
 * wait, the quote is given up to wait (worker.suspendQuote), unless a supplier
 * moved since this run read it: then the negotiations are played again. With
 * `waitingOn` set the caller suspends its run; the next move wakes the quote.
 */
export async function runNegotiationsUntilWaiting(
  runtime: NegotiationRuntime,
  quoteId: Id<"quotes">,
  callbacks: NegotiationCallbacks,
  options: { signal?: AbortSignal; leaseEpoch: number; workerId: string; runId: string; state?: QuoteState },
): Promise<{ negotiations: SupplierNegotiationResult[]; waitingOn?: Id<"negotiations">[] }> {
  const { signal, leaseEpoch, workerId, runId } = options;
  for (let state = options.state; ; state = undefined) {
    const negotiations = await runNegotiations(runtime, quoteId, callbacks, { signal, leaseEpoch, state });
    const waiting = negotiations.filter((n) => n.status === "waiting");
    if (waiting.length === 0) return { negotiations };
    // What was written must be in Convex before the quote is let go: the next claimant reads it.
    await runtime.persister.flush();
    const seen = waiting.map((n) => ({ negotiationId: n.negotiationId, ...n.seen! }));
    let answer: "suspended" | "moved";
    try {
      answer = await retryTransport(
        () => runtime.transport.mutation(api.worker.suspendQuote, { serviceKey: runtime.serviceKey, quoteId, workerId, leaseEpoch, runId, seen }),
        runtime.readRetry,
        { signal },
      );
    } catch (error) {
      if (isLeaseLost(error)) throw new LeaseLostError(error instanceof Error ? error.message : String(error));
      // The quote closed meanwhile (cancelled, awarded): played again, its negotiations see that and end.
      if (!(error instanceof ConvexError && (error.data as { field?: string }).field === "quoteId")) throw error;
      answer = "moved";
    }
    if (answer === "suspended") {
      runtime.log.info("waiting for a live supplier", { quoteId, negotiations: seen.map((s) => s.negotiationId) });
      return { negotiations, waitingOn: seen.map((s) => s.negotiationId) };
    }
    runtime.log.info("a live supplier moved as the quote was about to wait; playing on", { quoteId });
  }
}

const OUTCOME_OF: Partial<Record<NegotiationStatus, NegotiationOutcome>> = {
  accepted: "agreement",
  impasse: "impasse",
  rejected: "walked_away",
  expired: "expired",
  failed: "failed",
};

/** The engine's recommendation over the negotiations as Convex holds them, written on the quote. */
export async function evaluateQuote(runtime: NegotiationRuntime, quoteId: Id<"quotes">, leaseEpoch?: number): Promise<ConvexRecommendation | undefined> {
  const { quote, negotiations } = await readQuoteState(runtime, quoteId);
  if (quote.status !== "negotiating") {
    runtime.log.info("quote is no longer negotiating; no recommendation written", { quoteId, status: quote.status });
    return quote.recommendation;
  }
  const bySupplier = new Map(negotiations.map((n) => [n.supplierId as string, n]));
  // The recommendation is the brand's: it sees each supplier's public profile, not its persona.
  const recommendation = evaluateNegotiations({
    currency: quote.currency,
    lineItems: quote.lineItems,
    priorities: quote.priorities,
    guardrails: quote.guardrails,
    results: negotiations.map((n) => ({
      supplier: supplierProfileOf(n.supplierId, n.supplier),
      outcome: n.outcome ?? OUTCOME_OF[n.status] ?? "impasse",
      ...termsOutcome(n, n.status),
    })),
  });
  const winner = recommendation.supplierId ? bySupplier.get(recommendation.supplierId) : undefined;
  const converted: ConvexRecommendation = {
    ...(winner ? { negotiationId: winner._id, supplierId: winner.supplierId } : {}),
    explanation: recommendation.explanation,
    ranking: recommendation.ranking.map((r) => {
      const n = bySupplier.get(r.supplierId)!;
      return { ...r, negotiationId: n._id, supplierId: n.supplierId };
    }),
    createdAt: Date.now(),
  };
  await runtime.persister.withLease(leaseEpochOf(quote, leaseEpoch)).setRecommendation(quoteId, converted);
  return converted;
}

/** The shortest lease Convex grants: what a stopping worker leaves, so the quote is resumed within a second. */
const RELEASE_MS = 1_000;

/** Holds a quote's lease while `work` runs; aborts the work if the lease is lost, and gives the lease up when `outer` stops it. */
export async function withLease<T>(
  runtime: NegotiationRuntime,
  lease: { quoteId: Id<"quotes">; workerId: string; leaseEpoch: number; leaseMs: number },
  work: (signal: AbortSignal) => Promise<T>,
  outer?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onOuter = () => controller.abort(outer?.reason ?? new Error("stopped"));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  const timer = setInterval(async () => {
    try {
      const renewal = await runtime.transport.mutation(api.worker.renewLease, { serviceKey: runtime.serviceKey, ...lease });
      // "ended": the quote completed or was closed under this lease; the run ends by itself.
      if (renewal === "lost") controller.abort(new LeaseLostError(`lease on ${lease.quoteId} lost`));
      if (renewal !== "held") clearInterval(timer);
    } catch (error) {
      runtime.log.warn("could not renew lease; will retry", { quoteId: lease.quoteId, error: String(error) });
    }
  }, Math.max(50, Math.floor(lease.leaseMs / 3)));
  try {
    return await work(controller.signal);
  } finally {
    clearInterval(timer);
    outer?.removeEventListener("abort", onOuter);
    if (outer?.aborted) {
      // Convex has no release; a lease that lapses at once is one. If this fails, the full lease lapses instead.
      await runtime.transport
        .mutation(api.worker.renewLease, { serviceKey: runtime.serviceKey, ...lease, leaseMs: RELEASE_MS })
        .catch(() => undefined);
    }
  }
}
