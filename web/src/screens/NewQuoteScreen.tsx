import { useMutation, useQuery } from "convex/react";
import { useMemo, useRef, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { INCOTERMS, incotermLabel } from "../../../convex/model/incoterms";
import { defaultQuoteTitle, quoteReference, quoteTitle } from "../../../convex/model/quoteNames";
import { LIMITS } from "../../../convex/model/validate";
import { Field, FieldError } from "../components/Field";
import { PrioritySliders } from "../components/PrioritySliders";
import { SupplierSides } from "../components/SupplierSides";
import { Empty, ErrorNotice, Loading } from "../components/States";
import { describeError } from "../lib/errors";
import { currencyOf, currencySymbol, formatMoney, formatUnitPrice } from "../lib/format";
import {
  draftFromQuote,
  emptyDraft,
  targetAboveList,
  validateQuote,
  type FieldErrors,
  type LineDraft,
  type QuoteDraft,
  AUTO_AWARD_FIELD,
} from "../lib/quoteForm";
import { hrefFor, navigate, useRoute } from "../lib/router";
import { needsRole } from "../lib/roles";
import { useWorkspace } from "../lib/workspace";
import type { Id, Product, Quote, QuoteDetail, SupplierProfile } from "../lib/types";

let nextLineKey = 1;
const newLineKey = () => nextLineKey++;

type Mode = "new" | "duplicate" | "edit";

/**
 * Buyers and owners request quotes; a viewer who lands here is told why not.
 * The same form duplicates a quote (#/new?from=…) and edits a queued one (#/quotes/…/edit).
 */
export function NewQuoteScreen() {
  const { role, can } = useWorkspace();
  const route = useRoute();
  const from = route.name === "newQuote" ? route.from : undefined;
  const edit = route.name === "newQuote" ? route.edit : undefined;
  if (!can("buyer")) {
    return (
      <section className="screen narrow" aria-labelledby="new-quote-title">
        <h1 id="new-quote-title">{edit ? "Edit quote" : "New quote"}</h1>
        <Empty title={needsRole(role, "buyer", edit ? "edit quotes" : "request quotes")} testId="new-quote-forbidden">
          <p>
            You can follow every quote of this workspace as it is negotiated. <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
          </p>
        </Empty>
      </section>
    );
  }
  if (edit) return <FromQuote key={`edit:${edit}`} quoteId={edit} mode="edit" />;
  if (from) return <FromQuote key={`from:${from}`} quoteId={from} mode="duplicate" />;
  return <NewQuoteForm key="new" mode="new" />;
}

/** Loads the quote the form starts from; a quote that is no longer queued cannot be edited, and says so. */
function FromQuote({ quoteId, mode }: { quoteId: string; mode: "edit" | "duplicate" }) {
  const { workspaceId } = useWorkspace();
  const detail = useQuery(api.quotes.get, { workspaceId, quoteId }) as QuoteDetail | null | undefined;
  if (detail === undefined) return <Loading label="Loading the quote…" />;
  if (detail === null) {
    return (
      <Empty title="Quote not found" testId="quote-not-found">
        <p>
          There is no such quote in this workspace to {mode === "edit" ? "edit" : "copy"}. <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
        </p>
      </Empty>
    );
  }
  const { quote } = detail;
  if (mode === "edit" && quote.status !== "queued") {
    return (
      <Empty title={`${quoteReference(quote) ?? "This quote"} is ${quote.status}, so it can no longer be edited.`} testId="edit-refused">
        <p>
          Only a quote still waiting for its negotiations to start can be edited.{" "}
          <a href={hrefFor({ name: "newQuote", from: quote._id })}>Duplicate it</a> to ask again with changes, or{" "}
          <a href={hrefFor({ name: "quote", quoteId: quote._id })}>go back to the quote</a>.
        </p>
      </Empty>
    );
  }
  const live = detail.negotiations.filter((n) => n.side === "live").map((n) => n.supplierId);
  return <NewQuoteForm mode={mode} source={quote} sourceLive={live} />;
}

function NewQuoteForm({ mode, source, sourceLive }: { mode: Mode; source?: Quote; sourceLive?: Id<"suppliers">[] }) {
  const { workspaceId } = useWorkspace();
  const products = useQuery(api.products.list, { workspaceId }) as Product[] | undefined;
  const suppliers = useQuery(api.suppliers.list, { workspaceId }) as SupplierProfile[] | undefined;
  // Prices are in the workspace's currency (the catalog's, and a new quote's); an edited quote keeps its own.
  const workspace = useQuery(api.workspaces.get, { workspaceId });
  const currency = mode === "edit" && source ? currencyOf(source) : currencyOf(workspace);
  const requestQuote = useMutation(api.quotes.request);
  const updateQuote = useMutation(api.quotes.update);
  // Filled once from the source quote: live updates of it never overwrite what the user typed.
  const [draft, setDraft] = useState<QuoteDraft>(() =>
    source && mode !== "new" ? draftFromQuote(source, mode, newLineKey, sourceLive) : emptyDraft(),
  );
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
      const request = {
        workspaceId,
        ...args,
        lineItems: args.lineItems.map((line) => ({ ...line, productId: line.productId as Id<"products"> })),
      };
      if (mode === "edit" && source) {
        await updateQuote({ ...request, quoteId: source._id });
        navigate({ name: "quote", quoteId: source._id });
      } else {
        const quoteId = await requestQuote(request);
        navigate({ name: "quote", quoteId: quoteId as string });
      }
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
  const titlePlaceholder =
    draft.lines.length > 0
      ? defaultQuoteTitle(draft.lines.map((line) => ({ name: byId.get(line.productId)?.name ?? "Product" })))
      : "e.g. Spring restock";
  const sourceName = source ? `${quoteReference(source) ?? ""} ${quoteTitle(source)}`.trim() : "";

  return (
    <section className="screen narrow" aria-labelledby="new-quote-title" data-testid="quote-form-screen" data-mode={mode}>
      <h1 id="new-quote-title">{mode === "edit" ? `Edit ${quoteReference(source!) ?? "quote"}` : "New quote"}</h1>
      <p className="lead">
        {mode === "edit"
          ? "Change what this quote asks for before its negotiations start. Once a worker picks it up, it can no longer be edited."
          : mode === "duplicate"
            ? `A copy of “${sourceName}”: change what you need, then request it. The original stays as it is.`
            : "Choose products and your limits. Parley negotiates with three suppliers at once, never outside your guardrails."}
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

        <div className="card">
          <Field id="quote-title-input" field="title" label="Title (optional)"
            hint="How the quote reads in the list. Left empty, it is named by its products." error={errors.title}>
            {(a11y) => (
              <input {...a11y} value={draft.title} placeholder={titlePlaceholder}
                onChange={(e) => update({ title: e.target.value })} data-testid="quote-title-input" />
            )}
          </Field>
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
                      {product.name} ({product.sku}) · list {formatUnitPrice(product.listPrice, currency)}/{product.unit}
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
                        {product?.sku} · list {product ? formatUnitPrice(product.listPrice, currency) : "?"} per {product?.unit ?? "unit"}
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
                        label={`Target unit price (${currencySymbol(currency)})`}
                        error={errors[`${at}.targetUnitPrice`]}
                        hint={
                          product && targetAboveList(line, product.listPrice)
                            ? `Above the list price of ${formatUnitPrice(product.listPrice, currency)}: suppliers will gladly take it. Is that what you mean?`
                            : undefined
                        }
                      >
                        {(a11y) => (
                          <input {...a11y} inputMode="decimal" value={line.targetUnitPrice}
                            onChange={(e) => updateLine(line.key, { targetUnitPrice: e.target.value })} data-testid="line-target" />
                        )}
                      </Field>
                      <Field id={`max-${line.key}`} field={`${at}.maxUnitPrice`} label={`Maximum unit price (${currencySymbol(currency)})`} error={errors[`${at}.maxUnitPrice`]}>
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
            <p className="muted small">At most {formatMoney(estimatedMax, currency)} in total at your maximum unit prices.</p>
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

        <SupplierSides
          suppliers={suppliers}
          live={draft.liveSupplierIds}
          onLiveChange={(liveSupplierIds) => update({ liveSupplierIds })}
          responseHours={draft.responseHours}
          onResponseHoursChange={(responseHours) => update({ responseHours })}
          errors={errors}
        />

        <fieldset className="card">
          <legend>Delivery</legend>
          <div className="grid-2">
            <Field id="delivery-address" field="deliveryAddress" label="Delivery address (optional)"
              hint="Where the goods go; the purchase order prints it." error={errors.deliveryAddress}>
              {(a11y) => (
                <textarea {...a11y} rows={3} value={draft.deliveryAddress}
                  onChange={(e) => update({ deliveryAddress: e.target.value })} data-testid="delivery-address" />
              )}
            </Field>
            <Field id="incoterms" field="incoterms" label="Incoterms (optional)"
              hint="Who pays for and bears the risk of transport (Incoterms 2020)." error={errors.incoterms}>
              {(a11y) => (
                <select {...a11y} value={draft.incoterms} onChange={(e) => update({ incoterms: e.target.value })} data-testid="incoterms">
                  <option value="">Not specified</option>
                  {INCOTERMS.map((term) => (
                    <option key={term.code} value={term.code}>
                      {incotermLabel(term.code)}
                    </option>
                  ))}
                </select>
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

        <details className="card advanced" open={Boolean(errors.maxRounds || errors.seed || errors[AUTO_AWARD_FIELD] || draft.autoAwardPct) || undefined}>
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
            <Field id="auto-award" field={AUTO_AWARD_FIELD} label="Award automatically (% over target)"
              hint={`Blank: a person awards. A number from 0 to ${LIMITS.maxAutoAwardPctOverTarget}: Parley's recommended final offer is awarded at once when it is inside the guardrails and every line is at most that much over its target, unless it needs an approver.`}
              error={errors[AUTO_AWARD_FIELD]}>
              {(a11y) => (
                <input {...a11y} inputMode="decimal" value={draft.autoAwardPct} placeholder="off"
                  onChange={(e) => update({ autoAwardPct: e.target.value })} data-testid="auto-award" />
              )}
            </Field>
          </div>
        </details>

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={submitting} data-testid="submit-quote">
            {mode === "edit" ? (submitting ? "Saving…" : "Save changes") : submitting ? "Requesting…" : "Request quote"}
          </button>
          {source && (
            <a className="button-secondary" href={hrefFor({ name: "quote", quoteId: source._id })} data-testid="back-to-quote">
              {mode === "edit" ? "Keep it as it is" : "Back to the quote"}
            </a>
          )}
        </div>
      </form>
    </section>
  );
}
