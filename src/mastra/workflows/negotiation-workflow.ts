import { createStep, createWorkflow } from "@mastra/core/workflows";
import { z } from "zod";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import { handlesOf } from "../worker/run-registry.js";
import type { QuoteState } from "../convex-transport.js";
import { LeaseLostError, readQuoteState, type NegotiationCallbacks } from "./run-supplier-negotiation.js";
import { createQuote, evaluateQuote, runNegotiationsUntilWaiting, withLease } from "./run-quote.js";

// prepare → run-negotiations → evaluate. A run is about one quote. The worker
// starts it with the quote it claimed; Mastra Studio can start it with only line
// items and priorities, and then the quote is created through the dashboard's
// own mutation (so it appears there) and claimed by this run. Canceling a run
// (the worker stopping, or Studio's Cancel) ends it quietly as `canceled`; its
// quote is resumed later from what Convex holds. While every open negotiation
// waits on a live supplier, run-negotiations suspends; the worker that claims
// the woken quote resumes it with its own lease (resumeSchema).

export const LEASE_MS = 15_000;

const prioritiesSchema = z.object({
  price: z.number().min(0),
  leadTime: z.number().min(0),
  paymentTerms: z.number().min(0),
  quality: z.number().min(0),
});

export const workflowInputSchema = z
  .object({
    quoteId: z.string().optional().describe("A quote already in Convex; omit to create one from the fields below"),
    workspaceId: z
      .string()
      .optional()
      .describe("The workspace a new quote is for (shown on the dashboard's Members screen); needed without a quoteId"),
    negotiationIds: z.array(z.string()).optional().describe("The quote's negotiations, one per supplier (checked against Convex)"),
    /** Set by the worker that already holds the quote's lease, with the epoch its claim returned. */
    workerId: z.string().optional(),
    leaseEpoch: z.number().int().positive().optional(),
    lineItems: z
      .array(
        z.object({
          productId: z.string().optional(),
          sku: z.string().optional(),
          quantity: z.number().int().positive(),
          targetUnitPrice: z.number().positive().optional(),
          maxUnitPrice: z.number().positive().optional(),
        }),
      )
      .optional(),
    priorities: prioritiesSchema.optional(),
    guardrails: z.object({ maxLeadTimeDays: z.number().int().positive(), minPaymentTermsDays: z.number().int().min(0) }).optional(),
    notes: z.string().optional(),
    seed: z.number().int().min(0).optional(),
    maxRounds: z.number().int().min(2).max(20).optional(),
  })
  .refine((i) => i.quoteId || (i.workspaceId && i.lineItems && i.lineItems.length > 0), {
    message: "give a quoteId, or a workspaceId and lineItems to create a quote",
  })
  .refine((i) => (i.workerId === undefined) === (i.leaseEpoch === undefined), {
    message: "workerId and leaseEpoch go together: the worker's claim returns both",
  });

const preparedSchema = z.object({
  quoteId: z.string(),
  negotiationIds: z.array(z.string()),
  workerId: z.string(),
  leaseEpoch: z.number(),
  ownLease: z.boolean(),
});

const negotiationResultSchema = z.object({
  negotiationId: z.string(),
  supplierId: z.string(),
  supplierName: z.string(),
  status: z.string(),
  outcome: z.string().optional(),
  failureReason: z.string().optional(),
  rounds: z.number(),
  openingTerms: z.any().optional(),
  finalTerms: z.any().optional(),
  turns: z.array(z.any()),
});

/** What a resumed run writes under: the lease of the worker that claimed the woken quote (the run's input holds the first claim's). */
export const resumeSchema = z.object({ workerId: z.string(), leaseEpoch: z.number().int().positive() });

/** Only ids: Studio serves a suspended run's payload. */
const suspendSchema = z.object({
  quoteId: z.string(),
  waitingOn: z.array(z.string()).describe("The negotiations waiting on their live supplier's move"),
});

const negotiatedSchema = z.object({
  quoteId: z.string(),
  leaseEpoch: z.number(),
  negotiations: z.array(negotiationResultSchema),
  /** Set when another worker claimed the quote meanwhile: this run stopped, writing nothing more. */
  leaseLost: z.boolean().optional(),
});

export const workflowOutputSchema = negotiatedSchema.extend({
  recommendation: z.any().optional(),
});

/**
 * The quote as `prepare` read it, for the next step of the same run in this
 * process, so that the negotiations start without reading it again. Kept by
 * the run's RequestContext (one object for all of a run's steps) and never in a
 * snapshot: it holds the brand's limits. A step that finds nothing reads the quote.
 */
const prepared = new WeakMap<object, QuoteState>();

const prepare = createStep({
  id: "prepare",
  description: "Loads the quote and its suppliers from Convex (creating and claiming the quote for a run started with line items)",
  inputSchema: workflowInputSchema,
  outputSchema: preparedSchema,
  execute: async ({ inputData, requestContext, runId }) => {
    const { runtime } = handlesOf(requestContext);
    const quoteId = (inputData.quoteId ?? (await createQuote(runtime, { ...inputData, workspaceId: inputData.workspaceId!, lineItems: inputData.lineItems! }))) as Id<"quotes">;
    let { workerId, leaseEpoch } = inputData;
    let ownLease = false;
    if (!workerId || leaseEpoch === undefined) {
      workerId = `workflow-${runId}`;
      const claimed = await runtime.transport.mutation(api.worker.claimQuote, { serviceKey: runtime.serviceKey, quoteId, workerId, leaseMs: LEASE_MS });
      if (claimed === null) throw new Error(`quote ${quoteId} is being negotiated by another worker`);
      leaseEpoch = claimed;
      ownLease = true;
    }
    const state = await readQuoteState(runtime, quoteId);
    const negotiationIds = state.negotiations.map((n) => n._id as string);
    const unknown = inputData.negotiationIds?.filter((id) => !negotiationIds.includes(id));
    if (unknown?.length) throw new Error(`negotiations ${unknown.join(", ")} do not belong to quote ${quoteId}`);
    prepared.set(requestContext, state);
    return { quoteId, negotiationIds, workerId, leaseEpoch, ownLease };
  },
});

const negotiate = createStep({
  id: "run-negotiations",
  description:
    "Negotiates with every supplier at once (Promise.all); each message is streamed into Convex as it is written. Suspends while every open negotiation waits on a live supplier",
  inputSchema: preparedSchema,
  outputSchema: negotiatedSchema,
  suspendSchema,
  resumeSchema,
  execute: async ({ inputData, resumeData, suspend, requestContext, abortSignal, writer, runId }) => {
    const handles = handlesOf(requestContext);
    const { runtime, callbacks: given = {} } = handles;
    const quoteId = inputData.quoteId as Id<"quotes">;
    // Studio sees status and offer events in the run's stream; the dashboard sees everything through Convex.
    const callbacks: NegotiationCallbacks = {
      onMessage: given.onMessage,
      onStatusChange: async (id, status) => {
        await given.onStatusChange?.(id, status);
        await writer?.write({ type: "negotiation-status", negotiationId: id, status });
      },
      onOfferReceived: async (id, offer) => {
        await given.onOfferReceived?.(id, offer);
        await writer?.write({ type: "offer", negotiationId: id, ...offer });
      },
    };
    // A resumed run is held by the worker that resumed it (and renews its lease), whoever started it.
    const { workerId, leaseEpoch } = resumeData ?? inputData;
    const ownLease = !resumeData && inputData.ownLease;
    const state = prepared.get(requestContext);
    prepared.delete(requestContext);
    const run = (signal?: AbortSignal) =>
      runNegotiationsUntilWaiting(runtime, quoteId, callbacks, { signal, leaseEpoch, workerId, runId, state: state?.quote._id === quoteId ? state : undefined });
    try {
      const { negotiations, waitingOn } = ownLease
        ? await withLease(runtime, { quoteId, workerId, leaseEpoch, leaseMs: LEASE_MS }, run, abortSignal)
        : await run(abortSignal);
      await runtime.persister.flush();
      if (waitingOn) {
        // The quote is no longer held: a stop or lost lease from here must not cancel a run that is being suspended.
        handles.onWaiting?.();
        return await suspend({ quoteId, waitingOn });
      }
      return { quoteId, leaseEpoch, negotiations };
    } catch (error) {
      // Another worker holds the quote now: stop without failing (nothing more can be written), and skip the evaluation.
      if (error instanceof LeaseLostError) return { quoteId, leaseEpoch, negotiations: [], leaseLost: true };
      if (!abortSignal.aborted) throw error;
      // Canceled: a thrown error would be logged by Mastra with its stack as a
      // failure. Returning lets Mastra end the run as `canceled` before evaluate;
      // what was written is delivered first, so a resumed run starts from it.
      await runtime.persister.flush().catch(() => {});
      return { quoteId, leaseEpoch, negotiations: [] };
    }
  },
});

const evaluate = createStep({
  id: "evaluate",
  description: "Ranks the final offers under the brand's priorities and writes the recommendation on the quote",
  inputSchema: negotiatedSchema,
  outputSchema: workflowOutputSchema,
  execute: async ({ inputData, requestContext }) => {
    const { runtime } = handlesOf(requestContext);
    if (inputData.leaseLost) return inputData;
    const recommendation = await evaluateQuote(runtime, inputData.quoteId as Id<"quotes">, inputData.leaseEpoch);
    await runtime.persister.flush();
    return { ...inputData, recommendation };
  },
});

export const negotiationWorkflow = createWorkflow({
  id: "negotiation-workflow",
  description: "Negotiates a quote with three suppliers in parallel and recommends one",
  inputSchema: workflowInputSchema,
  outputSchema: workflowOutputSchema,
  // Studio (mastra dev) restarts every stored run marked running when it starts.
  // Those are the worker's live runs, in the store they share: a restart would
  // negotiate the same quote twice. Quotes resume through their Convex lease instead.
  options: { autoRestartActiveRuns: false },
})
  .then(prepare)
  .then(negotiate)
  .then(evaluate)
  .commit();
