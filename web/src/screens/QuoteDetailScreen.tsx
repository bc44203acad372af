import { useMutation, useQueries, useQuery } from "convex/react";
import { useMemo, useState } from "react";
import { api } from "../../../convex/_generated/api";
import { ApprovalCard } from "../components/ApprovalCard";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { NegotiationPanel } from "../components/NegotiationPanel";
import { PriceChart, type ChartSeries } from "../components/PriceChart";
import { PurchaseOrderPanel } from "../components/PurchaseOrderPanel";
import { DeliveryFacts, QuoteActions } from "../components/QuoteActions";
import { quoteReference, quoteTitle } from "../../../convex/model/quoteNames";
import { LIMITS } from "../../../convex/model/validate";
import { QuoteTimeline } from "../components/QuoteTimeline";
import { QuoteAttachments } from "../components/QuoteAttachments";
import { ComparisonTable, RecommendationCard } from "../components/Recommendation";
import { Empty, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { currencyName, currencyOf, formatDuration, formatMoney, formatPercent, formatUnitPrice, supplierName, totalPrice } from "../lib/format";
import { PRIORITY_KEYS, PRIORITY_LABELS } from "../lib/priorities";
import { hrefFor } from "../lib/router";
import type { Id, NegotiationView, Offer, Quote, QuoteDetail } from "../lib/types";
import { useNow } from "../lib/useNow";
import { useServerAction } from "../lib/useServerAction";
import { useAccount, useWorkspace } from "../lib/workspace";

// CSS variables (styles.css, --series-*) so the chart and panels follow light/dark mode.
export const SUPPLIER_COLORS = ["var(--series-1)", "var(--series-2)", "var(--series-3)", "var(--series-4)", "var(--series-5)"];

export function QuoteDetailScreen({ quoteId }: { quoteId: string }) {
  const { workspaceId } = useWorkspace();
  const detail = useQuery(api.quotes.get, { workspaceId, quoteId }) as QuoteDetail | null | undefined;
  if (detail === undefined) return <Loading label="Loading the quote…" lines={5} />;
  if (detail === null) return <QuoteNotFound quoteId={quoteId} />;
  return <QuoteDetailView detail={detail} />;
}

/**
 * No such quote here: mistyped, or another workspace's (which reads as absent).
 * When it is in another of the user's own workspaces, offer to switch there.
 */
function QuoteNotFound({ quoteId }: { quoteId: string }) {
  const { workspaces, current, select } = useAccount();
  const others = workspaces.filter((w) => w._id !== current?._id);
  const otherIds = others.map((w) => w._id).join(",");
  // useQueries wants the same object until the set of queries changes.
  const requests = useMemo(
    () =>
      Object.fromEntries(
        otherIds
          .split(",")
          .filter(Boolean)
          .map((id) => [id, { query: api.quotes.get, args: { workspaceId: id as Id<"workspaces">, quoteId } }]),
      ),
    [otherIds, quoteId],
  );
  const found = useQueries(requests);
  const home = others.find((w) => found[w._id] && !(found[w._id] instanceof Error));
  return (
    <section className="screen" aria-label="Quote not found">
      <Empty title="Quote not found" testId="quote-not-found">
        <p>There is no such quote in “{current?.name}”. The link may be mistyped, or the quote belongs to another workspace.</p>
        {home && (
          <p>
            <button type="button" className="button-secondary" onClick={() => select(home._id)} data-testid="switch-to-quote-workspace">
              Open it in “{home.name}”
            </button>
          </p>
        )}
        <p>
          <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
        </p>
      </Empty>
    </section>
  );
}

function QuoteDetailView({ detail }: { detail: QuoteDetail }) {
  const { quote, negotiations, award } = detail;
  const now = useNow();
  const started = quote.startedAt ?? quote.requestedAt;
  const colors = new Map(negotiations.map((n, i) => [n._id as string, SUPPLIER_COLORS[i % SUPPLIER_COLORS.length]]));
  const awardedNegotiation = award ? negotiations.find((n) => n._id === award.negotiationId) : undefined;

  return (
    <section className="screen wide" data-testid="quote-detail" data-status={quote.status} aria-labelledby="quote-title">
      <p className="breadcrumb">
        <a href={hrefFor({ name: "quotes" })}>Quotes</a> /
      </p>
      <div className="screen-header">
        <div>
          <h1 id="quote-title">{quoteTitle(quote)}</h1>
          <p className="muted">
            {quoteReference(quote) && <span className="quote-reference" data-testid="quote-reference">{quoteReference(quote)}</span>}{" "}
            Requested {new Date(quote.requestedAt).toLocaleString()} ·{" "}
            <span className="tabular">{formatDuration((quote.completedAt ?? now) - started)}</span>{" "}
            {quote.completedAt ? "to complete" : "since start"}
          </p>
        </div>
        <div className="screen-actions">
          <StatusBadge status={quote.status} testId="quote-status" />
          <QuoteActions quote={quote} />
          <CancelQuote quote={quote} />
        </div>
      </div>

      {quote.status === "awarded" && award && (
        <div className="award-banner" role="status" data-testid="award-banner">
          <strong>Awarded to {awardedNegotiation ? supplierName(awardedNegotiation) : "the supplier"}</strong> for{" "}
          {formatMoney(totalPrice(award.terms), currencyOf(quote))} on {new Date(award.awardedAt).toLocaleString()}.
        </div>
      )}
      <ApprovalCard quote={quote} />
      <PurchaseOrderPanel quoteId={quote._id} currency={currencyOf(quote)} />
      {quote.status === "failed" && (
        <div className="error-notice" role="alert" data-testid="quote-failed">
          This quote failed{quote.failureReason ? `: ${quote.failureReason}` : "."}
        </div>
      )}
      {quote.status === "queued" && (
        <p className="notice" data-testid="quote-queued">
          Waiting for a worker to start the negotiations…
        </p>
      )}

      <QuoteSummary quote={quote} />
      <QuoteAttachments quote={quote} />
      <QuoteTimeline quoteId={quote._id} />

      <div className="negotiations" data-testid="negotiations">
        {negotiations.map((negotiation) => (
          <NegotiationPanel
            key={negotiation._id}
            negotiation={negotiation}
            quote={quote}
            color={colors.get(negotiation._id) ?? SUPPLIER_COLORS[0]}
          />
        ))}
      </div>

      <section className="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Unit price per round</h2>
        <OffersChart quote={quote} negotiations={negotiations} colors={colors} />
      </section>

      {quote.recommendation && (
        <div className="results">
          <section className="card" aria-labelledby="comparison-heading">
            <h2 id="comparison-heading">Comparison</h2>
            <ComparisonTable recommendation={quote.recommendation} currency={currencyOf(quote)} negotiations={negotiations} />
          </section>
          <RecommendationCard quote={quote} negotiations={negotiations} />
        </div>
      )}
    </section>
  );
}

function QuoteSummary({ quote }: { quote: Quote }) {
  return (
    <details className="card quote-summary">
      <summary>Line items, guardrails and priorities</summary>
      <div className="summary-grid">
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Quantity</th>
              <th scope="col">List</th>
              <th scope="col">Target</th>
              <th scope="col">Maximum</th>
            </tr>
          </thead>
          <tbody>
            {quote.lineItems.map((line) => (
              <tr key={line.sku}>
                <th scope="row">
                  {line.name} <span className="muted small">{line.sku}</span>
                </th>
                <td className="tabular">{line.quantity.toLocaleString()}</td>
                <td className="tabular">{formatUnitPrice(line.listPrice, currencyOf(quote))}</td>
                <td className="tabular">{formatUnitPrice(line.targetUnitPrice, currencyOf(quote))}</td>
                <td className="tabular">{formatUnitPrice(line.maxUnitPrice, currencyOf(quote))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl className="facts">
          <dt>Currency</dt>
          <dd data-testid="quote-currency">{currencyOf(quote)} ({currencyName(currencyOf(quote))})</dd>
          <dt>Maximum lead time</dt>
          <dd>{quote.guardrails.maxLeadTimeDays} days</dd>
          <dt>Minimum payment terms</dt>
          <dd>Net {quote.guardrails.minPaymentTermsDays} days</dd>
          <dt>Response deadline</dt>
          <dd data-testid="quote-response-hours">
            {quote.responseHours ?? LIMITS.defaultResponseHours} hours from the start
          </dd>
          <dt>Award</dt>
          <dd data-testid="quote-auto-award">
            {quote.autoAward
              ? `Automatic when the recommended final offer is within the guardrails and at most ${quote.autoAward.maxPctOverTarget}% over target on every line`
              : "By a person (no auto-award policy)"}
          </dd>
          <dt>Priorities</dt>
          <dd>{PRIORITY_KEYS.map((k) => `${PRIORITY_LABELS[k]} ${formatPercent(quote.priorities[k])}`).join(" · ")}</dd>
          {quote.notes && (
            <>
              <dt>Notes</dt>
              <dd>{quote.notes}</dd>
            </>
          )}
          <DeliveryFacts quote={quote} />
        </dl>
      </div>
    </details>
  );
}

function OffersChart({ quote, negotiations, colors }: { quote: Quote; negotiations: NegotiationView[]; colors: Map<string, string> }) {
  const { workspaceId } = useWorkspace();
  const requests = useMemo(
    () =>
      Object.fromEntries(
        negotiations.map((n) => [n._id, { query: api.offers.list, args: { workspaceId, negotiationId: n._id } }]),
      ),
    // The set of negotiations of a quote never changes; their ids are the key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [workspaceId, negotiations.map((n) => n._id).join(",")],
  );
  const results = useQueries(requests);
  const series: ChartSeries[] = negotiations.map((n) => {
    const offers = results[n._id];
    return {
      key: n._id,
      supplierName: supplierName(n),
      color: colors.get(n._id) ?? SUPPLIER_COLORS[0],
      offers: Array.isArray(offers) ? (offers as Offer[]) : [],
    };
  });
  const maxRounds = Math.max(quote.maxRounds, ...negotiations.map((n) => n.maxRounds));
  const lines = quote.lineItems.map((l) => ({ sku: l.sku, name: l.name, targetUnitPrice: l.targetUnitPrice, maxUnitPrice: l.maxUnitPrice }));
  return <PriceChart series={series} maxRounds={maxRounds} lines={lines} currency={currencyOf(quote)} />;
}

function CancelQuote({ quote }: { quote: Quote }) {
  const { workspaceId, can } = useWorkspace();
  const cancel = useMutation(api.quotes.cancel);
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useServerAction();
  // Viewers follow quotes; cancelling is a buyer's call (and the server's check).
  if (!can("buyer") || !["queued", "negotiating", "completed"].includes(quote.status)) return null;
  return (
    <>
      <button type="button" className="button-danger-outline" onClick={() => setOpen(true)} data-testid="cancel-quote">
        Cancel quote
      </button>
      <ConfirmDialog
        open={open}
        title="Cancel this quote?"
        confirmLabel="Cancel quote"
        tone="danger"
        busy={busy}
        error={error}
        onCancel={() => setOpen(false)}
        onConfirm={() => run(() => cancel({ workspaceId, quoteId: quote._id }), () => setOpen(false))}
      >
        <p>Every negotiation of this quote stops and nothing is awarded.</p>
      </ConfirmDialog>
    </>
  );
}

