// Convex's sync protocol over WebSocket (see convex/src/browser/sync/protocol.ts)
// plus the reactive query cache: after commits, only cached queries whose read
// ranges contain a written index key are re-run, one execution shared by every
// subscriber, and each client gets a Transition only when something changed
// (or it is waiting for its mutation's timestamp). A connection's identity is
// verified outside the runtime's lock (verification may fetch a JWKS from this
// very backend's HTTP actions) and ends with an AuthError when its token expires.
import type { WebSocket } from "ws";
import type { JSONValue } from "convex/values";
import { checkAdminKey } from "./auth/credentials.js";
import { actingAsIdentity } from "./auth/identity.js";
import type { TokenVerifier } from "./auth/verify.js";
import type { Identity } from "./context.js";
import { sendFrame, textFrame, type Frame } from "./frames.js";
import type { ReadRange } from "./query.js";
import type { Outcome, Runtime } from "./runtime.js";
import { argumentsNestingError } from "./values.js";

export function encodeTs(ts: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ts);
  return b.toString("base64");
}

type Entry = {
  key: string;
  /** Short unique id of this entry (for the shared-transition cache key). */
  uid: number;
  udfPath: string;
  args: JSONValue;
  identity: Identity;
  admin: boolean;
  outcome: Outcome;
  resultKey: string;
  subscribers: Map<Conn, Set<number>>;
  /** A commit touched what it read and it has not been re-run since. */
  dirty: boolean;
};

/** Who a connection's functions run as. */
type Who = { identity: Identity; admin: boolean };

/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// Backpressure. A client that does not read its socket (stalled, or hostile)
// would otherwise have every Transition queued for it in this process, without
// bound: 40 commits to a large subscribed result grew the backend by 1.7 GiB.
// Once more than HIGH_WATER bytes wait in a connection's socket, its
// Transitions are held back and folded into one: for each query only its latest
// modification is kept (a Transition carries whole results, never diffs), and
// the versions advance to the latest ones held. When the socket drains below
// LOW_WATER, that one Transition is sent. A client that stays stalled for
// STALL_MS is disconnected; the official client reconnects and resubscribes.
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const DRAIN_POLL_MS = 20;
const STALL_MS = 60_000;

// Fairness. Re-running queries is CPU, and the runtime runs one thing at a
// time: one socket holding 500 subscriptions that a commit invalidated used to
// re-run all 500 in one turn of the lock, and every other client's query waited
// behind them (11 ms became 24 s). So a connection holds at most
// `maxSubscriptions` queries (the rest of an Add gets QueryFailed), and the
// re-runs after a commit go round-robin over the connections waiting for them,
// one query per connection per turn, in slices of SLICE_MS: between slices the
// lock goes to the requests queued behind it (other sockets' queries, HTTP
// calls, mutations). Query set changes and re-authentications run in slices
// too. A connection's Transition is sent only once none of its queries waits
// for a re-run: every result it holds is then valid at the current timestamp,
// which is what a Transition promises.
export const DEFAULT_MAX_SUBSCRIPTIONS = 256;
const SLICE_MS = 5;

/** The subscription limit from a setting (option or PARLEY_LOCAL_MAX_SUBSCRIPTIONS); a bad one is refused in words. */
export function maxSubscriptions(setting: number | string | undefined): number {
  if (setting === undefined || setting === "") return DEFAULT_MAX_SUBSCRIPTIONS;
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 1) throw new Error(`PARLEY_LOCAL_MAX_SUBSCRIPTIONS must be a whole number of queries, at least 1, not ${JSON.stringify(String(setting))}.`);
  return n;
}

export function tooManySubscriptions(limit: number): string {
  return `Too many queries on one connection: the embedded backend subscribes at most ${limit} per WebSocket (PARLEY_LOCAL_MAX_SUBSCRIPTIONS). Remove a query before adding another.`;
}

/** Transitions held back for a connection whose socket is full: one per query, the latest. */
type Deferred = {
  mods: Map<number, Mod>;
  /** The versions the client holds: the held Transition starts there and ends at the connection's current ones. */
  start: { querySet: number; ts: bigint; identity: number };
  since: number;
  timer: NodeJS.Timeout;
};

class Conn {
  sessionId = "";
  querySet = 0;
  identityVersion = 0;
  ts = 0n;
  identity: Identity = null;
  admin = false;
  /** Messages are taken in one at a time, in order: an Authenticate being verified holds back those behind it. */
  inbox: Promise<void> = Promise.resolve();
  /** No more messages are taken in (the connection is being ended). */
  stopped = false;
  /** The identity version of the last Authenticate taken in (ahead of identityVersion until its Transition is sent). */
  acceptedIdentityVersion = 0;
  /** When the user token behind `identity` expires (ms since the epoch). */
  expiresAt: number | null = null;
  expiryTimer: NodeJS.Timeout | null = null;
  needsTransition = false;
  lastSend = Date.now();
  queries = new Map<number, Entry>();
  /** Set while the socket is too full to take more Transitions (see HIGH_WATER). */
  deferred: Deferred | null = null;
  /** Its entries a commit invalidated, not yet re-run: its next Transition waits for them (see SLICE_MS). */
  dirty = new Set<Entry>();
  /** Results changed since its last Transition, by query id, held until it has no dirty entry. */
  pending = new Map<number, { mod: Mod; uid: number }>();
  /** In the round-robin of connections waiting for re-runs. */
  inRing = false;
  /** A query set change or re-authentication is under way; its own Transition carries what is pending. */
  busy = false;
  /** Query set changes and re-authentications, one after another (each runs in slices). */
  ops: Promise<unknown> = Promise.resolve();
  constructor(readonly ws: WebSocket) {}
}

/** One query's change in a Transition: which query, and the modification as JSON text. */
type Mod = { queryId: number; text: string };

function resultKeyOf(o: Outcome): string {
  return o.ok ? `ok:${o.json}` : JSON.stringify(["err", o.errorMessage, o.errorData ?? null]);
}

/** A query's modification: the result's JSON is spliced into the text, never re-serialised. */
function modification(queryId: number, o: Outcome): Mod {
  return { queryId, text: modificationText(queryId, o) };
}

function modificationText(queryId: number, o: Outcome): string {
  return o.ok
    ? `{"type":"QueryUpdated","queryId":${queryId},"value":${o.json},"logLines":${JSON.stringify(o.logLines)},"journal":null}`
    : // errorData only for a ConvexError: the client turns any errorData, null too, into a ConvexError.
      JSON.stringify({ type: "QueryFailed", queryId, errorMessage: o.errorMessage, logLines: o.logLines, ...(o.errorData !== undefined ? { errorData: o.errorData } : {}), journal: null });
}

/** A function's arguments as the clients send them: `[args]` (or bare `args`), `{}` when absent. */
export function normalizeArgs(args: unknown): JSONValue {
  if (Array.isArray(args)) return (args[0] ?? {}) as JSONValue;
  return (args ?? {}) as JSONValue;
}

export class SyncServer {
  private conns = new Set<Conn>();
  private entries = new Map<string, Entry>();
  /** Which entries read which key ranges, to find the ones a commit touched. */
  private readers = new ReadIndex<Entry>();
  private pumpFirst = false;
  private pumpBack = false;
  /** Connections with dirty entries, in round-robin order. */
  private ring: Conn[] = [];
  /** When the current slice of re-runs should give the lock up. */
  private sliceEnds = 0;
  private inflight = new Map<string, Promise<Outcome>>();
  private shared = new Map<string, Frame>();
  private nextEntryUid = 1;
  private pinger: NodeJS.Timeout;
  /** Counts query executions (for tests and the benchmark). */
  executions = 0;

  constructor(
    private runtime: Runtime,
    private adminKey: string,
    private verifier: TokenVerifier,
    private log: (line: string) => void,
    private maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS,
  ) {
    this.pinger = setInterval(() => {
      const now = Date.now();
      for (const c of this.conns) if (now - c.lastSend > 15_000) this.send(c, { type: "Ping" });
    }, 5_000);
    this.pinger.unref();
  }

  get connectionCount() {
    return this.conns.size;
  }

  close() {
    clearInterval(this.pinger);
    for (const c of this.conns) {
      this.clearExpiry(c);
      c.ws.terminate();
    }
    this.conns.clear();
  }

  /** Called after every commit. */
  onCommit() {
    this.schedulePump(true);
  }

  /** Re-run everything (functions were reloaded). */
  invalidateAll() {
    for (const e of this.entries.values()) e.resultKey = "\u0000stale";
    this.runtime.store.touched.push({ index: "\u0000all", key: Buffer.alloc(0) });
    this.schedulePump(true);
  }

  /**
   * Pushes what was committed. After a commit (`first`) a slice of re-runs goes
   * ahead of every task still waiting for the lock, so a commit reaches
   * subscribers right after the task running now; a slice that leaves work
   * queues the next one behind the tasks waiting (`first` false), so they are
   * served in between. Commits that land meanwhile are taken by the next slice.
   */
  private schedulePump(first: boolean) {
    if (this.pumpFirst || (!first && this.pumpBack)) return;
    if (first) this.pumpFirst = true;
    else this.pumpBack = true;
    void this.runtime.lock.run(
      async () => {
        if (first) this.pumpFirst = false;
        else this.pumpBack = false;
        await this.pump();
      },
      "other",
      first,
    );
  }

  private send(c: Conn, msg: unknown) {
    this.sendText(c, JSON.stringify(msg));
  }

  private sendText(c: Conn, text: string) {
    if (c.ws.readyState !== c.ws.OPEN) return;
    c.lastSend = Date.now();
    c.ws.send(text);
  }

  private sendTransition(c: Conn, modifications: Mod[], querySet = c.querySet, identity = c.identityVersion, shareKey?: string) {
    const ts = this.runtime.ts > c.ts ? this.runtime.ts : c.ts;
    if (c.ws.readyState === c.ws.OPEN && (c.deferred || c.ws.bufferedAmount > HIGH_WATER)) return this.defer(c, modifications, querySet, identity, ts);
    if (c.ws.readyState === c.ws.OPEN) {
      c.lastSend = Date.now();
      if (shareKey !== undefined) {
        // Many clients in the same state get byte-identical transitions: serialize and frame once.
        const key = `${c.querySet}|${c.ts}|${c.identityVersion}|${querySet}|${ts}|${identity}|${shareKey}`;
        let f = this.shared.get(key);
        if (!f) this.shared.set(key, (f = textFrame(transitionText(c, modifications, querySet, ts, identity))));
        sendFrame(c.ws, f);
      } else {
        c.ws.send(transitionText(c, modifications, querySet, ts, identity), { binary: false });
      }
    }
    c.querySet = querySet;
    c.identityVersion = identity;
    c.ts = ts;
    c.needsTransition = false;
  }

  /** Folds a Transition into the one held back for `c`, and waits for its socket to drain (see HIGH_WATER). */
  private defer(c: Conn, modifications: Mod[], querySet: number, identity: number, ts: bigint) {
    if (!c.deferred) {
      const timer = setInterval(() => this.drain(c), DRAIN_POLL_MS);
      timer.unref();
      c.deferred = { mods: new Map(), start: { querySet: c.querySet, ts: c.ts, identity: c.identityVersion }, since: Date.now(), timer };
    }
    for (const m of modifications) c.deferred.mods.set(m.queryId, m);
    // The connection's versions move on as if sent (the next ModifyQuerySet builds on them); the client catches up on drain.
    c.querySet = querySet;
    c.identityVersion = identity;
    c.ts = ts;
    c.needsTransition = false;
  }

  /** Sends the held-back Transition once the socket has room; ends a connection stalled too long. */
  private drain(c: Conn) {
    const d = c.deferred;
    if (!d) return;
    if (c.ws.readyState !== c.ws.OPEN) {
      clearInterval(d.timer);
      c.deferred = null;
      return;
    }
    if (c.ws.bufferedAmount > LOW_WATER) {
      if (Date.now() - d.since > STALL_MS) {
        this.log(`[WARN] sync: a client read nothing for ${STALL_MS / 1000} s with ${c.ws.bufferedAmount} bytes waiting; disconnecting it`);
        clearInterval(d.timer);
        c.deferred = null;
        c.ws.terminate();
      }
      return;
    }
    clearInterval(d.timer);
    c.deferred = null;
    c.lastSend = Date.now();
    c.ws.send(transitionText(d.start, [...d.mods.values()], c.querySet, c.ts, c.identityVersion), { binary: false });
  }

  /** For tests and the CLI's status: connections, and what waits for the ones that are not reading. */
  stats(): { connections: number; held: number; heldModifications: number; bufferedBytes: number } {
    let held = 0;
    let heldModifications = 0;
    let bufferedBytes = 0;
    for (const c of this.conns) {
      bufferedBytes += c.ws.bufferedAmount;
      if (c.deferred) {
        held++;
        heldModifications += c.deferred.mods.size;
      }
    }
    return { connections: this.conns.size, held, heldModifications, bufferedBytes };
  }

  private async execute(e: Pick<Entry, "udfPath" | "args" | "identity" | "admin">): Promise<Outcome> {
    this.executions++;
    return this.runtime.queryUnlocked(e.udfPath, e.args, { identity: e.identity, allowInternal: e.admin });
  }

  private async entryFor(udfPath: string, args: JSONValue, identity: Identity, admin: boolean): Promise<Entry> {
    const key = JSON.stringify([udfPath, args, identity, admin]);
    let e = this.entries.get(key);
    if (!e) {
      const outcome = await this.execute({ udfPath, args, identity, admin });
      e = { key, uid: this.nextEntryUid++, udfPath, args, identity, admin, outcome, resultKey: resultKeyOf(outcome), subscribers: new Map(), dirty: false };
      this.entries.set(key, e);
      this.readers.add(e, outcome.reads ?? []);
    }
    return e;
  }

  private unsubscribe(c: Conn, queryId: number) {
    const e = c.queries.get(queryId);
    if (!e) return;
    c.queries.delete(queryId);
    const ids = e.subscribers.get(c);
    ids?.delete(queryId);
    c.pending.delete(queryId);
    if (ids && ids.size === 0) {
      e.subscribers.delete(c);
      c.dirty.delete(e);
    }
    if (e.subscribers.size === 0) {
      this.entries.delete(e.key);
      this.readers.remove(e);
    }
  }

  private subscribe(c: Conn, queryId: number, e: Entry) {
    c.queries.set(queryId, e);
    let ids = e.subscribers.get(c);
    if (!ids) e.subscribers.set(c, (ids = new Set()));
    ids.add(queryId);
    if (e.dirty) this.addDirty(c, e);
  }

  /** Marks the entries the commits since the last look touched as dirty. Must hold the lock. */
  private absorbCommits() {
    const touched = this.runtime.store.touched;
    if (touched.length === 0) return;
    this.runtime.store.touched = [];
    const hit = touched.some((t) => t.index === "\u0000all") ? [...this.entries.values()] : this.readers.touchedBy(touched);
    for (const e of hit) {
      if (e.dirty || this.entries.get(e.key) !== e) continue;
      e.dirty = true;
      for (const c of e.subscribers.keys()) this.addDirty(c, e);
    }
  }

  private addDirty(c: Conn, e: Entry) {
    c.dirty.add(e);
    if (!c.inRing) {
      c.inRing = true;
      this.ring.push(c);
    }
  }

  /** Starts a slice under the lock: takes in the commits, sets its end. */
  private startSlice() {
    this.absorbCommits();
    this.sliceEnds = performance.now() + SLICE_MS;
  }

  private sliceSpent(): boolean {
    return performance.now() > this.sliceEnds;
  }

  /** Re-runs one entry, once for all its subscribers; a changed result waits in each one's `pending`. */
  private async rerun(e: Entry) {
    e.dirty = false;
    for (const c of e.subscribers.keys()) c.dirty.delete(e);
    const outcome = await this.execute(e);
    // Unsubscribed meanwhile (its socket closed): it is gone for good.
    if (this.entries.get(e.key) !== e) return;
    const before = e.outcome.reads ?? [];
    e.outcome = outcome;
    if (!sameRanges(before, outcome.reads ?? [])) this.readers.add(e, outcome.reads ?? []);
    const key = resultKeyOf(outcome);
    if (key === e.resultKey) return;
    e.resultKey = key;
    const modFor = new Map<number, Mod>();
    for (const [c, ids] of e.subscribers) {
      for (const id of ids) {
        let m = modFor.get(id);
        if (!m) modFor.set(id, (m = modification(id, outcome)));
        c.pending.set(id, { mod: m, uid: e.uid });
      }
    }
  }

  /** Re-runs `c`'s dirty entries while the slice lasts; true once it has none. */
  private async cleanWithin(c: Conn): Promise<boolean> {
    for (;;) {
      const e = c.dirty.values().next().value;
      if (!e) return true;
      if (this.sliceSpent()) return false;
      await this.rerun(e);
    }
  }

  /** One slice of re-runs, round-robin over the waiting connections (one entry each per turn), then the Transitions now due. */
  private async pump() {
    for (const c of [...this.conns]) this.expireIfDue(c);
    this.startSlice();
    while (this.ring.length > 0) {
      const c = this.ring.shift()!;
      const e = this.conns.has(c) ? c.dirty.values().next().value : undefined;
      if (!e) {
        c.inRing = false;
        continue;
      }
      await this.rerun(e);
      if (c.dirty.size > 0) this.ring.push(c);
      else c.inRing = false;
      if (this.sliceSpent()) break;
    }
    this.sendReady();
    if (this.ring.length > 0) this.schedulePump(false);
  }

  /** Sends each connection with nothing dirty what is pending for it (or the Transition its mutation waits for). */
  private sendReady() {
    this.shared.clear();
    for (const c of this.conns) {
      if (c.busy || c.dirty.size > 0 || (c.pending.size === 0 && !c.needsTransition)) continue;
      const mods: Mod[] = [];
      let shareKey = "";
      for (const [id, p] of c.pending) {
        mods.push(p.mod);
        shareKey += `${p.uid}#${id};`;
      }
      c.pending.clear();
      this.sendTransition(c, mods, c.querySet, c.identityVersion, shareKey);
    }
  }

  /** Runs a query set change or re-authentication of `c` after the ones before it. */
  private op(c: Conn, msg: any, fn: () => Promise<unknown>) {
    const run = c.ops.then(fn);
    c.ops = run.catch(() => undefined);
    this.background(msg, run);
  }

  /**
   * Runs `step` under the lock, slice after slice (each queued behind the tasks
   * waiting), until it returns true. The connection's Transitions are held
   * back meanwhile: `step` sends the one that carries its change.
   */
  private async inSlices(c: Conn, step: () => Promise<boolean>): Promise<void> {
    c.busy = true;
    try {
      for (;;) {
        const done = await this.runtime.lock.run(async () => {
          if (!this.conns.has(c)) return true;
          this.startSlice();
          const finished = await step();
          if (finished) c.busy = false;
          // Re-runs of shared entries may have completed other connections.
          this.sendReady();
          return finished;
        });
        if (done) return;
      }
    } finally {
      c.busy = false;
    }
  }

  // ---- connections ------------------------------------------------------------
  handleConnection(ws: WebSocket) {
    const c = new Conn(ws);
    this.conns.add(c);
    ws.on("message", (data) => {
      let msg: any;
      try {
        msg = JSON.parse(data.toString());
      } catch (err) {
        if (err instanceof RangeError) return this.unparsable(c, err);
        this.log(`[WARN] sync: ignoring malformed message (not JSON)`);
        return;
      }
      c.inbox = c.inbox.then(() => this.admit(c, msg)).catch((err) => this.failed(msg, err));
    });
    ws.on("close", () => this.forget(c));
    ws.on("error", () => undefined);
  }

  /**
   * A message the parser could not take at all (a RangeError: its stack or a
   * size limit gave out). Its type is unknown, so it cannot be answered or
   * skipped safely: the connection is closed with the reason, and the client
   * reconnects.
   */
  private unparsable(c: Conn, err: RangeError) {
    this.log(`[WARN] sync: closing a connection whose message could not be parsed: ${err.message}`);
    c.stopped = true;
    this.forget(c);
    c.ws.close(1008, `Message could not be parsed: ${err.message}`.slice(0, 120));
  }

  private failed(msg: any, err: any) {
    this.log(`[ERROR] sync: ${msg?.type ?? "?"} failed: ${err?.stack ?? err}`);
  }

  /** Runs `task` in the background (messages behind it need not wait). */
  private background(msg: any, task: Promise<unknown>) {
    task.catch((err) => this.failed(msg, err));
  }

  /** Takes in one client message; resolves when the next may be taken in. */
  private async admit(c: Conn, msg: any): Promise<void> {
    if (c.stopped) return;
    const type = msg?.type;
    if ((type === "ModifyQuerySet" || type === "Mutation" || type === "Action") && this.expireIfDue(c)) return;
    const who: Who = { identity: c.identity, admin: c.admin };
    switch (type) {
      case "Connect":
        c.sessionId = String(msg.sessionId ?? "");
        return;
      case "ModifyQuerySet":
        return this.op(c, msg, () => this.modifyQuerySet(c, msg, who));
      case "Authenticate":
        return this.authenticate(c, msg);
      case "Mutation":
        return this.background(msg, this.mutation(c, msg, who));
      case "Action":
        return this.background(msg, this.action(c, msg, who));
      case "Event":
        return;
      default:
        this.log(`[WARN] sync: ignoring unknown message type ${JSON.stringify(type)}`);
    }
  }

  private forget(c: Conn) {
    this.conns.delete(c);
    if (c.deferred) clearInterval(c.deferred.timer);
    c.deferred = null;
    this.clearExpiry(c);
    for (const id of [...c.queries.keys()]) this.unsubscribe(c, id);
    c.pending.clear();
  }

  private async modifyQuerySet(c: Conn, msg: any, who: Who) {
    if (!this.conns.has(c)) return;
    if (msg.baseVersion !== c.querySet || !Array.isArray(msg.modifications)) {
      this.log(`[WARN] sync: ModifyQuerySet base version ${msg.baseVersion} != ${c.querySet}; ignored`);
      return;
    }
    const changes: any[] = msg.modifications;
    // Each change's answer, made when the Transition is sent (a query's result is its entry's latest).
    const answers: (() => Mod)[] = [];
    let i = 0;
    await this.inSlices(c, async () => {
      while (i < changes.length) {
        const m = changes[i++];
        if (m?.type === "Add") {
          this.unsubscribe(c, m.queryId);
          answers.push(await this.addQuery(c, m, who));
        } else if (m?.type === "Remove") {
          this.unsubscribe(c, m.queryId);
          const removed = { queryId: m.queryId, text: JSON.stringify({ type: "QueryRemoved", queryId: m.queryId }) };
          answers.push(() => removed);
        }
        if (this.sliceSpent()) return false;
      }
      if (!(await this.cleanWithin(c))) return false;
      for (const m of changes) c.pending.delete(m?.queryId);
      const mods = [...c.pending.values()].map((p) => p.mod).concat(answers.map((a) => a()));
      c.pending.clear();
      this.sendTransition(c, mods, msg.newVersion);
      return true;
    });
  }

  /**
   * Subscribes the added query; gives how to make its modification. A query that
   * cannot run, or one past the connection's limit, fails alone, the rest of the
   * set unaffected.
   */
  private async addQuery(c: Conn, m: any, who: Who): Promise<() => Mod> {
    const args = normalizeArgs(m.args);
    // Refused queries are not subscribed: no commit changes their answer.
    const refused = argumentsNestingError(args) ?? (c.queries.size >= this.maxSubscriptions ? tooManySubscriptions(this.maxSubscriptions) : null);
    if (refused) {
      const mod = modification(m.queryId, this.refusal(refused));
      return () => mod;
    }
    try {
      const e = await this.entryFor(String(m.udfPath), args, who.identity, who.admin);
      this.subscribe(c, m.queryId, e);
      return () => modification(m.queryId, e.outcome);
    } catch (err: any) {
      // E.g. a udfPath that is not a string and overflows String().
      this.log(`[ERROR] sync: query ${m.queryId} failed: ${err?.stack ?? err}`);
      const mod = modification(m.queryId, this.refusal(`Could not run the query: ${err?.message ?? err}`));
      return () => mod;
    }
  }

  private refusal(errorMessage: string): Outcome {
    return { ok: false, errorMessage, logLines: [], ts: this.runtime.ts };
  }

  /**
   * Verifies the new credentials (without the lock), then switches the
   * connection to them: later messages run as the new identity, and a Transition
   * advancing the identity version carries every query re-run as it. A refused
   * token gets an AuthError and ends the connection, as on Convex; the official
   * client then fetches a fresh token and reconnects.
   */
  private async authenticate(c: Conn, msg: any) {
    const base = typeof msg.baseVersion === "number" ? msg.baseVersion : c.acceptedIdentityVersion;
    let who: Who;
    let expiresAt: number | null = null;
    try {
      if (msg.tokenType === "Admin") {
        checkAdminKey(msg.value, this.adminKey);
        who = { identity: msg.impersonating ? actingAsIdentity(msg.impersonating) : null, admin: true };
      } else if (msg.tokenType === "User") {
        const verified = await this.verifier.verify(String(msg.value ?? ""));
        who = { identity: verified.identity, admin: false };
        expiresAt = verified.expiresAt;
      } else {
        who = { identity: null, admin: false };
      }
    } catch (err: any) {
      c.stopped = true;
      // After the transitions already due, like every message to this client.
      const error = String(err?.message ?? err);
      return this.op(c, msg, () => this.runtime.lock.run(async () => this.endWithAuthError(c, error, base, true)));
    }
    if (c.stopped || !this.conns.has(c)) return;
    c.identity = who.identity;
    c.admin = who.admin;
    c.acceptedIdentityVersion = base + 1;
    this.armExpiry(c, expiresAt);
    this.op(c, msg, () => this.resubscribe(c, who, base + 1));
  }

  private async resubscribe(c: Conn, who: Who, identityVersion: number) {
    const ids = [...c.queries.keys()];
    let i = 0;
    await this.inSlices(c, async () => {
      while (i < ids.length) {
        const queryId = ids[i++]!;
        const old = c.queries.get(queryId);
        if (!old) continue;
        this.unsubscribe(c, queryId);
        this.subscribe(c, queryId, await this.entryFor(old.udfPath, old.args, who.identity, who.admin));
        if (this.sliceSpent()) return false;
      }
      if (!(await this.cleanWithin(c))) return false;
      c.pending.clear();
      const mods = [...c.queries].map(([queryId, e]) => modification(queryId, e.outcome));
      this.sendTransition(c, mods, c.querySet, identityVersion);
      return true;
    });
  }

  // ---- expiry -------------------------------------------------------------------
  private armExpiry(c: Conn, expiresAt: number | null) {
    this.clearExpiry(c);
    c.expiresAt = expiresAt;
    if (expiresAt === null) return;
    c.expiryTimer = setTimeout(
      () => void this.runtime.lock.run(async () => {
        if (!this.expireIfDue(c) && this.conns.has(c)) this.armExpiry(c, c.expiresAt);
      }),
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now()) + 1),
    );
    c.expiryTimer.unref();
  }

  private clearExpiry(c: Conn) {
    if (c.expiryTimer) clearTimeout(c.expiryTimer);
    c.expiryTimer = null;
  }

  /**
   * Ends the connection if its token has expired, so an expired identity runs
   * nothing more (Convex checks it before every function and query update).
   */
  private expireIfDue(c: Conn): boolean {
    if (c.expiresAt === null || Date.now() < c.expiresAt || !this.conns.has(c)) return false;
    c.stopped = true;
    this.endWithAuthError(c, "Convex token identity expired", c.acceptedIdentityVersion, false);
    return true;
  }

  /** `authUpdateAttempted`: in answer to an Authenticate (else the current token stopped being valid). */
  private endWithAuthError(c: Conn, error: string, baseVersion: number, authUpdateAttempted: boolean) {
    this.send(c, { type: "AuthError", error, baseVersion, authUpdateAttempted });
    this.forget(c);
    c.ws.close();
  }

  private async mutation(c: Conn, msg: any, who: Who) {
    const requestId = msg.requestId;
    const args = normalizeArgs(msg.args);
    const refused = argumentsNestingError(args);
    if (refused) return this.send(c, { type: "MutationResponse", requestId, success: false, result: refused, logLines: [] });
    let o: Outcome;
    try {
      const key = `${c.sessionId}:${requestId}`;
      let p = this.inflight.get(key);
      if (!p) {
        p = this.runtime.runMutation(String(msg.udfPath), args, {
          identity: who.identity,
          allowInternal: who.admin,
          dedupe: c.sessionId ? { session: c.sessionId, request: Number(requestId) } : undefined,
        });
        this.inflight.set(key, p);
        void p.finally(() => this.inflight.delete(key));
      }
      o = await p;
    } catch (err: any) {
      // A malformed message (e.g. a udfPath that overflows String()) still gets its answer.
      this.failed(msg, err);
      return this.send(c, { type: "MutationResponse", requestId, success: false, result: `Could not run the mutation: ${err?.message ?? err}`, logLines: [] });
    }
    if (o.ok) {
      this.sendText(
        c,
        `{"type":"MutationResponse","requestId":${JSON.stringify(requestId ?? null)},"success":true,"result":${o.json},"ts":"${encodeTs(o.ts)}","logLines":${JSON.stringify(o.logLines)}}`,
      );
      c.needsTransition = true;
      this.schedulePump(true);
    } else {
      this.send(c, { type: "MutationResponse", requestId, success: false, result: o.errorMessage, logLines: o.logLines, ...(o.errorData !== undefined ? { errorData: o.errorData } : {}) });
    }
  }

  private async action(c: Conn, msg: any, who: Who) {
    const args = normalizeArgs(msg.args);
    const refused = argumentsNestingError(args);
    if (refused) return this.send(c, { type: "ActionResponse", requestId: msg.requestId, success: false, result: refused, logLines: [] });
    let o: Outcome;
    try {
      o = await this.runtime.runAction(String(msg.udfPath), args, { identity: who.identity, allowInternal: who.admin });
    } catch (err: any) {
      this.failed(msg, err);
      return this.send(c, { type: "ActionResponse", requestId: msg.requestId, success: false, result: `Could not run the action: ${err?.message ?? err}`, logLines: [] });
    }
    if (o.ok) this.sendText(c, `{"type":"ActionResponse","requestId":${JSON.stringify(msg.requestId ?? null)},"success":true,"result":${o.json},"logLines":${JSON.stringify(o.logLines)}}`);
    else this.send(c, { type: "ActionResponse", requestId: msg.requestId, success: false, result: o.errorMessage, logLines: o.logLines, ...(o.errorData !== undefined ? { errorData: o.errorData } : {}) });
  }
}

function transitionText(
  start: { querySet: number; ts: bigint; identity: number } | Conn,
  modifications: Mod[],
  querySet: number,
  ts: bigint,
  identity: number,
): Buffer {
  const from = start instanceof Conn ? { querySet: start.querySet, ts: start.ts, identity: start.identityVersion } : start;
  return Buffer.from(
    `{"type":"Transition","startVersion":${JSON.stringify({ querySet: from.querySet, ts: encodeTs(from.ts), identity: from.identity })},` +
      `"endVersion":${JSON.stringify({ querySet, ts: encodeTs(ts), identity })},"modifications":[${modifications.map((m) => m.text).join(",")}]}`,
  );
}

function sameRanges(a: ReadRange[], b: ReadRange[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.index !== b[i]!.index || !a[i]!.lo.equals(b[i]!.lo) || !a[i]!.hi.equals(b[i]!.hi)) return false;
  }
  return true;
}

type Reader<T> = { lo: Buffer; hi: Buffer; owner: T; dead: boolean };
type IndexReaders<T> = {
  /** Sorted by `lo`, with the running maximum of `hi` (`maxHi`); rebuilt now and then. */
  sorted: Reader<T>[];
  maxHi: Buffer[];
  /** Added since the last rebuild, looked at one by one. */
  recent: Reader<T>[];
  /** Ranges from the index's very start (whole-table reads), looked at one by one. */
  whole: Reader<T>[];
  /** Readers marked dead (unsubscribed, or read again) since the last rebuild. */
  dead: number;
};

/** Ranges added since a rebuild before the next one: a rebuild sorts, so it waits for a batch. */
const REBUILD_AFTER = 64;

/**
 * The key ranges each subscription read, by index, so a commit finds the
 * subscriptions it touched by looking up its written keys (a few dozen) rather
 * than testing every subscription's ranges (thousands, with a subscriber on
 * every negotiation). Per index: ranges sorted by their low end, with the
 * running maximum of their high ends, so the ranges holding a key are found by
 * a binary search and a short walk back. Ranges added since the last sort are
 * looked at one by one until there are enough to sort again, and removed ones
 * are only marked, so a subscription whose reads change on every run (the
 * messages streaming right now) costs no sort per run. Ranges from the very
 * start of an index (whole-table reads) are kept apart, or they would lengthen
 * every walk.
 */
class ReadIndex<T> {
  private byIndex = new Map<string, IndexReaders<T>>();
  private readersOf = new Map<T, { index: IndexReaders<T>; reader: Reader<T> }[]>();

  /** Sets `owner`'s ranges (replacing any it had). */
  add(owner: T, reads: ReadRange[]) {
    this.remove(owner);
    const mine: { index: IndexReaders<T>; reader: Reader<T> }[] = [];
    for (const r of reads) {
      if (Buffer.compare(r.lo, r.hi) >= 0) continue; // an empty range holds no key
      let ix = this.byIndex.get(r.index);
      if (!ix) this.byIndex.set(r.index, (ix = { sorted: [], maxHi: [], recent: [], whole: [], dead: 0 }));
      const reader = { lo: r.lo, hi: r.hi, owner, dead: false };
      (r.lo.length === 0 ? ix.whole : ix.recent).push(reader);
      mine.push({ index: ix, reader });
    }
    if (mine.length > 0) this.readersOf.set(owner, mine);
  }

  remove(owner: T) {
    const mine = this.readersOf.get(owner);
    if (!mine) return;
    this.readersOf.delete(owner);
    for (const { index, reader } of mine) {
      reader.dead = true;
      index.dead++;
    }
  }

  private rebuild(ix: IndexReaders<T>) {
    ix.sorted = ix.sorted.concat(ix.recent).filter((r) => !r.dead);
    ix.sorted.sort((a, b) => Buffer.compare(a.lo, b.lo));
    ix.recent = [];
    ix.whole = ix.whole.filter((r) => !r.dead);
    ix.dead = 0;
    ix.maxHi = new Array(ix.sorted.length);
    let max: Buffer | null = null;
    for (let i = 0; i < ix.sorted.length; i++) {
      const hi = ix.sorted[i]!.hi;
      ix.maxHi[i] = max = max && Buffer.compare(max, hi) >= 0 ? max : hi;
    }
  }

  /** The owners with a range holding one of the written keys. */
  touchedBy(touched: { index: string; key: Buffer }[]): Set<T> {
    const hit = new Set<T>();
    for (const { index, key } of touched) {
      const ix = this.byIndex.get(index);
      if (!ix) continue;
      if (ix.recent.length > REBUILD_AFTER || ix.dead > REBUILD_AFTER + ix.sorted.length / 2) this.rebuild(ix);
      for (const r of ix.whole) if (!r.dead && Buffer.compare(key, r.hi) < 0) hit.add(r.owner);
      for (const r of ix.recent) if (!r.dead && Buffer.compare(key, r.lo) >= 0 && Buffer.compare(key, r.hi) < 0) hit.add(r.owner);
      const { sorted, maxHi } = ix;
      if (sorted.length === 0) continue;
      // The last range starting at or before the key...
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (Buffer.compare(sorted[mid]!.lo, key) <= 0) lo = mid + 1;
        else hi = mid;
      }
      // ...and back while some earlier range still reaches past it.
      for (let j = lo - 1; j >= 0 && Buffer.compare(maxHi[j]!, key) > 0; j--) {
        const r = sorted[j]!;
        if (!r.dead && Buffer.compare(key, r.hi) < 0) hit.add(r.owner);
      }
    }
    return hit;
  }
}
