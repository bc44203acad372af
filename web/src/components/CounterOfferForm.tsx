import { useMutation, useQuery } from "convex/react";
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { describeError } from "../lib/errors";
import { currencyOf, currencySymbol, formatDays, formatMoney, formatPercent, formatUnitPrice, totalPrice } from "../lib/format";
import type { Currency } from "../../../convex/model/currency";
import type { CounterSuggestion } from "../../../src/negotiation/assist";
import { type CounterDraft as Draft, draftFrom, readDraft } from "../lib/counterDraft";
import type { Id, Negotiation, Quote, Terms } from "../lib/types";
import { ErrorBoundary } from "./ErrorBoundary";
import { Field, FieldError } from "./Field";
import { useWorkspace } from "../lib/workspace";

type Suggestion = CounterSuggestion;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/**
 * The brand user's counter-offer, drafted next to the engine's suggestion and
 * the predicted chance that the supplier accepts what is drafted.
 */
export function CounterOfferForm({ negotiation, quote }: { negotiation: Negotiation; quote: Quote }) {
  const { workspaceId } = useWorkspace();
  const base = negotiation.currentTerms!;
  const [suggestion, setSuggestion] = useState<Suggestion | null>();
  const counter = useMutation(api.negotiations.counter);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(base));
  const [seeded, setSeeded] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [sending, setSending] = useState(false);
  const [touched, setTouched] = useState(false);

  // Start from the engine's suggestion once it arrives, unless the user has typed.
  useEffect(() => {
    if (suggestion && !seeded && !touched) {
      setDraft((d) => draftFrom(suggestion.terms, d.message));
      setSeeded(true);
    }
  }, [suggestion, seeded, touched]);

  const { terms, errors } = readDraft(draft, quote, base);
  // Debounce by value: live updates re-render this often and make new objects.
  const debouncedKey = useDebounced(terms ? JSON.stringify(terms) : "", 300);
  const debouncedTerms = debouncedKey ? (JSON.parse(debouncedKey) as Terms) : undefined;

  const edit = (patch: Partial<Draft>) => {
    setTouched(true);
    setServerErrors({});
    setDraft((d) => ({ ...d, ...patch }));
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    if (!terms) return;
    setSending(true);
    try {
      const message = draft.message.trim();
      await counter({ workspaceId, negotiationId: negotiation._id, terms, ...(message ? { message } : {}) });
      setDraft((d) => ({ ...d, message: "" }));
      setTouched(false);
      setSeeded(false);
    } catch (error) {
      const problem = describeError(error);
      if (problem.field) setServerErrors({ [problem.field]: problem.message });
      setFormError(problem.message);
    } finally {
      setSending(false);
    }
  };

  const shownErrors = { ...(touched ? errors : {}), ...serverErrors };

  return (
    <form className="counter-form" onSubmit={onSubmit} noValidate data-testid="counter-form">
      <h4>Counter-offer</h4>
      <div className="counter-grid">
        <div className="counter-draft">
          {base.lines.map((line, i) => (
            <Field
              key={line.sku}
              id={`counter-${negotiation._id}-${line.sku}`}
              field={`terms.lines.${i}.unitPrice`}
              label={`${line.sku} unit price (${currencySymbol(currencyOf(quote))}) × ${line.quantity.toLocaleString()}`}
              error={shownErrors[`terms.lines.${i}.unitPrice`]}
            >
              {(a11y) => (
                <input {...a11y} inputMode="decimal" value={draft.prices[line.sku] ?? ""}
                  onChange={(e) => edit({ prices: { ...draft.prices, [line.sku]: e.target.value } })}
                  data-testid="counter-unit-price" />
              )}
            </Field>
          ))}
          <div className="counter-fields">
            <Field id={`counter-${negotiation._id}-lead`} field="terms.leadTimeDays" label="Lead time (days)"
              error={shownErrors["terms.leadTimeDays"]}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.leadTimeDays}
                  onChange={(e) => edit({ leadTimeDays: e.target.value })} data-testid="counter-lead-time" />
              )}
            </Field>
            <Field id={`counter-${negotiation._id}-pay`} field="terms.paymentTermsDays" label="Payment terms (days)"
              error={shownErrors["terms.paymentTermsDays"]}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.paymentTermsDays}
                  onChange={(e) => edit({ paymentTermsDays: e.target.value })} data-testid="counter-payment-terms" />
              )}
            </Field>
          </div>
          <Field id={`counter-${negotiation._id}-msg`} field="message" label="Message (optional)" error={shownErrors.message}>
            {(a11y) => (
              <textarea {...a11y} rows={2} value={draft.message} onChange={(e) => edit({ message: e.target.value })}
                data-testid="counter-message" />
            )}
          </Field>
          {terms && <p className="muted small">Total {formatMoney(totalPrice(terms), currencyOf(quote))}</p>}
        </div>

        <aside className="counter-aside" aria-label="Engine's view">
          <div className="prediction" data-testid="acceptance-prediction" aria-live="polite">
            <span className="prediction-label">Predicted acceptance of your draft</span>
            {debouncedTerms === undefined || terms === undefined ? (
              <span className="muted small">Complete the draft to see it.</span>
            ) : (
              <ErrorBoundary resetKey={debouncedKey} fallback={(message) => <span className="muted small">Not available: {message}</span>}>
                <Prediction negotiationId={negotiation._id} terms={debouncedTerms} />
              </ErrorBoundary>
            )}
          </div>
          <div className="suggestion" data-testid="counter-suggestion">
            <span className="prediction-label">Engine's suggestion</span>
            <ErrorBoundary fallback={(message) => <span className="muted small">Not available: {message}</span>}>
              <SuggestionView
                negotiationId={negotiation._id}
                currency={currencyOf(quote)}
                onSuggestion={setSuggestion}
                onUse={(terms) => {
                  setDraft((d) => draftFrom(terms, d.message));
                  setTouched(true);
                  setServerErrors({});
                }}
              />
            </ErrorBoundary>
          </div>
        </aside>
      </div>
      <FieldError field="form" message={formError ?? shownErrors.form} />
      <button type="submit" className="button-primary" disabled={!terms || sending} data-testid="send-counter">
        {sending ? "Sending…" : "Send counter-offer"}
      </button>
    </form>
  );
}

function Prediction({ negotiationId, terms }: { negotiationId: Id<"negotiations">; terms: Terms }) {
  const { workspaceId } = useWorkspace();
  const prediction = useQuery(api.negotiations.predictAcceptance, { workspaceId, negotiationId, terms });
  if (prediction === undefined) return <span className="muted small">Estimating…</span>;
  if (prediction === null) return <span className="muted small">Available once the supplier has quoted.</span>;
  return (
    <>
      <meter min={0} max={1} low={0.35} high={0.65} optimum={1} value={prediction.probability} />
      <strong data-testid="acceptance-probability">{formatPercent(prediction.probability)}</strong>
      <span className="small">{prediction.reason}</span>
    </>
  );
}

function SuggestionView({
  negotiationId,
  currency,
  onSuggestion,
  onUse,
}: {
  negotiationId: Id<"negotiations">;
  currency: Currency;
  onSuggestion: (suggestion: Suggestion | null) => void;
  onUse: (terms: Terms) => void;
}) {
  const { workspaceId } = useWorkspace();
  const suggestion = useQuery(api.negotiations.suggestCounter, { workspaceId, negotiationId });
  useEffect(() => {
    if (suggestion !== undefined) onSuggestion(suggestion);
  }, [suggestion, onSuggestion]);
  if (suggestion === undefined) return <span className="muted small">Thinking…</span>;
  if (suggestion === null) return <span className="muted small">No suggestion for this negotiation.</span>;
  return (
    <>
      <ul className="plain small">
        {suggestion.terms.lines.map((l) => (
          <li key={l.sku}>
            {l.sku}: {formatUnitPrice(l.unitPrice, currency)}
          </li>
        ))}
        <li>Lead time {formatDays(suggestion.terms.leadTimeDays)}</li>
        <li>Net {suggestion.terms.paymentTermsDays} days</li>
        <li data-testid="suggestion-probability">Predicted acceptance {formatPercent(suggestion.acceptanceProbability)}</li>
        <li title="How sure the estimate is: how many offers the supplier has made and how steadily it has conceded">
          Certainty of the estimate {formatPercent(suggestion.confidence)}
        </li>
        <li>
          {Math.abs(suggestion.vsListPrice.differencePct).toFixed(1)}%{" "}
          {suggestion.vsListPrice.differencePct <= 0 ? "below" : "above"} list price
        </li>
      </ul>
      {suggestion.reasoning && <p className="small">{suggestion.reasoning}</p>}
      <button type="button" className="button-link" data-testid="use-suggestion" onClick={() => onUse(suggestion.terms)}>
        Use the suggestion
      </button>
    </>
  );
}
