// A quote's negotiations run at once. A live one waiting on its supplier must
// not hold the quote by itself (the run would never suspend), nor give up while
// a simulated one still plays (the supplier's move would then wait for the
// whole quote): it waits until every negotiation is waiting or done.

export interface Lull {
  /** This negotiation waits; resolves once all of the quote's negotiations wait or are done. */
  idle(negotiationId: string): Promise<void>;
  /** This negotiation plays again (its supplier moved). */
  busy(negotiationId: string): void;
  /** This negotiation's run returned. */
  done(negotiationId: string): void;
}

export function createLull(negotiationIds: readonly string[]): Lull {
  const quiet = new Set<string>();
  let waiters: (() => void)[] = [];
  const check = () => {
    if (!negotiationIds.every((id) => quiet.has(id))) return;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  return {
    idle(negotiationId) {
      quiet.add(negotiationId);
      const all = new Promise<void>((resolve) => waiters.push(resolve));
      check();
      return all;
    },
    busy(negotiationId) {
      quiet.delete(negotiationId);
    },
    done(negotiationId) {
      quiet.add(negotiationId);
      check();
    },
  };
}
