import { useMutation, useQuery } from "convex/react";
import { useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { approvalReason, exceedsThreshold } from "../../../convex/model/spendThreshold";
import { guardrailViolation } from "../../../convex/model/validate";
import { currencyOf, formatMoney, supplierName as nameOf, totalPrice } from "../lib/format";
import type { NegotiationView, Quote } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { ConfirmDialog } from "./ConfirmDialog";
import { CounterOfferForm } from "./CounterOfferForm";
import { ErrorBoundary } from "./ErrorBoundary";
import { TermsTable } from "./OfferCard";
import { useTypingBeat } from "./useTypingBeat";
import { useWorkspace } from "../lib/workspace";

type Pending = "accept" | "walkAway" | null;

/**
 * The brand user's controls for one negotiation: take it over from the AI,
 * talk and counter in person, accept or walk away, and hand it back.
 */
export function TakeOverPanel({ negotiation, quote }: { negotiation: NegotiationView; quote: Quote }) {
  const { workspaceId } = useWorkspace();
  const pause = useMutation(api.negotiations.pause);
  const resume = useMutation(api.negotiations.resume);
  const sendMessage = useMutation(api.negotiations.sendMessage);
  const acceptCurrentOffer = useMutation(api.negotiations.acceptCurrentOffer);
  const walkAway = useMutation(api.negotiations.walkAway);
  const setBrandTyping = useMutation(api.notifications.setBrandTyping);
  const live = negotiation.side === "live";
  // Only a live supplier's person can see "typing…"; Parley's simulated one has nobody to tell.
  const typing = useTypingBeat((on) => setBrandTyping({ workspaceId, negotiationId: negotiation._id, typing: on }), live);
  const { busy, error, run, refuse } = useServerAction();
  const [text, setText] = useState("");
  const [confirm, setConfirm] = useState<Pending>(null);
  const [reason, setReason] = useState("");
  const workspace = useQuery(api.workspaces.get, { workspaceId });
  const threshold = workspace?.approvalThreshold ?? null;
  const needsApprover = negotiation.currentTerms !== undefined && exceedsThreshold(threshold, totalPrice(negotiation.currentTerms), currencyOf(quote) === currencyOf(workspace));

  const quoteOpen = quote.status === "queued" || quote.status === "negotiating";
  const supplierOfferStands = negotiation.lastOfferBy === "supplier" && negotiation.currentTerms !== undefined;
  const supplierName = nameOf(negotiation);
  // The server's own guardrail check: an offer outside them is never offered for acceptance.
  const outside = supplierOfferStands && negotiation.currentTerms ? guardrailViolation(negotiation.currentTerms, quote) : null;

  if (!quoteOpen) return null;

  if (negotiation.status === "active") {
    return (
      <div className="takeover takeover-idle">
        <button type="button" className="button-secondary" disabled={busy} data-testid="take-over"
          onClick={() => run(() => pause({ workspaceId, negotiationId: negotiation._id }))}>
          Take over
        </button>
        <span className="muted small">Pause the AI and negotiate yourself.</span>
        {error && <p className="field-error" role="alert">{error}</p>}
      </div>
    );
  }
  if (negotiation.status !== "paused") return null;

  const onSend = (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) {
      refuse("Write a message first.");
      return;
    }
    typing.stop();
    void run(() => sendMessage({ workspaceId, negotiationId: negotiation._id, content }), () => setText(""));
  };

  return (
    <section className="takeover" aria-label={`You are negotiating with ${supplierName}`} data-testid="takeover-panel">
      <div className="takeover-head">
        <strong>You are negotiating.</strong>
        <span className="muted small">The AI waits until you resume it.</span>
        <button type="button" className="button-primary" disabled={busy} data-testid="resume"
          onClick={() => run(() => resume({ workspaceId, negotiationId: negotiation._id }))}>
          Resume AI
        </button>
      </div>
      {error && <p className="field-error" role="alert" data-testid="takeover-error">{error}</p>}

      <form className="send-message" onSubmit={onSend}>
        <label htmlFor={`say-${negotiation._id}`}>Message to {supplierName}</label>
        <div className="send-row">
          <textarea id={`say-${negotiation._id}`} rows={2} value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (e.target.value.trim()) typing.beat();
              else typing.stop();
            }}
            onBlur={typing.stop}
            data-testid="send-message-input"
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) onSend(e);
            }} />
          <button type="submit" className="button-secondary" disabled={busy} data-testid="send-message">
            Send
          </button>
        </div>
      </form>

      {supplierOfferStands ? (
        <ErrorBoundary>
          <CounterOfferForm negotiation={negotiation} quote={quote} />
        </ErrorBoundary>
      ) : (
        <p className="muted small" data-testid="counter-waiting">
          {live
            ? `Your offer stands. ${supplierName}'s person answers in the supplier portal; counter again once they have.`
            : `Your offer stands. Resume the AI to hear ${supplierName}'s answer before countering again.`}
        </p>
      )}

      <div className="takeover-actions">
        <button type="button" className="button-primary" disabled={busy || !supplierOfferStands || outside !== null}
          aria-describedby={outside ? `outside-${negotiation._id}` : undefined}
          data-testid="accept-offer" onClick={() => setConfirm("accept")}>
          Accept {supplierName}'s offer
        </button>
        <button type="button" className="button-danger-outline" disabled={busy} data-testid="walk-away"
          onClick={() => setConfirm("walkAway")}>
          Walk away
        </button>
      </div>
      {outside && (
        <p className="muted small" id={`outside-${negotiation._id}`} data-testid="accept-outside-guardrails">
          This offer can't be accepted: {outside.message.charAt(0).toLowerCase() + outside.message.slice(1)}. Counter it instead.
        </p>
      )}

      <ConfirmDialog
        open={confirm === "accept"}
        title={`Accept ${supplierName}'s offer?`}
        confirmLabel={needsApprover ? "Ask for approval" : "Accept and award"}
        busy={busy}
        error={confirm === "accept" ? error : undefined}
        onCancel={() => setConfirm(null)}
        onConfirm={() => run(() => acceptCurrentOffer({ workspaceId, negotiationId: negotiation._id }), () => setConfirm(null))}
      >
        {needsApprover ? (
          <p className="notice" data-testid="accept-needs-approval">
            {negotiation.currentTerms && formatMoney(totalPrice(negotiation.currentTerms), currencyOf(quote))} is{" "}
            {approvalReason(threshold!, currencyOf(quote), currencyOf(workspace))}: nothing is accepted yet. An approver or an owner approves it
            first, and the offer is accepted and the quote awarded when they do.
          </p>
        ) : (
          <p>
            This awards the quote to {supplierName} on these terms, for{" "}
            {negotiation.currentTerms && formatMoney(totalPrice(negotiation.currentTerms), currencyOf(quote))}. The other negotiations end.
          </p>
        )}
        {negotiation.currentTerms && <TermsTable terms={negotiation.currentTerms} currency={currencyOf(quote)} />}
      </ConfirmDialog>

      <ConfirmDialog
        open={confirm === "walkAway"}
        title={`Walk away from ${supplierName}?`}
        confirmLabel="Walk away"
        tone="danger"
        busy={busy}
        error={confirm === "walkAway" ? error : undefined}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          const why = reason.trim();
          void run(() => walkAway({ workspaceId, negotiationId: negotiation._id, ...(why ? { reason: why } : {}) }), () => setConfirm(null));
        }}
      >
        <p>
          This ends the negotiation with {supplierName}. It cannot be reopened.
          {live && negotiation.contactId ? ` ${supplierName} is told at once.` : ""}
        </p>
        <label htmlFor={`reason-${negotiation._id}`} data-testid="walk-away-reason-label">
          Reason (optional, {walkAwayAudience(live, Boolean(negotiation.contactId), supplierName)})
        </label>
        <textarea id={`reason-${negotiation._id}`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)}
          data-testid="walk-away-reason" />
      </ConfirmDialog>
    </section>
  );
}

/** Who reads a walk-away reason: only a live supplier's person who has joined; otherwise it stays with the negotiation. */
function walkAwayAudience(live: boolean, joined: boolean, supplierName: string): string {
  if (live && joined) return `${supplierName} sees it`;
  if (live) return `kept with the negotiation: nobody from ${supplierName} has joined it`;
  return `kept with the negotiation: ${supplierName} is simulated by Parley, so nobody there reads it`;
}
