import { useMutation } from "convex/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/States";
import { describeError } from "../lib/errors";
import { portalProblem } from "./problems";

const MAX_REASON = 1_000;

/** Walking away, with the reason the brand will read. Two steps, so it is never a slip. */
export function DeclinePanel({ negotiationId, brandName }: { negotiationId: Id<"negotiations">; brandName: string }) {
  const decline = useMutation(api.supplierPortal.decline);
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const openRef = useRef<HTMLButtonElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (opened) reasonRef.current?.focus();
  }, [opened]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const why = reason.trim();
    if (!why) {
      setError(`Say why you decline: ${brandName} reads it.`);
      reasonRef.current?.focus();
      return;
    }
    if (why.length > MAX_REASON) {
      setError(`Keep the reason under ${MAX_REASON.toLocaleString("en-US")} characters.`);
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await decline({ negotiationId, reason: why });
    } catch (e) {
      const found = describeError(e);
      if (found.field === "reason") setError(found.message);
      else setProblem(portalProblem(e, "action"));
      setBusy(false);
    }
  };

  if (!opened) {
    return (
      <div className="portal-decline">
        <button ref={openRef} type="button" className="button-danger-outline" onClick={() => setOpened(true)} data-testid="decline-open">
          Decline this negotiation
        </button>
      </div>
    );
  }
  return (
    <section className="card portal-decline" aria-labelledby="decline-title">
      <h2 id="decline-title">Decline this negotiation</h2>
      <form onSubmit={onSubmit} noValidate data-testid="decline-form">
        {problem && <ErrorNotice message={problem} testId="decline-error" />}
        <Field id="portal-decline-reason" field="reason" label="Why do you decline?" error={error}
          hint={`${brandName} reads this. The negotiation ends for good.`}>
          {(a11y) => (
            <textarea {...a11y} ref={reasonRef} rows={3} required value={reason} disabled={busy} data-testid="decline-reason"
              onChange={(e) => { setReason(e.target.value); setError(undefined); }} />
          )}
        </Field>
        <div className="form-actions">
          <button type="button" className="button-secondary" disabled={busy}
            onClick={() => { setOpened(false); setError(undefined); requestAnimationFrame(() => openRef.current?.focus()); }}>
            Keep negotiating
          </button>
          <button type="submit" className="button-danger" disabled={busy} data-testid="decline-confirm">
            {busy ? "Declining…" : "Decline"}
          </button>
        </div>
      </form>
    </section>
  );
}
