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
    return this.enqueue(negotiationId, () =>
      this.transport.mutation(api.ingest.appendMessage, { serviceKey: this.serviceKey, negotiationId, ...message }),
    );
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
    return this.enqueue(negotiationId, () =>
      this.transport.mutation(api.ingest.recordOffer, { serviceKey: this.serviceKey, negotiationId, ...offer }),
    );
  }

  acceptOffer(negotiationId: Id<"negotiations">, offerId: Id<"offers">, by: "brand" | "supplier"): Promise<unknown> {
    return this.enqueue(negotiationId, () =>
      this.transport.mutation(api.ingest.acceptOffer, { serviceKey: this.serviceKey, negotiationId, offerId, by }),
    );
  }

  updateNegotiationStatus(
    negotiationId: Id<"negotiations">,
    status: NegotiationStatus,
    extra: { outcome?: NegotiationOutcome; failureReason?: string } = {},
  ): Promise<unknown> {
    return this.enqueue(negotiationId, () =>
      this.transport.mutation(api.ingest.updateNegotiationStatus, {
        serviceKey: this.serviceKey,
        negotiationId,
        status,
        ...extra,
      }),
    );
  }

  setRecommendation(quoteId: Id<"quotes">, recommendation: ConvexRecommendation): Promise<unknown> {
    return this.enqueue(quoteId, () =>
      this.transport.mutation(api.ingest.setRecommendation, { serviceKey: this.serviceKey, quoteId, recommendation }),
    );
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

/**
 * One streaming message. `setText` with the text so far; the first non-blank
 * text creates the message, later texts are written at most once per
 * `throttleMs` (the latest text wins), `finish` writes the final text and
 * metadata. A write that waits in the lane reads the newest text when it runs.
 */
export class StreamingMessage {
  private text = "";
  private started = false;
  private finished = false;
  private timer?: ReturnType<typeof setTimeout>;
  private updateQueued = false;
  private lastWriteAt = 0;
  private lastWrittenText?: string;
  private startPromise?: Promise<unknown>;

  constructor(
    private readonly persister: MessagePersister,
    private readonly negotiationId: Id<"negotiations">,
    private readonly header: { seq: number; sender: MessageSender; kind: MessageKind },
  ) {}

  append(delta: string): void {
    this.setText(this.text + delta);
  }

  setText(text: string): void {
    if (this.finished) return;
    this.text = text;
    if (!this.started) {
      if (!text.trim()) return;
      this.started = true;
      this.startPromise = this.write("start");
      // A failure surfaces on finish(); keep it from being an unhandled rejection.
      this.startPromise.catch(() => {});
      return;
    }
    if (this.timer || this.updateQueued) return;
    const wait = Math.max(0, this.lastWriteAt + this.persister.throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.updateQueued = true;
      this.write("update").catch(() => {});
    }, wait);
  }

  async finish(final: { content?: string; offerId?: Id<"offers">; metadata?: MessageMetadata } = {}): Promise<Id<"messages">> {
    if (final.content !== undefined) this.text = final.content;
    this.close();
    const { transport, serviceKey } = this.persister.transportForStreaming;
    const { negotiationId } = this;
    const content = this.text;
    if (!this.started) {
      return this.persister.persistMessage(negotiationId, {
        ...this.header,
        content,
        offerId: final.offerId,
        metadata: final.metadata,
      });
    }
    // A refused start (e.g. CONFLICT: the brand user took over) is this message's failure.
    await this.startPromise;
    return await this.persister.enqueue(negotiationId, () =>
      transport.mutation(api.ingest.finishMessage, {
        serviceKey,
        negotiationId,
        seq: this.header.seq,
        content,
        offerId: final.offerId,
        metadata: final.metadata,
      }),
    );
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
    if (!this.started) {
      // Never started (no words streamed): the offer, then the whole message.
      const offerId = await this.persister.recordOffer(negotiationId, offer);
      await this.persister.persistMessage(negotiationId, { ...this.header, content: final.content, offerId: offerId ?? undefined, metadata: final.metadata });
      return { offerId };
    }
    await this.startPromise;
    const { transport, serviceKey } = this.persister.transportForStreaming;
    const result = await this.persister.enqueue(negotiationId, () =>
      transport.mutation(api.ingest.finishOfferMessage, {
        serviceKey,
        negotiationId,
        seq: this.header.seq,
        content: final.content,
        ...(final.metadata ? { metadata: final.metadata } : {}),
        ...offer,
      }),
    );
    return { offerId: result.offerId, negotiation: result.negotiation };
  }

  /** No more text: a pending throttled update is dropped (the finishing write carries the final text). */
  private close(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private write(what: "start" | "update"): Promise<unknown> {
    const { transport, serviceKey } = this.persister.transportForStreaming;
    const { negotiationId, header } = this;
    return this.persister.enqueue(negotiationId, () => {
      this.lastWriteAt = Date.now();
      if (what === "update") this.updateQueued = false;
      if (what === "start") {
        const content = this.text;
        return transport
          .mutation(api.ingest.startMessage, { serviceKey, negotiationId, ...header, content })
          .then((r) => ((this.lastWrittenText = content), r));
      }
      // The start (or an earlier update) may already have carried the newest
      // text, or the message is finished and its finish, queued behind this
      // update, carries the final text: a round trip saved either way.
      if (this.finished || this.text === this.lastWrittenText) return Promise.resolve(null);
      const content = this.text;
      return transport
        .mutation(api.ingest.updateMessageText, { serviceKey, negotiationId, seq: header.seq, content })
        .then((r) => ((this.lastWrittenText = content), r));
    });
  }
}
