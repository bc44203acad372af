// The function runtime: runs registered queries, mutations and actions through
// the `convex` package's own invoke* entry points and implements the syscalls
// they make. Queries and mutations run one at a time (a serial lock), each
// mutation in one SQLite transaction, so execution is serializable.
import { jsonToConvex, type JSONValue, type ValidatorJSON, type Value } from "convex/values";
import { randomUUID } from "node:crypto";
import { currentExec, Exec, hashString, installGlobals, type Caller } from "./context.js";
import { errorDataJson, isConvexError, SystemError } from "./errors.js";
import { kindOf, lookupFunction, parseUdfPath, type LoadedFunctions, type RegisteredFunction } from "./modules.js";
import type { ReadRange } from "./query.js";
import type { FileStorage } from "./file-storage.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import type { Doc, Store } from "./store.js";
import { Serial } from "./serial.js";
import { Syscalls } from "./syscalls.js";
import { setVectorIndexes } from "./vector-search.js";
import { check } from "./validate.js";
import { checkDocumentLimits } from "./values.js";
import { ROOT, splitQualified, splitTable, tableIn } from "./components.js";

export type Outcome =
  /** `json`: the result's JSON text, passed through to clients without re-serialising. */
  | { ok: true; json: string; logLines: string[]; ts: bigint; reads?: ReadRange[] }
  | { ok: false; errorMessage: string; errorData?: JSONValue; logLines: string[]; ts: bigint; reads?: ReadRange[] };

export type CallOptions = {
  identity?: Caller;
  /** Internal functions may be called (admin key, actions, scheduler). */
  allowInternal?: boolean;
  /** Idempotency key for a mutation sent over the sync protocol. */
  dedupe?: { session: string; request: number };
  scheduledJobId?: string;
  /** Runs inside the mutation's transaction right before it commits. */
  beforeCommit?: () => void;
};

export type RuntimeHooks = {
  onCommit: (ts: bigint) => void;
  onScheduled: () => void;
  log: (line: string) => void;
};

/** Mutations committed together in one SQLite transaction (see runMutation). */
type Group = {
  ts: bigint;
  /** When the group's transaction began (performance.now()). */
  startedAt: number;
  wrote: boolean;
  scheduled: boolean;
  commitQueued: boolean;
  done: { outcome: Outcome; resolve: (o: Outcome) => void }[];
};
const MAX_GROUP = 64;
/** A group this old commits after its current mutation, so its first writer waits no longer for the commit. */
const MAX_GROUP_MS = 4;

export class Runtime {
  ts: bigint;
  /** Bumped on every document write; open query streams refetch after it changes. */
  writeCount = 0;
  readonly lock = new Serial();
  private functions: LoadedFunctions | null = null;
  private tableValidators = new Map<string, ValidatorJSON>();
  private validatorCache = new WeakMap<object, { args: ValidatorJSON | null; returns: ValidatorJSON | null }>();
  /** Set by the syscalls when a transaction schedules a function. */
  scheduledInTx = false;
  readonly syscalls = new Syscalls(this);
  /** Built-in functions under `_system/` (canonical path → function), for the admin key. */
  systemFunctions = new Map<string, RegisteredFunction>();
  /** Convex's transaction limits, or lower ones a test set (limits.ts). */
  limits: Limits = DEFAULT_LIMITS;
  /** File storage (file-storage.ts), set once the deployment's origin is known. */
  files: FileStorage | null = null;
  /** Told of each top-level execution as it ends (admin.ts keeps the recent ones for `npx convex logs`). */
  onExecution: ((exec: Exec, error: string | null, httpRoute?: string) => void) | null = null;
  private dedupeWrites = 0;
  private group: Group | null = null;

  constructor(
    readonly store: Store,
    private hooks: RuntimeHooks,
  ) {
    installGlobals();
    // Anything but a mutation sees only committed state: close the open group first.
    this.lock.beforeTask = (kind) => {
      if (kind !== "mutation" && this.group) this.commitGroup();
    };
    const saved = store.getMeta("ts");
    const now = BigInt(Date.now()) * 1_000_000n;
    this.ts = saved !== null && BigInt(saved) > now ? BigInt(saved) : now;
  }

  setFunctions(loaded: LoadedFunctions) {
    // First: a bad vector index (the app's or a component's) throws before anything changes.
    setVectorIndexes(this.store, loaded.schema, [...(loaded.components?.values() ?? [])].map((c): [string, unknown] => [c.path, c.functions.schema]));
    this.functions = loaded;
    this.tableValidators.clear();
    const indexes: Record<string, { indexDescriptor: string; fields: string[] }[]> = {};
    this.store.searchIndexes.clear();
    // The app's schema, then each component's: a component's tables are stored under names of their own (components.ts).
    const schemas: [string, any][] = [[ROOT, loaded.schema], ...[...(loaded.components?.values() ?? [])].map((c): [string, any] => [c.path, c.functions.schema])];
    for (const [component, schema] of schemas) {
      if (!schema?.tables) continue;
      for (const [tableName, table] of Object.entries<any>(schema.tables)) {
        const name = tableIn(component, tableName);
        const exported = table.export();
        indexes[name] = exported.indexes;
        for (const s of [...(exported.searchIndexes ?? []), ...(exported.stagedSearchIndexes ?? [])] as { indexDescriptor: string; searchField: string; filterFields: string[] }[]) {
          const full = `${name}.${s.indexDescriptor}`;
          this.store.searchIndexes.set(full, { name: full, table: name, searchField: s.searchField, filterFields: s.filterFields });
        }
        if (schema.schemaValidation !== false) this.tableValidators.set(name, exported.documentType);
      }
    }
    this.store.setSchemaIndexes(indexes);
  }

  /** The installed component instances by path (none without a convex.config.ts). */
  get components() {
    return this.functions?.components;
  }

  /** Every component's scheduled-jobs index, the app's first (the scheduler runs them all). */
  jobIndexes(): { index: string; component: string }[] {
    return [ROOT, ...(this.components?.keys() ?? [])].map((component) => ({ index: `${tableIn(component, "_scheduled_functions")}.by_state_time`, component }));
  }

  /** `store.tableOfId` as `component` sees it: the table's name there, or null for an ID of another component's table. */
  tableOfIdIn(component: string): (id: string) => string | null {
    if (component === ROOT) return (id) => {
      const stored = this.store.tableOfId(id);
      return stored === null || stored.includes("@") ? null : stored;
    };
    return (id) => {
      const stored = this.store.tableOfId(id);
      if (stored === null) return null;
      const t = splitTable(stored);
      return t.component === component ? t.table : null;
    };
  }

  get loaded(): LoadedFunctions | null {
    return this.functions;
  }

  /** What `db.vars.commitTs` resolves to in the running mutation: its commit timestamp, reserved at first use. */
  private reservedCommitTs: bigint | null = null;

  commitTs(): bigint {
    return (this.reservedCommitTs ??= this.nextTs(this.group?.ts ?? this.ts));
  }

  private nextTs(after = this.ts): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    return now > after ? now : after + 1n;
  }

  // ---- resolution and validation -----------------------------------------
  resolve(udfPath: string, allowInternal: boolean): RegisteredFunction {
    // The deployment's own functions (environment.ts), for the admin key only, as on Convex.
    // A component's functions ("path@module:fn") are reached only from inside the deployment
    // (the calls and scheduler of its parent) or with the admin key, never by a client.
    const component = splitQualified(udfPath).component;
    const fn = udfPath.startsWith("_system/")
      ? (this.systemFunctions.get(parseUdfPath(udfPath).canonical) ?? null)
      : component !== ROOT && !allowInternal
        ? null
        : this.resolveOrNull(udfPath);
    if (!fn || (fn.isInternal && !allowInternal)) {
      const { component, udfPath: local } = splitQualified(udfPath);
      throw new SystemError(
        component === ROOT
          ? `Could not find public function for '${parseUdfPath(udfPath).canonical}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`
          : `Could not find public function for '${parseUdfPath(local).canonical}' in component '${component}'.`,
      );
    }
    return fn;
  }

  resolveOrNull(udfPath: string): RegisteredFunction | null {
    const { component, udfPath: local } = splitQualified(udfPath);
    const functions = component === ROOT ? this.functions : this.functions?.components?.get(component)?.functions;
    return functions ? lookupFunction(functions, local) : null;
  }

  private validators(fn: RegisteredFunction) {
    let v = this.validatorCache.get(fn);
    if (!v) {
      const args = JSON.parse(fn.exportArgs?.() ?? '{"type":"any"}');
      const returns = JSON.parse(fn.exportReturns?.() ?? "null");
      v = { args: args.type === "any" ? null : args, returns };
      this.validatorCache.set(fn, v);
    }
    return v;
  }

  private checkArgs(fn: RegisteredFunction, udfPath: string, args: JSONValue) {
    const { args: validator } = this.validators(fn);
    if (!validator) return;
    const err = check(validator, jsonToConvex(args), this.tableOfIdIn(splitQualified(udfPath).component));
    if (err) throw new SystemError(`ArgumentValidationError: ${err}\n(function ${parseUdfPath(udfPath).canonical})`);
  }

  private checkReturns(fn: RegisteredFunction, udfPath: string, resultJson: string) {
    const { returns } = this.validators(fn);
    if (!returns) return;
    const err = check(returns, jsonToConvex(JSON.parse(resultJson)), this.tableOfIdIn(splitQualified(udfPath).component));
    if (err) throw new SystemError(`ReturnsValidationError: ${err}\n(function ${parseUdfPath(udfPath).canonical})`);
  }

  /** `jsonLength`: size of the document's JSON text (computed once by the caller). */
  checkDoc(table: string, fields: Record<string, Value>, jsonLength: number) {
    checkDocumentLimits(table, fields, jsonLength);
    const validator = this.tableValidators.get(table);
    if (!validator) return;
    const own = splitTable(table);
    const err = check(validator, fields, this.tableOfIdIn(own.component));
    if (err) throw new Error(`Failed to insert or update a document in table "${own.table}" because it does not match the schema: ${err}`);
  }

  // ---- top-level entry points --------------------------------------------
  private failure(e: any, logLines: string[], reads?: ReadRange[]): Outcome {
    if (e instanceof SystemError) return { ok: false, errorMessage: e.message, logLines, ts: this.ts, reads };
    const data = errorDataJson(e);
    const name = isConvexError(e) ? "ConvexError" : (e?.name ?? "Error");
    const message = e instanceof Error || (e && typeof e.message === "string") ? e.message : String(e);
    return { ok: false, errorMessage: `Uncaught ${name}: ${message}`, errorData: data, logLines, ts: this.ts, reads };
  }

  /** Runs a query; callers must hold the lock (see runQuery). */
  async queryUnlocked(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    const reads: ReadRange[] = [];
    const exec = this.newExec("query", udfPath, args, opts.identity ?? null, reads, null);
    try {
      const fn = this.resolveKind(udfPath, "query", opts.allowInternal ?? false);
      const json = await this.execQuery(fn, exec, args);
      return this.executed(exec, { ok: true, json, logLines: exec.logLines, ts: this.ts, reads });
    } catch (e) {
      exec.closeStreams();
      return this.executed(exec, this.failure(e, exec.logLines, reads));
    }
  }

  runQuery(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    return this.lock.run(() => this.queryUnlocked(udfPath, args, opts));
  }

  /**
   * Runs a mutation, serializably, in its own savepoint. Mutations that arrive in
   * the same event-loop turn (concurrent clients) share one SQLite transaction,
   * committed at the end of the turn or before any other task takes the lock
   * (group commit). Outcomes are returned only after the commit, so nothing is
   * acknowledged before it is durable, and a failing mutation undoes only itself.
   */
  runMutation(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      void this.lock.run(async () => {
        let group: Group;
        try {
          group = this.group ??= this.beginGroup();
        } catch (e) {
          return resolve(this.failure(e, []));
        }
        let outcome: Outcome;
        try {
          outcome = await this.mutateInGroup(group, udfPath, args, opts);
        } catch (e) {
          outcome = this.failure(e, []);
        }
        group.done.push({ outcome, resolve });
        if (group.done.length >= MAX_GROUP || performance.now() - group.startedAt >= MAX_GROUP_MS) this.commitGroup();
        else if (!group.commitQueued) {
          group.commitQueued = true;
          // After this turn's I/O callbacks: every mutation that arrived with this one has joined.
          setImmediate(() => void this.lock.run(async () => undefined)); // beforeTask commits
        }
      }, "mutation");
    });
  }

  private beginGroup(): Group {
    this.store.begin();
    return { ts: this.ts, startedAt: performance.now(), wrote: false, scheduled: false, commitQueued: false, done: [] };
  }

  private async mutateInGroup(group: Group, udfPath: string, args: JSONValue, opts: CallOptions): Promise<Outcome> {
    if (opts.dedupe) {
      const prior = this.store.findMutation(opts.dedupe.session, opts.dedupe.request);
      if (prior) return { ok: true, json: prior.result, logLines: [], ts: prior.ts };
    }
    const exec = this.newExec("mutation", udfPath, args, opts.identity ?? null, null, null, opts.scheduledJobId ?? null);
    const writesBefore = this.writeCount;
    this.scheduledInTx = false;
    this.reservedCommitTs = null;
    const sp = this.store.savepoint();
    try {
      const fn = this.resolveKind(udfPath, "mutation", opts.allowInternal ?? false);
      const json = await this.execMutation(fn, exec, args);
      const wrote = this.writeCount !== writesBefore;
      const ts = wrote ? (this.reservedCommitTs ?? this.nextTs(group.ts)) : group.ts;
      if (opts.dedupe) {
        this.store.recordMutation(opts.dedupe.session, opts.dedupe.request, ts, json);
        // Clients re-send only in-flight mutations after a reconnect: a day of history is plenty.
        if (++this.dedupeWrites % 1000 === 0) this.store.pruneMutations(ts - 86_400n * 1_000_000_000n);
      }
      opts.beforeCommit?.();
      this.store.release(sp);
      if (wrote) {
        group.ts = ts;
        group.wrote = true;
      }
      if (this.scheduledInTx) group.scheduled = true;
      return this.executed(exec, { ok: true, json, logLines: exec.logLines, ts });
    } catch (e) {
      this.store.rollbackTo(sp);
      return this.executed(exec, this.failure(e, exec.logLines));
    }
  }

  private commitGroup() {
    const group = this.group!;
    this.group = null;
    try {
      if (group.wrote) this.store.setMeta("ts", group.ts.toString());
      this.store.commit();
    } catch (e) {
      this.store.rollback();
      for (const { outcome, resolve } of group.done) resolve(outcome.ok ? this.failure(e, outcome.logLines) : outcome);
      return;
    }
    this.ts = group.ts;
    if (group.wrote) this.hooks.onCommit(group.ts);
    if (group.scheduled) this.hooks.onScheduled();
    for (const { outcome, resolve } of group.done) resolve(outcome);
  }

  async runAction(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    const exec = this.newExec("action", udfPath, args, opts.identity ?? null, null, null, opts.scheduledJobId ?? null);
    try {
      const fn = this.resolveKind(udfPath, "action", opts.allowInternal ?? false);
      this.checkArgs(fn, udfPath, args);
      const resultJson = await currentExec.run(exec, () => fn.invokeAction!(randomUUID(), JSON.stringify([args])));
      this.checkReturns(fn, udfPath, resultJson);
      return this.executed(exec, { ok: true, json: resultJson, logLines: exec.logLines, ts: this.ts });
    } catch (e) {
      return this.executed(exec, this.failure(e, exec.logLines));
    }
  }

  private executed(exec: Exec, outcome: Outcome): Outcome {
    this.onExecution?.(exec, outcome.ok ? null : outcome.errorMessage);
    return outcome;
  }

  /**
   * Runs an HTTP action (`route` names it in logs). `respond` gets the handler's
   * Response and writes it out inside the action's context, so a body the
   * handler is still streaming can call ctx.runQuery and friends.
   */
  async runHttpAction(fn: RegisteredFunction, route: string, request: Request, identity: Caller, respond: (response: Response) => Promise<void>): Promise<void> {
    const now = Date.now();
    const exec: Exec = new Exec(this.syscalls, "action", route, identity, now, hashString(`${route}|${now}`), null, this.actionLog(() => exec));
    try {
      await currentExec.run(exec, async () => respond(await fn.invokeHttpAction!(request)));
      this.onExecution?.(exec, null, route);
    } catch (e: any) {
      this.onExecution?.(exec, `Uncaught ${e?.name ?? "Error"}: ${e?.message ?? e}`, route);
      throw e;
    }
  }

  /** `/api/function`: dispatch on the function's kind. */
  runAny(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    let fn: RegisteredFunction;
    try {
      fn = this.resolve(udfPath, opts.allowInternal ?? false);
    } catch (e) {
      return Promise.resolve(this.failure(e, []));
    }
    const kind = kindOf(fn);
    if (kind === "query") return this.runQuery(udfPath, args, opts);
    if (kind === "mutation") return this.runMutation(udfPath, args, opts);
    return this.runAction(udfPath, args, opts);
  }

  resolveKind(udfPath: string, kind: "query" | "mutation" | "action", allowInternal: boolean) {
    const fn = this.resolve(udfPath, allowInternal);
    const actual = kindOf(fn);
    if (actual !== kind) {
      throw new SystemError(`Trying to execute ${parseUdfPath(udfPath).canonical} as ${kind}, but it is defined as ${actual}.`);
    }
    return fn;
  }

  newExec(
    kind: "query" | "mutation" | "action",
    udfPath: string,
    args: JSONValue,
    identity: Caller,
    reads: ReadRange[] | null,
    parent: Exec | null,
    scheduledJobId: string | null = null,
  ) {
    const now = parent ? parent.now : Date.now();
    const seed = hashString(`${udfPath}|${JSON.stringify(args)}|${now}`);
    const log = kind === "action" ? this.actionLog(() => exec) : this.hooks.log;
    const exec: Exec = new Exec(this.syscalls, kind, parseUdfPath(udfPath).canonical, identity, now, seed, reads, log, parent, scheduledJobId);
    return exec;
  }

  /** Told of each log line of a running action as it is written (admin.ts streams them to `npx convex logs` as they come). */
  onActionLog: ((exec: Exec, line: string) => void) | null = null;

  private actionLog(exec: () => Exec): (line: string) => void {
    return (line) => {
      this.hooks.log(line);
      this.onActionLog?.(exec(), line);
    };
  }

  /** Runs a query's code; returns its result as JSON text. */
  async execQuery(fn: RegisteredFunction, exec: Exec, args: JSONValue): Promise<string> {
    this.checkArgs(fn, exec.udfPath, args);
    const resultJson = await currentExec.run(exec, () => fn.invokeQuery!(JSON.stringify([args])));
    exec.closeStreams();
    exec.usage.check();
    this.checkReturns(fn, exec.udfPath, resultJson);
    return resultJson;
  }

  /** Runs a mutation's code (inside the caller's transaction); returns its result as JSON text. */
  async execMutation(fn: RegisteredFunction, exec: Exec, args: JSONValue): Promise<string> {
    this.checkArgs(fn, exec.udfPath, args);
    const resultJson = await currentExec.run(exec, () => fn.invokeMutation!(JSON.stringify([args])));
    exec.usage.check();
    this.checkReturns(fn, exec.udfPath, resultJson);
    return resultJson;
  }

  /** Runs a small system write (from an action or the scheduler) as its own transaction. */
  inOwnTransaction<T>(fn: () => T): Promise<T> {
    return this.lock.run(async () => {
      const exec = this.newExec("mutation", "_system:write", null, null, null, null);
      const before = this.writeCount;
      this.scheduledInTx = false;
      this.store.begin();
      try {
        const result = await currentExec.run(exec, () => fn());
        const wrote = this.writeCount !== before;
        const ts = wrote ? this.nextTs() : this.ts;
        if (wrote) this.store.setMeta("ts", ts.toString());
        this.store.commit();
        this.ts = ts;
        if (wrote) this.hooks.onCommit(ts);
        if (this.scheduledInTx) this.hooks.onScheduled();
        return result;
      } catch (e) {
        this.store.rollback();
        throw e;
      }
    });
  }

  /** Writes a system document inside `inOwnTransaction` or a mutation. */
  systemWrite(id: string, update: (prev: Doc) => Doc) {
    const prev = this.store.get(id);
    if (!prev) return;
    const table = this.store.tableOfId(id)!;
    this.store.write(table, id, prev, update(prev));
    this.writeCount++;
  }
}
