// Per-execution state and the process-wide hooks that route `Convex.syscall`,
// `Date.now`, `Math.random` and `console` to the function currently running
// (tracked with AsyncLocalStorage, so concurrent actions never mix).
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import { DEFAULT_LIMITS, Usage } from "./limits.js";
import type { ReadRange } from "./query.js";

/** An open query's results, read one by one: an index range (query.ts Stream) or a search (search.ts SearchStream). */
export interface QueryStream {
  next(): string | null;
  covered(): ReadRange;
}

export type Identity = Record<string, unknown> | null;

/**
 * An HTTP action's `Authorization` header that did not verify: the action still
 * runs, and `ctx.auth.getUserIdentity()` throws why (as on Convex).
 */
export class RejectedIdentity {
  constructor(readonly reason: string) {}
}

/** The identity a function runs with. */
export type Caller = Identity | RejectedIdentity;

/** A syscall result that is already JSON text (a stored document, a page of them). */
export class RawJson {
  constructor(readonly text: string) {}
}

export interface SyscallHost {
  syscall(exec: Exec, op: string, args: any): unknown;
  asyncSyscall(exec: Exec, op: string, args: any): Promise<unknown>;
  /** The transaction limits of a top-level function (default Convex's). */
  readonly limits?: import("./limits.js").Limits;
  /** Calls whose arguments and results are JS values rather than JSON (file storage's blobs). */
  jsSyscall(exec: Exec, op: string, args: any): unknown;
}

export class Exec {
  logLines: string[] = [];
  streams = new Map<number, QueryStream>();
  nextStreamId = 1;
  readonly rng: () => number;
  /** The transaction's reads and writes against Convex's limits (limits.ts); a nested call's counts towards its caller's. */
  usage: Usage;

  constructor(
    readonly host: SyscallHost,
    readonly kind: "query" | "mutation" | "action",
    readonly udfPath: string,
    readonly identity: Caller,
    readonly now: number,
    seed: number,
    /** Read ranges of a query (null when not tracked). */
    readonly reads: ReadRange[] | null,
    readonly log: (line: string) => void,
    readonly parent: Exec | null = null,
    readonly scheduledJobId: string | null = null,
  ) {
    this.rng = mulberry32(seed);
    this.usage = parent ? parent.usage.child() : new Usage(host.limits ?? DEFAULT_LIMITS);
  }

  get deterministic() {
    return this.kind !== "action";
  }

  /** Record the key ranges of every stream still open. */
  closeStreams() {
    if (this.reads) for (const s of this.streams.values()) this.reads.push(s.covered());
    this.streams.clear();
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const currentExec = new AsyncLocalStorage<Exec>();

let installed = false;

/** Installs the global hooks once per process; outside a function they are inert. */
export function installGlobals() {
  if (installed) return;
  installed = true;
  const g = globalThis as any;
  const need = () => {
    const exec = currentExec.getStore();
    if (!exec) throw new Error("Convex syscalls can only be used inside a Convex function run by the local backend.");
    return exec;
  };
  // Bundles bind `Convex` to this object (see modules.ts), so another syscall
  // layer in the same process (convex-test) can own the real global.
  g.__localBackendConvex = {
    syscall: (op: string, json: string) => {
      const exec = need();
      const result = exec.host.syscall(exec, op, JSON.parse(json));
      return result instanceof RawJson ? result.text : JSON.stringify(result);
    },
    asyncSyscall: async (op: string, json: string) => {
      const exec = need();
      const result = await exec.host.asyncSyscall(exec, op, JSON.parse(json));
      return result instanceof RawJson ? result.text : JSON.stringify(result);
    },
    jsSyscall: (op: string, args: any) => {
      const exec = need();
      return exec.host.jsSyscall(exec, op, args);
    },
  };
  const realNow = Date.now;
  Date.now = () => {
    const exec = currentExec.getStore();
    return exec && exec.deterministic ? exec.now : realNow();
  };
  const realRandom = Math.random;
  Math.random = () => {
    const exec = currentExec.getStore();
    return exec && exec.deterministic ? exec.rng() : realRandom();
  };
  const levels: [keyof Console, string][] = [
    ["log", "LOG"],
    ["info", "INFO"],
    ["warn", "WARN"],
    ["error", "ERROR"],
    ["debug", "DEBUG"],
  ];
  for (const [method, level] of levels) {
    const real = (console[method] as (...a: unknown[]) => void).bind(console);
    (console as any)[method] = (...args: unknown[]) => {
      const exec = currentExec.getStore();
      if (!exec) return real(...args);
      const text = args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 5, breakLength: Infinity }))).join(" ");
      const line = `[${level}] ${text}`;
      exec.logLines.push(line);
      currentExec.exit(() => exec.log(`${exec.udfPath} ${line}`));
    };
  }
}
