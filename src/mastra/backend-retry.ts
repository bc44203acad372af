import { ConvexError } from "convex/values";
import { envNumber } from "./env.js";

// One definition of how the workflow rides out a Convex outage, for its reads
// and subscriptions and for the MessagePersister's writes: only transport
// errors are retried (a ConvexError is the function refusing, and retrying a
// refusal only repeats it), with exponential backoff and jitter, until the
// outage has lasted `limitMs`; then BackendUnreachableError.

export interface RetryPolicy {
  /** How long an outage may last before giving up, ms. */
  limitMs: number;
  /** First backoff, ms; doubled per attempt up to `maxMs`. */
  baseMs: number;
  maxMs: number;
}

const READ_RETRY_DEFAULT_MS = 120_000;

/** The policy of the workflow's reads and subscriptions (the runtime's `readRetry`), from PARLEY_BACKEND_OUTAGE_MS. */
export function readRetryPolicy(env: NodeJS.ProcessEnv): RetryPolicy {
  const limitMs = envNumber(env.PARLEY_BACKEND_OUTAGE_MS) ?? READ_RETRY_DEFAULT_MS;
  return { limitMs, baseMs: Math.min(100, limitMs / 4), maxMs: 2_000 };
}

/** "2 min", "4 s" or "300 ms": how failure reasons state the limit. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}

export class BackendUnreachableError extends Error {
  constructor(
    readonly limitMs: number,
    override readonly cause: unknown,
  ) {
    super(`backend unreachable for ${formatDuration(limitMs)}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "BackendUnreachableError";
  }
}

const TRANSPORT_CODES = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_/;
const TRANSPORT_TEXT = /fetch failed|socket hang up|network|timed? ?out|timeout|\b5\d\d\b|Service Unavailable|Bad Gateway|InternalServerError/i;

/** Connection refused, fetch failed, timeouts, 5xx: the backend was not reached or not itself. */
export function isTransportError(error: unknown): boolean {
  if (error instanceof ConvexError || error instanceof BackendUnreachableError) return false;
  // A function's own failure (an uncaught throw, a validator) also arrives as a
  // plain Error over HTTP; its text names it.
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (/Uncaught |ArgumentValidationError|ReturnsValidationError|Could not find public function/.test(text)) return false;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const causeText = cause ? `${String(cause.code ?? "")} ${String(cause.message ?? "")}` : "";
  return TRANSPORT_CODES.test(text + causeText) || TRANSPORT_TEXT.test(text + causeText);
}

/** The wait before retry `attempt` (0-based): exponential, with jitter in [50 %, 100 %]. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 16));
  return ceiling * (0.5 + Math.random() / 2);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(1, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryOptions {
  /**
   * When the outage began. Shared by calls that belong together (a persister
   * lane: an outage spans its queued writes); by default the call's own first
   * failure. Cleared on success.
   */
  outage?: { since?: number };
  /** Which errors to retry; default isTransportError. */
  retryable?: (error: unknown) => boolean;
  signal?: AbortSignal;
  onRetry?(error: unknown, attempt: number): void;
  onRecovered?(): void;
}

/** Runs `op` until it succeeds, a non-retryable error, an abort, or an outage past the limit. */
export async function retryTransport<T>(op: () => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const outage = options.outage ?? {};
  const retryable = options.retryable ?? isTransportError;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await op();
      if (outage.since !== undefined) {
        outage.since = undefined;
        options.onRecovered?.();
      }
      return result;
    } catch (error) {
      if (!retryable(error)) throw error;
      const now = Date.now();
      outage.since ??= now;
      const left = policy.limitMs - (now - outage.since);
      if (left <= 0) throw new BackendUnreachableError(policy.limitMs, error);
      options.onRetry?.(error, attempt);
      await abortableSleep(Math.min(backoffMs(policy, attempt), left), options.signal);
    }
  }
}
