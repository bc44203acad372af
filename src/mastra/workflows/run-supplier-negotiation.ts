import type { Agent } from "@mastra/core/agent";
import type { FunctionReturnType } from "convex/server";
import { ConvexError } from "convex/values";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import { brandMove, brandView, nextMove, whoseTurn, type Move, type NegotiationSetup, type Terms } from "../../negotiation/index.js";
import type { MessageKind, MessageMetadata, NegotiationState, NegotiationStatus, QuoteState } from "../convex-transport.js";
import { BackendUnreachableError, retryTransport } from "../backend-retry.js";
import type { NegotiationRuntime } from "../runtime.js";
import { isLeaseLost, type LeasedWriter, type StreamingMessage } from "../storage/message-persister.js";
import { watchQuery, type Watch } from "../watch.js";
import type { Lull } from "./live-lull.js";
import { findNegotiation, messageKindOf, planTurn, setupFor, TERMINAL, termsOutcome, type PlannedTurn } from "./negotiation-state.js";
import { briefFor, instructionsFor, promptFor, proseFactsFor, settleMessage, sumUsage, type SettledMessage } from "./turn-prompt.js";

// One brand–supplier negotiation, turn by turn, with Convex as the only memory:
// a run starts from the history Convex holds; before each turn a subscription
// to the negotiation's control fields shows whether a human paused, countered,
// accepted or walked away since this run's own last write (then the
// negotiation is read back; otherwise the state that write returned is used).
// The engine decides every move; the agent of the side to move writes the
// words, streamed into Convex as they come. With a live supplier the engine
// plays only the brand: on the supplier's turn the negotiation waits (and the
// quote's run may suspend) until the supplier's person moves in the portal.

export interface MessageEvent {
  phase: "started" | "finished";
  seq: number;
  sender: "brand" | "supplier";
  kind: MessageKind;
  content: string;
  offerId?: Id<"offers">;
  metadata?: MessageMetadata;
}

export interface OfferEvent {
  offerId: Id<"offers">;
  round: number;
  offeredBy: "brand" | "supplier";
  terms: Terms;
}

/** Observers of a negotiation; a throwing callback is logged, never fatal. */
export interface NegotiationCallbacks {
  onMessage?(negotiationId: Id<"negotiations">, message: MessageEvent): void | Promise<void>;
  onStatusChange?(negotiationId: Id<"negotiations">, status: NegotiationStatus): void | Promise<void>;
  onOfferReceived?(negotiationId: Id<"negotiations">, offer: OfferEvent): void | Promise<void>;
}

export interface NegotiationContext {
  quoteId: Id<"quotes">;
  runtime: NegotiationRuntime;
  /** This run's writes, under the lease epoch of its claim on the quote. */
  writer: LeasedWriter;
  /** Aborted when the run must stop without failing anything (worker stopping, lease lost). */
  signal?: AbortSignal;
  /** The quote as the caller just read it: the first turn starts from it instead of reading it again. */
  state?: QuoteState;
  /**
   * While other negotiations of the quote still run, a live one waiting on its
   * supplier keeps watching instead of returning at once: `lull` resolves once
   * every negotiation of the quote is waiting or done (live-lull.ts).
   */
  lull?: Lull;
}

/** What a waiting negotiation was when this run last read it: the quote suspends only if Convex still holds exactly this. */
export interface SeenNegotiation {
  nextSeq: number;
  currentRound: number;
  status: NegotiationStatus;
}

/** When a turn ran: for the parallelism test and the benchmark. */
export interface TurnRecord {
  party: "brand" | "supplier";
  seq: number;
  round: number;
  kind: Move["kind"];
  startedAt: number;
  endedAt: number;
}

export interface SupplierNegotiationResult {
  negotiationId: Id<"negotiations">;
  supplierId: Id<"suppliers">;
  supplierName: string;
  /** "waiting": a live negotiation on its supplier's move (or paused by the brand user); Convex holds it as `seen`. */
  status: NegotiationStatus | "waiting";
  seen?: SeenNegotiation;
  outcome?: string;
  failureReason?: string;
  rounds: number;
  openingTerms?: Terms;
  finalTerms?: Terms;
  turns: TurnRecord[];
}

const now = () => performance.timeOrigin + performance.now();
type Control = FunctionReturnType<typeof api.worker.negotiationControl>;
const MAX_CONFLICTS = 20;

export class InterruptedError extends Error {
  constructor(reason: unknown) {
    super(`negotiation interrupted: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = "InterruptedError";
  }
}

/** The error an aborted run ends with: the abort's own reason when it is one (a lost lease stays a LeaseLostError). */
export const interruption = (reason: unknown): InterruptedError => (reason instanceof InterruptedError ? reason : new InterruptedError(reason));

/**
 * Another worker claimed the quote (this one froze or lost the network past its
 * lease): Convex refuses this run's writes, and the run stops without writing
 * anything more. Its negotiations go on in the other worker.
 */
export class LeaseLostError extends InterruptedError {
  constructor(reason: unknown) {
    super(reason);
    this.name = "LeaseLostError";
  }
}

/** The quote and its negotiations, read through an outage of up to the read retry limit (backend-retry.ts). */
export async function readQuoteState(runtime: NegotiationRuntime, quoteId: Id<"quotes">, signal?: AbortSignal): Promise<QuoteState> {
  const state = await retryTransport(
    () => runtime.transport.query(api.worker.getQuoteState, { serviceKey: runtime.serviceKey, quoteId }),
    runtime.readRetry,
    { signal, onRetry: (error, attempt) => attempt === 0 && runtime.log.warn("quote read failed, retrying", { quoteId, error: String(error) }) },
  );
  if (!state) throw new Error(`quote ${quoteId} not found`);
  return state;
}

/** Someone else wrote first (CONFLICT), or closed the negotiation meanwhile (CLOSED): re-read and re-plan. */
const isConflict = (e: unknown) =>
  e instanceof ConvexError && ["CONFLICT", "CLOSED"].includes((e.data as { code?: string } | undefined)?.code ?? "");

const errorText = (e: unknown) => (e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e));

export async function runSupplierNegotiation(
  negotiationId: Id<"negotiations">,
  context: NegotiationContext,
  callbacks: NegotiationCallbacks = {},
): Promise<SupplierNegotiationResult> {
  const { runtime, signal, quoteId, writer } = context;
  const { log } = runtime;
  const turns: TurnRecord[] = [];
  let lastStatus: NegotiationStatus | undefined;
  const notify = async (what: string, fn: (() => void | Promise<void>) | undefined) => {
    try {
      await fn?.();
    } catch (error) {
      log.warn(`callback ${what} threw`, { negotiationId, error: String(error) });
    }
  };
  const emitStatus = async (status: NegotiationStatus) => {
    if (status === lastStatus) return;
    lastStatus = status;
    await notify("onStatusChange", () => callbacks.onStatusChange?.(negotiationId, status));
  };

  /** Runs one turn; returns the negotiation as the offer's write left it (undefined: read it again). */
  const takeTurn = async (
    quote: QuoteState["quote"],
    negotiation: NegotiationState,
    setup: NegotiationSetup,
    plan: PlannedTurn,
    move: Move,
  ): Promise<NegotiationState | undefined> => {
    const rivals = (context.state?.negotiations.length ?? 1) > 1;
    const brief = briefFor(move, setup, negotiation, quote, plan.history, plan.seq, rivals);
    const sender = move.party;
    const kind = messageKindOf(move);
    const header = { seq: plan.seq, sender, kind } as const;
    const stream = writer.streamMessage(negotiationId, header);
    const startedAt = now();
    const turnSignal = AbortSignal.any([AbortSignal.timeout(runtime.turnTimeoutMs), ...(signal ? [signal] : [])]);
    const { _id, name, profile } = negotiation.supplier;
    let text = "";
    let usage: Awaited<Awaited<ReturnType<Agent["stream"]>>["usage"]>;
    let reconciled: SettledMessage;
    const agent = runtime.agentFor(sender, { _id, name, profile });
    const prompt = promptFor(brief, negotiation);
    const instructions = instructionsFor(sender, negotiation);
    const failedTurn = (error: unknown) => {
      if (signal?.aborted) return interruption(signal.reason);
      if (turnSignal.aborted) return new Error(`the ${sender}'s model did not answer within ${runtime.turnTimeoutMs} ms`);
      return error instanceof Error && error.message.startsWith(`the ${sender}'s model`) ? error : new Error(`the ${sender}'s model failed: ${errorText(error)}`);
    };
    // Asked again with the engine's numbers: not streamed, since the dashboard
    // already shows the first words; the finishing write replaces them.
    const regenerate = async (correction: string) => {
      log.info("model prose did not match the engine's move; asking again", { negotiationId, seq: plan.seq });
      const again = await agent.generate(`${prompt}\n\n${correction}`, { instructions, abortSignal: turnSignal }).catch((error: unknown) => {
        throw failedTurn(error);
      });
      if (signal?.aborted || turnSignal.aborted || again.error) throw failedTurn(again.error);
      usage = sumUsage(usage, again.usage);
      return again.text;
    };
    try {
      const output = await agent.stream(prompt, { instructions, abortSignal: turnSignal });
      for await (const delta of output.textStream) {
        const first = !text.trim();
        text += delta;
        stream.append(delta);
        if (first && text.trim()) {
          await notify("onMessage", () => callbacks.onMessage?.(negotiationId, { phase: "started", ...header, content: text }));
        }
      }
      if (signal?.aborted) throw interruption(signal.reason);
      if (turnSignal.aborted) throw new Error(`the ${sender}'s model did not answer within ${runtime.turnTimeoutMs} ms`);
      if (output.error) throw new Error(`the ${sender}'s model failed: ${errorText(output.error)}`);
      usage = await output.usage;
      reconciled = await settleMessage(text, { move, setup, brief, facts: proseFactsFor(brief, plan.history, setup, quote.responseHours) }, regenerate);
    } catch (error) {
      // An interrupted run leaves the message streaming: the run that resumes
      // the quote writes it again at the same seq. Any other failure ends it
      // here, withdrawn, before the negotiation is failed.
      if (!(error instanceof InterruptedError) && !signal?.aborted) await stream.withdraw("failed").catch(() => {});
      throw error;
    }
    if (!reconciled.text.trim()) {
      await stream.withdraw("failed").catch(() => {});
      throw new Error(`the ${sender}'s model returned an empty message`);
    }
    if (reconciled.replacedByEngine) log.warn("model terms replaced by the engine's", { negotiationId, reason: reconciled.replacedByEngine });
    const metadata: MessageMetadata = {
      model: runtime.modelId,
      tokenUsage: {
        inputTokens: usage.inputTokens ?? 0,
        outputTokens: usage.outputTokens ?? 0,
        totalTokens: usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
      },
      latencyMs: Math.round(now() - startedAt),
      ...(reconciled.replacedByEngine ? { replacedByEngine: reconciled.replacedByEngine } : {}),
    };
    const content = reconciled.text;
    const finished = (offerId?: Id<"offers">) =>
      notify("onMessage", () => callbacks.onMessage?.(negotiationId, { phase: "finished", ...header, content, offerId, metadata }));

    let after: NegotiationState | undefined;
    try {
      after = await persistMove(stream, move, negotiation, content, metadata, finished);
    } catch (error) {
      // The brand user took over while this message was being written: close it
      // as withdrawn rather than leave it streaming; the turn is then re-planned.
      if (isConflict(error) && !isLeaseLost(error)) await stream.withdraw("take_over").catch(() => {});
      throw error;
    }
    turns.push({ party: sender, seq: plan.seq, round: move.round, kind: move.kind, startedAt, endedAt: now() });
    return after;
  };

  const persistMove = async (
    stream: StreamingMessage,
    move: Move,
    negotiation: NegotiationState,
    content: string,
    metadata: MessageMetadata,
    finished: (offerId?: Id<"offers">) => Promise<void>,
  ): Promise<NegotiationState | undefined> => {
    if (move.kind === "offer") {
      // The offer and its message in one write, which also returns the negotiation as it now stands.
      const { offerId, negotiation: after } = await stream.finishWithOffer(
        {
          round: move.round,
          offeredBy: move.party,
          terms: move.terms,
          ai: { generated: true, confidence: move.confidence, reasoning: move.reasoning },
        },
        { content, metadata },
      );
      await finished(offerId ?? undefined);
      if (offerId) {
        await notify("onOfferReceived", () =>
          callbacks.onOfferReceived?.(negotiationId, { offerId, round: move.round, offeredBy: move.party, terms: move.terms }),
        );
      }
      return after;
    } else if (move.kind === "accept") {
      const offerId = negotiation.currentOfferId;
      await stream.finish({ content, offerId, metadata });
      await finished(offerId);
      if (!offerId) throw new Error("no standing offer to accept");
      await writer.acceptOffer(negotiationId, offerId, move.party);
      await emitStatus("accepted");
    } else {
      await stream.finish({ content, metadata });
      await finished();
      await writer.updateNegotiationStatus(negotiationId, "impasse", { outcome: "impasse" });
      await emitStatus("impasse");
    }
    return undefined;
  };

  let final: NegotiationState | undefined;
  const control = watchQuery(runtime.transport, api.worker.negotiationControl, { serviceKey: runtime.serviceKey, negotiationId }, {
    pollMs: runtime.pollMs,
    retry: runtime.readRetry,
  });
  try {
    let conflicts = 0;
    // The negotiation as this run last saw it: from a read (for the first turn,
    // the caller's, when given), or from its own offer write. Before a turn it is
    // used as is when the control subscription shows nobody else wrote since;
    // otherwise it is read again.
    let quote = context.state?.quote as QuoteState["quote"];
    let known = context.state && findNegotiation(context.state, negotiationId);
    for (;;) {
      if (signal?.aborted) throw interruption(signal.reason);
      if (!known || !(await unchanged(control, quote, known, signal))) {
        const state = await readQuoteState(runtime, quoteId, signal);
        quote = state.quote;
        known = findNegotiation(state, negotiationId);
      }
      const negotiation = known;
      known = undefined;
      final = negotiation;
      await emitStatus(negotiation.status);
      if (TERMINAL.has(negotiation.status) || ["cancelled", "awarded", "failed"].includes(quote.status)) break;
      const setup = setupFor(quote, negotiation);
      const plan = planTurn(negotiation);
      // A live supplier's person moves in the portal: the engine plays only the
      // brand, and on the supplier's turn (or while the brand user has taken
      // over) the negotiation waits for the next move, whoever makes it.
      const live = negotiation.side === "live";
      if (live && !plan.closeOnly && (negotiation.status === "paused" || whoseTurn(setup, plan.history) === "supplier")) {
        const seen = { nextSeq: negotiation.nextSeq, currentRound: negotiation.currentRound, status: negotiation.status };
        if (await movedWhileOthersRun(control, context.lull, negotiationId, seen, signal)) continue;
        return { ...summarize(negotiationId, negotiation, turns), status: "waiting", seen };
      }
      if (plan.closeOnly) {
        // Resumed after the closing message landed but before its status did.
        if (plan.closeOnly.kind === "acceptance") {
          const offerId = plan.closeOnly.offerId ?? negotiation.currentOfferId;
          const by = negotiation.lastOfferBy === "brand" ? "supplier" : "brand";
          if (offerId) await writer.acceptOffer(negotiationId, offerId, by);
        } else {
          await writer.updateNegotiationStatus(negotiationId, "impasse", { outcome: "impasse" });
        }
        continue;
      }
      const move = live ? brandMove(brandView(setup), plan.history) : nextMove(setup, plan.history);
      if (move.party === "brand" && negotiation.status === "paused") {
        // The brand user has taken over: the brand's AI waits; the supplier still answers.
        await waitWhilePaused(control, negotiation.currentOfferId, signal);
        continue;
      }
      if (negotiation.status === "pending") {
        // Queued on the negotiation's lane ahead of the first message, so the
        // dashboard shows it started while the model thinks; the model does not
        // wait for it. Should it fail, the first message's write starts the
        // negotiation itself, or fails the turn for the same reason.
        void writer.updateNegotiationStatus(negotiationId, "active").catch((error: unknown) => {
          if (!isConflict(error)) log.warn("could not mark the negotiation active", { negotiationId, error: String(error) });
        });
        await emitStatus("active");
      }
      try {
        known = await takeTurn(quote, negotiation, setup, plan, move);
      } catch (error) {
        if (!isConflict(error) || isLeaseLost(error) || ++conflicts > MAX_CONFLICTS) throw error;
        log.info("turn conflicted with another writer; re-reading", { negotiationId, error: String(error) });
      }
    }
  } catch (error) {
    if (isLeaseLost(error)) throw new LeaseLostError(errorText(error));
    if (error instanceof InterruptedError || signal?.aborted) throw error instanceof InterruptedError ? error : interruption(signal?.reason);
    const reason = error instanceof Error ? error.message : String(error);
    log.error("negotiation failed", { negotiationId, reason });
    try {
      await writer.updateNegotiationStatus(negotiationId, "failed", { outcome: "failed", failureReason: reason.slice(0, 500) });
    } catch (writeError) {
      log.error("could not record the failure", { negotiationId, error: String(writeError) });
    }
    await emitStatus("failed");
    return summarize(negotiationId, final, turns, { status: "failed", failureReason: reason });
  } finally {
    control.close();
  }
  return summarize(negotiationId, final, turns);
}

function summarize(
  negotiationId: Id<"negotiations">,
  negotiation: NegotiationState | undefined,
  turns: TurnRecord[],
  override: { status?: NegotiationStatus; failureReason?: string } = {},
): SupplierNegotiationResult {
  const status = override.status ?? negotiation?.status ?? "failed";
  return {
    negotiationId,
    supplierId: negotiation?.supplierId as Id<"suppliers">,
    supplierName: negotiation?.supplier.name ?? "unknown supplier",
    status,
    outcome: override.status === "failed" ? "failed" : negotiation?.outcome,
    failureReason: override.failureReason ?? negotiation?.failureReason,
    ...termsOutcome(negotiation ?? { offers: [], currentTerms: undefined }, status),
    turns,
  };
}

/** How long to wait for the subscription to catch up with this run's own write before reading instead. */
const CATCH_UP_MS = 2_000;

/**
 * Whether `known` (this run's last view) is still the negotiation as Convex
 * holds it. `nextSeq` and `currentRound` only grow and every write by someone
 * else (a pause, a resume, a user message, a counter, an acceptance, a
 * walk-away) changes one of them or the status: so once the subscription has
 * caught up with this run's own last write, equal fields mean nobody else
 * wrote. A write that lands after this check is still refused by Convex
 * (CONFLICT or CLOSED) and the turn is re-planned from a fresh read.
 */
async function unchanged(control: Watch<Control>, quote: QuoteState["quote"], known: NegotiationState, signal?: AbortSignal): Promise<boolean> {
  const caughtUp = (c: Control) => c.nextSeq >= known.nextSeq && c.currentRound >= known.currentRound;
  const timeout = AbortSignal.timeout(CATCH_UP_MS);
  let c: Control;
  try {
    c = await control.next(caughtUp, signal ? AbortSignal.any([signal, timeout]) : timeout);
  } catch (error) {
    if (signal?.aborted) throw interruption(signal.reason);
    // The catch-up timeout means "read instead"; an outage past the limit is the negotiation's end.
    if (error instanceof BackendUnreachableError) throw error;
    return false;
  }
  return (
    c.nextSeq === known.nextSeq &&
    c.currentRound === known.currentRound &&
    c.status === known.status &&
    c.currentOfferId === (known.currentOfferId ?? null) &&
    c.quoteStatus === quote.status
  );
}

/**
 * While the quote's other negotiations run, whether this waiting one moved
 * (then it is read again and played on); false once they are all waiting or
 * done, or without a lull: then the negotiation returns as waiting.
 */
async function movedWhileOthersRun(
  control: Watch<Control>,
  lull: Lull | undefined,
  negotiationId: Id<"negotiations">,
  seen: SeenNegotiation,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!lull) return false;
  const quiet = new AbortController();
  void lull.idle(negotiationId).then(() => quiet.abort());
  try {
    // Ahead of what was read, not merely different: a subscription lagging behind the read is no move.
    const moved = (c: Control) =>
      c.nextSeq > seen.nextSeq ||
      c.currentRound > seen.currentRound ||
      (c.nextSeq === seen.nextSeq && c.currentRound === seen.currentRound && c.status !== seen.status) ||
      c.quoteStatus !== "negotiating";
    await control.next(moved, signal ? AbortSignal.any([signal, quiet.signal]) : quiet.signal);
    return true;
  } catch (error) {
    if (signal?.aborted) throw interruption(signal.reason);
    if (quiet.signal.aborted) return false;
    throw error;
  } finally {
    lull.busy(negotiationId);
  }
}

/**
 * Resolves once the negotiation is no longer paused, the brand user made an
 * offer (the supplier then answers it) or the quote closed: pushed by the
 * subscription, no polling. Rejects when the run is interrupted.
 */
async function waitWhilePaused(control: Watch<Control>, offerSeen: Id<"offers"> | undefined, signal?: AbortSignal): Promise<void> {
  try {
    await control.next((c) => c.status !== "paused" || c.currentOfferId !== (offerSeen ?? null) || c.quoteStatus !== "negotiating", signal);
  } catch (error) {
    if (signal?.aborted) throw interruption(signal.reason);
    throw error;
  }
}
