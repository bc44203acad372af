import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { Empty, Loading } from "../components/States";
import { formatDays, formatDuration, formatPercent } from "../lib/format";
import { hrefFor } from "../lib/router";
import { useWorkspace } from "../lib/workspace";

function Metric({ label, value, hint, testId }: { label: string; value: string; hint: string; testId: string }) {
  return (
    <div className="metric card" data-testid={testId}>
      <span className="metric-label">{label}</span>
      <span className="metric-value tabular" data-testid={`${testId}-value`}>
        {value}
      </span>
      <span className="muted small">{hint}</span>
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const orDash = <T,>(value: T | null | undefined, show: (v: T) => string) => (value === null || value === undefined ? "—" : show(value));

export function InsightsScreen() {
  const { workspaceId, can } = useWorkspace();
  const summary = useQuery(api.insights.summary, { workspaceId });
  return (
    <section className="screen" aria-labelledby="insights-title" data-testid="insights">
      <h1 id="insights-title">Insights</h1>
      {summary === undefined ? (
        <Loading label="Loading insights…" />
      ) : summary.negotiations === 0 ? (
        <Empty title="No negotiations yet." testId="insights-empty">
          <p>
            Insights appear once Parley has negotiated a quote.{" "}
            {can("buyer") && <a href={hrefFor({ name: "newQuote" })}>Request a quote</a>}
          </p>
        </Empty>
      ) : (
        <>
          <p className="lead" data-testid="insights-lead">
            Of {plural(summary.quotes, "quote")}, {summary.decidedQuotes} finished negotiating and {summary.quotesWithDeal} of those
            reached a deal; {summary.openQuotes} {summary.openQuotes === 1 ? "is" : "are"} still open and{" "}
            {summary.cancelledQuotes} {summary.cancelledQuotes === 1 ? "was" : "were"} cancelled. Across their negotiations,{" "}
            {summary.agreements} of {summary.closedNegotiations} finished ended in an agreement.
          </p>
          <div className="metrics">
            <Metric testId="insight-deal-rate" label="Deal rate" value={orDash(summary.dealRate, (v) => formatPercent(v))}
              hint="Quotes that finished negotiating with at least one supplier agreeing (cancelled quotes not counted)." />
            <Metric testId="insight-cancelled" label="Cancelled quotes" value={String(summary.cancelledQuotes)}
              hint="Called off before an award; not counted as lost deals." />
            <Metric testId="insight-savings" label="Mean savings vs opening" value={orDash(summary.meanSavingsVsOpening, (v) => formatPercent(v, 1))}
              hint="How far the agreed price fell below the supplier's opening offer." />
            <Metric testId="insight-rounds" label="Mean rounds" value={orDash(summary.meanRounds, (v) => v.toFixed(1))}
              hint="Rounds until a negotiation ended." />
            <Metric testId="insight-time" label="Time to agreement" value={orDash(summary.meanTimeToAgreementMs, formatDuration)}
              hint="From the first message to the agreement, on average." />
            <Metric testId="insight-payment-terms" label="Payment terms gained"
              value={orDash(summary.meanPaymentTermsGainDays, (v) => `${v >= 0 ? "+" : "−"}${formatDays(Math.abs(v))}`)}
              hint="Extra days to pay, against the supplier's opening terms." />
          </div>
        </>
      )}
    </section>
  );
}
