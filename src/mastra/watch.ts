import type { DefaultFunctionArgs, FunctionReference } from "convex/server";
import { backoffMs, BackendUnreachableError, isTransportError, retryTransport, type RetryPolicy } from "./backend-retry.js";
import type { ConvexTransport } from "./convex-transport.js";

// Waiting for Convex to change: a subscription when the transport has one (the
// official ConvexClient), so a waiting negotiation costs nothing until the
// brand user acts; polling only on transports without subscriptions
// (convex-test in unit tests). Both ride out an outage under `retry`: polls
// are retried; a subscription survives a lost connection (the client
// reconnects, and a transport error resubscribes), but once the backend has
// been away for `retry.limitMs` the waiters reject with BackendUnreachableError.

export interface Watch<R> {
  /** The newest value pushed so far (always undefined when polling). */
  latest(): R | undefined;
  /** Resolves with the first value that satisfies `until` (the current one included); rejects on abort. */
  next(until: (value: R) => boolean, signal?: AbortSignal): Promise<R>;
  close(): void;
}

interface Waiter<R> {
  until: (value: R) => boolean;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export function watchQuery<A extends DefaultFunctionArgs, R>(
  transport: ConvexTransport,
  fn: FunctionReference<"query", "public", A, R>,
  args: A,
  options: { pollMs: number; retry: RetryPolicy },
): Watch<R> {
  if (!transport.onUpdate) return pollingWatch(transport, fn, args, options);
  const onUpdate = transport.onUpdate.bind(transport);
  const policy = options.retry;
  let value: { current: R } | undefined;
  const waiters = new Set<Waiter<R>>();
  const settle = (waiter: Waiter<R>, outcome: () => void) => {
    waiters.delete(waiter);
    outcome();
  };
  const rejectAll = (error: unknown) => {
    for (const w of [...waiters]) settle(w, () => w.reject(error));
  };

  // The outage: its limit timer, and the error once it has passed the limit.
  let outageTimer: ReturnType<typeof setTimeout> | undefined;
  let unreachable: BackendUnreachableError | undefined;
  const outageBegan = (cause: unknown) => {
    if (outageTimer || unreachable) return;
    outageTimer = setTimeout(() => {
      outageTimer = undefined;
      unreachable = new BackendUnreachableError(policy.limitMs, cause);
      rejectAll(unreachable);
    }, policy.limitMs);
  };
  const outageEnded = () => {
    clearTimeout(outageTimer);
    outageTimer = undefined;
    unreachable = undefined;
  };

  let unsubscribe = () => {};
  let resubscribe: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const subscribe = () => {
    unsubscribe = onUpdate(
      fn,
      args,
      (v) => {
        outageEnded();
        attempt = 0;
        value = { current: v };
        for (const w of [...waiters]) if (w.until(v)) settle(w, () => w.resolve(v));
      },
      (error) => {
        // The query refused (a ConvexError, a bug): the waiters' failure.
        if (!isTransportError(error)) return rejectAll(error);
        outageBegan(error);
        unsubscribe();
        resubscribe = setTimeout(subscribe, backoffMs(policy, attempt++));
      },
    );
  };
  subscribe();
  const stopConnectionWatch = transport.onConnectionChange?.((connected) =>
    connected ? outageEnded() : outageBegan(new Error("lost the connection to Convex")),
  );

  return {
    latest: () => value?.current,
    next(until, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (unreachable) return Promise.reject(unreachable);
      if (value && until(value.current)) return Promise.resolve(value.current);
      return new Promise<R>((resolve, reject) => {
        const onAbort = () => settle(waiter, () => reject(signal?.reason));
        const waiter: Waiter<R> = {
          until,
          resolve: (v) => (signal?.removeEventListener("abort", onAbort), resolve(v)),
          reject: (e) => (signal?.removeEventListener("abort", onAbort), reject(e)),
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.add(waiter);
      });
    },
    close() {
      clearTimeout(resubscribe);
      clearTimeout(outageTimer);
      stopConnectionWatch?.();
      unsubscribe();
      rejectAll(new Error("watch closed"));
    },
  };
}

function pollingWatch<A extends DefaultFunctionArgs, R>(
  transport: ConvexTransport,
  fn: FunctionReference<"query", "public", A, R>,
  args: A,
  options: { pollMs: number; retry: RetryPolicy },
): Watch<R> {
  let closed = false;
  return {
    latest: () => undefined,
    async next(until, signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        if (closed) throw new Error("watch closed");
        const value = await retryTransport(() => transport.query(fn, args), options.retry, { signal });
        if (until(value)) return value;
        await new Promise((r) => setTimeout(r, options.pollMs));
      }
    },
    close() {
      closed = true;
    },
  };
}
