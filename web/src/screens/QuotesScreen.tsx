import { usePaginatedQuery } from "convex-helpers/react";
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { QUOTE_SORT_LABELS, QUOTE_SORTS, quoteReference, quoteTitle, SEARCH_LIMITS, type QuoteSort } from "../../../convex/model/quoteNames";
import { Empty, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { STATUS_LABELS } from "../../../convex/model/statusWords";
import { capitalise, currencyOf, formatDuration, formatMoney } from "../lib/format";
import { hrefFor, navigate, useRoute } from "../lib/router";
import { QUOTE_STATUSES, type QuoteListItem, type QuoteStatus } from "../lib/types";
import { useNow } from "../lib/useNow";
import { needsRole } from "../lib/roles";
import { useWorkspace } from "../lib/workspace";
import { TableScroll } from "../components/TableScroll";

const PAGE_SIZE = 20;
const WINDOWED_SORTS: QuoteSort[] = ["status", "lowest", "highest"];

/**
 * The URL is the list's state (#/quotes?status=…&q=…&sort=…): every change of
 * filter, search or sort navigates, so it can be shared, reloaded and undone.
 */
export function QuotesScreen({ status }: { status?: string }) {
  const { workspaceId, role, can } = useWorkspace();
  const route = useRoute();
  const q = route.name === "quotes" ? (route.q ?? "").slice(0, SEARCH_LIMITS.maxLength) : "";
  const sortParam = route.name === "quotes" ? route.sort : undefined;
  const filter = QUOTE_STATUSES.includes(status as QuoteStatus) ? (status as QuoteStatus) : undefined;
  const sort = QUOTE_SORTS.includes(sortParam as QuoteSort) ? (sortParam as QuoteSort) : undefined;
  const search = q.trim();
  const go = (patch: { status?: string; q?: string; sort?: string }) =>
    navigate({ name: "quotes", status: filter, q: search || undefined, sort, ...patch });
  // convex-helpers' hook: the list is paged by a stream (see convex/model/views.ts), whose pages it pins.
  const { results, status: pageStatus, loadMore } = usePaginatedQuery(
    api.quotes.list,
    {
      workspaceId,
      ...(filter ? { status: filter } : {}),
      ...(search ? { search } : {}),
      ...(sort ? { sort } : {}),
    },
    { initialNumItems: PAGE_SIZE },
  );
  const quotes = results as QuoteListItem[];
  const described = `${filter ? `${filter} ` : ""}quotes`;

  return (
    <section className="screen" aria-labelledby="quotes-title">
      <div className="screen-header">
        <h1 id="quotes-title">Quotes</h1>
        <div className="screen-actions quotes-controls">
          <SearchBox value={search} onSearch={(text) => go({ q: text || undefined })} />
          <label className="inline-field">
            <span>Status</span>
            <select
              value={filter ?? ""}
              onChange={(event) => go({ status: event.target.value || undefined })}
              data-testid="status-filter"
            >
              <option value="">All</option>
              {QUOTE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {capitalise(s)}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>Sort</span>
            <select
              value={sort ?? "newest"}
              onChange={(event) => go({ sort: event.target.value === "newest" ? undefined : event.target.value })}
              data-testid="sort-quotes"
            >
              {QUOTE_SORTS.map((s) => (
                <option key={s} value={s}>
                  {QUOTE_SORT_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          {can("buyer") ? (
            <a className="button-primary" href={hrefFor({ name: "newQuote" })} data-testid="new-quote-link">
              New quote
            </a>
          ) : (
            <span className="muted small" data-testid="new-quote-needs-buyer">
              {needsRole(role, "buyer", "request quotes")}
            </span>
          )}
        </div>
      </div>

      {status !== undefined && !filter && (
        <p className="notice" role="status" data-testid="unknown-status">
          There is no status “{status}”, so all quotes are shown. Pick one from the list, or{" "}
          <a href={hrefFor({ name: "quotes" })}>show all quotes</a>.
        </p>
      )}
      {sortParam !== undefined && !sort && (
        <p className="notice" role="status" data-testid="unknown-sort">
          There is no sort “{sortParam}”, so the newest quotes come first. Pick one from the list.
        </p>
      )}
      {sort && WINDOWED_SORTS.includes(sort) && (
        <p className="muted small" data-testid="sort-window">
          Sorting by {sort === "status" ? "status" : "total"} orders the {SEARCH_LIMITS.sortWindow} most recent {described}; the
          total is the award’s, else the best current offer’s.
        </p>
      )}

      {pageStatus === "LoadingFirstPage" ? (
        <Loading label={search ? `Searching for “${search}”…` : "Loading quotes…"} />
      ) : quotes.length === 0 && search ? (
        <Empty title={`No ${described} match “${search}”.`} testId="quotes-empty">
          <p>
            Searched titles, references (such as Q-0001), product names and SKUs
            {pageStatus === "CanLoadMore" ? " of the most recent quotes; older ones are not searched yet." : "."}{" "}
            <a href={hrefFor({ name: "quotes", status: filter, sort })} data-testid="clear-search">
              Clear the search
            </a>
          </p>
        </Empty>
      ) : quotes.length === 0 && pageStatus !== "CanLoadMore" ? (
        <Empty title={filter ? `No ${filter} quotes.` : "No quotes yet."} testId="quotes-empty">
          {can("buyer") ? (
            <p>
              Ask for a quote and Parley negotiates with three suppliers at once.{" "}
              <a href={hrefFor({ name: "newQuote" })}>Request a quote</a>
            </p>
          ) : (
            <p>Quotes that the buyers of this workspace request appear here, live.</p>
          )}
        </Empty>
      ) : quotes.length > 0 ? (
        <QuotesTable quotes={quotes} />
      ) : null}

      {pageStatus === "CanLoadMore" && (
        <div className="center">
          <button type="button" className="button-secondary" onClick={() => loadMore(PAGE_SIZE)} data-testid="load-more">
            {search ? "Show more matches" : "Show more quotes"}
          </button>
        </div>
      )}
      {pageStatus === "LoadingMore" && <Loading label={search ? "Searching older quotes…" : "Loading more quotes…"} lines={1} />}
    </section>
  );
}

/** Searches on Enter or the button; the URL, not this box, holds what is searched. */
function SearchBox({ value, onSearch }: { value: string; onSearch(text: string): void }) {
  const [text, setText] = useState(value);
  // Back, forward or a link changed the search: show it.
  useEffect(() => setText(value), [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form role="search" className="inline-field quote-search" onSubmit={submit}>
      <label htmlFor="quote-search">Search</label>
      <input
        id="quote-search"
        type="search"
        value={text}
        maxLength={SEARCH_LIMITS.maxLength}
        placeholder="Title, Q-0001, product or SKU"
        onChange={(event) => setText(event.target.value)}
        data-testid="quote-search"
      />
      <button type="submit" className="button-secondary" data-testid="quote-search-submit">
        Search
      </button>
    </form>
  );
}

function QuotesTable({ quotes }: { quotes: QuoteListItem[] }) {
  const now = useNow();
  return (
    <TableScroll label="Quotes table">
      <table className="table quotes-table" data-testid="quotes-table">
        <thead>
          <tr>
            <th scope="col">Quote</th>
            <th scope="col">Status</th>
            <th scope="col">Negotiations</th>
            <th scope="col">Best current offer</th>
            <th scope="col">Since start</th>
            <th scope="col">Unread</th>
          </tr>
        </thead>
        <tbody>
          {quotes.map((quote) => {
            const href = hrefFor({ name: "quote", quoteId: quote._id });
            const started = quote.startedAt ?? quote.requestedAt;
            const ended = quote.completedAt;
            const reference = quoteReference(quote);
            return (
              <tr key={quote._id} data-testid="quote-row" data-quote-id={quote._id} data-status={quote.status}>
                <td data-label="Quote" className="quote-cell-title">
                  {reference && (
                    <span className="quote-reference" data-testid="quote-reference">
                      {reference}
                    </span>
                  )}{" "}
                  <a href={href} className="row-link" data-testid="quote-link">
                    {quoteTitle(quote)}
                  </a>
                  <div className="muted small">
                    {quote.title ? `${quote.lineItems.map((line) => line.name).join(", ")} · ` : ""}
                    {quote.lineItems.reduce((sum, line) => sum + line.quantity, 0).toLocaleString()} units ·{" "}
                    {new Date(quote.requestedAt).toLocaleString()}
                  </div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={quote.status} testId="quote-status" />
                  {quote.awaitingApproval && (
                    <span className="badge badge-warn" data-testid="row-awaiting-approval">
                      Awaiting approval
                    </span>
                  )}
                </td>
                <td data-label="Negotiations">
                  <span className="status-dots">
                    {quote.negotiationStatuses.map((n) => (
                      <span
                        key={n.negotiationId}
                        className={`dot dot-${n.status}`}
                        role="img"
                        data-standing={n.standing}
                        title={`${n.supplierName}: ${STATUS_LABELS[n.standing]}`}
                        aria-label={`${n.supplierName}: ${STATUS_LABELS[n.standing]}`}
                      />
                    ))}
                  </span>
                </td>
                <td data-label="Best current offer" data-testid="quote-best-offer">
                  {quote.bestOffer ? (
                    <>
                      <strong>{formatMoney(quote.bestOffer.totalPrice, currencyOf(quote))}</strong>
                      <div className="muted small">{quote.bestOffer.supplierName}</div>
                    </>
                  ) : (
                    <span className="muted">No offer yet</span>
                  )}
                </td>
                <td data-label="Since start" className="tabular">{formatDuration((ended ?? now) - started)}</td>
                <td data-label="Unread" data-testid="quote-unread">
                  {quote.unreadCount > 0 ? (
                    <span className="unread" data-testid="unread-count">
                      {quote.unreadCount}
                    </span>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
