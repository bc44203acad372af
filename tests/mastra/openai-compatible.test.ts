import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import { createBrandAgent } from "../../src/mastra/agents/brand-agent.js";

import { resolveModel } from "../../src/mastra/models/index.js";
import { createRuntime, silentLog } from "../../src/mastra/runtime.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { startOpenAIStandIn, type StandIn } from "./helpers/openai-stand-in.js";

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startOpenAIStandIn();
});
afterAll(async () => standIn?.close());

describe("PARLEY_MODEL=openai:<model> with OPENAI_BASE_URL", () => {
  it("talks chat completions to the server at OPENAI_BASE_URL, streaming included", async () => {
    const { model, id } = resolveModel({ PARLEY_MODEL: "openai:stand-in-7b", OPENAI_BASE_URL: standIn.baseURL, OPENAI_API_KEY: "sk-local" });
    expect(id).toBe("openai:stand-in-7b");
    const agent = createBrandAgent(model);
    const deltas: string[] = [];
    const out = await agent.stream("Say hello");
    for await (const d of out.textStream) deltas.push(d);
    // Streamed (the request below asks for it); chunks that arrive in one network read reach
    // Mastra as one delta (coalesced-model.ts), so how many pieces there are depends on timing.
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(deltas.join("")).toBe("Stand-in reply.");
    expect((await out.usage).inputTokens).toBe(100);
    const generated = await agent.generate("Say hello again");
    expect(generated.text).toBe("Stand-in reply.");
    const paths = standIn.requests.map((r) => r.path);
    expect(paths).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
    expect(standIn.requests[0]!.body).toMatchObject({ model: "stand-in-7b", stream: true });
    expect(standIn.requests[1]!.body.stream).toBeFalsy();
    expect(standIn.requests[0]!.authorization).toBe("Bearer sk-local");
  });

  it("needs no key for a local server, and refuses a missing key without one", () => {
    expect(() => resolveModel({ PARLEY_MODEL: "openai:gpt-4.1-mini" })).toThrow(/OPENAI_API_KEY/);
    expect(resolveModel({ PARLEY_MODEL: "openai:llama3", OPENAI_BASE_URL: standIn.baseURL }).id).toBe("openai:llama3");
    expect(() => resolveModel({ PARLEY_MODEL: "claude" })).toThrow(/expected "scripted" or "openai:<model>"/);
  });

  it("runs a whole quote through the stand-in; terms the model adds are checked and replaced by the engine's", async () => {
    standIn.rogueTerms = true;
    const { transport } = convexTestBackend();
    const quoteId = await requestDemoQuote(transport, { seed: 5 });
    await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "t", leaseMs: 60_000 });
    const runtime = createRuntime({
      transport,
      serviceKey: SERVICE_KEY,
      log: silentLog,
      env: { PARLEY_MODEL: "openai:stand-in-7b", OPENAI_BASE_URL: standIn.baseURL },
    });
    const results = await runNegotiations(runtime, quoteId);
    expect(results.map((r) => r.status).every((s) => s === "accepted" || s === "impasse")).toBe(true);
    const state = (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    const messages = state.negotiations.flatMap((n) => n.messages);
    expect(messages[0]!.content).toMatch(/^Stand-in supplier for round 1: offer\.$/);
    expect(messages.every((m) => m.metadata?.model === "openai:stand-in-7b")).toBe(true);
    const offerMessages = messages.filter((m) => m.kind === "offer");
    expect(offerMessages.length).toBeGreaterThan(3);
    expect(offerMessages.every((m) => m.metadata?.replacedByEngine === "the model's terms differed from the engine's decision" || /outside the guardrails/.test(m.metadata?.replacedByEngine ?? ""))).toBe(true);
    expect(messages.every((m) => !m.content.includes("```"))).toBe(true);
    // The offers on record are the engine's, not the model's tenfold prices.
    for (const n of state.negotiations) {
      for (const o of n.offers) for (const [i, l] of o.terms.lines.entries()) expect(l.unitPrice).toBeLessThan(state.quote.lineItems[i]!.listPrice * 3);
    }
    standIn.rogueTerms = false;
  });
});
