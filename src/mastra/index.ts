import { Mastra } from "@mastra/core/mastra";
import { ConsoleLogger } from "@mastra/core/logger";
import { createBrandAgent } from "./agents/brand-agent.js";
import { createSupplierAgent } from "./agents/supplier-agent.js";
import { resolveModel } from "./models/index.js";
import { createWorkflowStore } from "./storage/workflow-store.js";
import { negotiationWorkflow } from "./workflows/negotiation-workflow.js";

// Parley's Mastra: the two agents, the negotiation workflow, workflow runs kept
// in Convex (storage/workflow-store.ts: CONVEX_URL and PARLEY_SERVICE_KEY are
// read on import), and logging. `npm run dev:mastra` serves it as Mastra
// Studio; `startQuoteWorker` runs quotes from Convex headlessly.

const { model } = resolveModel();

export const mastra = new Mastra({
  agents: { brandAgent: createBrandAgent(model), supplierAgent: createSupplierAgent(model) },
  workflows: { negotiationWorkflow },
  storage: createWorkflowStore(),
  // Studio runs workflows with the service key and has no sign-in: loopback
  // only, unless `npm start --host`/PARLEY_HOST asks otherwise. (Without a
  // host here, Mastra's server listens on every interface.)
  server: { host: process.env.PARLEY_HOST || "127.0.0.1" },
  logger: new ConsoleLogger({ name: "parley", level: (process.env.PARLEY_LOG_LEVEL as "info" | undefined) ?? "warn" }),
});

export { startQuoteWorker, runQuoteWorkflow } from "./worker/quote-worker.js";
export type { QuoteWorker, QuoteWorkerOptions, RunQuoteOptions, QuoteWorkflowResult } from "./worker/quote-worker.js";
export { createRuntime, runtimeFromEnv } from "./runtime.js";
export type { NegotiationRuntime, RuntimeOptions } from "./runtime.js";
export { runSupplierNegotiation } from "./workflows/run-supplier-negotiation.js";
export type { NegotiationCallbacks, SupplierNegotiationResult } from "./workflows/run-supplier-negotiation.js";
export { MessagePersister, PersistenceError } from "./storage/message-persister.js";
export { ScriptedLanguageModel, resolveModel } from "./models/index.js";
