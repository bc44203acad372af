// The runtime's lock: tasks run one at a time in arrival order, which makes
// queries and mutations serializable. Tasks have a kind, and a hook runs before
// each task, so mutations can share an open transaction until another kind of
// task needs the lock (group commit, see Runtime.runMutation). A task may ask
// to go first (pushing committed writes to subscribers does). A long run of
// tasks gives the event loop a turn every SLICE_MS, so requests keep being
// read and timers keep firing while a backlog drains.
type Task = { fn: () => Promise<unknown>; resolve: (v: any) => void; reject: (e: unknown) => void; kind: TaskKind };
export type TaskKind = "mutation" | "other";

const SLICE_MS = 10;

export class Serial {
  private queue: Task[] = [];
  private running = false;
  /** Runs before each task starts. */
  beforeTask: ((kind: TaskKind) => void) | null = null;

  /** `first`: ahead of every task still waiting (never ahead of the one running). */
  run<T>(fn: () => Promise<T>, kind: TaskKind = "other", first = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task = { fn, resolve, reject, kind };
      if (first) this.queue.unshift(task);
      else this.queue.push(task);
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain() {
    let sliceStart = performance.now();
    while (this.queue.length > 0) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
        if (this.queue.length === 0) break;
      }
      const task = this.queue.shift()!;
      try {
        this.beforeTask?.(task.kind);
        task.resolve(await task.fn());
      } catch (e) {
        task.reject(e);
      }
    }
    this.running = false;
  }
}
