import { useConvex, useQuery } from "convex/react";
import type { FunctionReturnType } from "convex/server";
import { useMemo, useState } from "react";
import { api } from "../../../convex/_generated/api";
import { ColumnChart } from "../components/ColumnChart";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { Empty, Loading } from "../components/States";
import { downloadFile, toCsv } from "../lib/csv";
import { formatDays, formatDuration, formatMoney, formatPercent } from "../lib/format";
import { hrefFor } from "../lib/router";
import { useServerAction } from "../lib/useServerAction";
import { useWorkspace } from "../lib/workspace";
import { TableScroll } from "../components/TableScroll";

type Report = FunctionReturnType<typeof api.insights.summary>;
type Range = { from?: number; to?: number };
type Preset = "30" | "90" | "all" | "custom";

const PRESETS: { key: Exclude<Preset, "custom">; label: string; days?: number }[] = [
  { key: "30", label: "Last 30 days", days: 30 },
  { key: "90", label: "Last 90 days", days: 90 },
  { key: "all", label: "All time" },
];

// Dates are the user's local days: a range covers whole days, `to` inclusive.
const DAY_MS = 24 * 60 * 60 * 1000;
const toInput = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const fromInput = (value: string, plusDays = 0): number | undefined => {
  const [y, m, d] = value.split("-").map(Number);
  return value && y && m && d ? new Date(y, m - 1, d + plusDays).getTime() : undefined;
};
const today = () => toInput(Date.now());

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
  const { can } = useWorkspace();
  const [preset, setPreset] = useState<Preset>("all");
  const [fromDate, setFromDate] = useState("");
  const [toDate, setToDate] = useState("");
  const range: Range = useMemo(() => {
    const from = fromInput(fromDate);
    const to = fromInput(toDate, 1);
    return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  }, [fromDate, toDate]);
  const choose = (key: Exclude<Preset, "custom">, days?: number) => {
    setPreset(key);
    setFromDate(days ? toInput(Date.now() - (days - 1) * DAY_MS) : "");
    setToDate(days ? today() : "");
  };
  const rangeKey = `${range.from ?? ""}-${range.to ?? ""}`;
  return (
    <section className="screen" aria-labelledby="insights-title" data-testid="insights">
      <div className="screen-header">
        <h1 id="insights-title">Insights</h1>
        {can("owner") && <ExportLog range={range} />}
      </div>
      <div className="insights-range card" role="group" aria-label="Date range" data-testid="insights-range">
        <div className="insights-presets">
          {PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className="button-secondary"
              aria-pressed={preset === p.key}
              onClick={() => choose(p.key, p.days)}
              data-testid={`range-${p.key}`}
            >
              {p.label}
            </button>
          ))}
        </div>
        <div className="insights-dates">
          <label>
            From
            <input type="date" value={fromDate} max={toDate || undefined} data-testid="range-from"
              onChange={(event) => { setPreset("custom"); setFromDate(event.target.value); }} />
          </label>
          <label>
            To
            <input type="date" value={toDate} min={fromDate || undefined} data-testid="range-to"
              onChange={(event) => { setPreset("custom"); setToDate(event.target.value); }} />
          </label>
        </div>
        <p className="muted small">Quotes count by the day they were requested.</p>
      </div>
      <ErrorBoundary resetKey={rangeKey} fallback={(message) => <p className="error-notice" role="alert" data-testid="insights-error">{message}</p>}>
        <InsightsReport range={range} ranged={preset !== "all" || rangeKey !== "-"} />
      </ErrorBoundary>
    </section>
  );
}

function InsightsReport({ range, ranged }: { range: Range; ranged: boolean }) {
  const { workspaceId, can } = useWorkspace();
  const summary = useQuery(api.insights.summary, { workspaceId, ...range });
  if (summary === undefined) return <Loading label="Loading insights…" />;
  if (summary.negotiations === 0) {
    return ranged ? (
      <Empty title="No quotes were requested in this range." testId="insights-range-empty">
        <p>Choose a wider range, or all time.</p>
      </Empty>
    ) : (
      <Empty title="No negotiations yet." testId="insights-empty">
        <p>
          Insights appear once Parley has negotiated a quote.{" "}
          {can("buyer") && <a href={hrefFor({ name: "newQuote" })}>Request a quote</a>}
        </p>
      </Empty>
    );
  }
  const { savings } = summary;
  return (
    <>
      <p className="lead" data-testid="insights-lead">
        Of {plural(summary.quotes, "quote")}, {summary.decidedQuotes} finished negotiating and {summary.quotesWithDeal} of those
        reached a deal; {summary.openQuotes} {summary.openQuotes === 1 ? "is" : "are"} still open and{" "}
        {summary.cancelledQuotes} {summary.cancelledQuotes === 1 ? "was" : "were"} cancelled. Across their negotiations,{" "}
        {summary.agreements} of {summary.closedNegotiations} finished ended in an agreement.
      </p>
      <div className="metrics">
        <Metric testId="insight-saved-opening" label="Saved vs opening offers" value={formatMoney(savings.vsOpening, summary.currency)}
          hint={savings.openingTotal > 0
            ? `${formatPercent(savings.vsOpening / savings.openingTotal, 1)} below what the suppliers first asked, over ${plural(savings.deals, "deal")} in ${summary.currency}.`
            : "Appears once a quote has a deal."} />
        <Metric testId="insight-saved-list" label="Saved vs list price" value={formatMoney(savings.vsList, summary.currency)}
          hint={savings.listTotal > 0
            ? `${formatPercent(savings.vsList / savings.listTotal, 1)} below the catalog list price, over ${plural(savings.deals, "deal")} in ${summary.currency}.`
            : "Appears once a quote has a deal."} />
        <Metric testId="insight-deal-rate" label="Deal rate" value={orDash(summary.dealRate, (v) => formatPercent(v))}
          hint="Quotes that finished negotiating with at least one supplier agreeing (cancelled quotes not counted)." />
        <Metric testId="insight-cancelled" label="Cancelled quotes" value={String(summary.cancelledQuotes)}
          hint="Called off before an award; not counted as lost deals." />
        <Metric testId="insight-savings" label="Mean savings vs opening" value={orDash(summary.meanSavingsVsOpening, (v) => formatPercent(v, 1))}
          hint="How far the agreed price fell below the supplier's opening offer, per agreement." />
        <Metric testId="insight-rounds" label="Mean rounds" value={orDash(summary.meanRounds, (v) => v.toFixed(1))}
          hint="Rounds until a negotiation ended." />
        <Metric testId="insight-time" label="Time to a final offer" value={orDash(summary.meanTimeToAgreementMs, formatDuration)}
          hint="From the first message to the agreed terms, on average." />
        <Metric testId="insight-payment-terms" label="Payment terms gained"
          value={orDash(summary.meanPaymentTermsGainDays, (v) => `${v >= 0 ? "+" : "−"}${formatDays(Math.abs(v))}`)}
          hint="Extra days to pay, against the supplier's opening terms." />
      </div>
      <p className="muted small">
        A quote's deal is the agreement it was awarded on, or else the agreement Parley recommended; savings compare it with
        that supplier's opening offer and with the catalog list price of the same quantities.
      </p>
      <OtherCurrencies summary={summary} />
      <InsightsCharts summary={summary} />
      <SupplierTable summary={summary} />
    </>
  );
}

const DAY_LABEL = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const MONTH_LABEL = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });

function bucketLabel(start: number, size: Report["bucketSize"]): string {
  if (size === "month") return MONTH_LABEL.format(start);
  return size === "week" ? `Week of ${DAY_LABEL.format(start)}` : DAY_LABEL.format(start);
}

/** Deals in currencies other than the workspace's: never added to its figures, each shown in its own currency. */
function OtherCurrencies({ summary }: { summary: Report }) {
  const others = summary.savingsByCurrency.filter((s) => s.currency !== summary.currency && s.deals > 0);
  if (others.length === 0) return null;
  return (
    <div className="notice" data-testid="insight-other-currencies">
      <p>Deals in other currencies are not added to the {summary.currency} figures above:</p>
      <ul className="plain small">
        {others.map((s) => (
          <li key={s.currency} data-testid="insight-currency" data-currency={s.currency}>
            {s.currency}: {formatMoney(s.vsOpening, s.currency)} saved vs opening offers and {formatMoney(s.vsList, s.currency)} vs
            list price, over {plural(s.deals, "deal")}.
          </li>
        ))}
      </ul>
    </div>
  );
}

function InsightsCharts({ summary }: { summary: Report }) {
  const buckets = summary.buckets;
  if (buckets.length === 0) return null;
  const labels = buckets.map((b) => bucketLabel(b.start, summary.bucketSize));
  const withQuotes = (value: number | null, b: (typeof buckets)[number]) => (b.quotes === 0 ? null : value);
  return (
    <section className="insights-charts" aria-labelledby="insights-charts-heading" data-testid="insights-charts">
      <h2 id="insights-charts-heading">Over time</h2>
      <div className="insights-chart-grid">
        <div className="card">
          <ColumnChart
            title={`Money saved (${summary.currency})`}
            testId="chart-savings"
            categories={labels}
            format={(v) => formatMoney(v, summary.currency)}
            series={[
              { key: "opening", name: "vs opening offers", color: "var(--series-1)", values: buckets.map((b) => withQuotes(b.savings.vsOpening, b)) },
              { key: "list", name: "vs list price", color: "var(--series-3)", values: buckets.map((b) => withQuotes(b.savings.vsList, b)) },
            ]}
          />
        </div>
        <div className="card">
          <ColumnChart
            title="Deal rate by quote"
            testId="chart-deal-rate"
            categories={labels}
            format={(v) => formatPercent(v)}
            series={[{ key: "rate", name: "Deal rate", color: "var(--series-2)", values: buckets.map((b) => b.dealRate) }]}
            extra={{
              name: "Deals / finished (cancelled)",
              values: buckets.map((b) => `${b.quotesWithDeal} / ${b.decidedQuotes} (${b.cancelledQuotes})`),
            }}
          />
        </div>
        <div className="card">
          <ColumnChart
            title="Mean rounds"
            testId="chart-rounds"
            categories={labels}
            format={(v) => v.toFixed(1)}
            series={[{ key: "rounds", name: "Rounds", color: "var(--series-4)", values: buckets.map((b) => b.meanRounds) }]}
          />
        </div>
        <div className="card">
          <ColumnChart
            title="Time to a final offer"
            testId="chart-time"
            categories={labels}
            format={formatDuration}
            series={[{ key: "time", name: "Mean time", color: "var(--series-5)", values: buckets.map((b) => b.meanTimeToAgreementMs) }]}
          />
        </div>
      </div>
    </section>
  );
}

/** Each supplier's record: a table whose deal-rate cell carries its bar. */
function SupplierTable({ summary }: { summary: Report }) {
  if (summary.suppliers.length === 0) return null;
  return (
    <section className="card" aria-labelledby="supplier-performance-heading" data-testid="supplier-performance">
      <h2 id="supplier-performance-heading">Per supplier</h2>
      <TableScroll label="Per supplier table">
        <table className="table compact supplier-performance">
          <thead>
            <tr>
              <th scope="col">Supplier</th>
              <th scope="col">Deal rate</th>
              <th scope="col">Mean saving vs opening</th>
              <th scope="col">Mean rounds</th>
              <th scope="col">Deals won</th>
            </tr>
          </thead>
          <tbody>
            {summary.suppliers.map((s) => (
              <tr key={s.supplierId} data-testid="supplier-row">
                <th scope="row">{s.name}</th>
                <td className="tabular">
                  <span className="meter-bar" aria-hidden="true">
                    <span style={{ width: `${Math.round((s.dealRate ?? 0) * 100)}%` }} />
                  </span>{" "}
                  {orDash(s.dealRate, (v) => formatPercent(v))} <span className="muted small">({s.agreements} of {s.negotiations})</span>
                </td>
                <td className="tabular">{orDash(s.meanSavingsVsOpening, (v) => formatPercent(v, 1))}</td>
                <td className="tabular">{orDash(s.meanRounds, (v) => v.toFixed(1))}</td>
                <td className="tabular">{s.deals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

const EXPORT_PAGE = 200;

/** Owners: the workspace's log in the chosen range, paged from the server, as CSV. */
function ExportLog({ range }: { range: Range }) {
  const convex = useConvex();
  const { workspaceId, name } = useWorkspace();
  const { busy, error, run } = useServerAction();
  const [done, setDone] = useState<string>();
  const exportLog = async () => {
    const rows: FunctionReturnType<typeof api.events.exportPage>["page"] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: FunctionReturnType<typeof api.events.exportPage> = await convex.query(api.events.exportPage, {
        workspaceId,
        ...range,
        paginationOpts: { numItems: EXPORT_PAGE, cursor },
      });
      rows.push(...page.page);
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    const csv = toCsv(
      ["Time (UTC)", "Who", "Actor", "What", "Event", "Quote", "Supplier"],
      rows.map((r) => [new Date(r.at).toISOString(), r.who, r.actor, r.what, r.type, r.quoteId, r.supplierName]),
    );
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "workspace";
    downloadFile(`parley-log-${slug}-${today()}.csv`, "text/csv;charset=utf-8", csv);
    setDone(`Exported ${plural(rows.length, "event")}.`);
  };
  return (
    <div className="export-log">
      <button type="button" className="button-secondary" disabled={busy} onClick={() => { setDone(undefined); void run(exportLog); }} data-testid="export-log">
        {busy ? "Exporting…" : "Export log (CSV)"}
      </button>
      <span role="status" className="muted small" data-testid="export-log-status">
        {error ?? done ?? ""}
      </span>
    </div>
  );
}
