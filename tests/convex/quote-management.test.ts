import { describe, expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { freshSeed } from "../../convex/model/quotes";
import { defaultQuoteTitle, matchesSearch, quoteReference, quoteSearchText, quoteTitle } from "../../convex/model/quoteNames";
import { draftFromQuote, validateQuote } from "../../web/src/lib/quoteForm";
import { hrefFor, parseHash } from "../../web/src/lib/router";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  GUARDRAILS,
  invite,
  type Member,
  newBackend,
  newWorkspace,
  offer,
  PRIORITIES,
  quoteArgs,
  seed,
  terms,
} from "./helpers";

// Quote management (issue 14): reference numbers and titles, delivery and
// incoterms, search and sort of the list, edit while queued, duplicate, re-run.

type Args = ReturnType<typeof quoteArgs> & { title?: string; deliveryAddress?: string; incoterms?: string };

async function setUp() {
  const t = newBackend();
  const { products } = await seed(t);
  const owner = brand(t);
  const bySku = (sku: string) => products.find((p) => p.sku === sku)!;
  /** One line of `sku`, 500 at 1.00–2.00 (every catalog supplier can make 500). */
  const line = (sku: string) => ({ productId: bySku(sku)._id, quantity: 500, targetUnitPrice: 1, maxUnitPrice: 2 });
  const base = quoteArgs({ products });
  const request = (patch: Partial<Args> = {}, as: Member = owner) => as.mutation(api.quotes.request, { ...base, ...patch });
  const quote = (quoteId: Id<"quotes">) => t.run(async (ctx) => (await ctx.db.get(quoteId))!);
  return { t, owner, products, line, base, request, quote };
}

const ids = (page: { page: { _id: Id<"quotes"> }[] }) => page.page.map((q) => q._id);
const list = (member: Member, args: { status?: Doc<"quotes">["status"]; search?: string; sort?: "newest" | "oldest" | "status" | "lowest" | "highest" }, numItems = 50, cursor: string | null = null) =>
  member.query(api.quotes.list, { ...args, paginationOpts: { numItems, cursor } });

describe("reference numbers", () => {
  test("count from 1 per workspace, in request order, re-runs included", async () => {
    const { t, request, quote, owner } = await setUp();
    const other = await newWorkspace(t, "owner@other.test", "Other Co");
    const otherProducts = await other.query(api.products.list, {});
    const a1 = await request();
    const a2 = await request();
    const b1 = await other.mutation(api.quotes.request, quoteArgs({ products: otherProducts }));
    const a3 = await owner.mutation(api.quotes.rerun, { quoteId: a1 });
    expect((await Promise.all([a1, a2, a3].map(quote))).map((q) => q.number)).toEqual([1, 2, 3]);
    expect((await quote(b1)).number).toBe(1);
    expect(quoteReference(await quote(a3))).toBe("Q-0003");
    expect(quoteReference({ number: 12345 })).toBe("Q-12345");
  });

  test("quotes from before numbering keep no number, read sensibly, and numbering goes on from the highest", async () => {
    const { t, request, quote, owner } = await setUp();
    const first = await request();
    const legacy = await request();
    // As a quote requested before this feature: no number, no title.
    await t.run(async (ctx) => ctx.db.patch(legacy, { number: undefined }));
    const next = await request();
    expect((await quote(next)).number).toBe(2);
    const row = (await list(owner, {})).page.find((q) => q._id === legacy)!;
    expect(row.number).toBeUndefined();
    expect(quoteReference(row)).toBeNull();
    expect(quoteTitle(row)).toBe("Heavyweight cotton tee 240 gsm, black + 1 more");
    expect((await quote(first)).number).toBe(1);
  });
});

describe("titles", () => {
  test("the default names the first product and how many more; a title the brand gives wins", async () => {
    expect(defaultQuoteTitle([{ name: "Kraft tape" }, { name: "Mailer" }])).toBe("Kraft tape + 1 more");
    expect(defaultQuoteTitle([{ name: "Kraft tape" }])).toBe("Kraft tape");
    expect(defaultQuoteTitle([])).toBe("Quote");
    expect(quoteTitle({ title: "  ", lineItems: [{ name: "Kraft tape" }, { name: "A" }, { name: "B" }] })).toBe("Kraft tape + 2 more");
    const { request, quote, line } = await setUp();
    const titled = await quote(await request({ title: "  Spring restock  " }));
    expect(titled.title).toBe("Spring restock");
    expect(quoteTitle(titled)).toBe("Spring restock");
    const untitled = await quote(await request({ title: "   ", lineItems: [line("PKG-TAPE-48")] }));
    expect("title" in untitled).toBe(false);
    expect(quoteTitle(untitled)).toBe("Water-activated kraft tape 48 mm × 137 m");
  });
});

describe("delivery address, incoterms and title are checked at their field", () => {
  const bad: [string, Partial<Args>, string, string][] = [
    ["a 501-character address", { deliveryAddress: "x".repeat(501) }, "deliveryAddress", "Delivery address must be at most 500 characters (it has 501)"],
    ["an unknown incoterm", { incoterms: "FOO" }, "incoterms", "Incoterms must be one of the Incoterms 2020 rules: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF"],
    ["an incoterm in lower case", { incoterms: "fob" }, "incoterms", "Incoterms must be one of the Incoterms 2020 rules: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF"],
    ["a 121-character title", { title: "t".repeat(121) }, "title", "Title must be at most 120 characters (it has 121)"],
  ];
  test.each(bad)("%s → INVALID_ARGUMENT on the field, in words, nothing written", async (_name, patch, field, message) => {
    const { t, request } = await setUp();
    const refused = await expectRefused(t, () => request(patch), "INVALID_ARGUMENT", field);
    expect(refused.message).toBe(message);
  });

  test("good ones are stored trimmed; a blank address is no address", async () => {
    const { request, quote } = await setUp();
    const q = await quote(await request({ deliveryAddress: "  Acme Goods, Dock 4\n12 Harbour Rd, Rotterdam  ", incoterms: "DAP", title: "t".repeat(120) }));
    expect(q).toMatchObject({ deliveryAddress: "Acme Goods, Dock 4\n12 Harbour Rd, Rotterdam", incoterms: "DAP" });
    expect((await quote(await request({ deliveryAddress: " \n " }))).deliveryAddress).toBeUndefined();
  });
});

describe("search", () => {
  async function threeQuotes() {
    const s = await setUp();
    const tape = await s.request({ title: "Spring restock", lineItems: [s.line("PKG-TAPE-48")] });
    const coffee = await s.request({ title: "Office coffee", lineItems: [s.line("COF-ESP-HOUSE-1KG"), s.line("COF-DRIP-BOX-10")] });
    const plain = await s.request({ lineItems: [s.line("APP-CAP-TWL-NVY")] });
    return { ...s, tape, coffee, plain };
  }

  test("by title, reference, product name or SKU; any case; every word must match", async () => {
    const { owner, tape, coffee, plain } = await threeQuotes();
    const found = async (search: string) => ids(await list(owner, { search }));
    expect(await found("restock")).toEqual([tape]);
    expect(await found("OFFICE Coffee")).toEqual([coffee]);
    expect(await found("Q-0003")).toEqual([plain]);
    expect(await found("q2")).toEqual([coffee]);
    expect(await found("drip bags")).toEqual([coffee]);
    expect(await found("pkg-tape-48")).toEqual([tape]);
    expect(await found("twill cap")).toEqual([plain]);
    expect(await found("  kraft   tape ")).toEqual([tape]);
    expect(await found("coffee restock")).toEqual([]);
    expect(await found("")).toEqual([plain, coffee, tape]);
  });

  test("nothing found: an empty, finished page; with a status filter only that status is searched", async () => {
    const { t, owner, tape, coffee } = await threeQuotes();
    const none = await list(owner, { search: "hoodie" });
    expect(none).toMatchObject({ page: [], isDone: true });
    await claim(t, tape);
    expect(ids(await list(owner, { search: "kraft", status: "negotiating" }))).toEqual([tape]);
    expect(ids(await list(owner, { search: "coffee", status: "negotiating" }))).toEqual([]);
    expect(ids(await list(owner, { search: "coffee", status: "queued" }))).toEqual([coffee]);
  });

  test("a search longer than 100 characters is refused in words", async () => {
    const { t, owner } = await threeQuotes();
    const refused = await expectRefused(t, () => list(owner, { search: "x".repeat(101) }), "INVALID_ARGUMENT", "search");
    expect(refused.message).toBe("Search must be at most 100 characters (it has 101)");
  });

  test("the search index finds a match however many newer quotes do not match, and quotes from before it once the backfill ran", async () => {
    const { t, owner, tape } = await threeQuotes();
    // Many newer quotes that do not match, written directly (requesting each would be slow), indexed as requests are.
    const template = await t.run(async (ctx) => (await ctx.db.get(tape))!);
    await t.run(async (ctx) => {
      const { _id, _creationTime, title: _title, ...fields } = template;
      for (let i = 0; i < 220; i++) {
        const lineItems = [{ ...fields.lineItems[0]!, name: "Filler", sku: "FILL" }];
        await ctx.db.insert("quotes", { ...fields, number: 100 + i, lineItems, searchText: quoteSearchText({ number: 100 + i, lineItems }) });
      }
    });
    expect(ids(await list(owner, { search: "restock" }, 10))).toEqual([tape]);

    // A quote from before the index (no search text) is found once the cron's backfill gave it one.
    // (convex-test cannot search a table holding a document without the search field, so it is searched after.)
    const old = await t.run(async (ctx) => {
      const { _id, _creationTime, searchText: _s, ...fields } = template;
      return await ctx.db.insert("quotes", { ...fields, number: 999, title: "Legacy spring order" });
    });
    expect(await t.mutation(internal.quotes.backfillSearchText, {})).toBe(1);
    expect((await t.run(async (ctx) => await ctx.db.get(old)))!.searchText).toContain("Legacy spring order");
    expect(ids(await list(owner, { search: "legacy" }))).toEqual([old]);
    expect(await t.mutation(internal.quotes.backfillSearchText, {})).toBe(0);
  });

  test("matchesSearch, the one rule both the list and its tests use", () => {
    const quote = { title: "Spring", number: 7, lineItems: [{ name: "Kraft tape", sku: "PKG-TAPE-48" }] };
    expect(matchesSearch(quote, "q-7")).toBe(true);
    expect(matchesSearch(quote, "q-0007")).toBe(true);
    expect(matchesSearch(quote, "q-8")).toBe(false);
    expect(matchesSearch({ ...quote, number: undefined }, "q-7")).toBe(false);
    expect(matchesSearch(quote, "spring tape")).toBe(true);
  });
});

describe("paging the list as the dashboard does", () => {
  test("a page pinned to its end cursor takes in what arrives, so the next page starts where it ended: no gap, no repeat", async () => {
    const { owner, request } = await setUp();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await request());
    const first = await list(owner, {}, 3);
    expect(ids(first)).toEqual([made[4], made[3], made[2]]);
    const newer = await request();
    const pinned = await owner.query(api.quotes.list, { paginationOpts: { numItems: 3, cursor: null, endCursor: first.continueCursor } });
    expect(ids(pinned)).toEqual([newer, made[4], made[3], made[2]]);
    const second = await list(owner, {}, 3, first.continueCursor);
    expect(ids(second)).toEqual([made[1], made[0]]);
    expect(second.isDone).toBe(true);
  });
});

describe("the list's URL", () => {
  test("holds status, search and sort; the form's routes hold the quote to copy or edit", () => {
    expect(parseHash("#/quotes?status=queued&q=kraft%20tape&sort=oldest")).toEqual({ name: "quotes", status: "queued", q: "kraft tape", sort: "oldest" });
    expect(hrefFor({ name: "quotes", status: "queued", q: "kraft tape", sort: "oldest" })).toBe("#/quotes?status=queued&q=kraft%20tape&sort=oldest");
    expect(hrefFor({ name: "quotes", q: "a&b=c" })).toBe("#/quotes?q=a%26b%3Dc");
    expect(parseHash(hrefFor({ name: "quotes", q: "a&b=c" }))).toMatchObject({ q: "a&b=c" });
    expect(hrefFor({ name: "quotes" })).toBe("#/quotes");
    expect(parseHash("#/quotes?q=")).toMatchObject({ name: "quotes", q: undefined });
    expect(parseHash("#/new?from=abc")).toEqual({ name: "newQuote", from: "abc" });
    expect(hrefFor({ name: "newQuote", from: "abc" })).toBe("#/new?from=abc");
    expect(parseHash("#/quotes/abc/edit")).toEqual({ name: "newQuote", edit: "abc" });
    expect(hrefFor({ name: "newQuote", edit: "abc" })).toBe("#/quotes/abc/edit");
    expect(parseHash("#/new")).toEqual({ name: "newQuote" });
  });
});

describe("sort", () => {
  async function withOffers(t: Backend, quoteId: Id<"quotes">, negotiationIds: Id<"negotiations">[], prices: [number, number][]) {
    await claim(t, quoteId);
    for (const [i, [tee, mailer]] of prices.entries()) await offer(t, negotiationIds[i], 1, "supplier", terms(tee, mailer));
  }
  const negotiationsOf = (t: Backend, quoteId: Id<"quotes">) =>
    t.run(async (ctx) => (await ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect()).map((n) => n._id));

  test("newest, oldest, by status, and by total (the best offer, else none last), paged", async () => {
    const { t, owner, request } = await setUp();
    const cheap = await request();
    const dear = await request();
    const none = await request();
    const cancelled = await request();
    await withOffers(t, cheap, await negotiationsOf(t, cheap), [[6.0, 0.8], [5.9, 0.85]]);
    await withOffers(t, dear, await negotiationsOf(t, dear), [[6.4, 0.9]]);
    await owner.mutation(api.quotes.cancel, { quoteId: cancelled });

    expect(ids(await list(owner, {}))).toEqual([cancelled, none, dear, cheap]);
    expect(ids(await list(owner, { sort: "newest" }))).toEqual([cancelled, none, dear, cheap]);
    expect(ids(await list(owner, { sort: "oldest" }))).toEqual([cheap, dear, none, cancelled]);
    // Negotiating first (newest first among them), then queued, ..., cancelled last.
    expect(ids(await list(owner, { sort: "status" }))).toEqual([dear, cheap, none, cancelled]);
    expect(ids(await list(owner, { sort: "lowest" }))).toEqual([cheap, dear, cancelled, none]);
    expect(ids(await list(owner, { sort: "highest" }))).toEqual([dear, cheap, cancelled, none]);
    // The row's best offer is the one the sort used.
    const rows = (await list(owner, { sort: "lowest" })).page;
    expect(rows[0].bestOffer?.totalPrice).toBe(6.0 * 2000 + 0.8 * 5000);

    // Paged by position, and a page pinned to its end cursor keeps its range.
    const first = await list(owner, { sort: "lowest" }, 2);
    expect(ids(first)).toEqual([cheap, dear]);
    expect(first.isDone).toBe(false);
    const second = await list(owner, { sort: "lowest" }, 2, first.continueCursor);
    expect(ids(second)).toEqual([cancelled, none]);
    expect(second.isDone).toBe(true);
    const pinned = await owner.query(api.quotes.list, { sort: "lowest", paginationOpts: { numItems: 1, cursor: null, endCursor: first.continueCursor } });
    expect(ids(pinned)).toEqual([cheap, dear]);
    // A sort and a search together.
    expect(ids(await list(owner, { sort: "oldest", search: "tee" }))).toEqual([cheap, dear, none, cancelled]);
    await expectRefused(t, () => list(owner, { sort: "lowest" }, 2, "not-a-position"), "INVALID_ARGUMENT", "paginationOpts.cursor");
  });

  test("an awarded quote sorts by what it was awarded for", async () => {
    const { t, owner, request } = await setUp();
    const awarded = await request();
    const open = await request();
    const [n0, n1] = await negotiationsOf(t, awarded);
    await withOffers(t, awarded, [n0, n1], [[6.4, 0.9], [5.0, 0.7]]);
    await withOffers(t, open, await negotiationsOf(t, open), [[6.0, 0.8]]);
    // Awarded to the dearer offer: 6.4 × 2000 + 0.9 × 5000 = 17,300, above the open quote's 16,000.
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: n0 });
    expect(await t.run(async (ctx) => (await ctx.db.get(awarded))!.status)).toBe("awarded");
    expect(ids(await list(owner, { sort: "lowest" }))).toEqual([open, awarded]);
  });
});

describe("edit while queued", () => {
  test("a buyer replaces what a queued quote asks for; the rounds reach its negotiations; an absent seed is kept", async () => {
    const { t, owner, request, quote, line, base } = await setUp();
    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    const quoteId = await request({ title: "Before", deliveryAddress: "Old dock", incoterms: "EXW" });
    const before = await quote(quoteId);
    const { seed: _seed, notes: _notes, ...rest } = base;
    await buyer.mutation(api.quotes.update, {
      quoteId,
      ...rest,
      lineItems: [line("PKG-TAPE-48")],
      maxRounds: 9,
      title: "After",
      incoterms: "DDP",
    });
    const after = await quote(quoteId);
    expect(after).toMatchObject({ title: "After", incoterms: "DDP", maxRounds: 9, seed: before.seed, number: before.number, status: "queued" });
    expect(after.lineItems.map((l) => l.sku)).toEqual(["PKG-TAPE-48"]);
    // What the edit left out is gone: it replaces the request, as the form sends it whole.
    expect(after.deliveryAddress).toBeUndefined();
    expect(after.notes).toBeUndefined();
    const negotiations = await t.run(async (ctx) => ctx.db.query("negotiations").withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId)).collect());
    expect(negotiations.map((n) => n.maxRounds)).toEqual([9, 9, 9]);
    const events = await t.run(async (ctx) => ctx.db.query("events").withIndex("by_quoteId_and_at", (q) => q.eq("quoteId", quoteId)).collect());
    expect(events.map((e) => e.type)).toContain("quote.edited");
  });

  test("once a worker has claimed it, or it is cancelled: CONFLICT in words, nothing changes", async () => {
    const { t, owner, request, base } = await setUp();
    const claimed = await request();
    await claim(t, claimed);
    const refused = await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId: claimed, ...base, title: "Too late" }), "CONFLICT", "quoteId");
    expect(refused.message).toBe("The negotiations of this quote have started, so it can no longer be edited: duplicate it instead");
    const cancelled = await request();
    await owner.mutation(api.quotes.cancel, { quoteId: cancelled });
    const again = await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId: cancelled, ...base }), "CONFLICT", "quoteId");
    expect(again.message).toBe("This quote is cancelled, so it can no longer be edited: duplicate it instead");
  });

  test("the same checks as a request: a bad field is refused and the quote is as it was", async () => {
    const { t, owner, request, base } = await setUp();
    const quoteId = await request();
    await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId, ...base, deliveryAddress: "x".repeat(501) }), "INVALID_ARGUMENT", "deliveryAddress");
    await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId, ...base, incoterms: "XXX" }), "INVALID_ARGUMENT", "incoterms");
    await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId, ...base, lineItems: [] }), "INVALID_ARGUMENT", "lineItems");
    await expectRefused(
      t,
      () => owner.mutation(api.quotes.update, { quoteId, ...base, lineItems: [{ ...base.lineItems[0], quantity: 9_000_000 }] }),
      "INVALID_ARGUMENT",
      "lineItems[0].quantity",
    );
    await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId, ...base, guardrails: { ...GUARDRAILS, maxLeadTimeDays: 400 } }), "INVALID_ARGUMENT", "guardrails.maxLeadTimeDays");
    await expectRefused(t, () => owner.mutation(api.quotes.update, { quoteId, ...base, priorities: { ...PRIORITIES, price: -1 } }), "INVALID_ARGUMENT", "priorities.price");
  });

  test("only buyers of the quote's workspace: a viewer is FORBIDDEN, another workspace finds no such quote", async () => {
    const { t, owner, request, base } = await setUp();
    const quoteId = await request();
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    const other = await newWorkspace(t, "owner@other.test", "Other Co");
    const otherProducts = await other.query(api.products.list, {});
    const otherArgs = quoteArgs({ products: otherProducts });
    await expectRefused(t, () => viewer.mutation(api.quotes.update, { quoteId, ...base, title: "Mine now" }), "FORBIDDEN");
    // Into our workspace: not a member. In their own: our quote reads as absent.
    await expectRefused(t, () => other.as.mutation(api.quotes.update, { workspaceId: owner.workspaceId, quoteId, ...base }), "FORBIDDEN");
    await expectRefused(t, () => other.mutation(api.quotes.update, { quoteId, ...otherArgs }), "NOT_FOUND", "quoteId");
  });
});

describe("re-run and duplicate", () => {
  test("re-run: the same request at once under a new seed, a new number, three new negotiations", async () => {
    const { t, owner, request, quote } = await setUp();
    const original = await quote(await request({ title: "Spring restock", deliveryAddress: "Dock 4", incoterms: "FOB", maxRounds: 7 }));
    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    const rerunId = await buyer.mutation(api.quotes.rerun, { quoteId: original._id });
    const rerun = await quote(rerunId);
    const same = (q: Doc<"quotes">) => ({
      lineItems: q.lineItems,
      priorities: q.priorities,
      guardrails: q.guardrails,
      notes: q.notes,
      maxRounds: q.maxRounds,
      title: q.title,
      deliveryAddress: q.deliveryAddress,
      incoterms: q.incoterms,
    });
    expect(same(rerun)).toEqual(same(original));
    expect(rerun.seed).not.toBe(original.seed);
    expect(rerun).toMatchObject({ status: "queued", number: original.number! + 1 });
    const detail = (await owner.query(api.quotes.get, { quoteId: rerunId }))!;
    expect(detail.negotiations).toHaveLength(3);
    const requested = await t.run(async (ctx) =>
      ctx.db.query("events").withIndex("by_quoteId_and_at", (q) => q.eq("quoteId", rerunId)).first(),
    );
    expect(requested).toMatchObject({ type: "quote.requested", data: { rerunOf: original._id } });
  });

  test("re-run needs a buyer of the quote's workspace", async () => {
    const { t, owner, request } = await setUp();
    const quoteId = await request();
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    const other = await newWorkspace(t, "owner@other.test", "Other Co");
    await expectRefused(t, () => viewer.mutation(api.quotes.rerun, { quoteId }), "FORBIDDEN");
    await expectRefused(t, () => other.mutation(api.quotes.rerun, { quoteId }), "NOT_FOUND", "quoteId");
    await expectRefused(t, () => other.as.mutation(api.quotes.rerun, { workspaceId: owner.workspaceId, quoteId }), "FORBIDDEN");
  });

  test("a fresh seed is never the quote's own, and stays in range", () => {
    const max = 2 ** 31 - 1;
    expect(freshSeed(5, 5)).toBe(6);
    expect(freshSeed(5, 6)).toBe(6);
    expect(freshSeed(max - 1, max - 1)).toBe(0);
    expect(freshSeed(0, max)).toBe(1);
  });

  test("duplicate: the form filled from a quote requests the same lines, marked as a copy, under a new seed", async () => {
    const { t, owner, request, quote } = await setUp();
    const original = await quote(await request({ title: "Spring restock", deliveryAddress: "Dock 4", incoterms: "CIF", maxRounds: 6 }));
    const detail = (await owner.query(api.quotes.get, { quoteId: original._id }))!;
    let key = 100;
    const draft = draftFromQuote(detail.quote, "duplicate", () => key++);
    expect(draft).toMatchObject({ title: "Spring restock (copy)", seed: "", maxRounds: "6", deliveryAddress: "Dock 4", incoterms: "CIF", notes: "Spring drop" });
    expect(draft.lines.map((l) => l.key)).toEqual([100, 101]);
    const { errors, args } = validateQuote(draft);
    expect(errors).toEqual({});
    const copy = await quote(await owner.mutation(api.quotes.request, { ...args!, lineItems: args!.lineItems.map((l) => ({ ...l, productId: l.productId as Id<"products"> })) }));
    expect(copy.lineItems).toEqual(original.lineItems);
    expect(copy).toMatchObject({ title: "Spring restock (copy)", deliveryAddress: "Dock 4", incoterms: "CIF", maxRounds: 6, priorities: original.priorities, guardrails: original.guardrails });
    expect(copy.number).toBe(original.number! + 1);
    // Editing keeps everything, the seed and the title as they are.
    const edit = draftFromQuote(detail.quote, "edit", () => key++);
    expect(edit).toMatchObject({ title: "Spring restock", seed: String(original.seed) });
    // An untitled quote's copy is named after its products; a long title is cut to leave room for " (copy)".
    expect(draftFromQuote({ ...detail.quote, title: undefined }, "duplicate", () => 0).title).toBe(`${quoteTitle({ ...original, title: undefined })} (copy)`);
    const long = draftFromQuote({ ...detail.quote, title: "t".repeat(120) }, "duplicate", () => 0).title;
    expect(long).toHaveLength(120);
    expect(long.endsWith(" (copy)")).toBe(true);
  });
});
