// The function runtime: runs registered queries, mutations and actions through
// the `convex` package's own invoke* entry points and implements the syscalls
// they make. Queries and mutations run one at a time (a serial lock), each
// mutation in one SQLite transaction, so execution is serializable.
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { randomUUID } from "node:crypto";
import { currentExec, Exec, hashString, installGlobals, type Identity, type SyscallHost } from "./context.js";
import { kindOf, lookupFunction, parseUdfPath, type LoadedFunctions, type RegisteredFunction } from "./modules.js";
import { planQuery, queryPage, Stream, type ReadRange } from "./query.js";
import type { Doc, Store } from "./store.js";
import { check, type ValidatorJson } from "./validate.js";
import { checkDocumentLimits, encodeTuple, keySuccessor, literal } from "./values.js";

export type Outcome =
  | { ok: true; value: JSONValue; logLines: string[]; ts: bigint; reads?: ReadRange[] }
  | { ok: false; errorMessage: string; errorData?: JSONValue; logLines: string[]; ts: bigint; reads?: ReadRange[] };

export type CallOptions = {
  identity?: Identity;
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

/** A user-facing error that is not an exception in user code. */
class SystemError extends Error {}

class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  pending = 0;
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(fn).finally(() => this.pending--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function isConvexError(e: any): boolean {
  return typeof e === "object" && e !== null && (Symbol.for("ConvexError") in e || e.ConvexErrorSymbol !== undefined || e.name === "ConvexError");
}

function errorDataJson(e: any): JSONValue | undefined {
  if (!isConvexError(e)) return undefined;
  if (typeof e.data === "string") {
    try {
      return JSON.parse(e.data);
    } catch {
      return e.data;
    }
  }
  return convexToJson(e.data ?? null);
}

export class Runtime implements SyscallHost {
  ts: bigint;
  /** Bumped on every document write; open query streams refetch after it changes. */
  writeCount = 0;
  readonly lock = new Serial();
  private functions: LoadedFunctions | null = null;
  private tableValidators = new Map<string, ValidatorJson>();
  private validatorCache = new WeakMap<object, { args: ValidatorJson | null; returns: ValidatorJson | null }>();
  private scheduledInTx = false;
  private dedupeWrites = 0;

  constructor(
    readonly store: Store,
    private hooks: RuntimeHooks,
  ) {
    installGlobals();
    const saved = store.getMeta("ts");
    const now = BigInt(Date.now()) * 1_000_000n;
    this.ts = saved !== null && BigInt(saved) > now ? BigInt(saved) : now;
  }

  setFunctions(loaded: LoadedFunctions) {
    this.functions = loaded;
    this.tableValidators.clear();
    const schema = loaded.schema;
    const indexes: Record<string, { indexDescriptor: string; fields: string[] }[]> = {};
    if (schema?.tables) {
      for (const [name, table] of Object.entries<any>(schema.tables)) {
        const exported = table.export();
        indexes[name] = exported.indexes;
        if (schema.schemaValidation !== false) this.tableValidators.set(name, exported.documentType);
      }
    }
    this.store.setSchemaIndexes(indexes);
  }

  get loaded(): LoadedFunctions | null {
    return this.functions;
  }

  private nextTs(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    return now > this.ts ? now : this.ts + 1n;
  }

  // ---- resolution and validation -----------------------------------------
  resolve(udfPath: string, allowInternal: boolean): RegisteredFunction {
    const fn = this.functions ? lookupFunction(this.functions, udfPath) : null;
    const { canonical } = parseUdfPath(udfPath);
    if (!fn || (fn.isInternal && !allowInternal)) {
      throw new SystemError(
        `Could not find public function for '${canonical}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      );
    }
    return fn;
  }

  resolveOrNull(udfPath: string): RegisteredFunction | null {
    return this.functions ? lookupFunction(this.functions, udfPath) : null;
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

  private checkArgs(fn: RegisteredFunction, udfPath: string, args: Value) {
    const { args: validator } = this.validators(fn);
    if (!validator) return;
    const err = check(validator, args, this.store.tableOfId);
    if (err) throw new SystemError(`ArgumentValidationError: ${err}\n(function ${parseUdfPath(udfPath).canonical})`);
  }

  private checkReturns(fn: RegisteredFunction, udfPath: string, resultJson: string) {
    const { returns } = this.validators(fn);
    if (!returns) return;
    const err = check(returns, jsonToConvex(JSON.parse(resultJson)), this.store.tableOfId);
    if (err) throw new SystemError(`ReturnsValidationError: ${err}\n(function ${parseUdfPath(udfPath).canonical})`);
  }

  private checkDoc(table: string, fields: Record<string, Value>) {
    checkDocumentLimits(table, fields);
    const validator = this.tableValidators.get(table);
    if (!validator) return;
    const err = check(validator, fields, this.store.tableOfId);
    if (err) throw new Error(`Failed to insert or update a document in table "${table}" because it does not match the schema: ${err}`);
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
      const value = await this.execQuery(fn, exec, args);
      return { ok: true, value, logLines: exec.logLines, ts: this.ts, reads };
    } catch (e) {
      exec.closeStreams();
      return this.failure(e, exec.logLines, reads);
    }
  }

  runQuery(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    return this.lock.run(() => this.queryUnlocked(udfPath, args, opts));
  }

  runMutation(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    return this.lock.run(async () => {
      if (opts.dedupe) {
        const prior = this.store.findMutation(opts.dedupe.session, opts.dedupe.request);
        if (prior) return { ok: true, value: JSON.parse(prior.result), logLines: [], ts: prior.ts };
      }
      const exec = this.newExec("mutation", udfPath, args, opts.identity ?? null, null, null, opts.scheduledJobId ?? null);
      const writesBefore = this.writeCount;
      this.scheduledInTx = false;
      this.store.begin();
      try {
        const fn = this.resolveKind(udfPath, "mutation", opts.allowInternal ?? false);
        const value = await this.execMutation(fn, exec, args);
        const wrote = this.writeCount !== writesBefore;
        const ts = wrote ? this.nextTs() : this.ts;
        if (wrote) this.store.setMeta("ts", ts.toString());
        if (opts.dedupe) {
          this.store.recordMutation(opts.dedupe.session, opts.dedupe.request, ts, JSON.stringify(value));
          // Clients re-send only in-flight mutations after a reconnect: a day of history is plenty.
          if (++this.dedupeWrites % 1000 === 0) this.store.pruneMutations(ts - 86_400n * 1_000_000_000n);
        }
        opts.beforeCommit?.();
        this.store.commit();
        this.ts = ts;
        if (wrote) this.hooks.onCommit(ts);
        if (this.scheduledInTx) this.hooks.onScheduled();
        return { ok: true, value, logLines: exec.logLines, ts };
      } catch (e) {
        this.store.rollback();
        return this.failure(e, exec.logLines);
      }
    });
  }

  async runAction(udfPath: string, args: JSONValue, opts: CallOptions = {}): Promise<Outcome> {
    const exec = this.newExec("action", udfPath, args, opts.identity ?? null, null, null, opts.scheduledJobId ?? null);
    try {
      const fn = this.resolveKind(udfPath, "action", opts.allowInternal ?? false);
      this.checkArgs(fn, udfPath, jsonToConvex(args));
      const resultJson = await currentExec.run(exec, () => fn.invokeAction!(randomUUID(), JSON.stringify([args])));
      this.checkReturns(fn, udfPath, resultJson);
      return { ok: true, value: JSON.parse(resultJson), logLines: exec.logLines, ts: this.ts };
    } catch (e) {
      return this.failure(e, exec.logLines);
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

  private resolveKind(udfPath: string, kind: "query" | "mutation" | "action", allowInternal: boolean) {
    const fn = this.resolve(udfPath, allowInternal);
    const actual = kindOf(fn);
    if (actual !== kind) {
      throw new SystemError(`Trying to execute ${parseUdfPath(udfPath).canonical} as ${kind}, but it is defined as ${actual}.`);
    }
    return fn;
  }

  private newExec(
    kind: "query" | "mutation" | "action",
    udfPath: string,
    args: JSONValue,
    identity: Identity,
    reads: ReadRange[] | null,
    parent: Exec | null,
    scheduledJobId: string | null = null,
  ) {
    const now = parent ? parent.now : Date.now();
    const seed = hashString(`${udfPath}|${JSON.stringify(args)}|${now}`);
    return new Exec(this, kind, parseUdfPath(udfPath).canonical, identity, now, seed, reads, this.hooks.log, parent, scheduledJobId);
  }

  private async execQuery(fn: RegisteredFunction, exec: Exec, args: JSONValue): Promise<JSONValue> {
    this.checkArgs(fn, exec.udfPath, jsonToConvex(args));
    const resultJson = await currentExec.run(exec, () => fn.invokeQuery!(JSON.stringify([args])));
    exec.closeStreams();
    this.checkReturns(fn, exec.udfPath, resultJson);
    return JSON.parse(resultJson);
  }

  private async execMutation(fn: RegisteredFunction, exec: Exec, args: JSONValue): Promise<JSONValue> {
    this.checkArgs(fn, exec.udfPath, jsonToConvex(args));
    const resultJson = await currentExec.run(exec, () => fn.invokeMutation!(JSON.stringify([args])));
    this.checkReturns(fn, exec.udfPath, resultJson);
    return JSON.parse(resultJson);
  }

  // ---- syscalls -------------------------------------------------------------
  syscall(exec: Exec, op: string, args: any): unknown {
    switch (op) {
      case "1.0/queryStream": {
        if (exec.kind === "action") throw new Error("The database is not available in actions; use ctx.runQuery.");
        const plan = planQuery(this.store, args.query);
        const id = exec.nextStreamId++;
        exec.streams.set(id, new Stream(this.store, plan, () => this.writeCount));
        return { queryId: id };
      }
      case "1.0/queryCleanup": {
        const s = exec.streams.get(args.queryId);
        if (s && exec.reads) exec.reads.push(s.covered());
        exec.streams.delete(args.queryId);
        return {};
      }
      case "1.0/db/normalizeId":
        return { id: this.store.tableOfId(args.idString) === args.table ? args.idString : null };
      case "1.0/getSnapshotTs":
        return convexToJson(this.ts);
      default:
        throw new Error(`Unknown operation ${op}`);
    }
  }

  async asyncSyscall(exec: Exec, op: string, args: any): Promise<unknown> {
    switch (op) {
      case "1.0/get":
        return this.dbGet(exec, args);
      case "1.0/queryStreamNext": {
        const s = exec.streams.get(args.queryId);
        if (!s) throw new Error("Query stream was already closed.");
        const json = s.next();
        if (json === null) {
          if (exec.reads) exec.reads.push(s.covered());
          exec.streams.delete(args.queryId);
          return { value: null, done: true };
        }
        return { value: JSON.parse(json), done: false };
      }
      case "1.0/queryPage":
        this.requireDb(exec);
        return queryPage(this.store, () => this.writeCount, args, exec.reads);
      case "1.0/count": {
        this.requireDb(exec);
        exec.reads?.push({ index: `${args.table}.by_creation_time`, lo: Buffer.alloc(0), hi: Buffer.from([0xff]) });
        return this.store.count(args.table);
      }
      case "1.0/insert":
        return { _id: this.insert(this.requireWriter(exec), args.table, jsonToConvex(args.value) as Record<string, Value>) };
      case "1.0/shallowMerge":
        this.patch(this.requireWriter(exec), args.table, args.id, args.value, true);
        return {};
      case "1.0/replace":
        this.patch(this.requireWriter(exec), args.table, args.id, args.value, false);
        return {};
      case "1.0/remove": {
        this.requireWriter(exec);
        const { table, prev } = this.existing(args.table, args.id, "delete");
        this.store.write(table, args.id, prev, null);
        this.writeCount++;
        return {};
      }
      case "1.0/getUserIdentity":
        return exec.identity;
      case "1.0/runUdf":
        return this.runNested(exec, args);
      case "1.0/actions/query":
      case "1.0/actions/mutation":
      case "1.0/actions/action":
        return this.runFromAction(exec, op.slice("1.0/actions/".length) as "query" | "mutation" | "action", args);
      case "1.0/schedule":
        return this.schedule(this.requireWriter(exec), args);
      case "1.0/actions/schedule":
        return this.inOwnTransaction(() => this.schedule(exec, args));
      case "1.0/cancel_job":
        this.cancel(this.requireWriter(exec), args.id);
        return {};
      case "1.0/actions/cancel_job":
        await this.inOwnTransaction(() => this.cancel(exec, args.id));
        return {};
      case "1.0/createFunctionHandle":
        return `function://${this.addressToPath(args)}`;
      case "1.0/getFunctionMetadata":
        return { name: exec.udfPath, componentPath: "" };
      case "1.0/getRequestMetadata":
        return { ip: null, userAgent: null, requestId: randomUUID(), scheduledFunctionId: exec.scheduledJobId, authToken: null };
      case "1.0/getDeploymentMetadata":
        return { name: "local", region: null, class: "local" };
      case "1.0/getTransactionMetrics": {
        const zero = { used: 0, remaining: Number.MAX_SAFE_INTEGER };
        return Object.fromEntries(
          ["bytesRead", "bytesWritten", "databaseQueries", "documentsRead", "documentsWritten", "functionsScheduled", "scheduledFunctionArgsBytes", "filesWritten", "fileWriteBytes", "filesRead", "fileReadBytes"].map((k) => [k, zero]),
        );
      }
      case "1.0/auditLog":
        return {};
      default:
        if (op.startsWith("1.0/storage")) throw new Error("File storage is not supported by the embedded backend.");
        throw new Error(`Unknown async operation ${op}`);
    }
  }

  private requireDb(exec: Exec) {
    if (exec.kind === "action") throw new Error("The database is not available in actions; use ctx.runQuery or ctx.runMutation.");
  }

  private requireWriter(exec: Exec): Exec {
    if (exec.kind !== "mutation") throw new Error(`Writes are only allowed in mutations (called from a ${exec.kind}).`);
    return exec;
  }

  private dbGet(exec: Exec, args: { id: string; table?: string; isSystem?: boolean }) {
    this.requireDb(exec);
    const id = args.id;
    if (typeof id !== "string") throw new Error(`Invalid argument \`id\` for \`db.get\`: expected a string.`);
    const table = this.store.tableOfId(id);
    if (table === null) {
      throw new Error(`Invalid argument \`id\` for \`db.get\`: Unable to decode ID: "${id}"`);
    }
    if (args.table !== undefined && args.table !== table) {
      throw new Error(`Invalid argument \`id\` for \`db.get\`: expected ID in table "${args.table}" but got ID in table "${table}".`);
    }
    if (table.startsWith("_") !== (args.isSystem ?? false)) {
      throw new Error(table.startsWith("_") ? "System tables can only be accessed from db.system.get()." : "User tables can only be accessed from db.get().");
    }
    if (exec.reads) {
      const key = encodeTuple([id]);
      exec.reads.push({ index: `${table}.by_id`, lo: key, hi: keySuccessor(key) });
    }
    const json = this.store.getJson(id);
    return json === null ? null : JSON.parse(json);
  }

  private existing(tableArg: string | undefined, id: unknown, verb: string): { table: string; prev: Doc } {
    if (typeof id !== "string") throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: expected a string.`);
    const table = this.store.tableOfId(id);
    if (table === null) throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: Unable to decode ID: "${id}"`);
    if (tableArg !== undefined && tableArg !== table) {
      throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: expected ID in table "${tableArg}" but got ID in table "${table}".`);
    }
    if (table.startsWith("_")) throw new Error("System tables (prefixed with `_`) are read-only.");
    const prev = this.store.get(id);
    if (!prev) throw new Error(`${verb === "delete" ? "Delete" : verb === "patch" ? "Patch" : "Replace"} on nonexistent document ID ${id}`);
    return { table, prev };
  }

  insert(exec: Exec, table: string, value: Record<string, Value>, system = false): string {
    if (!system && table.startsWith("_")) throw new Error("System tables (prefixed with `_`) are read-only.");
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("db.insert expects an object.");
    for (const k of ["_id", "_creationTime"]) {
      if (k in value) throw new Error(`Provided document for table "${table}" contains the system field \`${k}\`.`);
    }
    const fields = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Record<string, Value>;
    if (!system) this.checkDoc(table, fields);
    const id = this.store.newId(table);
    const doc = { ...fields, _id: id, _creationTime: this.store.creationTime(exec.now) } as Doc;
    this.store.write(table, id, null, doc);
    this.writeCount++;
    return id;
  }

  private patch(_exec: Exec, tableArg: string | undefined, id: string, valueJson: Record<string, unknown>, merge: boolean) {
    const verb = merge ? "patch" : "replace";
    const { table, prev } = this.existing(tableArg, id, verb);
    if (typeof valueJson !== "object" || valueJson === null || Array.isArray(valueJson)) {
      throw new Error(`Invalid argument \`value\` for \`db.${verb}\`: expected an object.`);
    }
    const { _id, _creationTime, ...base } = prev;
    const next: Record<string, Value> = merge ? { ...base } : {};
    for (const [k, json] of Object.entries(valueJson)) {
      const v = literal(json);
      if (k === "_id" || k === "_creationTime") {
        if (v !== undefined && v !== prev[k]) throw new Error(`Provided \`${k}\` field value does not match the document's.`);
        continue;
      }
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    this.checkDoc(table, next);
    this.store.write(table, id, prev, { ...next, _id, _creationTime } as Doc);
    this.writeCount++;
  }

  // ---- nested calls -----------------------------------------------------------
  private addressToPath(args: { name?: string; reference?: string; functionHandle?: string }): string {
    if (args.functionHandle) return args.functionHandle.replace(/^function:\/\//, "");
    if (args.name) return args.name;
    if (args.reference) {
      const parts = args.reference.split("/").slice(3);
      return `${parts.slice(0, -1).join("/")}:${parts[parts.length - 1]}`;
    }
    throw new Error("Function address not supported");
  }

  private rethrow(outcome: Outcome): never {
    if (outcome.ok) throw new Error("unreachable");
    const message = outcome.errorMessage.replace(/^Uncaught (ConvexError|Error): /, "");
    throw Object.assign(new Error(message), outcome.errorData !== undefined ? { data: outcome.errorData } : {});
  }

  private async runNested(parent: Exec, args: any): Promise<JSONValue> {
    const udfPath = this.addressToPath(args);
    const kind = args.udfType === "mutation" ? "mutation" : "query";
    if (kind === "mutation" && parent.kind !== "mutation") throw new Error("ctx.runMutation is only available in mutations and actions.");
    const fn = this.resolveKind(udfPath, kind, true);
    const child = this.newExec(kind, udfPath, args.args, parent.identity, parent.reads, parent);
    child.logLines = parent.logLines;
    try {
      if (kind === "query") return await this.execQuery(fn, child, args.args);
      const sp = this.store.savepoint();
      try {
        const value = await this.execMutation(fn, child, args.args);
        this.store.release(sp);
        return value;
      } catch (e) {
        this.store.rollbackTo(sp);
        throw e;
      }
    } catch (e) {
      if (e instanceof SystemError) throw e;
      if (isConvexError(e)) throw Object.assign(new Error((e as Error).message), { data: errorDataJson(e) });
      throw e;
    }
  }

  private async runFromAction(exec: Exec, kind: "query" | "mutation" | "action", args: any): Promise<JSONValue> {
    const udfPath = this.addressToPath(args);
    const opts: CallOptions = { identity: exec.identity, allowInternal: true };
    const outcome =
      kind === "query"
        ? await this.runQuery(udfPath, args.args, opts)
        : kind === "mutation"
          ? await this.runMutation(udfPath, args.args, opts)
          : await this.runAction(udfPath, args.args, opts);
    for (const line of outcome.logLines) if (!exec.logLines.includes(line)) exec.logLines.push(line);
    if (!outcome.ok) this.rethrow(outcome);
    return outcome.value;
  }

  // ---- scheduler syscalls ---------------------------------------------------
  private schedule(exec: Exec, args: any): JSONValue {
    const name = parseUdfPath(this.addressToPath(args)).canonical;
    const fnArgs = jsonToConvex(args.args);
    const id = this.insert(
      exec,
      "_scheduled_functions",
      { name, args: [fnArgs], scheduledTime: args.ts * 1000, state: { kind: "pending" } } as Record<string, Value>,
      true,
    );
    this.scheduledInTx = true;
    return id;
  }

  private cancel(exec: Exec, id: string) {
    const prev = this.store.get(id);
    if (!prev || this.store.tableOfId(id) !== "_scheduled_functions") throw new Error(`Scheduled function ${id} not found.`);
    const kind = (prev.state as { kind: string }).kind;
    if (kind !== "pending" && kind !== "inProgress") return;
    this.store.write("_scheduled_functions", id, prev, { ...prev, state: { kind: "canceled" }, completedTime: exec.now } as Doc);
    this.writeCount++;
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
