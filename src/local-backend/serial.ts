// The runtime's lock: tasks run one at a time in arrival order, which makes
// queries and mutations serializable. Tasks have a kind, and a hook runs before
// each task, so mutations can share an open transaction until another kind of
// task needs the lock (group commit, see Runtime.runMutation).
type Task = { fn: () => Promise<unknown>; resolve: (v: any) => void; reject: (e: unknown) => void; kind: TaskKind };
export type TaskKind = "mutation" | "other";

export class Serial {
  private queue: Task[] = [];
  private running = false;
  /** Runs before each task starts. */
  beforeTask: ((kind: TaskKind) => void) | null = null;

  run<T>(fn: () => Promise<T>, kind: TaskKind = "other"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject, kind });
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain() {
    while (this.queue.length > 0) {
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
