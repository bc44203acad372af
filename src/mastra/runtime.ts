import type { Agent } from "@mastra/core/agent";
import type { Doc } from "../../convex/_generated/dataModel.js";
import { createBrandAgent } from "./agents/brand-agent.js";
import { createSupplierAgent } from "./agents/supplier-agent.js";
import { readRetryPolicy, type RetryPolicy } from "./backend-retry.js";
import { clientTransport, type ConvexTransport } from "./convex-transport.js";
import { envNumber } from "./env.js";
import { resolveModel } from "./models/index.js";
import { MessagePersister, type PersisterLog } from "./storage/message-persister.js";

// What a workflow run needs from the outside: where Convex is, who may write,
// which model speaks. The worker and the tests build one explicitly; a run
// started from Mastra Studio gets the default one from the environment. A
// runtime never leaves its process (see worker/run-registry.ts): it holds the
// service key.

export interface NegotiationRuntime {
  transport: ConvexTransport;
  serviceKey: string;
  persister: MessagePersister;
  /** Recorded on every message as `metadata.model`. */
  modelId: string;
  /** The agent that speaks for `party` in the negotiation with `supplier`. */
  /** The agent that speaks for `party` with `supplier`; it is told the supplier's public side only. */
  agentFor(party: "brand" | "supplier", supplier: Pick<Doc<"suppliers">, "_id" | "name" | "profile">): Agent;
  /** How often a paused negotiation's status is re-read, only on transports without subscriptions (convex-test). */
  pollMs: number;
  /** How the workflow's reads and subscriptions ride out a backend outage (PARLEY_BACKEND_OUTAGE_MS). */
  readRetry: RetryPolicy;
  /** A model turn that takes longer fails its negotiation. */
  turnTimeoutMs: number;
  log: PersisterLog;
}

const consoleLog: PersisterLog = {
  info: (m, d) => console.info(`[parley] ${m}`, d ?? ""),
  warn: (m, d) => console.warn(`[parley] ${m}`, d ?? ""),
  error: (m, d) => console.error(`[parley] ${m}`, d ?? ""),
};

export const silentLog: PersisterLog = { info() {}, warn() {}, error() {} };

/** `log` with the service key masked: an error passed on from Convex may quote a function's arguments. */
function maskingLog(log: PersisterLog, serviceKey: string): PersisterLog {
  if (!serviceKey) return log;
  const mask = (text: string) => text.replaceAll(serviceKey, "[service key]");
  const masked = (level: keyof PersisterLog) => (m: string, d?: Record<string, unknown>) =>
    log[level](mask(m), d && (JSON.parse(mask(JSON.stringify(d))) as Record<string, unknown>));
  return { info: masked("info"), warn: masked("warn"), error: masked("error") };
}

export interface RuntimeOptions {
  transport: ConvexTransport;
  serviceKey: string;
  env?: NodeJS.ProcessEnv;
  log?: PersisterLog;
  throttleMs?: number;
  deliveryTimeoutMs?: number;
  pollMs?: number;
  turnTimeoutMs?: number;
  /** Overrides the agents (tests: a model that throws for one supplier). */
  agentFor?: NegotiationRuntime["agentFor"];
}

export function createRuntime(options: RuntimeOptions): NegotiationRuntime {
  const env = options.env ?? process.env;
  const log = maskingLog(options.log ?? consoleLog, options.serviceKey);
  let agentFor = options.agentFor;
  let modelId = "custom";
  if (!agentFor) {
    const { model, id } = resolveModel(env);
    modelId = id;
    const brand = createBrandAgent(model);
    const supplier = createSupplierAgent(model);
    agentFor = (party) => (party === "brand" ? brand : supplier);
  }
  return {
    transport: options.transport,
    serviceKey: options.serviceKey,
    persister: new MessagePersister({
      transport: options.transport,
      serviceKey: options.serviceKey,
      throttleMs: options.throttleMs ?? envNumber(env.PARLEY_STREAM_THROTTLE_MS),
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? envNumber(env.PARLEY_DELIVERY_TIMEOUT_MS),
      log,
    }),
    modelId,
    agentFor,
    pollMs: options.pollMs ?? 200,
    readRetry: readRetryPolicy(env),
    turnTimeoutMs: options.turnTimeoutMs ?? envNumber(env.PARLEY_TURN_TIMEOUT_MS) ?? 120_000,
    log,
  };
}

let defaultRuntime: NegotiationRuntime | undefined;

/** The runtime for runs started without one (Mastra Studio): CONVEX_URL and PARLEY_SERVICE_KEY. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv = process.env): NegotiationRuntime {
  if (defaultRuntime) return defaultRuntime;
  const url = env.CONVEX_URL;
  const serviceKey = env.PARLEY_SERVICE_KEY;
  if (!url || !serviceKey) {
    throw new Error("CONVEX_URL and PARLEY_SERVICE_KEY must be set to run the negotiation workflow");
  }
  defaultRuntime = createRuntime({ transport: clientTransport(url), serviceKey, env });
  return defaultRuntime;
}
