import { useMutation } from "convex/react";
import { useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/States";
import { CurrencySelect } from "../components/CurrencySelect";
import { DEFAULT_CURRENCY } from "../../../convex/model/currency";
import { suggestWorkspaceName } from "../lib/auth";
import { describeError } from "../lib/errors";
import { useAccount } from "../lib/workspace";

/** Signed in but in no workspace (new, or removed from the last one): make one, or use an invitation link. */
export function NoWorkspaceScreen({ problem }: { problem?: string }) {
  const { user, select, announce } = useAccount();
  const create = useMutation(api.workspaces.create);
  const [name, setName] = useState(() => suggestWorkspaceName(user.email ?? "", user.name ?? ""));
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [error, setError] = useState<string>();
  const [currencyError, setCurrencyError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError("Name your workspace, e.g. your brand's name.");
      return;
    }
    setBusy(true);
    setError(undefined);
    setCurrencyError(undefined);
    try {
      const workspaceId = await create({ name: trimmed, currency });
      select(workspaceId);
      announce(`Your workspace “${trimmed}” is ready — you are its owner.`, workspaceId);
    } catch (e) {
      const problem = describeError(e);
      if (problem.field === "currency") setCurrencyError(problem.message);
      else setError(problem.message);
      setBusy(false);
    }
  };

  return (
    <section className="screen narrow" aria-labelledby="no-workspace-title" data-testid="no-workspace">
      <h1 id="no-workspace-title">Create a workspace</h1>
      <p className="lead">
        You are not a member of any workspace right now. Create one for your brand (you will be its owner and can
        invite teammates), or open the invitation link a teammate sent you.
      </p>
      {problem && <ErrorNotice message={`Your workspace could not be created: ${problem}`} testId="setup-error" />}
      <form className="card" onSubmit={onSubmit} noValidate>
        <Field id="new-workspace-name" field="name" label="Workspace name" error={error}
          hint="It comes with the demo catalog: 15 products and 3 suppliers, ready for a first quote.">
          {(a11y) => (
            <input {...a11y} value={name} onChange={(e) => { setName(e.target.value); setError(undefined); }}
              disabled={busy} data-testid="new-workspace-name" />
          )}
        </Field>
        <Field id="new-workspace-currency" field="currency" label="Currency" error={currencyError}
          hint="Catalog prices and quotes are in it. Owners can change it later on the Members page.">
          {(a11y) => (
            <CurrencySelect {...a11y} value={currency} onChange={(code) => { setCurrency(code); setCurrencyError(undefined); }}
              disabled={busy} data-testid="new-workspace-currency" />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy} data-testid="create-workspace">
            {busy ? "Creating…" : "Create workspace"}
          </button>
        </div>
      </form>
    </section>
  );
}
