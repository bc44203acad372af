// How many model calls may be in flight at one provider. One worker runs up to
// 300 negotiations; a real provider (a local Ollama, or an API's rate limit)
// serves a handful at a time. Slots are per provider (its name and base URL)
// and per process, so every runtime and agent talking to one server shares them.

const DEFAULT_MODEL_CONCURRENCY = 8;

/** PARLEY_MODEL_CONCURRENCY: a positive integer, default 8; anything else is refused. */
export function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.PARLEY_MODEL_CONCURRENCY?.trim();
  if (raw === undefined || raw === "") return DEFAULT_MODEL_CONCURRENCY;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`PARLEY_MODEL_CONCURRENCY=${raw}: expected a positive integer (concurrent model calls per provider; default ${DEFAULT_MODEL_CONCURRENCY})`);
  }
  return Number(raw);
}

/** A FIFO counting semaphore whose waits can be aborted. */
export class Slots {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private limit: number) {}

  resize(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  get inUse(): number {
    return this.active;
  }

  /** Resolves with a release function (idempotent) once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          this.active++;
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
      this.drain();
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.limit && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}

const byProvider = new Map<string, Slots>();

/** The slots of one provider; the latest configured limit applies. */
export function slotsFor(provider: string, limit: number): Slots {
  let slots = byProvider.get(provider);
  if (!slots) byProvider.set(provider, (slots = new Slots(limit)));
  slots.resize(limit);
  return slots;
}
