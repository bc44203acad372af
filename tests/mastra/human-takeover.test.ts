import { getFunctionName } from "convex/server";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";

import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { runNegotiations } from "../../src/mastra/workflows/run-quote.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";
import { type BrandSession, signUpBrand } from "../helpers/brand-session.js";
import { newWorkspace } from "../convex/helpers.js";
import { testRuntime } from "./helpers/runtime.js";

/** Senders in order, without the system notes the dashboard's mutations add (paused, resumed, …). */
const senders = (messages: { sender: string }[]) => messages.map((m) => m.sender).filter((s) => s !== "system");

const fn = api.negotiations;

// Against convex-test (no subscriptions: the wait polls) and against the
// embedded backend through the official clients, where the wait is a
// subscription and the paused negotiation's control is never queried.
let embedded: Awaited<ReturnType<typeof embeddedBackend>> | undefined;
afterAll(async () => embedded?.stop());

// Each with a brand user signed in to a workspace of their own: convex-test's
// identity, and a real Convex Auth sign-up on the embedded backend.
let brandSession: BrandSession | undefined;
afterAll(async () => brandSession?.close());
const backends = {
  "convex-test": async () => {
    const { t, transport } = convexTestBackend();
    return { transport, brand: await newWorkspace(t) };
  },
  "the embedded backend (subscription)": async () => {
    embedded ??= await embeddedBackend();
    brandSession ??= await signUpBrand(embedded.url, { email: "buyer@acme.test" });
    return { transport: embedded.transport, brand: brandSession };
  },
};

describe.each(Object.keys(backends) as (keyof typeof backends)[])("human takeover against %s", (backendName) => {
  it("waits while paused, answers the user's counter as the supplier, continues from it after resume; stops on walk-away", { timeout: 60_000 }, async () => {
    const { transport, brand } = await backends[backendName]();
    const live = !!transport.onUpdate;
    let controlQueries = 0;
    const counting: ConvexTransport = {
      ...transport,
      query: (fn, args) => {
        if (getFunctionName(fn) === "worker:negotiationControl") controlQueries++;
        return transport.query(fn, args);
      },
    };
    const quoteId = await requestDemoQuote(transport, { seed: 99, workspaceId: brand.workspaceId });
    await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "test", leaseMs: 60_000 });
    const read = async () => (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!;
    const [takenOver, walkedAway] = (await read()).negotiations.map((n) => n._id) as Id<"negotiations">[];
    const runtime = testRuntime(counting);
    let paused!: () => void;
    const pausedNow = new Promise<void>((r) => (paused = r));

    const run = runNegotiations(runtime, quoteId, {
      // The brand user takes over right after each supplier's opening quote, before the brand's AI answers.
      onOfferReceived: async (id, offer) => {
        if (offer.round !== 1) return;
        if (id === takenOver) {
          await brand.mutation(fn.pause, { negotiationId: id });
          paused();
        }
        if (id === walkedAway) await brand.mutation(fn.walkAway, { negotiationId: id, reason: "Not a fit" });
      },
    });

    await pausedNow;
    // The brand's AI waits: a few polls later nothing new was written.
    await new Promise((r) => setTimeout(r, 100));
    let n = (await read()).negotiations.find((x) => x._id === takenOver)!;
    expect(n.status).toBe("paused");
    expect(senders(n.messages)).toEqual(["supplier"]);

    // The user counters; the supplier's AI answers while the brand user is in control.
    const quote = (await read()).quote;
    const terms = {
      lines: quote.lineItems.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.targetUnitPrice })),
      leadTimeDays: 30,
      paymentTermsDays: 45,
    };
    await brand.mutation(fn.counter, { negotiationId: takenOver, terms, message: "Here is what we can do." });
    for (;;) {
      n = (await read()).negotiations.find((x) => x._id === takenOver)!;
      if (n.offers.length >= 3 || n.status !== "paused") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(n.offers[1]).toMatchObject({ round: 2, offeredBy: "brand", terms });
    expect(n.offers[1]!.ai).toBeUndefined();
    expect(senders(n.messages)).toEqual(["supplier", "user", "supplier"]);

    // Handed back: the brand's AI continues from the history as it now stands.
    if (n.status === "paused") await brand.mutation(fn.resume, { negotiationId: takenOver });
    const results = await run;
    const final = (await read()).negotiations;
    const t = final.find((x) => x._id === takenOver)!;
    expect(["accepted", "impasse"]).toContain(t.status);
    expect(t.offers.slice(0, 2).map((o) => o.offeredBy)).toEqual(["supplier", "brand"]);
    expect(senders(t.messages).slice(0, 3)).toEqual(["supplier", "user", "supplier"]);
    if (t.offers.length > 3) expect(t.offers[3]!.ai?.generated).toBe(true);
    expect(t.messages.map((m) => m.seq)).toEqual([...t.messages.keys()]);

    const w = final.find((x) => x._id === walkedAway)!;
    expect(w.status).toBe("rejected");
    expect(w.offers).toHaveLength(1);
    expect(senders(w.messages)).toEqual(["supplier", "user"]);
    expect(results.find((r) => r.negotiationId === walkedAway)!.status).toBe("rejected");
    if (live) expect(controlQueries).toBe(0);
    else expect(controlQueries).toBeGreaterThan(0);
  });
});
