import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { HIDDEN_PERSONA_FIELDS } from "../helpers/persona-fields";
import { type Backend, liveQuote, newBackend, offer, SERVICE_KEY, terms } from "./helpers";

// A live supplier sees its own negotiation and nothing of the brand's limits,
// the engine's thinking, or the other suppliers. Every portal answer is
// scanned, after both sides have offered and the brand has private notes.

const TEE = "APP-TEE-240-BLK";
const MAILER = "PKG-MAILER-1084";
/** The quote's targets and maximums (tests/convex/helpers.ts quoteArgs): numbers no supplier answer may hold. */
const BRAND_LIMITS = [5.5, 6.5, 0.75, 0.9];
const FORBIDDEN_KEYS = new Set([
  ...HIDDEN_PERSONA_FIELDS,
  "targetUnitPrice",
  "maxUnitPrice",
  "guardrails",
  "maxLeadTimeDays",
  "minPaymentTermsDays",
  "priorities",
  "reasoning",
  "confidence",
  "metadata",
  "ai",
  "recommendation",
  "seed",
  "tokenHash",
  "nonce",
  "leaseEpoch",
  "claimedBy",
]);

function walk(value: unknown, visit: (key: string | null, leaf: unknown) => void, key: string | null = null): void {
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit, key));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) {
    visit(k, undefined);
    walk(v, visit, k);
  }
  else visit(key, value);
}

async function ingestMessage(t: Backend, negotiationId: Id<"negotiations">, leaseEpoch: number, message: object) {
  const seq = await t.run(async (ctx) => (await ctx.db.get(negotiationId))!.nextSeq);
  await t.mutation(api.ingest.appendMessage, {
    serviceKey: SERVICE_KEY,
    leaseEpoch,
    negotiationId,
    seq,
    ...(message as { sender: "brand"; kind: "text"; content: string }),
  });
  return seq;
}

async function busyQuote() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 2 });
  const [me, rival] = q.contacts;
  const simulated = q.simulated[0]._id;
  const mine = me.negotiationId;
  // Both sides offer on mine; the brand's offer carries the engine's reasoning.
  await me.mutation(api.supplierPortal.makeSupplierOffer, { lines: [{ sku: TEE, unitPrice: 6.4 }, { sku: MAILER, unitPrice: 0.85 }], leadTimeDays: 30, paymentTermsDays: 30 });
  await t.mutation(api.ingest.recordOffer, {
    serviceKey: SERVICE_KEY,
    leaseEpoch: q.leaseEpoch,
    negotiationId: mine,
    round: 2,
    offeredBy: "brand",
    terms: terms(6.05, 0.81, 40, 30),
    ai: { generated: true, confidence: 0.77, reasoning: "Target is 5.50; we can go to 6.50 at most" },
  });
  await ingestMessage(t, mine, q.leaseEpoch, {
    sender: "brand",
    kind: "offer",
    content: "We can do 6.05 and 0.81.",
    metadata: { model: "secret-model-x", latencyMs: 123, replacedByEngine: "price above the brand's maximum of 6.50" },
  });
  const suggestionSeq = await ingestMessage(t, mine, q.leaseEpoch, { sender: "brand", kind: "ai_suggestion", content: "Suggest countering at 5.80 (target 5.50)" });
  await t.mutation(api.ingest.startMessage, { serviceKey: SERVICE_KEY, leaseEpoch: q.leaseEpoch, negotiationId: mine, seq: suggestionSeq + 1, sender: "brand", kind: "text", content: "Thanks" });
  await q.owner.mutation(api.notifications.setBrandTyping, { negotiationId: mine, typing: true });
  // The others: a rival live supplier's offer, and a simulated supplier's.
  const rivalOffer = (await rival.mutation(api.supplierPortal.makeSupplierOffer, {
    lines: [{ sku: TEE, unitPrice: 6.23 }, { sku: MAILER, unitPrice: 0.871 }],
    leadTimeDays: 21,
    paymentTermsDays: 60,
    message: "Rival's secret words",
  }))!;
  const simulatedOffer = (await offer(t, simulated, 1, "supplier", terms(6.11, 0.833, 19, 75)))!;
  return { t, ...q, me, rival, mine, simulated, rivalOffer, simulatedOffer };
}

describe("supplier portal answers hold nothing they should not", () => {
  test("no brand limit, engine thinking, model metadata, persona, or other negotiation in any answer", async () => {
    const s = await busyQuote();
    const page = { numItems: 100, cursor: null };
    const answers: Record<string, unknown> = {
      negotiation: await s.me.query(api.supplierPortal.negotiation, {}),
      messages: await s.me.query(api.supplierPortal.messages, { paginationOpts: page }),
      streaming: await s.me.query(api.supplierPortal.streaming, {}),
      myNegotiationsList: await s.me.as.query(api.supplierPortal.myNegotiationsList, {}),
      notifications: await s.me.as.query(api.supplierPortal.notifications, {}),
    };
    const others = [s.rival.negotiationId, s.simulated, s.rivalOffer, s.simulatedOffer, s.owner.workspaceId, s.owner.userId, s.rival.userId];
    for (const [name, answer] of Object.entries(answers)) {
      const text = JSON.stringify(answer);
      for (const id of others) expect(text, `${name} names ${id}`).not.toContain(id);
      for (const words of ["Rival's secret words", "6.23", "0.871", "6.11", "0.833", "secret-model-x", "Suggest countering", "target", "maximum", "Contact 1"]) {
        expect(text, `${name} says ${words}`).not.toContain(words);
      }
      walk(answer, (key, leaf) => {
        if (key !== null && leaf === undefined) expect(FORBIDDEN_KEYS.has(key), `${name} has the key ${key}`).toBe(false);
        if (typeof leaf === "number") expect(BRAND_LIMITS, `${name}.${key} is a brand limit`).not.toContain(leaf);
      });
    }
    // What it should see is there: both offers, its own words, the brand's, the stream, the brand typing.
    const view = answers.negotiation as Awaited<ReturnType<typeof s.me.query<typeof api.supplierPortal.negotiation>>>;
    expect(view.offers.map((o) => [o.round, o.offeredBy, o.terms.lines.map((l) => l.unitPrice)])).toEqual([
      [1, "supplier", [6.4, 0.85]],
      [2, "brand", [6.05, 0.81]],
    ]);
    expect(view.standingOffer).toMatchObject({ round: 2, offeredBy: "brand" });
    expect(view.brandTyping).toBe(true);
    expect(view.quote.lineItems).toEqual([
      { sku: TEE, name: expect.any(String), quantity: 2000 },
      { sku: MAILER, name: expect.any(String), quantity: 5000 },
    ]);
    const messages = (answers.messages as { page: { sender: string; kind: string; content: string }[] }).page;
    expect(messages.map((m) => [m.sender, m.kind])).toEqual([
      ["you", "offer"],
      ["brand", "offer"],
      ["brand", "text"],
    ]);
    expect(answers.streaming).toEqual([{ messageId: expect.any(String), content: "Thanks" }]);
    expect((answers.myNegotiationsList as { negotiationId: string }[]).map((n) => n.negotiationId)).toEqual([s.mine]);
  });

  test("messages never include the brand's assist suggestions, even streaming ones, on any page", async () => {
    const s = await busyQuote();
    await s.t.mutation(api.ingest.finishMessage, {
      serviceKey: SERVICE_KEY,
      leaseEpoch: s.leaseEpoch,
      negotiationId: s.mine,
      seq: (await s.t.run(async (ctx) => (await ctx.db.get(s.mine))!.nextSeq)) - 1,
      content: "Thanks, we will look at it.",
    });
    const streamingSeq = await s.t.run(async (ctx) => (await ctx.db.get(s.mine))!.nextSeq);
    await s.t.mutation(api.ingest.startMessage, {
      serviceKey: SERVICE_KEY,
      leaseEpoch: s.leaseEpoch,
      negotiationId: s.mine,
      seq: streamingSeq,
      sender: "brand",
      kind: "ai_suggestion",
      content: "Walk away below",
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const result: { page: { kind: string }[]; isDone: boolean; continueCursor: string } = await s.me.query(api.supplierPortal.messages, {
        paginationOpts: { numItems: 1, cursor },
      });
      seen.push(...result.page.map((m) => m.kind));
      cursor = result.isDone ? null : result.continueCursor;
    } while (cursor);
    expect(seen).not.toContain("ai_suggestion");
    expect(seen).toEqual(["offer", "offer", "text"]);
    expect(await s.me.query(api.supplierPortal.streaming, {})).toEqual([]);
    // The brand still has its note.
    const brandSide = await s.owner.query(api.messages.list, { negotiationId: s.mine, paginationOpts: { numItems: 50, cursor: null } });
    expect(brandSide.page.map((m) => m.kind)).toContain("ai_suggestion");
  });

  test("the rival's view holds none of mine", async () => {
    const s = await busyQuote();
    const view = JSON.stringify(await s.rival.query(api.supplierPortal.negotiation, {}));
    for (const words of [s.mine, "6.05", "0.81", "6.4,", "Contact 0"]) expect(view).not.toContain(words);
    const list = JSON.stringify(await s.rival.as.query(api.supplierPortal.myNegotiationsList, {}));
    expect(list).not.toContain(s.mine);
  });
});
