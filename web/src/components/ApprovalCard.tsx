import { useMutation, useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { FunctionReturnType } from "convex/server";
import { currencyOf, formatMoney } from "../lib/format";
import type { Currency } from "../../../convex/model/currency";
import type { Quote } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { useWorkspace } from "../lib/workspace";
import { TermsTable } from "./OfferCard";

type ApprovalRow = FunctionReturnType<typeof api.approvals.forQuote>[number];

/**
 * A quote's award approval: "Awaiting approval" for everyone while a request
 * waits; approvers and owners (not the requester) approve or reject it with a
 * comment; the requester may withdraw it. After a rejection, the buyer reads why.
 */
export function ApprovalCard({ quote }: { quote: Quote }) {
  const { workspaceId } = useWorkspace();
  const approvals = useQuery(api.approvals.forQuote, { workspaceId, quoteId: quote._id });
  if (!approvals || approvals.length === 0) return null;
  const pending = approvals.find((a) => a.status === "pending");
  if (pending) return <PendingApproval approval={pending} currency={currencyOf(quote)} />;
  const latest = approvals[0]!;
  if (latest.status === "rejected" && quote.status !== "awarded") {
    return (
      <div className="error-notice approval-rejected" role="status" data-testid="approval-rejected">
        <strong>Award to {latest.supplierName} rejected</strong> by {latest.decidedBy?.name ?? "an approver"}
        {latest.comment ? <>: “{latest.comment}”</> : "."} You can award another supplier, or walk away.
      </div>
    );
  }
  return null;
}

function PendingApproval({ approval, currency }: { approval: ApprovalRow; currency: Currency }) {
  const { workspaceId, can } = useWorkspace();
  const approve = useMutation(api.approvals.approve);
  const reject = useMutation(api.approvals.reject);
  const withdraw = useMutation(api.approvals.withdraw);
  const [comment, setComment] = useState("");
  const { busy, error, run, refuse } = useServerAction();
  const decides = can("approver") && !approval.mine;

  return (
    <section className="card approval-card" aria-labelledby="approval-title" data-testid="approval-pending" data-approval-id={approval._id}>
      <h2 id="approval-title">
        <span className="badge badge-warn" data-testid="awaiting-approval">Awaiting approval</span>
      </h2>
      <p>
        {approval.mine ? "You" : approval.requestedBy.name} asked to award <strong>{approval.supplierName}</strong> for{" "}
        <strong data-testid="approval-amount">{formatMoney(approval.amount, currency)}</strong> on {new Date(approval.requestedAt).toLocaleString()}:
        above the workspace's approval threshold, so an approver decides.
      </p>
      {approval.terms && <TermsTable terms={approval.terms} currency={currency} />}
      {approval.unavailable && (
        <p className="notice" role="status" data-testid="approval-unavailable">
          {approval.unavailable}. {decides ? "Reject it so the buyer can choose again." : approval.mine ? "Withdraw it to choose again." : ""}
        </p>
      )}
      {decides ? (
        <div className="approval-decision">
          <label className="approval-comment-field">
            <span>Comment (needed to reject)</span>
            <textarea value={comment} rows={2} maxLength={4000} onChange={(e) => setComment(e.target.value)} data-testid="approval-comment" />
          </label>
          <div className="approval-actions">
            <button type="button" className="button-primary" disabled={busy || approval.unavailable !== null} data-testid="approve-award"
              onClick={() => run(() => approve({ workspaceId, approvalId: approval._id, ...(comment.trim() ? { comment } : {}) }))}>
              {busy ? "Saving…" : "Approve and award"}
            </button>
            <button type="button" className="button-danger-outline" disabled={busy} data-testid="reject-award"
              onClick={() =>
                comment.trim()
                  ? run(() => reject({ workspaceId, approvalId: approval._id, comment }))
                  : refuse("Say why in the comment: the buyer reads it.")
              }>
              Reject
            </button>
          </div>
        </div>
      ) : approval.mine ? (
        <div className="approval-actions">
          <p className="muted small">Another approver or an owner decides it: you asked for it.</p>
          <button type="button" className="button-secondary button-small" disabled={busy} data-testid="withdraw-approval"
            onClick={() => run(() => withdraw({ workspaceId, approvalId: approval._id }))}>
            Withdraw request
          </button>
        </div>
      ) : (
        <p className="muted small" data-testid="approval-waiting-note">An approver or an owner decides it.</p>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="approval-error">
          {error}
        </p>
      )}
    </section>
  );
}
