// The system-call layer under the `convex` package's server code: database
// reads and writes, nested function calls, the scheduler and metadata. Reads
// hand stored documents back as their JSON text (RawJson) so a document is
// never parsed and re-serialised on its way to user code.
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { randomUUID } from "node:crypto";
import { Exec, RawJson, RejectedIdentity, type SyscallHost } from "./context.js";
import { errorDataJson, isConvexError, SystemError } from "./errors.js";
import { StorageError, type FileStorage } from "./file-storage.js";
import { parseUdfPath } from "./modules.js";
import { planQuery, queryPage, Stream } from "./query.js";
import { isSearchQuery, openSearch, searchPage } from "./search.js";
import { vectorSearch } from "./vector-search.js";
import type { CallOptions, Outcome, Runtime } from "./runtime.js";
import type { Doc } from "./store.js";
import { encodeTuple, KEY_MAX, KEY_MIN, keySuccessor, literal } from "./values.js";
import { jobName, qualify, queryIn, resolveReference, ROOT, splitQualified, tableIn } from "./components.js";

const COMMIT_TS_JSON = '{"$commitTs":null}';

/** The component a function runs in ("" = the app): its address says (components.ts). */
function componentOf(exec: Exec): string {
  return splitQualified(exec.udfPath).component;
}

/** `{...fields, _id, _creationTime}` as JSON, reusing the fields' JSON text. */
function withSystemFields(fieldsJson: string, id: string, creationTime: number): string {
  const system = `"_id":${JSON.stringify(id)},"_creationTime":${JSON.stringify(creationTime)}}`;
  return fieldsJson === "{}" ? `{${system}` : `${fieldsJson.slice(0, -1)},${system}`;
}

export class Syscalls implements SyscallHost {
  constructor(private rt: Runtime) {}

  get limits() {
    return this.rt.limits;
  }

  private get store() {
    return this.rt.store;
  }

  syscall(exec: Exec, op: string, args: any): unknown {
    switch (op) {
      case "1.0/queryStream": {
        if (exec.kind === "action") throw new Error("The database is not available in actions; use ctx.runQuery.");
        const id = exec.nextStreamId++;
        exec.usage.add("databaseQueries");
        const meter = readMeter(exec);
        const query = queryIn(componentOf(exec), args.query);
        const stream = isSearchQuery(query) ? openSearch(this.store, query, meter) : new Stream(this.store, planQuery(this.store, query), () => this.rt.writeCount);
        if (stream instanceof Stream) stream.meter = meter;
        exec.streams.set(id, stream);
        return { queryId: id };
      }
      case "1.0/queryCleanup": {
        const s = exec.streams.get(args.queryId);
        if (s && exec.reads) exec.reads.push(s.covered());
        exec.streams.delete(args.queryId);
        return {};
      }
      case "1.0/db/normalizeId":
        return { id: this.rt.tableOfIdIn(componentOf(exec))(args.idString) === args.table ? args.idString : null };
      case "1.0/getSnapshotTs":
        return convexToJson(this.rt.ts);
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
        return new RawJson(`{"value":${json},"done":false}`);
      }
      case "1.0/queryPage": {
        this.requireDb(exec);
        exec.usage.add("databaseQueries");
        const meter = readMeter(exec);
        const pageArgs = { ...args, query: queryIn(componentOf(exec), args.query) };
        const { page, ...rest } = isSearchQuery(pageArgs.query)
          ? searchPage(this.store, pageArgs, exec.reads, meter)
          : queryPage(this.store, () => this.rt.writeCount, pageArgs, exec.reads, meter);
        return new RawJson(`{"page":[${page.join(",")}],${JSON.stringify(rest).slice(1)}`);
      }
      case "1.0/count": {
        this.requireDb(exec);
        exec.usage.add("databaseQueries");
        const table = tableIn(componentOf(exec), args.table);
        exec.reads?.push({ index: `${table}.by_creation_time`, lo: KEY_MIN, hi: KEY_MAX });
        return this.store.count(table);
      }
      case "1.0/insert":
        return { _id: this.insert(this.requireWriter(exec), tableIn(componentOf(exec), args.table), jsonToConvex(args.value) as Record<string, Value>) };
      case "1.0/shallowMerge":
        this.patch(this.requireWriter(exec), args.table, args.id, args.value, true);
        return {};
      case "1.0/replace":
        this.patch(this.requireWriter(exec), args.table, args.id, args.value, false);
        return {};
      case "1.0/remove": {
        this.requireWriter(exec);
        const { table, prev } = this.existing(exec, args.table, args.id, "delete");
        exec.usage.add("documentsWritten");
        this.store.write(table, args.id, prev, null);
        this.rt.writeCount++;
        return {};
      }
      case "1.0/getUserIdentity":
        if (exec.identity instanceof RejectedIdentity) throw new Error(exec.identity.reason);
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
        return this.rt.inOwnTransaction(() => this.schedule(exec, args));
      case "1.0/cancel_job":
        this.cancel(this.requireWriter(exec), args.id);
        return {};
      case "1.0/actions/cancel_job":
        await this.rt.inOwnTransaction(() => this.cancel(exec, args.id));
        return {};
      case "1.0/actions/vectorSearch":
        if (exec.kind !== "action") throw new Error(`Unknown async operation ${op}`);
        // Under the lock, which first commits any open group: the search sees committed state.
        // The index is named in the caller's component, so it reaches that component's tables only.
        return this.rt.lock.run(async () => vectorSearch(this.store, args?.query, componentOf(exec)));
      case "1.0/createFunctionHandle":
        return `function://${this.target(exec, args)}`;
      case "1.0/getFunctionMetadata":
        return { name: splitQualified(exec.udfPath).udfPath, componentPath: componentOf(exec) };
      case "1.0/getRequestMetadata":
        return { ip: null, userAgent: null, requestId: randomUUID(), scheduledFunctionId: exec.scheduledJobId, authToken: null };
      case "1.0/getDeploymentMetadata":
        return { name: "local", region: null, class: "local" };
      case "1.0/getTransactionMetrics":
        return exec.usage.metrics();
      case "1.0/auditLog":
        return {};
      case "1.0/storageGenerateUploadUrl":
        if (exec.kind === "query") throw new Error("ctx.storage.generateUploadUrl is only available in mutations and actions.");
        return this.files().uploadUrl(Date.now(), componentOf(exec));
      case "1.0/storageGetUrl":
        return this.files().url(exec, args.storageId, componentOf(exec));
      case "1.0/storageGetMetadata":
        return this.files().metadata(exec, args.storageId, componentOf(exec));
      case "1.0/storageDelete":
        if (exec.kind === "query") throw new Error("ctx.storage.delete is only available in mutations and actions.");
        if (exec.kind === "action") await this.rt.inOwnTransaction(() => this.files().delete(args.storageId, componentOf(exec)));
        else this.files().delete(args.storageId, componentOf(exec));
        return {};
      case "1.0/storageStore":
      case "1.0/storageGet":
        throw new Error(`ctx.storage.${op === "1.0/storageStore" ? "store" : "get"} is only available in actions.`);
      default:
        throw new Error(`Unknown async operation ${op}`);
    }
  }

  jsSyscall(exec: Exec, op: string, args: any): unknown {
    switch (op) {
      case "storage/storeBlob":
        return this.storeBlob(exec, args.blob, args.options);
      case "storage/getBlob": {
        if (exec.kind !== "action") throw new Error("ctx.storage.get is only available in actions.");
        const file = this.files().read(args.storageId, componentOf(exec));
        return Promise.resolve(file ? new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.contentType ?? "" }) : null);
      }
      default:
        throw new Error(`Unknown operation ${op}`);
    }
  }

  private async storeBlob(exec: Exec, blob: unknown, options?: { sha256?: string }): Promise<string> {
    if (exec.kind !== "action") throw new Error("ctx.storage.store is only available in actions.");
    if (!(blob instanceof Blob)) throw new Error("ctx.storage.store expects a Blob.");
    const files = this.files();
    if (blob.size > files.maxUploadBytes) throw new Error(files.tooLarge().message);
    try {
      return await files.store(new Uint8Array(await blob.arrayBuffer()), blob.type || null, options?.sha256, componentOf(exec));
    } catch (e) {
      throw e instanceof StorageError ? new Error(e.message) : e;
    }
  }

  private files(): FileStorage {
    if (!this.rt.files) throw new Error("File storage is not ready yet.");
    return this.rt.files;
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
    const table = this.tableOfIdArg(exec, args.table, id, "get");
    if (table.startsWith("_") !== (args.isSystem ?? false)) {
      throw new Error(table.startsWith("_") ? "System tables can only be accessed from db.system.get()." : "User tables can only be accessed from db.get().");
    }
    if (exec.reads) {
      const key = encodeTuple([id]);
      exec.reads.push({ index: `${tableIn(componentOf(exec), table)}.by_id`, lo: key, hi: keySuccessor(key) });
    }
    exec.usage.add("databaseQueries");
    const json = this.store.getJson(id);
    if (json !== null) readMeter(exec)(json.length);
    return new RawJson(json ?? "null");
  }

  /**
   * The table of the `id` argument of `db.<verb>` (its name in the caller's
   * component), which must be `tableArg` when the caller named one. An ID of
   * another component's table does not decode here, as on Convex.
   */
  private tableOfIdArg(exec: Exec, tableArg: string | undefined, id: unknown, verb: string): string {
    if (typeof id !== "string") throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: expected a string.`);
    const table = this.rt.tableOfIdIn(componentOf(exec))(id);
    if (table === null) throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: Unable to decode ID: "${id}"`);
    if (tableArg !== undefined && tableArg !== table) {
      throw new Error(`Invalid argument \`id\` for \`db.${verb}\`: expected ID in table "${tableArg}" but got ID in table "${table}".`);
    }
    return table;
  }

  /** The document `db.<verb>` writes, and its table's stored name. */
  private existing(exec: Exec, tableArg: string | undefined, id: string, verb: string): { table: string; prev: Doc } {
    const table = this.tableOfIdArg(exec, tableArg, id, verb);
    if (table.startsWith("_")) throw new Error("System tables (prefixed with `_`) are read-only.");
    const prev = this.store.get(id);
    if (!prev) throw new Error(`${verb === "delete" ? "Delete" : verb === "patch" ? "Patch" : "Replace"} on nonexistent document ID ${id}`);
    return { table: tableIn(componentOf(exec), table), prev };
  }

  insert(exec: Exec, table: string, value: Record<string, Value>, system = false): string {
    if (!system && table.startsWith("_")) throw new Error("System tables (prefixed with `_`) are read-only.");
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("db.insert expects an object.");
    for (const k of ["_id", "_creationTime"]) {
      if (k in value) throw new Error(`Provided document for table "${table}" contains the system field \`${k}\`.`);
    }
    let fields: Record<string, Value> = {};
    for (const k in value) if (value[k] !== undefined) fields[k] = value[k];
    // Serialised once: the same text is measured against the size limit and stored.
    let fieldsJson = JSON.stringify(convexToJson(fields));
    if (!system) [fields, fieldsJson] = this.resolveCommitTs(fields, fieldsJson);
    if (!system) {
      this.rt.checkDoc(table, fields, fieldsJson.length);
      exec.usage.add("documentsWritten");
      exec.usage.add("bytesWritten", fieldsJson.length);
    }
    const id = this.store.newId(table);
    const creationTime = this.store.creationTime(exec.now);
    const doc = { ...fields, _id: id, _creationTime: creationTime } as Doc;
    this.store.write(table, id, null, doc, withSystemFields(fieldsJson, id, creationTime));
    this.rt.writeCount++;
    return id;
  }

  private patch(exec: Exec, tableArg: string | undefined, id: string, valueJson: Record<string, unknown>, merge: boolean) {
    const verb = merge ? "patch" : "replace";
    const { table, prev } = this.existing(exec, tableArg, id, verb);
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
    const [fields, fieldsJson] = this.resolveCommitTs(next, JSON.stringify(convexToJson(next)));
    this.rt.checkDoc(table, fields, fieldsJson.length);
    exec.usage.add("documentsWritten");
    exec.usage.add("bytesWritten", fieldsJson.length);
    this.store.write(table, id, prev, { ...fields, _id, _creationTime } as Doc, withSystemFields(fieldsJson, _id, _creationTime));
    this.rt.writeCount++;
  }

  /**
   * `db.vars.commitTs` in a written document (`{"$commitTs":null}` in its
   * JSON; a string holding that text is escaped, so it cannot match) becomes
   * the mutation's commit timestamp, an int64 ordered by commit order.
   */
  private resolveCommitTs(fields: Record<string, Value>, fieldsJson: string): [Record<string, Value>, string] {
    if (!fieldsJson.includes(COMMIT_TS_JSON)) return [fields, fieldsJson];
    const json = fieldsJson.replaceAll(COMMIT_TS_JSON, JSON.stringify(convexToJson(this.rt.commitTs())));
    return [jsonToConvex(JSON.parse(json)) as Record<string, Value>, json];
  }

  // ---- nested calls -----------------------------------------------------------
  /**
   * The internal address (components.ts) of the function a `run*`,
   * `schedule` or `createFunctionHandle` call names: `api.*` names are
   * relative to the caller's component, `components.<name>.*` references name
   * a child's public functions, function handles are absolute.
   */
  private target(exec: Exec, args: { name?: string; reference?: string; functionHandle?: string }): string {
    const caller = componentOf(exec);
    if (typeof args.functionHandle === "string") {
      const target = args.functionHandle.startsWith("function://") ? args.functionHandle.slice("function://".length) : null;
      if (target === null || !this.rt.resolveOrNull(target)) throw new Error("FunctionHandleNotFound: Function handle not found");
      return target;
    }
    if (typeof args.name === "string") {
      return qualify(caller, args.name);
    }
    if (typeof args.reference === "string") {
      const target = resolveReference(caller, args.reference, this.rt.components);
      if (target === null) throw new Error(`Couldn't resolve ${args.reference}: no such component is installed${caller === ROOT ? "" : ` in ${caller}`}.`);
      // A parent may call only what its child exports: its public functions.
      if (this.rt.resolveOrNull(target)?.isPublic !== true) this.rt.resolve(target, false);
      return target;
    }
    throw new Error("Function address not supported");
  }

  /** Auth crosses calls only within the app (the root component), as on Convex. */
  private identityFor(caller: Exec, target: string) {
    return componentOf(caller) === ROOT && splitQualified(target).component === ROOT ? caller.identity : null;
  }

  private async runNested(parent: Exec, args: any): Promise<RawJson> {
    const udfPath = this.target(parent, args);
    const kind = args.udfType === "mutation" ? "mutation" : "query";
    if (kind === "mutation" && parent.kind !== "mutation") throw new Error("ctx.runMutation is only available in mutations and actions.");
    const fn = this.rt.resolveKind(udfPath, kind, true);
    const child = this.rt.newExec(kind, udfPath, args.args, this.identityFor(parent, udfPath), parent.reads, parent);
    child.logLines = parent.logLines;
    // ctx.runQuery/runMutation(fn, args, { transactionLimits }): lower limits for the nested call only.
    child.usage = parent.usage.child(args.transactionLimits);
    try {
      if (kind === "query") return new RawJson(await this.rt.execQuery(fn, child, args.args));
      const sp = this.store.savepoint();
      try {
        const value = await this.rt.execMutation(fn, child, args.args);
        this.store.release(sp);
        return new RawJson(value);
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

  private async runFromAction(exec: Exec, kind: "query" | "mutation" | "action", args: any): Promise<RawJson> {
    const udfPath = this.target(exec, args);
    const opts: CallOptions = { identity: this.identityFor(exec, udfPath), allowInternal: true };
    const outcome =
      kind === "query"
        ? await this.rt.runQuery(udfPath, args.args, opts)
        : kind === "mutation"
          ? await this.rt.runMutation(udfPath, args.args, opts)
          : await this.rt.runAction(udfPath, args.args, opts);
    for (const line of outcome.logLines) if (!exec.logLines.includes(line)) exec.logLines.push(line);
    if (!outcome.ok) rethrow(outcome);
    return new RawJson(outcome.json);
  }

  // ---- scheduler ------------------------------------------------------------------
  private schedule(exec: Exec, args: any): JSONValue {
    // Each component has its own `_scheduled_functions`; a job names its function relative to it.
    const caller = componentOf(exec);
    const name = jobName(caller, parseUdfPath(this.target(exec, args)).canonical);
    const fnArgs = jsonToConvex(args.args);
    exec.usage.add("functionsScheduled");
    exec.usage.add("scheduledFunctionArgsBytes", JSON.stringify(args.args ?? null).length);
    const id = this.insert(
      exec,
      tableIn(caller, "_scheduled_functions"),
      { name, args: [fnArgs], scheduledTime: args.ts * 1000, state: { kind: "pending" } } as Record<string, Value>,
      true,
    );
    this.rt.scheduledInTx = true;
    return id;
  }

  private cancel(exec: Exec, id: string) {
    const prev = this.store.get(id);
    const jobs = tableIn(componentOf(exec), "_scheduled_functions");
    if (!prev || this.store.tableOfId(id) !== jobs) throw new Error(`Scheduled function ${id} not found.`);
    const kind = (prev.state as { kind: string }).kind;
    if (kind !== "pending" && kind !== "inProgress") return;
    this.store.write(jobs, id, prev, { ...prev, state: { kind: "canceled" }, completedTime: exec.now } as Doc);
    this.rt.writeCount++;
  }
}

/** Counts a document read (its stored JSON's length as its size) towards the transaction's limits. */
function readMeter(exec: Exec): (bytes: number) => void {
  return (bytes) => {
    exec.usage.add("documentsRead");
    exec.usage.add("bytesRead", bytes);
  };
}

function rethrow(outcome: Outcome): never {
  if (outcome.ok) throw new Error("unreachable");
  const message = outcome.errorMessage.replace(/^Uncaught (ConvexError|Error): /, "");
  throw Object.assign(new Error(message), outcome.errorData !== undefined ? { data: outcome.errorData } : {});
}
