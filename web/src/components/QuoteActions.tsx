import { useMutation } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { incotermLabel } from "../../../convex/model/incoterms";
import { hrefFor, navigate } from "../lib/router";
import { needsRole } from "../lib/roles";
import type { Quote } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { useWorkspace } from "../lib/workspace";

/**
 * Edit (while queued), Duplicate and Re-run, for buyers; a viewer is told why
 * they are not there. The server checks the role and the status again.
 */
export function QuoteActions({ quote }: { quote: Quote }) {
  const { workspaceId, role, can } = useWorkspace();
  const rerun = useMutation(api.quotes.rerun);
  const { busy, error, run } = useServerAction();
  if (!can("buyer")) {
    return (
      <span className="muted small" data-testid="quote-actions-need-buyer">
        {needsRole(role, "buyer", "edit, duplicate or re-run quotes")}
      </span>
    );
  }
  const onRerun = () =>
    run(async () => {
      const quoteId = await rerun({ workspaceId, quoteId: quote._id });
      navigate({ name: "quote", quoteId });
    });
  return (
    <>
      {quote.status === "queued" && (
        <a className="button-secondary" href={hrefFor({ name: "newQuote", edit: quote._id })} data-testid="edit-quote">
          Edit
        </a>
      )}
      <a
        className="button-secondary"
        href={hrefFor({ name: "newQuote", from: quote._id })}
        title="Open the New quote form filled in from this quote"
        data-testid="duplicate-quote"
      >
        Duplicate
      </a>
      <button
        type="button"
        className="button-secondary"
        onClick={onRerun}
        disabled={busy}
        title="Request the same quote again now, with a new seed"
        data-testid="rerun-quote"
      >
        {busy ? "Re-running…" : "Re-run"}
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid="rerun-error">
          {error}
        </span>
      )}
    </>
  );
}

/** The quote's delivery, as facts of its summary (a <dl>'s rows); nothing when neither was given. */
export function DeliveryFacts({ quote }: { quote: Quote }) {
  return (
    <>
      {quote.deliveryAddress && (
        <>
          <dt>Delivery address</dt>
          <dd className="delivery-address" data-testid="quote-delivery-address">
            {quote.deliveryAddress}
          </dd>
        </>
      )}
      {quote.incoterms && (
        <>
          <dt>Incoterms</dt>
          <dd data-testid="quote-incoterms">{incotermLabel(quote.incoterms)}</dd>
        </>
      )}
    </>
  );
}
