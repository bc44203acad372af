// How a quote is named and found: the brand's title, else its products, and its
// reference number. Pure, so the server (list search and sort) and the dashboard (list,
// detail, the form's placeholder) share one definition.

type Named = { title?: string; number?: number; lineItems: readonly { name: string }[] };

/** "Kraft tape + 1 more": the first product and how many more; "Quote" with none. */
export function defaultQuoteTitle(lineItems: readonly { name: string }[]): string {
  if (lineItems.length === 0) return "Quote";
  const [first, ...rest] = lineItems;
  return rest.length === 0 ? first.name : `${first.name} + ${rest.length} more`;
}

/** The brand's title when it gave one, else the default from the products. */
export function quoteTitle(quote: Named): string {
  const title = quote.title?.trim();
  return title ? title : defaultQuoteTitle(quote.lineItems);
}

/** "Q-0042"; null for a quote requested before quotes were numbered. */
export function quoteReference(quote: Pick<Named, "number">): string | null {
  return quote.number === undefined ? null : `Q-${String(quote.number).padStart(4, "0")}`;
}

/**
 * The text a quote is found by in the search index: its title, its reference
 * in the forms people type ("Q-0012", "Q12", "12"), and its products' names and
 * SKUs. The index finds candidates by word; matchesSearch then decides.
 */
export function quoteSearchText(quote: Omit<Named, "lineItems"> & { lineItems: readonly { name: string; sku: string }[] }): string {
  const reference = quote.number === undefined ? [] : [quoteReference(quote)!, `Q${quote.number}`, String(quote.number)];
  return [quote.title ?? "", ...reference, ...quote.lineItems.flatMap((line) => [line.name, line.sku])].filter(Boolean).join("\n");
}

/** How the quotes list may be ordered; the first is the default. */
export const QUOTE_SORTS = ["newest", "oldest", "status", "lowest", "highest"] as const;
export type QuoteSort = (typeof QUOTE_SORTS)[number];

export const QUOTE_SORT_LABELS: Record<QuoteSort, string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  status: "Status",
  lowest: "Lowest total first",
  highest: "Highest total first",
};

export const SEARCH_LIMITS = {
  /** Characters of a search, at most. */
  maxLength: 100,
  /** Candidates the search index gives one search at most (Convex's own limit). */
  textCandidates: 1024,
  /** The most recent quotes that a sort by status or total orders (they are ordered in memory). */
  sortWindow: 200,
} as const;

/** The search as matched: trimmed, lower case, one space between words; "" for none. */
export function normaliseSearch(search: string): string {
  return search.trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Every word of the (normalised) search appears in the quote's title, its
 * reference or a line item's product name or SKU. "q-12", "Q12" and "12"
 * all find Q-0012.
 */
export function matchesSearch(quote: Omit<Named, "lineItems"> & { lineItems: readonly { name: string; sku: string }[] }, search: string): boolean {
  const haystack = quoteSearchText(quote).toLowerCase();
  return search
    .split(" ")
    .filter(Boolean)
    .every((word) => {
      const reference = /^q-?0*(\d+)$/.exec(word);
      if (reference && quote.number === Number(reference[1])) return true;
      return haystack.includes(word);
    });
}
