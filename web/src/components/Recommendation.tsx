import { useMutation, useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import { approvalReason, exceedsThreshold } from "../../../convex/model/spendThreshold";
import { OUTCOME_LABELS, STATUS_LABELS } from "../../../convex/model/statusWords";
import { downloadFile, toCsv } from "../lib/csv";
import { currencyOf, formatDays, formatMoney, formatPercent, totalPrice } from "../lib/format";
import type { Currency } from "../../../convex/model/currency";
import type { NegotiationView, Quote } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { ConfirmDialog } from "./ConfirmDialog";
import { TermsTable } from "./OfferCard";
import { needsRole } from "../lib/roles";
import { useWorkspace } from "../lib/workspace";
import { TableScroll } from "./TableScroll";

type Rec = NonNullable<Quote["recommendation"]>;

/**
 * A ranked negotiation's outcome in words: its live standing ("Final offer",
 * and after the award "Awarded" or "Not awarded"), or, for a negotiation not
 * at hand, the words of its outcome (never the bare "agreement").
 */
function outcomeWords(entry: Rec["ranking"][number], negotiations: NegotiationView[]): string {
  const negotiation = negotiations.find((n) => n._id === entry.negotiationId);
  return negotiation ? STATUS_LABELS[negotiation.standing] : OUTCOME_LABELS[entry.outcome];
}

/** The comparison as a spreadsheet: one row per supplier, numbers unformatted, the totals' currency in a column of its own. */
export function comparisonCsv(recommendation: Rec, currency: Currency, negotiations: NegotiationView[] = []): string {
  const ranking = [...recommendation.ranking].sort((a, b) => a.rank - b.rank);
  return toCsv(
    ["Rank", "Supplier", "Recommended", "Outcome", "Total", "Currency", "Lead time (days)", "Payment terms (days)", "Score", "Summary"],
    ranking.map((entry) => [
      entry.rank,
      entry.supplierName,
      entry.negotiationId === recommendation.negotiationId ? "yes" : "no",
      outcomeWords(entry, negotiations),
      entry.terms ? totalPrice(entry.terms) : "",
      currency,
      entry.terms?.leadTimeDays,
      entry.terms?.paymentTermsDays,
      Math.round(entry.score * 10000) / 10000,
      entry.summary,
    ]),
  );
}

/** The final terms of every negotiation side by side, ranked by the brand's own scoring. */
export function ComparisonTable({ recommendation, currency, negotiations }: { recommendation: Rec; currency: Currency; negotiations: NegotiationView[] }) {
  const ranking = [...recommendation.ranking].sort((a, b) => a.rank - b.rank);
  return (
    <>
      <div className="comparison-export">
        <button type="button" className="button-secondary button-small" data-testid="comparison-export-csv"
          onClick={() => downloadFile(`comparison-${new Date(recommendation.createdAt).toISOString().slice(0, 10)}.csv`, "text/csv;charset=utf-8", comparisonCsv(recommendation, currency, negotiations))}>
          Export CSV
        </button>
      </div>
      <TableScroll label="Comparison table">
      <table className="table comparison" data-testid="comparison-table">
        <caption>Final terms, ranked by your priorities</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Supplier</th>
            <th scope="col">Outcome</th>
            <th scope="col">Total</th>
            <th scope="col">Lead time</th>
            <th scope="col">Payment terms</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {ranking.map((entry) => (
            <tr
              key={entry.negotiationId}
              data-testid="comparison-row"
              className={entry.negotiationId === recommendation.negotiationId ? "recommended" : undefined}
            >
              <td className="tabular">{entry.rank}</td>
              <th scope="row">
                {entry.supplierName}
                <div className="muted small">{entry.summary}</div>
              </th>
              <td data-testid="comparison-outcome">{outcomeWords(entry, negotiations)}</td>
              <td className="tabular">{entry.terms ? formatMoney(totalPrice(entry.terms), currency) : "—"}</td>
              <td>{entry.terms ? formatDays(entry.terms.leadTimeDays) : "—"}</td>
              <td>{entry.terms ? `Net ${entry.terms.paymentTermsDays} days` : "—"}</td>
              <td className="tabular">
                <span className="score-bar" style={{ ["--score" as string]: entry.score }} />
                {formatPercent(entry.score)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </TableScroll>
    </>
  );
}

/** The recommendation, its reasons, and the one click (plus a confirmation) that awards it. */
export function RecommendationCard({ quote, negotiations }: { quote: Quote; negotiations: NegotiationView[] }) {
  const recommendation = quote.recommendation!;
  const { workspaceId, role, can } = useWorkspace();
  const award = useMutation(api.negotiations.acceptCurrentOffer);
  const workspace = useQuery(api.workspaces.get, { workspaceId });
  const approvals = useQuery(api.approvals.forQuote, { workspaceId, quoteId: quote._id });
  const awaiting = approvals?.some((a) => a.status === "pending") ?? false;
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useServerAction();
  const chosen = recommendation.ranking.find((r) => r.negotiationId === recommendation.negotiationId);
  const negotiation = negotiations.find((n) => n._id === recommendation.negotiationId);
  const canAccept = quote.status === "completed" && chosen !== undefined && negotiation !== undefined && !awaiting;
  const threshold = workspace?.approvalThreshold ?? null;
  const needsApprover = chosen?.terms !== undefined && exceedsThreshold(threshold, totalPrice(chosen.terms), currencyOf(quote) === currencyOf(workspace));

  const onConfirm = async () => {
    if (negotiation) await run(() => award({ workspaceId, negotiationId: negotiation._id }), () => setOpen(false));
  };

  return (
    <section className="card recommendation" data-testid="recommendation" aria-labelledby="recommendation-title">
      <h2 id="recommendation-title">Recommendation</h2>
      {chosen ? (
        <p className="recommendation-choice">
          Award <strong data-testid="recommended-supplier">{chosen.supplierName}</strong>
          {chosen.terms && <> for {formatMoney(totalPrice(chosen.terms), currencyOf(quote))}</>}.
        </p>
      ) : (
        <p className="recommendation-choice">No supplier to recommend: no negotiation reached an agreement.</p>
      )}
      <p className="explanation" data-testid="recommendation-explanation">
        {recommendation.explanation}
      </p>
      {canAccept &&
        (can("buyer") ? (
          <button type="button" className="button-primary" onClick={() => setOpen(true)} data-testid="accept-recommendation">
            Accept recommendation
          </button>
        ) : (
          <p className="notice small" data-testid="award-needs-buyer">
            {needsRole(role, "buyer", "award")}
          </p>
        ))}
      <ConfirmDialog
        open={open}
        title={`Award the quote to ${chosen?.supplierName ?? "this supplier"}?`}
        confirmLabel={needsApprover ? "Ask for approval" : "Award"}
        busy={busy}
        error={error}
        onCancel={() => setOpen(false)}
        onConfirm={onConfirm}
      >
        {needsApprover ? (
          <p className="notice" data-testid="award-needs-approval">
            This is {approvalReason(threshold!, currencyOf(quote), currencyOf(workspace))}: an approver or an owner approves it first,
            and the award is made when they do.
          </p>
        ) : (
          <p>The award is final: Parley tells {chosen?.supplierName} that they won the order on these terms.</p>
        )}
        {chosen?.terms && <TermsTable terms={chosen.terms} currency={currencyOf(quote)} />}
      </ConfirmDialog>
    </section>
  );
}
