import { useMutation, useQuery } from "convex/react";
import { useMemo, useRef, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { LIMITS } from "../../../convex/model/validate";
import { Field, FieldError } from "../components/Field";
import { PrioritySliders } from "../components/PrioritySliders";
import { Empty, ErrorNotice, Loading } from "../components/States";
import { describeError } from "../lib/errors";
import { formatMoney, formatUnitPrice } from "../lib/format";
import { emptyDraft, targetAboveList, validateQuote, type FieldErrors, type LineDraft, type QuoteDraft } from "../lib/quoteForm";
import { hrefFor, navigate } from "../lib/router";
import { needsRole } from "../lib/roles";
import { useWorkspace } from "../lib/workspace";
import type { Id, Product } from "../lib/types";

let nextLineKey = 1;

/** Buyers and owners request quotes; a viewer who lands here is told why not. */
export function NewQuoteScreen() {
  const { role, can } = useWorkspace();
  if (!can("buyer")) {
    return (
      <section className="screen narrow" aria-labelledby="new-quote-title">
        <h1 id="new-quote-title">New quote</h1>
        <Empty title={needsRole(role, "buyer", "request quotes")} testId="new-quote-forbidden">
          <p>
            You can follow every quote of this workspace as it is negotiated. <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
          </p>
        </Empty>
      </section>
    );
  }
  return <NewQuoteForm />;
}

function NewQuoteForm() {
  const { workspaceId } = useWorkspace();
  const products = useQuery(api.products.list, { workspaceId }) as Product[] | undefined;
  const requestQuote = useMutation(api.quotes.request);
  const [draft, setDraft] = useState<QuoteDraft>(emptyDraft);
  const [picked, setPicked] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const errorSummary = useRef<HTMLDivElement>(null);

  const byId = useMemo(() => new Map((products ?? []).map((p) => [p._id as string, p])), [products]);
  const categories = useMemo(() => {
    const groups = new Map<string, Product[]>();
    for (const product of products ?? []) {
      groups.set(product.category, [...(groups.get(product.category) ?? []), product]);
    }
    return [...groups.entries()];
  }, [products]);

  const update = (patch: Partial<QuoteDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const updateLine = (key: number, patch: Partial<LineDraft>) =>
    setDraft((d) => ({ ...d, lines: d.lines.map((line) => (line.key === key ? { ...line, ...patch } : line)) }));

  const addLine = () => {
    const product = byId.get(picked);
    if (!product) return;
    setDraft((d) => ({
      ...d,
      lines: [
        ...d.lines,
        {
          key: nextLineKey++,
          productId: product._id,
          quantity: "",
          // A starting point the user edits: aim 15% under list, never above list.
          targetUnitPrice: String(Math.round(product.listPrice * 0.85 * 100) / 100),
          maxUnitPrice: String(product.listPrice),
        },
      ],
    }));
    setErrors(({ lineItems: _dropped, ...rest }) => rest);
    setPicked("");
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const { errors: found, args } = validateQuote(draft);
    setErrors(found);
    if (!args) {
      requestAnimationFrame(() => errorSummary.current?.focus());
      return;
    }
    setSubmitting(true);
    try {
      const quoteId = await requestQuote({
        workspaceId,
        ...args,
        lineItems: args.lineItems.map((line) => ({ ...line, productId: line.productId as Id<"products"> })),
      });
      navigate({ name: "quote", quoteId: quoteId as string });
    } catch (error) {
      const problem = describeError(error);
      if (problem.field) setErrors({ [problem.field]: problem.message });
      // A field the form does not show still needs saying: also say it at the top.
      setFormError(problem.message);
      requestAnimationFrame(() => errorSummary.current?.focus());
    } finally {
      setSubmitting(false);
    }
  };

  if (products === undefined) return <Loading label="Loading the catalog…" />;
  if (products.length === 0) {
    return (
      <Empty title="The catalog is empty." testId="catalog-empty">
        <p>
          Load the catalog with <code>npm run seed</code> (or restart <code>npm start</code>), then come back.
        </p>
      </Empty>
    );
  }

  const errorCount = Object.keys(errors).length;
  const estimatedMax = draft.lines.reduce((sum, line) => sum + (Number(line.quantity) || 0) * (Number(line.maxUnitPrice) || 0), 0);

  return (
    <section className="screen narrow" aria-labelledby="new-quote-title">
      <h1 id="new-quote-title">New quote</h1>
      <p className="lead">
        Choose products and your limits. Parley negotiates with three suppliers at once, never outside your guardrails.
      </p>

      <form onSubmit={onSubmit} noValidate data-testid="new-quote-form">
        <div ref={errorSummary} tabIndex={-1} className="error-summary-anchor">
          {formError && <ErrorNotice message={formError} testId="form-error" />}
          {!formError && errorCount > 0 && (
            <ErrorNotice
              message={`Please fix ${errorCount === 1 ? "the field" : `the ${errorCount} fields`} marked below.`}
              testId="form-error"
            />
          )}
        </div>

        <fieldset className="card">
          <legend>Products</legend>
          <div className="picker">
            <label htmlFor="product-picker">Catalog</label>
            <select id="product-picker" value={picked} onChange={(e) => setPicked(e.target.value)} data-testid="product-picker">
              <option value="">Choose a product…</option>
              {categories.map(([category, items]) => (
                <optgroup key={category} label={category}>
                  {items.map((product) => (
                    <option key={product._id} value={product._id} disabled={draft.lines.some((l) => l.productId === product._id)}>
                      {product.name} ({product.sku}) · list {formatUnitPrice(product.listPrice)}/{product.unit}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            <button type="button" className="button-secondary" onClick={addLine} disabled={!picked} data-testid="add-line-item">
              Add product
            </button>
          </div>
          <FieldError field="lineItems" message={errors.lineItems} />

          {draft.lines.length === 0 ? (
            <p className="muted" data-testid="no-line-items">
              No products yet. Pick one from the catalog and add it.
            </p>
          ) : (
            <ul className="line-items">
              {draft.lines.map((line, index) => {
                const product = byId.get(line.productId);
                const at = `lineItems.${index}`;
                return (
                  <li key={line.key} className="line-item" data-testid="line-item">
                    <div className="line-item-head">
                      <strong>{product?.name ?? "Unknown product"}</strong>
                      <span className="muted small">
                        {product?.sku} · list {product ? formatUnitPrice(product.listPrice) : "?"} per {product?.unit ?? "unit"}
                      </span>
                      <button
                        type="button"
                        className="button-link"
                        onClick={() => update({ lines: draft.lines.filter((l) => l.key !== line.key) })}
                        aria-label={`Remove ${product?.name ?? "product"}`}
                        data-testid="remove-line-item"
                      >
                        Remove
                      </button>
                    </div>
                    <FieldError field={`${at}.productId`} message={errors[`${at}.productId`]} />
                    <div className="grid-3">
                      <Field id={`qty-${line.key}`} field={`${at}.quantity`} label="Quantity" error={errors[`${at}.quantity`]}>
                        {(a11y) => (
                          <input {...a11y} inputMode="numeric" value={line.quantity} placeholder="e.g. 500"
                            onChange={(e) => updateLine(line.key, { quantity: e.target.value })} data-testid="line-quantity" />
                        )}
                      </Field>
                      <Field
                        id={`target-${line.key}`}
                        field={`${at}.targetUnitPrice`}
                        label="Target unit price ($)"
                        error={errors[`${at}.targetUnitPrice`]}
                        hint={
                          product && targetAboveList(line, product.listPrice)
                            ? `Above the list price of ${formatUnitPrice(product.listPrice)}: suppliers will gladly take it. Is that what you mean?`
                            : undefined
                        }
                      >
                        {(a11y) => (
                          <input {...a11y} inputMode="decimal" value={line.targetUnitPrice}
                            onChange={(e) => updateLine(line.key, { targetUnitPrice: e.target.value })} data-testid="line-target" />
                        )}
                      </Field>
                      <Field id={`max-${line.key}`} field={`${at}.maxUnitPrice`} label="Maximum unit price ($)" error={errors[`${at}.maxUnitPrice`]}>
                        {(a11y) => (
                          <input {...a11y} inputMode="decimal" value={line.maxUnitPrice}
                            onChange={(e) => updateLine(line.key, { maxUnitPrice: e.target.value })} data-testid="line-max" />
                        )}
                      </Field>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          {estimatedMax > 0 && (
            <p className="muted small">At most {formatMoney(estimatedMax)} in total at your maximum unit prices.</p>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>Guardrails</legend>
          <div className="grid-2">
            <Field id="max-lead-time" field="guardrails.maxLeadTimeDays" label="Maximum lead time (days)"
              error={errors["guardrails.maxLeadTimeDays"]}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.maxLeadTimeDays}
                  onChange={(e) => update({ maxLeadTimeDays: e.target.value })} data-testid="max-lead-time" />
              )}
            </Field>
            <Field id="min-payment-terms" field="guardrails.minPaymentTermsDays" label="Minimum payment terms (days)"
              hint="Days after delivery before you pay." error={errors["guardrails.minPaymentTermsDays"]}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.minPaymentTermsDays}
                  onChange={(e) => update({ minPaymentTermsDays: e.target.value })} data-testid="min-payment-terms" />
              )}
            </Field>
          </div>
        </fieldset>

        <div className="card">
          <PrioritySliders value={draft.priorities} onChange={(priorities) => update({ priorities })} />
          <FieldError field="priorities" message={errors.priorities} />
        </div>

        <div className="card">
          <Field id="notes" field="notes" label="Notes for the suppliers (optional)" error={errors.notes}>
            {(a11y) => (
              <textarea {...a11y} rows={3} value={draft.notes} maxLength={2000}
                onChange={(e) => update({ notes: e.target.value })} data-testid="notes" />
            )}
          </Field>
        </div>

        <details className="card advanced" open={Boolean(errors.maxRounds || errors.seed) || undefined}>
          <summary>Advanced</summary>
          <div className="grid-2">
            <Field id="max-rounds" field="maxRounds" label="Most rounds per negotiation" hint={`Default ${LIMITS.defaultMaxRounds}, at most ${LIMITS.maxRounds}.`} error={errors.maxRounds}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.maxRounds} placeholder={String(LIMITS.defaultMaxRounds)}
                  onChange={(e) => update({ maxRounds: e.target.value })} data-testid="max-rounds" />
              )}
            </Field>
            <Field id="seed" field="seed" label="Seed" hint="The same seed replays the same negotiation." error={errors.seed}>
              {(a11y) => (
                <input {...a11y} inputMode="numeric" value={draft.seed} placeholder="random"
                  onChange={(e) => update({ seed: e.target.value })} data-testid="seed" />
              )}
            </Field>
          </div>
        </details>

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={submitting} data-testid="submit-quote">
            {submitting ? "Requesting…" : "Request quote"}
          </button>
        </div>
      </form>
    </section>
  );
}
