import type { ConvexTransport } from "../../../src/mastra/convex-transport.js";
import { mulberry32 } from "../../../src/negotiation/prng.js";

// Wraps a transport with seeded faults: a call may fail before it reaches the
// backend, fail after it landed (a lost acknowledgement), be delayed, or be
// delivered twice. `down()`/`up()` simulate an unreachable backend.

export interface FaultRates {
  failBefore?: number;
  failAfter?: number;
  duplicate?: number;
  delay?: number;
  maxDelayMs?: number;
}

export function faultyTransport(inner: ConvexTransport, rates: FaultRates, seed = 1) {
  const rand = mulberry32(seed);
  let unreachable = false;
  const counts = { calls: 0, failedBefore: 0, failedAfter: 0, duplicated: 0, delayed: 0, refused: 0 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const wrap = async <R>(call: () => Promise<R>): Promise<R> => {
    counts.calls++;
    if (unreachable) {
      counts.refused++;
      throw new Error("fetch failed: connect ECONNREFUSED");
    }
    if (rand() < (rates.delay ?? 0)) {
      counts.delayed++;
      await sleep(Math.floor(rand() * (rates.maxDelayMs ?? 20)));
    }
    if (rand() < (rates.failBefore ?? 0)) {
      counts.failedBefore++;
      throw new Error("Server Error: 503 Service Unavailable");
    }
    const result = await call();
    if (rand() < (rates.duplicate ?? 0)) {
      counts.duplicated++;
      await call();
    }
    if (rand() < (rates.failAfter ?? 0)) {
      counts.failedAfter++;
      throw new Error("fetch failed: socket hang up");
    }
    return result;
  };
  const transport: ConvexTransport = {
    mutation: (fn, args) => wrap(() => inner.mutation(fn, args)),
    query: (fn, args) => wrap(() => inner.query(fn, args)),
  };
  return {
    transport,
    counts,
    down: () => {
      unreachable = true;
    },
    up: () => {
      unreachable = false;
    },
  };
}
