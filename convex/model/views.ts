import type { PaginationOptions } from "convex/server";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { invalid } from "./errors";
import { matchesSearch, normaliseSearch, type QuoteSort, SEARCH_LIMITS } from "./quoteNames";
import type { QuoteStatus } from "./status";
import { unreadFor } from "./readState";
import { negotiationsOfQuote } from "./negotiations";
import { awardedTo, negotiationStanding } from "./statusWords";
import type { Terms } from "./validate";

// The shapes the dashboard reads: a quote row, a quote with its negotiations.
// A supplier appears by its public profile only; its persona (costs,
// reservation, concession style) never leaves the server.

export function supplierProfileView({ _id, name, slug, profile }: Doc<"suppliers">) {
  return { _id, name, slug, profile };
}

/** `award`: the quote's award, if any: with it the negotiation reads "Awarded" or, a final offer, "Not awarded" (statusWords.ts). */
export async function negotiationView(ctx: QueryCtx, negotiation: Doc<"negotiations">, award: Doc<"awards"> | null = null) {
  const found = await ctx.db.get(negotiation.supplierId);
  const supplier = found ? supplierProfileView(found) : null;
  const latestOffer = negotiation.currentOfferId ? await ctx.db.get(negotiation.currentOfferId) : null;
  return {
    ...negotiation,
    supplier,
    unreadCount: unreadFor(negotiation, "brand"),
    standing: negotiationStanding(negotiation.status, awardedTo(award, negotiation._id)),
    ...(latestOffer ? { latestOffer } : {}),
  };
}

/** Terms the supplier stands behind: its standing offer, or an agreement. */
function supplierTerms(negotiation: Doc<"negotiations">): Terms | undefined {
  if (!negotiation.currentTerms) return undefined;
  if (negotiation.status === "accepted" || negotiation.lastOfferBy === "supplier") return negotiation.currentTerms;
  return undefined;
}

export async function quoteRow(ctx: QueryCtx, quote: Doc<"quotes">) {
  const negotiations = await negotiationsOfQuote(ctx, quote._id);
  let bestOffer: { supplierName: string; totalPrice: number; terms: Terms } | undefined;
  let unread = 0;
  const negotiationStatuses = [];
  // Only an awarded quote has an award: the others need not look.
  const award = quote.status === "awarded" ? await awardOf(ctx, quote._id) : null;
  for (const negotiation of negotiations) {
    const supplier = await ctx.db.get(negotiation.supplierId);
    const supplierName = supplier?.name ?? "Unknown supplier";
    unread += unreadFor(negotiation, "brand");
    negotiationStatuses.push({
      negotiationId: negotiation._id,
      supplierId: negotiation.supplierId,
      supplierName,
      status: negotiation.status,
      standing: negotiationStanding(negotiation.status, awardedTo(award, negotiation._id)),
    });
    const terms = supplierTerms(negotiation);
    if (terms && (!bestOffer || totalPrice(terms) < bestOffer.totalPrice)) {
      bestOffer = { supplierName, totalPrice: totalPrice(terms), terms };
    }
  }
  // An award waiting for an approver: the list says so, as the quote page does.
  const awaitingApproval =
    (await ctx.db
      .query("approvals")
      .withIndex("by_quoteId_and_status", (q) => q.eq("quoteId", quote._id).eq("status", "pending"))
      .first()) !== null;
  return { ...quote, ...(bestOffer ? { bestOffer } : {}), unreadCount: unread, negotiationStatuses, awaitingApproval };
}

async function awardOf(ctx: QueryCtx, quoteId: Id<"quotes">) {
  return await ctx.db
    .query("awards")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId))
    .first();
}

export async function quoteDetail(ctx: QueryCtx, quote: Doc<"quotes">) {
  const award = await awardOf(ctx, quote._id);
  const negotiations = [];
  for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
    negotiations.push(await negotiationView(ctx, negotiation, award));
  }
  return { quote, negotiations, ...(award ? { award } : {}) };
}

// ---------------------------------------------------------------------------
// The quotes list: search and sort, with bounded work per call:
// - a search asks the quotes' text search index (search_text over searchText,
//   filtered to the workspace and status) for its best SEARCH_LIMITS.textCandidates
//   candidates, keeps those matching every word (matchesSearch), orders them
//   as asked, and pages them by position;
// - without a search, newest/oldest walk the workspace's index in order
//   (convex-helpers' stream), and status/lowest/highest order in memory the
//   SEARCH_LIMITS.sortWindow most recent quotes (of the status filter), paged
//   by position.

export type QuoteListArgs = {
  status?: QuoteStatus;
  search?: string;
  sort?: QuoteSort;
  paginationOpts: PaginationOptions & { endCursor?: string | null };
};

// Open work first, then what waits for the brand, then what is over.
const STATUS_ORDER: QuoteStatus[] = ["negotiating", "queued", "completed", "awarded", "failed", "cancelled"];

export async function listQuotes(ctx: QueryCtx, workspaceId: Id<"workspaces">, args: QuoteListArgs) {
  const search = args.search === undefined ? "" : normaliseSearch(args.search);
  if (search.length > SEARCH_LIMITS.maxLength) {
    invalid("search", `Search must be at most ${SEARCH_LIMITS.maxLength} characters (it has ${search.length})`);
  }
  const sort = args.sort ?? "newest";
  const { status, paginationOpts } = args;

  if (search !== "") {
    // The search index gives the candidates, by word (at most SEARCH_LIMITS.textCandidates,
    // best match first); matchesSearch keeps those with every word; then the chosen order.
    const candidates = await ctx.db
      .query("quotes")
      .withSearchIndex("search_text", (q) => {
        const inWorkspace = q.search("searchText", search).eq("workspaceId", workspaceId);
        return status === undefined ? inWorkspace : inWorkspace.eq("status", status);
      })
      .take(SEARCH_LIMITS.textCandidates);
    const found = candidates.filter((quote) => matchesSearch(quote, search));
    if (sort === "newest" || sort === "oldest") {
      found.sort((a, b) => (sort === "newest" ? b._creationTime - a._creationTime : a._creationTime - b._creationTime));
      return await pageByPosition(ctx, found, paginationOpts);
    }
    return await pageByPosition(ctx, await sortedBy(ctx, found, sort), paginationOpts);
  }

  if (sort === "newest" || sort === "oldest") {
    const quotes = ctx.db.query("quotes");
    const ordered = (
      status === undefined
        ? quotes.withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
        : quotes.withIndex("by_workspaceId_and_status", (q) => q.eq("workspaceId", workspaceId).eq("status", status))
    ).order(sort === "newest" ? "desc" : "asc");
    // A page pinned to an end cursor re-reads the range it read before (plus what arrived since).
    const page = await ordered.paginate({
      numItems: paginationOpts.numItems,
      cursor: paginationOpts.cursor,
      endCursor: paginationOpts.endCursor ?? null,
    });
    return { page: await rows(ctx, page.page), isDone: page.isDone, continueCursor: page.continueCursor };
  }

  const recent = await (
    status === undefined
      ? ctx.db.query("quotes").withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspaceId))
      : ctx.db.query("quotes").withIndex("by_workspaceId_and_status", (q) => q.eq("workspaceId", workspaceId).eq("status", status))
  )
    .order("desc")
    .take(SEARCH_LIMITS.sortWindow);
  return await pageByPosition(ctx, await sortedBy(ctx, recent, sort), paginationOpts);
}

/** Quotes in a sort by status or by total, in memory: newest first within a status or an equal total; no total yet comes last. */
async function sortedBy(ctx: QueryCtx, quotes: Doc<"quotes">[], sort: Exclude<QuoteSort, "newest" | "oldest">): Promise<Doc<"quotes">[]> {
  const keyed = [];
  for (const quote of quotes) {
    keyed.push({ quote, key: sort === "status" ? STATUS_ORDER.indexOf(quote.status) : await agreedOrBestTotal(ctx, quote) });
  }
  const direction = sort === "highest" ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key !== b.key) {
      if (a.key === null) return 1;
      if (b.key === null) return -1;
      return (a.key - b.key) * direction;
    }
    return b.quote._creationTime - a.quote._creationTime;
  });
  return keyed.map((k) => k.quote);
}

/** A page of an ordered list held in memory; its cursor is the position. */
async function pageByPosition(ctx: QueryCtx, ordered: Doc<"quotes">[], paginationOpts: QuoteListArgs["paginationOpts"]) {
  const start = position(paginationOpts.cursor, 0);
  const end = position(paginationOpts.endCursor ?? null, start + paginationOpts.numItems);
  return { page: await rows(ctx, ordered.slice(start, end)), isDone: end >= ordered.length, continueCursor: String(end) };
}

/** A windowed sort's cursor: the position in the sorted window. */
function position(cursor: string | null, otherwise: number): number {
  if (cursor === null) return otherwise;
  const at = Number(cursor);
  if (!Number.isInteger(at) || at < 0) invalid("paginationOpts.cursor", "This page of quotes no longer exists: reload the list");
  return at;
}

async function rows(ctx: QueryCtx, quotes: Doc<"quotes">[]) {
  const out = [];
  for (const quote of quotes) out.push(await quoteRow(ctx, quote));
  return out;
}

/** What the quote costs as far as anyone knows: the award's total, else the best standing offer's; null with neither. */
async function agreedOrBestTotal(ctx: QueryCtx, quote: Doc<"quotes">): Promise<number | null> {
  if (quote.status === "awarded") {
    const award = await ctx.db
      .query("awards")
      .withIndex("by_quoteId", (q) => q.eq("quoteId", quote._id))
      .first();
    if (award) return totalPrice(award.terms);
  }
  let best: number | null = null;
  for (const negotiation of await negotiationsOfQuote(ctx, quote._id)) {
    const terms = supplierTerms(negotiation);
    if (terms && (best === null || totalPrice(terms) < best)) best = totalPrice(terms);
  }
  return best;
}
