import { afterEach, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { expireDue } from "../../convex/expiry";
import { constantTimeEqual } from "../../convex/model/auth";
import { claim, expectRefused, newBackend, offer, requestQuote, SERVICE_KEY, terms } from "./helpers";

describe("constantTimeEqual", () => {
  test.each([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["", "", true],
    ["", "a", false],
    ["a\u0000", "a", false],
  ])("%j vs %j → %s", (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});

async function setup() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  await claim(t, quoteId);
  const negotiationId = negotiations[0]._id;
  const offerId = (await offer(t, negotiationId, 1, "supplier", terms(6.4, 0.85)))!;
  await t.mutation(api.ingest.startMessage, {
    serviceKey: SERVICE_KEY,
    negotiationId,
    seq: 0,
    sender: "supplier",
    kind: "text",
    content: "",
  });
  return { t, quoteId, negotiationId, offerId };
}

type Setup = Awaited<ReturnType<typeof setup>>;

// Every service function, called with the given key.
const serviceCalls: [string, (s: Setup, serviceKey: string) => Promise<unknown>][] = [
  ["seed.catalog", (s, serviceKey) => s.t.mutation(api.seed.catalog, { serviceKey })],
  ["worker.claimable", (s, serviceKey) => s.t.query(api.worker.claimable, { serviceKey })],
  ["worker.claimQuote", (s, serviceKey) => s.t.mutation(api.worker.claimQuote, { serviceKey, quoteId: s.quoteId, workerId: "w2", leaseMs: 60_000 })],
  ["worker.renewLease", (s, serviceKey) => s.t.mutation(api.worker.renewLease, { serviceKey, quoteId: s.quoteId, workerId: "worker-1", leaseMs: 60_000 })],
  ["worker.getQuoteState", (s, serviceKey) => s.t.query(api.worker.getQuoteState, { serviceKey, quoteId: s.quoteId })],
  ["worker.failQuote", (s, serviceKey) => s.t.mutation(api.worker.failQuote, { serviceKey, quoteId: s.quoteId, reason: "x" })],
  [
    "ingest.appendMessage",
    (s, serviceKey) =>
      s.t.mutation(api.ingest.appendMessage, { serviceKey, negotiationId: s.negotiationId, seq: 1, sender: "brand", kind: "text", content: "hi" }),
  ],
  [
    "ingest.startMessage",
    (s, serviceKey) =>
      s.t.mutation(api.ingest.startMessage, { serviceKey, negotiationId: s.negotiationId, seq: 1, sender: "brand", kind: "text", content: "" }),
  ],
  [
    "ingest.updateMessageText",
    (s, serviceKey) => s.t.mutation(api.ingest.updateMessageText, { serviceKey, negotiationId: s.negotiationId, seq: 0, content: "Hello" }),
  ],
  [
    "ingest.finishMessage",
    (s, serviceKey) => s.t.mutation(api.ingest.finishMessage, { serviceKey, negotiationId: s.negotiationId, seq: 0, content: "Hello" }),
  ],
  [
    "ingest.recordOffer",
    (s, serviceKey) =>
      s.t.mutation(api.ingest.recordOffer, { serviceKey, negotiationId: s.negotiationId, round: 2, offeredBy: "brand", terms: terms(6, 0.8) }),
  ],
  [
    "ingest.acceptOffer",
    (s, serviceKey) => s.t.mutation(api.ingest.acceptOffer, { serviceKey, negotiationId: s.negotiationId, offerId: s.offerId, by: "brand" }),
  ],
  [
    "ingest.updateNegotiationStatus",
    (s, serviceKey) => s.t.mutation(api.ingest.updateNegotiationStatus, { serviceKey, negotiationId: s.negotiationId, status: "failed" }),
  ],
  [
    "ingest.setRecommendation",
    (s, serviceKey) =>
      s.t.mutation(api.ingest.setRecommendation, { serviceKey, quoteId: s.quoteId, recommendation: { explanation: "none", ranking: [] } }),
  ],
];

describe("service functions need the service key", () => {
  afterEach(() => {
    process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
  });

  test.each(serviceCalls)("%s with a wrong key", async (_name, call) => {
    const s = await setup();
    await expectRefused(s.t, () => call(s, "wrong-key"), "UNAUTHENTICATED");
    await expectRefused(s.t, () => call(s, ""), "UNAUTHENTICATED");
    await expectRefused(s.t, () => call(s, SERVICE_KEY.slice(0, -1)), "UNAUTHENTICATED");
  });

  test.each(serviceCalls)("%s when PARLEY_SERVICE_KEY is unset", async (_name, call) => {
    const s = await setup();
    delete process.env.PARLEY_SERVICE_KEY;
    await expectRefused(s.t, () => call(s, ""), "UNAUTHENTICATED");
    await expectRefused(s.t, () => call(s, SERVICE_KEY), "UNAUTHENTICATED");
  });

  test.each(serviceCalls)("%s with the right key works", async (_name, call) => {
    const s = await setup();
    await call(s, SERVICE_KEY);
  });

  test("the expiry function is internal: clients cannot reach it", () => {
    const registered = expireDue as unknown as { isInternal: boolean; isPublic: boolean };
    expect(registered.isInternal).toBe(true);
    expect(registered.isPublic).toBeFalsy();
  });
});
