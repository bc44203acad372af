import type { DefaultFunctionArgs, FunctionReference } from "convex/server";
import type { ConvexTransport } from "./convex-transport.js";

// Waiting for Convex to change: a subscription when the transport has one (the
// official ConvexClient), so a waiting negotiation costs nothing until the
// brand user acts; polling only on transports without subscriptions
// (convex-test in unit tests).

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
  options: { pollMs: number },
): Watch<R> {
  if (!transport.onUpdate) return pollingWatch(transport, fn, args, options.pollMs);
  let value: { current: R } | undefined;
  const waiters = new Set<Waiter<R>>();
  const settle = (waiter: Waiter<R>, outcome: () => void) => {
    waiters.delete(waiter);
    outcome();
  };
  const unsubscribe = transport.onUpdate(
    fn,
    args,
    (v) => {
      value = { current: v };
      for (const w of [...waiters]) if (w.until(v)) settle(w, () => w.resolve(v));
    },
    (error) => {
      for (const w of [...waiters]) settle(w, () => w.reject(error));
    },
  );
  return {
    latest: () => value?.current,
    next(until, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
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
      unsubscribe();
      for (const w of [...waiters]) settle(w, () => w.reject(new Error("watch closed")));
    },
  };
}

function pollingWatch<A extends DefaultFunctionArgs, R>(
  transport: ConvexTransport,
  fn: FunctionReference<"query", "public", A, R>,
  args: A,
  pollMs: number,
): Watch<R> {
  let closed = false;
  return {
    latest: () => undefined,
    async next(until, signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        if (closed) throw new Error("watch closed");
        const value = await transport.query(fn, args);
        if (until(value)) return value;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    close() {
      closed = true;
    },
  };
}
