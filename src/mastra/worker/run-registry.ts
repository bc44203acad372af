import { randomUUID } from "node:crypto";
import { runtimeFromEnv, type NegotiationRuntime } from "../runtime.js";
import type { NegotiationCallbacks } from "../workflows/run-supplier-negotiation.js";

// Mastra writes a run's RequestContext into every snapshot of the run, and
// Studio serves those snapshots over HTTP. So what a run needs from its caller
// (the runtime, which holds the service key, and callbacks) stays in this
// process, and the context carries only an opaque id to look it up by.

export interface RunHandles {
  runtime: NegotiationRuntime;
  callbacks?: NegotiationCallbacks;
  /** Called once the run has given its quote up to wait on a live supplier, just before it suspends. */
  onWaiting?(): void;
}

/** The RequestContext key of a run's handle id. */
export const RUN_HANDLE_KEY = "parley.run";

const registry = new Map<string, RunHandles>();

/** Keeps `handles` for one run; the id goes in its RequestContext, `release` forgets them once it ends. */
export function registerRun(handles: RunHandles): { id: string; release(): void } {
  const id = randomUUID();
  registry.set(id, handles);
  return { id, release: () => void registry.delete(id) };
}

/** The handles of a run; a run started without any (from Studio) uses the runtime from the environment. */
export function handlesOf(requestContext: { get(key: string): unknown }): RunHandles {
  const id = requestContext.get(RUN_HANDLE_KEY);
  return (typeof id === "string" ? registry.get(id) : undefined) ?? { runtime: runtimeFromEnv() };
}
