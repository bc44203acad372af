import type { FunctionArgs, FunctionReference, FunctionReturnType } from "convex/server";
import { ConvexError } from "convex/values";
import { api } from "../../../convex/_generated/api.js";
import type { Id } from "../../../convex/_generated/dataModel.js";
import type { Terms } from "../../negotiation/types.js";
import { BackendUnreachableError, retryTransport, type RetryPolicy } from "../backend-retry.js";
import type {
  ConvexRecommendation,
  ConvexTransport,
  MessageKind,
  MessageMetadata,
  MessageSender,
  NegotiationOutcome,
  NegotiationState,
  NegotiationStatus,
} from "../convex-transport.js";

// Writes a negotiation's messages, offers and status changes to Convex as they
// happen. Exactly once, in order: each negotiation has one ordered lane of
// writes; every write carries the negotiation's seq (or round) so the server
// dedupes a retry whose first attempt did land; a write that hits a transport
// error is retried (backend-retry.ts, the policy the reads use too) until it
// lands, and the lane waits for it, so nothing overtakes it. If the backend
// stays unreachable for longer than the delivery bound, the lane fails with a
// PersistenceError: every queued and later write rejects with it, nothing is
// dropped silently.

export interface PersisterLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface MessagePersisterOptions {
  transport: ConvexTransport;
  serviceKey: string;
  /** Minimum gap between two text writes of one streaming message (default 100 ms). */
  throttleMs?: number;
  /** How long a lane may fail to deliver before the negotiation is failed (default 60 s). */
  deliveryTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: PersisterLog;
}

export class PersistenceError extends Error {
  constructor(
    message: string,
    readonly lane: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "PersistenceError";
  }
}

interface Lane {
  tail: Promise<void>;
  failed?: PersistenceError;
  /** When the current run of failed attempts began; unset while writes land. */
  outage: { since?: number };
  pending: number;
}

export interface PersisterStats {
  writes: number;
  retries: number;
  pending: number;
}

export class MessagePersister {
  readonly throttleMs: number;
  private readonly transport: ConvexTransport;
  private readonly serviceKey: string;
  private readonly retry: RetryPolicy;
  private readonly log?: PersisterLog;
  private readonly lanes = new Map<string, Lane>();
  private readonly counters = { writes: 0, retries: 0 };

  constructor(options: MessagePersisterOptions) {
    this.transport = options.transport;
    this.serviceKey = options.serviceKey;
    this.throttleMs = options.throttleMs ?? 100;
    this.retry = { limitMs: options.deliveryTimeoutMs ?? 60_000, baseMs: options.retryBaseMs ?? 50, maxMs: options.retryMaxMs ?? 2_000 };
    this.log = options.log;
  }

  stats(): PersisterStats {
    let pending = 0;
    for (const lane of this.lanes.values()) pending += lane.pending;
    return { ...this.counters, pending };
  }

  /** The lane's failure, if its writes could not be delivered in time. */
  laneFailure(key: string): PersistenceError | undefined {
    return this.lanes.get(key)?.failed;
  }

  /** Resolves when every write queued so far on `key` (or on every lane) has settled. */
  async flush(key?: string): Promise<void> {
    const lanes = key ? [this.lanes.get(key)].filter((l): l is Lane => !!l) : [...this.lanes.values()];
    await Promise.all(lanes.map((l) => l.tail));
  }

  /**
   * The writes of one quote's run, under the lease epoch its claim returned
   * (worker.claimQuote): Convex takes them only while that epoch is the quote's
   * current one. `onLeaseLost` is called once when Convex refuses one because
   * another worker has since claimed the quote.
   */
  withLease(leaseEpoch: number, onLeaseLost?: (error: unknown) => void): LeasedWriter {
    return new LeasedWriter(this, leaseEpoch, onLeaseLost);
  }

  /** @internal Used by StreamingMessage; runs `op` after every earlier write on the lane. */
  enqueue<T>(key: string, op: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), outage: {}, pending: 0 };
      this.lanes.set(key, lane);
    }
    const l = lane;
    l.pending++;
    const run = l.tail.then(() => {
      if (l.failed) throw l.failed;
      return this.deliver(key, l, op);
    });
    l.tail = run.then(
      () => {
        l.pending--;
      },
      () => {
        l.pending--;
      },
    );
    return run;
  }

  private async deliver<T>(key: string, lane: Lane, op: () => Promise<T>): Promise<T> {
    try {
      const result = await retryTransport(op, this.retry, {
        outage: lane.outage,
        onRetry: (error, attempt) => {
          this.counters.retries++;
          if (attempt === 0) this.log?.warn("persister: write failed, retrying", { lane: key, error: String(error) });
        },
        onRecovered: () => this.log?.info("persister: backend reachable again", { lane: key }),
      });
      this.counters.writes++;
      return result;
    } catch (error) {
      if (!(error instanceof BackendUnreachableError)) throw error;
      const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
      lane.failed = new PersistenceError(`could not persist to Convex for ${Math.round(this.retry.limitMs / 1000)} s: ${reason}`, key, error.cause);
      this.log?.error("persister: giving up on lane", { lane: key, reason });
      throw lane.failed;
    }
  }

  /** @internal */
  get transportForStreaming(): { transport: ConvexTransport; serviceKey: string } {
    return { transport: this.transport, serviceKey: this.serviceKey };
  }
}

/** Convex refused a write because the quote's lease now belongs to another worker (ingest's CONFLICT on `leaseEpoch`). */
export function isLeaseLost(error: unknown): boolean {
  const data = (error as { data?: { code?: string; field?: string } } | undefined)?.data;
  return error instanceof ConvexError && data?.code === "CONFLICT" && data.field === "leaseEpoch";
}

type IngestArgs<F extends FunctionReference<"mutation">> = Omit<FunctionArgs<F>, "serviceKey" | "leaseEpoch">;

/** One run's writes: each carries the service key and the run's lease epoch, on the lane of its negotiation (or quote). */
export class LeasedWriter {
  private lost = false;

  constructor(
    readonly persister: MessagePersister,
    readonly leaseEpoch: number,
    private readonly onLeaseLost?: (error: unknown) => void,
  ) {}

  /** @internal Queues the mutation `fn` on lane `key`, with the key and the epoch added. */
  call<F extends FunctionReference<"mutation">>(key: string, fn: F, args: IngestArgs<F>): Promise<FunctionReturnType<F>> {
    return this.callWhenDue(key, fn, () => args) as Promise<FunctionReturnType<F>>;
  }

  /**
   * @internal Like `call`, but the arguments are made when the write's turn in
   * the lane comes (null: nothing to write), once: a retry sends the same ones.
   */
  callWhenDue<F extends FunctionReference<"mutation">>(
    key: string,
    fn: F,
    makeArgs: () => IngestArgs<F> | null,
  ): Promise<FunctionReturnType<F> | null> {
    const { transport, serviceKey } = this.persister.transportForStreaming;
    let args: IngestArgs<F> | null | undefined;
    return this.persister
      .enqueue(key, async () => {
        if (args === undefined) args = makeArgs();
        if (args === null) return null;
        return await transport.mutation(fn, { ...args, serviceKey, leaseEpoch: this.leaseEpoch } as FunctionArgs<F>);
      })
      .catch((error: unknown) => {
        if (isLeaseLost(error) && !this.lost) {
          this.lost = true;
          this.onLeaseLost?.(error);
        }
        throw error;
      });
  }

  persistMessage(
    negotiationId: Id<"negotiations">,
    message: {
      seq: number;
      sender: MessageSender;
      kind: MessageKind;
      content: string;
      offerId?: Id<"offers">;
      metadata?: MessageMetadata;
    },
  ): Promise<Id<"messages">> {
    return this.call(negotiationId, api.ingest.appendMessage, { negotiationId, ...message });
  }

  /** A message whose text arrives in pieces: created on its first words, finished with metadata. */
  streamMessage(
    negotiationId: Id<"negotiations">,
    header: { seq: number; sender: MessageSender; kind: MessageKind },
  ): StreamingMessage {
    return new StreamingMessage(this, negotiationId, header);
  }

  recordOffer(
    negotiationId: Id<"negotiations">,
    offer: {
      round: number;
      offeredBy: "brand" | "supplier";
      terms: Terms;
      ai?: { generated: boolean; confidence?: number; reasoning?: string };
    },
  ): Promise<Id<"offers"> | null> {
    return this.call(negotiationId, api.ingest.recordOffer, { negotiationId, ...offer });
  }

  acceptOffer(negotiationId: Id<"negotiations">, offerId: Id<"offers">, by: "brand" | "supplier"): Promise<unknown> {
    return this.call(negotiationId, api.ingest.acceptOffer, { negotiationId, offerId, by });
  }

  updateNegotiationStatus(
    negotiationId: Id<"negotiations">,
    status: NegotiationStatus,
    extra: { outcome?: NegotiationOutcome; failureReason?: string } = {},
  ): Promise<unknown> {
    return this.call(negotiationId, api.ingest.updateNegotiationStatus, { negotiationId, status, ...extra });
  }

  setRecommendation(quoteId: Id<"quotes">, recommendation: ConvexRecommendation): Promise<unknown> {
    return this.call(quoteId, api.ingest.setRecommendation, { quoteId, recommendation });
  }

  failQuote(quoteId: Id<"quotes">, reason: string): Promise<unknown> {
    return this.call(quoteId, api.worker.failQuote, { quoteId, reason });
  }
}

/**
 * Where a piece of streamed text may end: after whitespace or punctuation, so
 * the dashboard never shows half a word. Returns the length of `text` up to the
 * last such place at or after `from` (or `from` when there is none yet).
 */
export function wordBoundary(text: string, from: number): number {
  for (let i = text.length; i > from; i--) {
    if (/[\s.,;:!?)\]}\u2014\u2013-]/u.test(text[i - 1]!)) return i;
  }
  return from;
}

/**
 * One streaming message. `append` each piece of text as the model writes it.
 * The first non-blank text creates the message (on the next turn of the event
 * loop, so text that comes all at once is one write); later text goes to Convex as
 * append-only pieces (ingest.appendMessageText), at most one write per
 * `throttleMs` and cut on word boundaries, so the writes add up to the message
 * once, not once per update. `finish` writes the final text and metadata;
 * `withdraw` ends an unfinished message saying why. A write that waits in the
 * lane takes all the text that arrived meanwhile.
 */
export class StreamingMessage {
  private text = "";
  private started = false;
  private finished = false;
  /** How much of `text` has been handed to Convex (the start's content, then pieces). */
  private sent = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private pieceQueued = false;
  private lastWriteAt = 0;
  private startPromise?: Promise<unknown>;
  private startTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly writer: LeasedWriter,
    private readonly negotiationId: Id<"negotiations">,
    private readonly header: { seq: number; sender: MessageSender; kind: MessageKind },
  ) {}

  append(delta: string): void {
    if (this.finished) return;
    this.text += delta;
    if (this.started) return this.schedule();
    if (!this.text.trim() || this.startTimer) return;
    // The first words are written on the next turn of the event loop, with all
    // the text that came by then: a message whose text comes all at once (a
    // model that does not stream, a short answer) is finished before that, and
    // written by its finishing write alone.
    this.startTimer = setTimeout(() => this.start(), 0);
  }

  private start(): void {
    this.startTimer = undefined;
    if (this.finished || this.started) return;
    this.started = true;
    const content = this.text;
    this.sent = content.length;
    this.lastWriteAt = Date.now();
    this.startPromise = this.writer.call(this.negotiationId, api.ingest.startMessage, { negotiationId: this.negotiationId, ...this.header, content });
    // A failure surfaces on finish(); keep it from being an unhandled rejection.
    this.startPromise.catch(() => {});
  }

  async finish(final: { content?: string; offerId?: Id<"offers">; metadata?: MessageMetadata } = {}): Promise<Id<"messages">> {
    if (final.content !== undefined) this.text = final.content;
    this.close();
    const { negotiationId } = this;
    const content = this.text;
    if (!this.started) {
      return this.writer.persistMessage(negotiationId, { ...this.header, content, offerId: final.offerId, metadata: final.metadata });
    }
    // A refused start (e.g. CONFLICT: the brand user took over) is this message's failure.
    await this.startPromise;
    return await this.writer.call(negotiationId, api.ingest.finishMessage, {
      negotiationId,
      seq: this.header.seq,
      content,
      offerId: final.offerId,
      metadata: final.metadata,
    });
  }

  /**
   * Finishes an offer message and records its offer in one mutation
   * (`ingest.finishOfferMessage`): one round trip instead of two. Returns the
   * offer id (null past maxRounds) and the negotiation as it now stands.
   */
  async finishWithOffer(
    offer: { round: number; offeredBy: "brand" | "supplier"; terms: Terms; ai?: { generated: boolean; confidence?: number; reasoning?: string } },
    final: { content: string; metadata?: MessageMetadata },
  ): Promise<{ offerId: Id<"offers"> | null; negotiation?: NegotiationState }> {
    this.text = final.content;
    this.close();
    const { negotiationId } = this;
    // Never started (its text came all at once): the same write creates the message complete.
    if (this.started) await this.startPromise;
    const result = await this.writer.call(negotiationId, api.ingest.finishOfferMessage, {
      negotiationId,
      seq: this.header.seq,
      content: final.content,
      ...(final.metadata ? { metadata: final.metadata } : {}),
      ...offer,
    });
    return { offerId: result.offerId, negotiation: result.negotiation };
  }

  /**
   * Ends the message unfinished (the model failed, the brand user took over):
   * Convex replaces its text with why, so no message is left streaming. A
   * message never started has nothing to end.
   */
  async withdraw(reason: "take_over" | "failed" | "closed"): Promise<void> {
    this.close();
    if (!this.started) return;
    await this.startPromise?.catch(() => {});
    await this.writer.call(this.negotiationId, api.ingest.withdrawMessage, { negotiationId: this.negotiationId, seq: this.header.seq, reason });
  }

  /** No more text: a pending throttled piece is dropped (the finishing write carries the final text). */
  private close(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.pieceQueued) return;
    const wait = Math.max(0, this.lastWriteAt + this.writer.persister.throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pieceQueued = true;
      this.writePiece().catch(() => {});
    }, wait);
  }

  private writePiece(): Promise<unknown> {
    const { negotiationId, header } = this;
    return this.writer
      .callWhenDue(negotiationId, api.ingest.appendMessageText, () => {
        this.pieceQueued = false;
        // A finished message's final write carries the whole text: a round trip saved.
        if (this.finished) return null;
        const start = this.sent;
        const end = wordBoundary(this.text, start);
        // Only part of a word so far: the next piece that arrives looks again.
        if (end === start) return null;
        this.sent = end;
        this.lastWriteAt = Date.now();
        return { negotiationId, seq: header.seq, start, text: this.text.slice(start, end) };
      })
      .then((result) => {
        // Text that arrived while this piece was written waits for the next one.
        if (!this.finished && wordBoundary(this.text, this.sent) > this.sent) this.schedule();
        return result;
      });
  }
}
