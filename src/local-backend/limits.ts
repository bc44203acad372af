// Convex's transaction limits (docs.convex.dev/production/state/limits), per
// query or mutation, with Convex's own words when one is passed:
// documents and bytes read (a document a filter drops still counts), index
// ranges read (each db.get and db.query), documents and bytes written,
// functions scheduled and the total size of their arguments. A nested
// ctx.runQuery / ctx.runMutation counts towards its caller's transaction, and
// may lower its own limits with `transactionLimits`; ctx.meta.getTransactionMetrics()
// reports what is used and what remains.
//
// A limit is checked as the read or write happens, and again when the function
// returns: user code that catches the error cannot commit past a limit.

export const METRICS = [
  "bytesRead",
  "bytesWritten",
  "databaseQueries",
  "documentsRead",
  "documentsWritten",
  "functionsScheduled",
  "scheduledFunctionArgsBytes",
  "filesWritten",
  "fileWriteBytes",
  "filesRead",
  "fileReadBytes",
] as const;
export type Metric = (typeof METRICS)[number];
export type Limits = Record<Metric, number>;

const MiB = 1024 * 1024;

/** Convex's defaults (its knobs of the same meaning). File metrics are not limited per transaction. */
export const DEFAULT_LIMITS: Limits = {
  bytesRead: 16 * MiB,
  bytesWritten: 16 * MiB,
  databaseQueries: 4096,
  documentsRead: 32_000,
  documentsWritten: 16_000,
  functionsScheduled: 1000,
  scheduledFunctionArgsBytes: 16 * MiB,
  filesWritten: Number.MAX_SAFE_INTEGER,
  fileWriteBytes: Number.MAX_SAFE_INTEGER,
  filesRead: Number.MAX_SAFE_INTEGER,
  fileReadBytes: Number.MAX_SAFE_INTEGER,
};

const OVER_LIMIT_HELP =
  "Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.";

function message(metric: Metric, limit: number): string {
  switch (metric) {
    case "documentsRead":
      return `Too many documents read in a single function execution (limit: ${limit}). ${OVER_LIMIT_HELP}`;
    case "bytesRead":
      return `Too many bytes read in a single function execution (limit: ${limit} bytes). ${OVER_LIMIT_HELP}`;
    case "databaseQueries":
      return `Too many reads in a single function execution (limit: ${limit}). ${OVER_LIMIT_HELP}`;
    case "documentsWritten":
      return `Too many writes in a single function execution (limit: ${limit})`;
    case "bytesWritten":
      return `Too many bytes written in a single function execution (limit: ${limit} bytes)`;
    case "functionsScheduled":
      return `Too many functions scheduled by this mutation (limit: ${limit})`;
    case "scheduledFunctionArgsBytes":
      return `Too large total size of the arguments of scheduled functions from this mutation (limit: ${limit} bytes)`;
    default:
      return `Too much ${metric} in a single function execution (limit: ${limit})`;
  }
}

/** What one transaction (or a nested call within it) has used, against its limits. */
export class Usage {
  private readonly used: Record<Metric, number> = Object.fromEntries(METRICS.map((m) => [m, 0])) as Record<Metric, number>;
  /** The first limit passed, kept so that catching the error does not let the function commit. */
  private passed: string | null = null;

  constructor(
    private readonly limits: Limits,
    private readonly parent: Usage | null = null,
  ) {}

  /** A nested call's usage: it counts towards this one, within `given` (which can only lower the limits). */
  child(given?: Partial<Record<string, unknown>>): Usage {
    const limits = { ...this.remainingLimits() };
    for (const m of METRICS) {
      const v = given?.[m];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) limits[m] = Math.min(limits[m], v);
    }
    return new Usage(limits, this);
  }

  private remainingLimits(): Limits {
    return Object.fromEntries(METRICS.map((m) => [m, Math.max(0, this.limits[m] - this.used[m])])) as Limits;
  }

  /** Counts `amount` of `metric` here and in every enclosing call; throws once a limit is passed. */
  add(metric: Metric, amount = 1): void {
    for (let u: Usage | null = this; u; u = u.parent) {
      u.used[metric] += amount;
      if (u.used[metric] > u.limits[metric]) {
        u.passed ??= message(metric, u.limits[metric]);
        if (u !== this) this.passed ??= u.passed;
      }
    }
    if (this.passed) throw new Error(this.passed);
  }

  /** Throws the first limit passed, if any: the function cannot return past it. */
  check(): void {
    for (let u: Usage | null = this; u; u = u.parent) if (u.passed) throw new Error(u.passed);
  }

  /** `ctx.meta.getTransactionMetrics()`: used and remaining, per metric. */
  metrics(): Record<Metric, { used: number; remaining: number }> {
    return Object.fromEntries(METRICS.map((m) => [m, { used: this.used[m], remaining: Math.max(0, this.limits[m] - this.used[m]) }])) as Record<
      Metric,
      { used: number; remaining: number }
    >;
  }
}
