import { usePaginatedQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { Empty, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { capitalise, formatDuration, formatMoney } from "../lib/format";
import { hrefFor, navigate } from "../lib/router";
import { QUOTE_STATUSES, type QuoteListItem, type QuoteStatus } from "../lib/types";
import { useNow } from "../lib/useNow";
import { needsRole } from "../lib/roles";
import { useWorkspace } from "../lib/workspace";

const PAGE_SIZE = 20;

export function QuotesScreen({ status }: { status?: string }) {
  const { workspaceId, role, can } = useWorkspace();
  const filter = QUOTE_STATUSES.includes(status as QuoteStatus) ? (status as QuoteStatus) : undefined;
  const { results, status: pageStatus, loadMore } = usePaginatedQuery(
    api.quotes.list,
    filter ? { workspaceId, status: filter } : { workspaceId },
    { initialNumItems: PAGE_SIZE },
  );
  const quotes = results as QuoteListItem[];

  return (
    <section className="screen" aria-labelledby="quotes-title">
      <div className="screen-header">
        <h1 id="quotes-title">Quotes</h1>
        <div className="screen-actions">
          <label className="inline-field">
            <span>Status</span>
            <select
              value={filter ?? ""}
              onChange={(event) => navigate({ name: "quotes", status: event.target.value || undefined })}
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

      {pageStatus === "LoadingFirstPage" ? (
        <Loading label="Loading quotes…" />
      ) : quotes.length === 0 ? (
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
      ) : (
        <QuotesTable quotes={quotes} />
      )}

      {pageStatus === "CanLoadMore" && (
        <div className="center">
          <button type="button" className="button-secondary" onClick={() => loadMore(PAGE_SIZE)} data-testid="load-more">
            Show more quotes
          </button>
        </div>
      )}
      {pageStatus === "LoadingMore" && <Loading label="Loading more quotes…" lines={1} />}
    </section>
  );
}

function QuotesTable({ quotes }: { quotes: QuoteListItem[] }) {
  const now = useNow();
  return (
    <div className="table-scroll">
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
            return (
              <tr key={quote._id} data-testid="quote-row" data-quote-id={quote._id} data-status={quote.status}>
                <td data-label="Quote" className="quote-cell-title">
                  <a href={href} className="row-link" data-testid="quote-link">
                    {quote.lineItems.map((line) => line.name).join(", ") || "Quote"}
                  </a>
                  <div className="muted small">
                    {quote.lineItems.reduce((sum, line) => sum + line.quantity, 0).toLocaleString()} units ·{" "}
                    {new Date(quote.requestedAt).toLocaleString()}
                  </div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={quote.status} testId="quote-status" />
                </td>
                <td data-label="Negotiations">
                  <span className="status-dots">
                    {quote.negotiationStatuses.map((n) => (
                      <span
                        key={n.negotiationId}
                        className={`dot dot-${n.status}`}
                        title={`${n.supplierName}: ${capitalise(n.status)}`}
                        aria-label={`${n.supplierName}: ${capitalise(n.status)}`}
                      />
                    ))}
                  </span>
                </td>
                <td data-label="Best current offer" data-testid="quote-best-offer">
                  {quote.bestOffer ? (
                    <>
                      <strong>{formatMoney(quote.bestOffer.totalPrice)}</strong>
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
    </div>
  );
}
