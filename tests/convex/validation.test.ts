import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { SUPPLIERS } from "../../convex/model/catalog";
import {
  claim,
  expectRefused,
  GUARDRAILS,
  newBackend,
  offer,
  PRIORITIES,
  quoteArgs,
  brand,
  requestQuote,
  seed,
  SERVICE_KEY,
  snapshot,
  terms,
} from "./helpers";

type Args = ReturnType<typeof quoteArgs>;

// Each bad request: the field it names, and what makes it bad.
const badRequests: [string, string, (args: Args) => Args][] = [
  ["no line items", "lineItems", (a) => ({ ...a, lineItems: [] })],
  ["51 line items", "lineItems", (a) => ({ ...a, lineItems: Array.from({ length: 51 }, () => a.lineItems[0]) })],
  ["a product twice", "lineItems[1].productId", (a) => ({ ...a, lineItems: [a.lineItems[0], a.lineItems[0]] })],
  ["zero quantity", "lineItems[0].quantity", (a) => withItem(a, { quantity: 0 })],
  ["fractional quantity", "lineItems[0].quantity", (a) => withItem(a, { quantity: 1.5 })],
  ["quantity above 10,000,000", "lineItems[0].quantity", (a) => withItem(a, { quantity: 10_000_001 })],
  ["negative target price", "lineItems[0].targetUnitPrice", (a) => withItem(a, { targetUnitPrice: -1 })],
  ["NaN target price", "lineItems[0].targetUnitPrice", (a) => withItem(a, { targetUnitPrice: Number.NaN })],
  ["max price above 1,000,000", "lineItems[0].maxUnitPrice", (a) => withItem(a, { maxUnitPrice: 1_000_001 })],
  ["max price below target", "lineItems[0].maxUnitPrice", (a) => withItem(a, { maxUnitPrice: 5 })],
  ["negative priority", "priorities.price", (a) => ({ ...a, priorities: { ...PRIORITIES, price: -0.1 } })],
  [
    "all priorities zero",
    "priorities",
    (a) => ({ ...a, priorities: { price: 0, leadTime: 0, paymentTerms: 0, quality: 0 } }),
  ],
  ["lead time above 365", "guardrails.maxLeadTimeDays", (a) => ({ ...a, guardrails: { ...GUARDRAILS, maxLeadTimeDays: 366 } })],
  ["negative lead time", "guardrails.maxLeadTimeDays", (a) => ({ ...a, guardrails: { ...GUARDRAILS, maxLeadTimeDays: -1 } })],
  [
    "payment terms above 180",
    "guardrails.minPaymentTermsDays",
    (a) => ({ ...a, guardrails: { ...GUARDRAILS, minPaymentTermsDays: 181 } }),
  ],
  ["4,001-character notes", "notes", (a) => ({ ...a, notes: "x".repeat(4001) })],
  ["zero max rounds", "maxRounds", (a) => ({ ...a, maxRounds: 0 })],
  ["21 max rounds", "maxRounds", (a) => ({ ...a, maxRounds: 21 })],
  ["negative seed", "seed", (a) => ({ ...a, seed: -1 })],
];

function withItem(args: Args, patch: Partial<Args["lineItems"][number]>): Args {
  return { ...args, lineItems: [{ ...args.lineItems[0], ...patch }, args.lineItems[1]] };
}

describe("quotes.request validates every field", () => {
  test.each(badRequests)("%s → INVALID_ARGUMENT on %s", async (_name, field, mutate) => {
    const t = newBackend();
    const { products } = await seed(t);
    await expectRefused(t, () => brand(t).mutation(api.quotes.request, mutate(quoteArgs({ products }))), "INVALID_ARGUMENT", field);
  });

  test("errors are in plain words: a label, not the field's path, and grouped numbers", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const args = quoteArgs({ products });
    const refused = (a: Args, field: string) => expectRefused(t, () => brand(t).mutation(api.quotes.request, a), "INVALID_ARGUMENT", field);
    expect((await refused({ ...args, lineItems: [{ ...args.lineItems[0], quantity: 10_000_001 }] }, "lineItems[0].quantity")).message).toBe(
      "Quantity must be at most 10,000,000",
    );
    expect((await refused({ ...args, lineItems: [{ ...args.lineItems[0], maxUnitPrice: 0 }] }, "lineItems[0].maxUnitPrice")).message).toBe(
      "Maximum unit price must be greater than 0",
    );
    expect((await refused({ ...args, maxRounds: 21 }, "maxRounds")).message).toBe("Rounds must be at most 20");
    expect((await refused({ ...args, notes: "x".repeat(4001) }, "notes")).message).toBe("Notes must be at most 4,000 characters (it has 4,001)");
  });

  test("4,000-character notes are fine", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    await brand(t).mutation(api.quotes.request, { ...quoteArgs({ products }), notes: "x".repeat(4000) });
  });

  test("an unknown product is NOT_FOUND", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const args = quoteArgs({ products });
    await t.run(async (ctx) => ctx.db.delete(args.lineItems[0].productId));
    await expectRefused(t, () => brand(t).mutation(api.quotes.request, args), "NOT_FOUND", "lineItems[0].productId");
  });

  test("a quantity no supplier can fill is refused at its line, in words that name no supplier's capacity", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const personas = await t.run(async (ctx) => (await ctx.db.query("suppliers").collect()).map((s) => s.persona));
    const most = Math.max(...personas.map((p) => p.capacityPerLine));
    const args = quoteArgs({ products });
    const before = await snapshot(t);
    const error = await expectRefused(
      t,
      () => brand(t).mutation(api.quotes.request, { ...args, lineItems: [args.lineItems[0], { ...args.lineItems[1], quantity: most + 1 }] }),
      "INVALID_ARGUMENT",
      "lineItems[1].quantity",
    );
    expect(error.message).toMatch(/^None of this workspace's suppliers can supply [\d,]+ × .+ in one order/);
    expect(error.message).not.toContain(most.toLocaleString("en-US"));
    expect(await snapshot(t)).toEqual(before);
    // What one supplier can make is a quote.
    await brand(t).mutation(api.quotes.request, { ...args, lineItems: [{ ...args.lineItems[1], quantity: most }] });
  });

  test("without suppliers it is a CONFLICT that says to seed", async () => {
    const t = newBackend();
    const { products, suppliers } = await seed(t);
    await t.run(async (ctx) => {
      for (const supplier of suppliers) await ctx.db.delete(supplier._id);
    });
    const error = await expectRefused(t, () => brand(t).mutation(api.quotes.request, quoteArgs({ products })), "CONFLICT");
    expect(error.message).toMatch(/seed/);
  });

  test("more suppliers than one quote negotiates with is a CONFLICT that says so, not a quote that leaves some out", async () => {
    const t = newBackend();
    const { products, suppliers } = await seed(t);
    const add = (from: number, to: number) =>
      t.run(async (ctx) => {
        const { _id, _creationTime, ...supplier } = (await ctx.db.get(suppliers[0]!._id))!;
        for (let i = from; i < to; i++) await ctx.db.insert("suppliers", { ...supplier, slug: `extra-${i}`, name: `Extra ${i}` });
      });
    await add(suppliers.length, 10);
    const quoteId = await brand(t).mutation(api.quotes.request, quoteArgs({ products }));
    const negotiations = await t.run((ctx) => ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
    expect(negotiations).toHaveLength(10);
    await add(10, 11);
    const error = await expectRefused(t, () => brand(t).mutation(api.quotes.request, quoteArgs({ products })), "CONFLICT");
    expect(error.message).toBe("This workspace has more than 10 suppliers, and a quote negotiates with at most 10 at once");
  });

  test("wrong types are refused by the validators and change nothing", async () => {
    const t = newBackend();
    const { products } = await seed(t);
    const args = quoteArgs({ products });
    const before = await snapshot(t);
    const wrong = [
      { ...args, lineItems: [{ ...args.lineItems[0], quantity: "2000" }] },
      { ...args, priorities: { price: 1 } },
      { ...args, lineItems: [{ ...args.lineItems[0], productId: "not-an-id" }] },
      { ...args, extra: true },
    ];
    for (const bad of wrong) {
      await expect(brand(t).mutation(api.quotes.request, bad as unknown as Args)).rejects.toThrow();
    }
    expect(await snapshot(t)).toEqual(before);
  });

  test("the quote is stored as asked, priorities normalised, one pending negotiation per supplier", async () => {
    const t = newBackend();
    const { products, suppliers } = await seed(t);
    const args = { ...quoteArgs({ products }), priorities: { price: 2, leadTime: 1, paymentTerms: 1, quality: 0 } };
    const quoteId = await brand(t).mutation(api.quotes.request, args);
    const { quote, negotiations } = (await brand(t).query(api.quotes.get, { quoteId }))!;
    expect(quote).toMatchObject({
      status: "queued",
      priorities: { price: 0.5, leadTime: 0.25, paymentTerms: 0.25, quality: 0 },
      guardrails: GUARDRAILS,
      notes: "Spring drop",
      maxRounds: 8,
      seed: 42,
    });
    expect(quote.lineItems[0]).toMatchObject({ sku: "APP-TEE-240-BLK", listPrice: 6.8, quantity: 2000 });
    expect(negotiations.map((n) => n.supplierId).sort()).toEqual(suppliers.map((s) => s._id).sort());
    for (const negotiation of negotiations) {
      expect(negotiation).toMatchObject({ status: "pending", currentRound: 0, nextSeq: 0, maxRounds: 8, unreadCount: 0 });
    }
  });
});

async function pausedWithSupplierOffer() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  await claim(t, quoteId);
  const negotiationId = negotiations[0]._id;
  await offer(t, negotiationId, 1, "supplier", terms(7, 0.95, 40, 30));
  await brand(t).mutation(api.negotiations.pause, { negotiationId });
  return { t, negotiationId };
}

// Brand counter terms: bounds first, then the quote's own lines, then the guardrails.
const badTerms: [string, string, ReturnType<typeof terms>][] = [
  ["negative price", "terms.lines[0].unitPrice", terms(-1, 0.8)],
  ["zero price", "terms.lines[1].unitPrice", terms(6, 0)],
  ["price above 1,000,000", "terms.lines[0].unitPrice", terms(1_000_001, 0.8)],
  ["lead time above 365", "terms.leadTimeDays", terms(6, 0.8, 366)],
  ["negative payment terms", "terms.paymentTermsDays", terms(6, 0.8, 30, -1)],
  ["payment terms above 180", "terms.paymentTermsDays", terms(6, 0.8, 30, 181)],
  ["above the line's max unit price", "terms.lines[0].unitPrice", terms(6.51, 0.8)],
  ["lead time above the guardrail", "terms.leadTimeDays", terms(6, 0.8, 46)],
  ["payment terms below the guardrail", "terms.paymentTermsDays", terms(6, 0.8, 30, 29)],
  [
    "an unknown sku",
    "terms.lines[1].sku",
    { ...terms(6, 0.8), lines: [terms(6, 0.8).lines[0], { sku: "NOPE", quantity: 1, unitPrice: 1 }] },
  ],
  ["a missing line", "terms.lines", { ...terms(6, 0.8), lines: [terms(6, 0.8).lines[0]] }],
  [
    "quantity above 10,000,000",
    "terms.lines[0].quantity",
    { ...terms(6, 0.8), lines: [{ ...terms(6, 0.8).lines[0], quantity: 10_000_001 }, terms(6, 0.8).lines[1]] },
  ],
];

describe("negotiations.counter validates terms against bounds and guardrails", () => {
  test.each(badTerms)("%s → INVALID_ARGUMENT on %s", async (_name, field, bad) => {
    const { t, negotiationId } = await pausedWithSupplierOffer();
    await expectRefused(t, () => brand(t).mutation(api.negotiations.counter, { negotiationId, terms: bad }), "INVALID_ARGUMENT", field);
  });

  test("terms exactly at the guardrails are accepted", async () => {
    const { t, negotiationId } = await pausedWithSupplierOffer();
    const offerId = await brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6.5, 0.9, 45, 30) });
    expect(offerId).not.toBeNull();
  });

  test("a 4,001-character message is refused", async () => {
    const { t, negotiationId } = await pausedWithSupplierOffer();
    await expectRefused(
      t,
      () => brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6, 0.8), message: "x".repeat(4001) }),
      "INVALID_ARGUMENT",
      "message",
    );
    await expectRefused(
      t,
      () => brand(t).mutation(api.negotiations.sendMessage, { negotiationId, content: "x".repeat(4001) }),
      "INVALID_ARGUMENT",
      "content",
    );
    await expectRefused(t, () => brand(t).mutation(api.negotiations.sendMessage, { negotiationId, content: "  " }), "INVALID_ARGUMENT", "content");
  });
});

describe("unknown ids", () => {
  test("a deleted negotiation is NOT_FOUND for every brand action", async () => {
    const t = newBackend();
    const { negotiations } = await requestQuote(t);
    const negotiationId = negotiations[0]._id;
    await t.run(async (ctx) => ctx.db.delete(negotiationId));
    const calls: [string, () => Promise<unknown>][] = [
      ["pause", () => brand(t).mutation(api.negotiations.pause, { negotiationId })],
      ["resume", () => brand(t).mutation(api.negotiations.resume, { negotiationId })],
      ["sendMessage", () => brand(t).mutation(api.negotiations.sendMessage, { negotiationId, content: "hi" })],
      ["counter", () => brand(t).mutation(api.negotiations.counter, { negotiationId, terms: terms(6, 0.8) })],
      ["acceptCurrentOffer", () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId })],
      ["walkAway", () => brand(t).mutation(api.negotiations.walkAway, { negotiationId })],
      ["markRead", () => brand(t).mutation(api.messages.markRead, { negotiationId })],
    ];
    for (const [, call] of calls) await expectRefused(t, call, "NOT_FOUND", "negotiationId");
  });

  test("a deleted quote: get is null, cancel is NOT_FOUND", async () => {
    const t = newBackend();
    const { quoteId } = await requestQuote(t);
    await t.run(async (ctx) => ctx.db.delete(quoteId));
    expect(await brand(t).query(api.quotes.get, { quoteId })).toBeNull();
    await expectRefused(t, () => brand(t).mutation(api.quotes.cancel, { quoteId }), "NOT_FOUND", "quoteId");
  });

  test("an id of another table is refused by the validator", async () => {
    const t = newBackend();
    const { quoteId } = await requestQuote(t);
    await expect(
      brand(t).mutation(api.negotiations.pause, { negotiationId: quoteId as unknown as Id<"negotiations"> }),
    ).rejects.toThrow();
  });
});

describe("the catalog refuses a persona the engine cannot honour", () => {
  test("fastest lead time above standard → INVALID_ARGUMENT naming the field; nothing is written", async () => {
    const t = newBackend();
    const { owner } = await seed(t);
    const original = SUPPLIERS[1]!.persona;
    SUPPLIERS[1]!.persona = { ...original, leadTimeDays: { standard: 10, fastest: 30 } };
    try {
      const error = await expectRefused(
        t,
        () => t.mutation(api.seed.catalog, { serviceKey: SERVICE_KEY, workspaceId: owner.workspaceId }),
        "INVALID_ARGUMENT",
        `suppliers.${SUPPLIERS[1]!.slug}.persona.leadTimeDays.fastest`,
      );
      expect(error.message).toContain("fastest must not exceed standard");
    } finally {
      SUPPLIERS[1]!.persona = original;
    }
  });
});
