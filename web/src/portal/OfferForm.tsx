import { useMutation } from "convex/react";
import { useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/States";
import { describeError } from "../lib/errors";
import { currencySymbol } from "../lib/format";
import { portalProblem } from "./problems";
import type { PortalNegotiation } from "./types";
import { lastOwnOffer, possessive, prefillOffer, priceField, validateOffer, type OfferDraft } from "./words";

const FIELDS = ["leadTimeDays", "paymentTermsDays", "message"] as const;

/** The supplier's counter-offer: a unit price per line, lead time and payment terms, and a note. */
export function OfferForm({ view }: { view: PortalNegotiation }) {
  const makeOffer = useMutation(api.supplierPortal.makeSupplierOffer);
  const lines = view.quote.lineItems;
  const [draft, setDraft] = useState<OfferDraft>(() => prefillOffer(lines, lastOwnOffer(view.offers)?.terms ?? null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const symbol = currencySymbol(view.quote.currency);
  // Offer n is round n; one past maxRounds is not recorded and ends the negotiation.
  const roundsLeft = view.maxRounds - view.currentRound;

  const clear = (field: string) => {
    setErrors(({ [field]: _dropped, ...rest }) => rest);
    setProblem(undefined);
  };
  const focusFirst = (found: Record<string, string>) => {
    const order = [...lines.map((_, i) => priceField(i)), ...FIELDS];
    const first = order.find((f) => found[f]);
    if (first) requestAnimationFrame(() => document.getElementById(idOf(first))?.focus());
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const checked = validateOffer(draft, lines);
    setErrors(checked.errors);
    setProblem(undefined);
    if (!checked.values) return focusFirst(checked.errors);
    setBusy(true);
    try {
      // Null means the offer came after the last round: the negotiation ended, and the status card says so.
      await makeOffer({ negotiationId: view.negotiationId, ...checked.values });
    } catch (e) {
      const found = describeError(e);
      if (found.field && (found.field.startsWith("lines.") || (FIELDS as readonly string[]).includes(found.field))) {
        setErrors({ [found.field]: found.message });
        focusFirst({ [found.field]: found.message });
      } else setProblem(portalProblem(e, "action"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card portal-offer-form" aria-labelledby="offer-form-title">
      <h2 id="offer-form-title">Your offer</h2>
      <p className="muted small">
        {view.standingOffer?.offeredBy === "brand"
          ? `Counter ${possessive(view.brandName)} offer with your terms, or accept theirs above.`
          : `Make your offer to ${view.brandName}.`}
        {roundsLeft === 1 && " This is the last round: if the brand does not accept your offer, the negotiation ends without agreement."}
        {roundsLeft <= 0 && " No rounds are left: a new offer would end the negotiation without agreement. Accepting the brand's offer still works."}
      </p>
      <form onSubmit={onSubmit} noValidate data-testid="offer-form" aria-busy={busy}>
        {problem && <ErrorNotice message={problem} testId="offer-error" />}
        <fieldset className="portal-offer-fields" disabled={busy}>
          <legend className="portal-legend">Unit price per item ({view.quote.currency})</legend>
          {lines.map((line, i) => (
            <Field key={line.sku} id={idOf(priceField(i))} field={priceField(i)} error={errors[priceField(i)]}
              label={<>{line.name} <span className="muted small">× {line.quantity.toLocaleString("en-US")}</span></>}>
              {(a11y) => (
                <span className="portal-money-input">
                  <span aria-hidden="true">{symbol}</span>
                  <input {...a11y} inputMode="decimal" autoComplete="off" value={draft.unitPrices[i] ?? ""} data-testid="offer-unit-price"
                    onChange={(e) => {
                      const unitPrices = [...draft.unitPrices];
                      unitPrices[i] = e.target.value;
                      setDraft({ ...draft, unitPrices });
                      clear(priceField(i));
                    }} />
                </span>
              )}
            </Field>
          ))}
        </fieldset>
        <div className="portal-offer-days">
          <Field id={idOf("leadTimeDays")} field="leadTimeDays" label="Lead time (days)" error={errors.leadTimeDays}
            hint="Days from order to delivery.">
            {(a11y) => (
              <input {...a11y} inputMode="numeric" autoComplete="off" value={draft.leadTimeDays} data-testid="offer-lead-time"
                onChange={(e) => { setDraft({ ...draft, leadTimeDays: e.target.value }); clear("leadTimeDays"); }} />
            )}
          </Field>
          <Field id={idOf("paymentTermsDays")} field="paymentTermsDays" label="Payment terms (days)" error={errors.paymentTermsDays}
            hint="Days the brand has to pay after delivery.">
            {(a11y) => (
              <input {...a11y} inputMode="numeric" autoComplete="off" value={draft.paymentTermsDays} data-testid="offer-payment-terms"
                onChange={(e) => { setDraft({ ...draft, paymentTermsDays: e.target.value }); clear("paymentTermsDays"); }} />
            )}
          </Field>
        </div>
        <Field id={idOf("message")} field="message" label="Message (optional)" error={errors.message}
          hint="Sent with your offer. Without one, Parley states your terms for you.">
          {(a11y) => (
            <textarea {...a11y} rows={3} value={draft.message} data-testid="offer-message"
              onChange={(e) => { setDraft({ ...draft, message: e.target.value }); clear("message"); }} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy} data-testid="offer-submit">
            {busy ? "Sending your offer…" : "Send your offer"}
          </button>
        </div>
      </form>
    </section>
  );
}

function idOf(field: string): string {
  return `portal-offer-${field.replace(/\./g, "-")}`;
}
