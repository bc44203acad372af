// Runs scheduled functions from the persisted `_scheduled_functions` table and
// the crons of `crons.ts`. A scheduled mutation marks its job `success` in its
// own transaction (exactly once); a scheduled action is marked `inProgress`
// first and, if the process dies while it runs, `failed` on restart (at most
// once), as in Convex.
import type { JSONValue, Value } from "convex/values";
import { convexToJson } from "convex/values";
import { kindOf } from "./modules.js";
import { jobTarget } from "./components.js";
import type { Runtime } from "./runtime.js";
import type { Doc } from "./store.js";
import { encodeTuple, prefixEnd } from "./values.js";

const MAX_TIMER_MS = 30_000;

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private rerun = false;
  private stopped = false;
  private cronTimers: NodeJS.Timeout[] = [];
  private actionsInFlight = new Set<Promise<unknown>>();

  constructor(
    private runtime: Runtime,
    private log: (line: string) => void,
  ) {}

  async start() {
    // Actions that were running when the process stopped did not finish.
    const stuck = await this.runtime.lock.run(async () => this.jobsIn("inProgress", Infinity, 10_000));
    if (stuck.length > 0) {
      await this.runtime.inOwnTransaction(() => {
        for (const job of stuck) {
          this.runtime.systemWrite(job._id, (prev) => ({ ...prev, state: { kind: "failed", error: "Transient error while executing action" }, completedTime: Date.now() }) as Doc);
        }
      });
    }
    this.poke();
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.cronTimers) clearTimeout(t);
    this.cronTimers = [];
    await Promise.allSettled([...this.actionsInFlight]);
  }

  /** Something was scheduled or time passed: run due jobs and re-arm. */
  poke() {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.runDue()
      .catch((err) => this.log(`[ERROR] scheduler: ${err?.stack ?? err}`))
      .finally(() => {
        this.running = false;
        if (this.rerun) {
          this.rerun = false;
          this.poke();
        }
      });
  }

  private jobsIn(kind: string, until: number, limit: number): Doc[] {
    const lo = encodeTuple([kind]);
    const store = this.runtime.store;
    // The app's jobs and each component's (components.ts): a job's name is relative to its component.
    const jobs: Doc[] = [];
    for (const { index, component } of this.runtime.jobIndexes()) {
      if (!store.index(index)) continue;
      for (const r of store.scan(index, lo, prefixEnd(lo), "asc", limit)) {
        const j = JSON.parse(r.json);
        if (j.scheduledTime <= until) jobs.push(component === "" ? j : { ...j, name: jobTarget(component, j.name) });
      }
    }
    return jobs.sort((a, b) => (a.scheduledTime as number) - (b.scheduledTime as number)).slice(0, limit);
  }

  private async runDue() {
    for (;;) {
      if (this.stopped) return;
      const now = Date.now();
      const due = await this.runtime.lock.run(async () => this.jobsIn("pending", now, 50));
      if (due.length === 0) break;
      for (const job of due) await this.runJob(job);
    }
    const next = await this.runtime.lock.run(async () => this.jobsIn("pending", Infinity, 1));
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const delay = next.length ? Math.max(0, Math.min(MAX_TIMER_MS, (next[0].scheduledTime as number) - Date.now())) : MAX_TIMER_MS;
    this.timer = setTimeout(() => this.poke(), delay);
    this.timer.unref();
  }

  private async runJob(job: Doc) {
    const name = job.name as string;
    const args = ((job.args as JSONValue[])[0] ?? {}) as JSONValue;
    const fn = this.runtime.loaded ? this.runtime.resolveOrNull(name) : null;
    const markDone = (state: Record<string, Value>) => (prev: Doc) => ({ ...prev, state, completedTime: Date.now() }) as Doc;
    if (!fn) {
      await this.runtime.inOwnTransaction(() => this.runtime.systemWrite(job._id, markDone({ kind: "failed", error: `Function ${name} not found` })));
      return;
    }
    const kind = kindOf(fn);
    if (kind === "mutation") {
      const outcome = await this.runtime.runMutation(name, args, {
        allowInternal: true,
        scheduledJobId: job._id,
        beforeCommit: () => this.runtime.systemWrite(job._id, markDone({ kind: "success" })),
      });
      if (!outcome.ok) {
        this.log(`[ERROR] scheduled mutation ${name} failed: ${outcome.errorMessage}`);
        await this.runtime.inOwnTransaction(() => this.runtime.systemWrite(job._id, markDone({ kind: "failed", error: outcome.errorMessage })));
      }
      return;
    }
    await this.runtime.inOwnTransaction(() => this.runtime.systemWrite(job._id, (prev) => ({ ...prev, state: { kind: "inProgress" } }) as Doc));
    const p = (async () => {
      const outcome = kind === "action" ? await this.runtime.runAction(name, args, { allowInternal: true, scheduledJobId: job._id }) : await this.runtime.runQuery(name, args, { allowInternal: true });
      if (!outcome.ok) this.log(`[ERROR] scheduled ${kind} ${name} failed: ${outcome.errorMessage}`);
      await this.runtime.inOwnTransaction(() =>
        this.runtime.systemWrite(job._id, (prev) =>
          (prev.state as { kind: string }).kind === "canceled" ? prev : markDone(outcome.ok ? { kind: "success" } : { kind: "failed", error: outcome.errorMessage })(prev),
        ),
      );
    })().catch((err) => this.log(`[ERROR] scheduled ${name}: ${err?.stack ?? err}`));
    this.actionsInFlight.add(p);
    void p.finally(() => this.actionsInFlight.delete(p));
  }

  // ---- crons -------------------------------------------------------------------
  setCrons(crons: { crons?: Record<string, { name: string; args: JSONValue[]; schedule: any }> } | null) {
    for (const t of this.cronTimers) clearTimeout(t);
    this.cronTimers = [];
    if (!crons?.crons || this.stopped) return;
    for (const [id, cron] of Object.entries(crons.crons)) this.armCron(id, cron);
  }

  private armCron(id: string, cron: { name: string; args: JSONValue[]; schedule: any }) {
    if (this.stopped) return;
    const metaKey = `cron:${id}:${JSON.stringify(cron.schedule)}`;
    const saved = this.runtime.store.getMeta(metaKey);
    const next = saved !== null ? Number(saved) : nextCronTime(cron.schedule, Date.now());
    const setMeta = (v: number) => void this.runtime.lock.run(async () => this.runtime.store.setMeta(metaKey, String(v)));
    if (saved === null) setMeta(next);
    const timer = setTimeout(async () => {
      setMeta(nextCronTime(cron.schedule, Math.max(Date.now(), next)));
      const fn = this.runtime.resolveOrNull(cron.name);
      if (fn) {
        const args = (cron.args?.[0] ?? {}) as JSONValue;
        const kind = kindOf(fn);
        const run = kind === "mutation" ? this.runtime.runMutation : kind === "action" ? this.runtime.runAction : this.runtime.runQuery;
        const outcome = await run.call(this.runtime, cron.name, args, { allowInternal: true });
        if (!outcome.ok) this.log(`[ERROR] cron ${id} (${cron.name}) failed: ${outcome.errorMessage}`);
      } else {
        this.log(`[ERROR] cron ${id}: function ${cron.name} not found`);
      }
      this.armCron(id, cron);
    }, Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1));
    timer.unref();
    this.cronTimers.push(timer);
  }
}

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** The next time (ms, UTC) a Convex cron schedule fires after `after`. */
function nextCronTime(s: any, after: number): number {
  switch (s.type) {
    case "interval": {
      const ms = ((s.seconds ?? 0) + (s.minutes ?? 0) * 60 + (s.hours ?? 0) * 3600) * 1000;
      return after + Math.max(ms, 1000);
    }
    case "hourly":
      return nextMatching(after, (d) => d.getUTCMinutes() === (s.minuteUTC ?? 0));
    case "daily":
      return nextMatching(after, (d) => d.getUTCHours() === s.hourUTC && d.getUTCMinutes() === (s.minuteUTC ?? 0));
    case "weekly":
      return nextMatching(after, (d) => DAYS[d.getUTCDay()] === s.dayOfWeek && d.getUTCHours() === s.hourUTC && d.getUTCMinutes() === (s.minuteUTC ?? 0));
    case "monthly":
      return nextMatching(after, (d) => d.getUTCDate() === s.day && d.getUTCHours() === s.hourUTC && d.getUTCMinutes() === (s.minuteUTC ?? 0));
    case "cron": {
      const [min, hour, dom, mon, dow] = String(s.cron).trim().split(/\s+/).map((f, i) => parseCronField(f, [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]][i] as [number, number]));
      return nextMatching(after, (d) => min.has(d.getUTCMinutes()) && hour.has(d.getUTCHours()) && dom.has(d.getUTCDate()) && mon.has(d.getUTCMonth() + 1) && dow.has(d.getUTCDay()));
    }
    default:
      throw new Error(`Unknown cron schedule ${JSON.stringify(convexToJson(s))}`);
  }
}

function nextMatching(after: number, ok: (d: Date) => boolean): number {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 60 * 24 * 366; i++, t += 60_000) if (ok(new Date(t))) return t;
  throw new Error("Cron schedule never fires");
}

function parseCronField(field: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const [range, stepStr] = part.split("/");
    const step = stepStr ? Number(stepStr) : 1;
    let [a, b] = range === "*" ? [lo, hi] : range.split("-").map(Number);
    if (b === undefined) b = stepStr ? hi : a;
    for (let v = a; v <= b; v += step) out.add(v === 7 && hi === 6 ? 0 : v);
  }
  return out;
}
