import { useAuthActions } from "@convex-dev/auth/react";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../components/AuthCard";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/States";
import {
  describeAuthError,
  MIN_PASSWORD,
  suggestWorkspaceName,
  validateAuth,
  type AuthDraft,
  type AuthField,
  type AuthFlow,
  type AuthProblem,
} from "../lib/auth";
import { storePendingCurrency, storePendingWorkspace } from "../lib/workspaceChoice";
import { DEFAULT_CURRENCY } from "../../../convex/model/currency";
import { CurrencySelect } from "../components/CurrencySelect";

const FIELD_ORDER: AuthField[] = ["name", "email", "password", "workspaceName"];
const FIELD_IDS: Record<AuthField, string> = {
  name: "auth-name",
  email: "auth-email",
  password: "auth-password",
  workspaceName: "auth-workspace",
};

/**
 * Who is signing in, for the words around the form: a brand's person (invited
 * to a workspace, or not), or a supplier's person on the supplier portal
 * (invited to a negotiation, or coming back to it). Only a brand's person not
 * invited anywhere creates a workspace with the account.
 */
export type SignInFor = "brand" | "brandInvited" | "supplier" | "supplierInvited";

const WORDS: Record<SignInFor, { title?: string; testId: string; note?: { testId: string; text: (signingUp: boolean) => string } }> = {
  brand: { testId: "sign-in-screen" },
  brandInvited: {
    testId: "sign-in-screen",
    note: {
      testId: "invited-note",
      text: (signingUp) => `You have been invited to a workspace on Parley. ${signingUp ? "Create an account" : "Sign in"} to see the invitation and join.`,
    },
  },
  supplierInvited: {
    title: "You are invited to negotiate",
    testId: "portal-sign-in",
    // Who invites is only known once signed in (the preview needs a user), so the words stay general.
    note: {
      testId: "portal-invited-note",
      text: (signingUp) =>
        `A brand invited you to negotiate a quote with them on Parley, for your company. ${signingUp ? "Create an account" : "Sign in"} to see who invites you and to join.`,
    },
  },
  supplier: {
    title: "Supplier portal",
    testId: "portal-sign-in",
    note: { testId: "portal-invited-note", text: () => "Sign in to see the negotiations brands invited you to." },
  },
};

/**
 * Signed out: sign in, or create an account (and, for a brand's person not
 * invited anywhere, their brand's workspace, which is created once they are in).
 */
export function SignInScreen({ invited = false, signingInFor }: { invited?: boolean; signingInFor?: SignInFor }) {
  const { signIn } = useAuthActions();
  const who: SignInFor = signingInFor ?? (invited ? "brandInvited" : "brand");
  const words = WORDS[who];
  const forSupplier = who === "supplier" || who === "supplierInvited";
  // An invited person most likely has no account yet.
  const [flow, setFlow] = useState<AuthFlow>(who === "brandInvited" || who === "supplierInvited" ? "signUp" : "signIn");
  const [draft, setDraft] = useState<AuthDraft>({ email: "", password: "", name: "", workspaceName: "" });
  const [workspaceEdited, setWorkspaceEdited] = useState(false);
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [errors, setErrors] = useState<Partial<Record<AuthField, string>>>({});
  const [problem, setProblem] = useState<AuthProblem>();
  const [busy, setBusy] = useState(false);

  const signingUp = flow === "signUp";
  const withWorkspace = signingUp && who === "brand";
  const workspaceName = workspaceEdited ? draft.workspaceName : suggestWorkspaceName(draft.email, draft.name);

  const edit = (field: AuthField, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (field === "workspaceName") setWorkspaceEdited(true);
    setErrors(({ [field]: _dropped, ...rest }) => rest);
    if (problem?.field === field || !problem?.field) setProblem(undefined);
  };

  const switchTo = (next: AuthFlow) => {
    setFlow(next);
    setErrors({});
    setProblem(undefined);
  };

  const focusFirst = (found: Partial<Record<AuthField, string>>) => {
    const first = FIELD_ORDER.find((f) => found[f]);
    if (first) requestAnimationFrame(() => document.getElementById(FIELD_IDS[first])?.focus());
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setProblem(undefined);
    const found = validateAuth({ ...draft, workspaceName }, flow, { withWorkspace });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    // Kept for the signed-in app, which creates the workspace once the account is in.
    storePendingWorkspace(withWorkspace ? workspaceName.trim() : null);
    storePendingCurrency(withWorkspace ? currency : null);
    try {
      const name = draft.name.trim();
      const result = await signIn("password", {
        email: draft.email.trim(),
        password: draft.password,
        flow,
        ...(signingUp && name ? { name } : {}),
      });
      // Success: the app switches to the signed-in screens on its own.
      if (!result.signingIn) throw new Error("Could not sign in");
    } catch (error) {
      storePendingWorkspace(null);
      storePendingCurrency(null);
      const found = describeAuthError(error, flow);
      setProblem(found);
      if (found.field) {
        setErrors({ [found.field]: found.message });
        focusFirst({ [found.field]: found.message });
      }
      setBusy(false);
    }
  };

  const fieldError = (field: AuthField) => errors[field];

  return (
    <AuthCard title={words.title ?? (signingUp ? "Create your account" : "Sign in to Parley")} testId={words.testId}>
      {words.note ? (
        <p className="notice" data-testid={words.note.testId}>
          {words.note.text(signingUp)}
        </p>
      ) : (
        <p className="muted">AI agents negotiate your quotes with three suppliers at once; you watch and decide.</p>
      )}

      <div className="auth-tabs" role="tablist" aria-label="Sign in or create an account">
        <button type="button" role="tab" aria-selected={!signingUp} className={!signingUp ? "active" : undefined}
          onClick={() => switchTo("signIn")} disabled={busy} data-testid="tab-sign-in">
          Sign in
        </button>
        <button type="button" role="tab" aria-selected={signingUp} className={signingUp ? "active" : undefined}
          onClick={() => switchTo("signUp")} disabled={busy} data-testid="tab-sign-up">
          Create account
        </button>
      </div>

      <form onSubmit={onSubmit} noValidate data-testid="auth-form" data-flow={flow} aria-busy={busy}>
        {problem && !problem.field && <ErrorNotice message={problem.message} testId="auth-error" />}
        <fieldset className="auth-fields" disabled={busy}>
          {signingUp && (
            <Field id={FIELD_IDS.name} field="name" label="Your name" error={fieldError("name")}
              hint={forSupplier ? "The brand sees it next to your messages." : undefined}>
              {(a11y) => (
                <input {...a11y} autoComplete="name" value={draft.name} onChange={(e) => edit("name", e.target.value)}
                  data-testid="auth-name" />
              )}
            </Field>
          )}
          <Field id={FIELD_IDS.email} field="email" label="Email" error={fieldError("email")}>
            {(a11y) => (
              <input {...a11y} type="email" autoComplete={signingUp ? "email" : "username"} value={draft.email}
                onChange={(e) => edit("email", e.target.value)} data-testid="auth-email" />
            )}
          </Field>
          <Field id={FIELD_IDS.password} field="password" label="Password" error={fieldError("password")}
            hint={signingUp ? `At least ${MIN_PASSWORD} characters.` : undefined}>
            {(a11y) => (
              <input {...a11y} type="password" autoComplete={signingUp ? "new-password" : "current-password"}
                value={draft.password} onChange={(e) => edit("password", e.target.value)} data-testid="auth-password" />
            )}
          </Field>
          {withWorkspace && (
            <Field id={FIELD_IDS.workspaceName} field="workspaceName" label="Workspace name" error={fieldError("workspaceName")}
              hint="Your brand's quotes, suppliers and teammates live here. You will be its owner.">
              {(a11y) => (
                <input {...a11y} autoComplete="organization" value={workspaceName}
                  onChange={(e) => edit("workspaceName", e.target.value)} data-testid="auth-workspace" />
              )}
            </Field>
          )}
          {withWorkspace && (
            <Field id="auth-currency" field="currency" label="Currency"
              hint="Catalog prices and quotes are in it. You can change it later on the Members page.">
              {(a11y) => <CurrencySelect {...a11y} value={currency} onChange={setCurrency} data-testid="auth-currency" />}
            </Field>
          )}
        </fieldset>
        {problem?.suggestSignIn && signingUp && (
          <p className="small">
            <button type="button" className="button-link" onClick={() => switchTo("signIn")} data-testid="switch-to-sign-in">
              Sign in with this email instead
            </button>
          </p>
        )}
        {problem?.suggestSignUp && !signingUp && (
          <p className="small">
            <button type="button" className="button-link" onClick={() => switchTo("signUp")} data-testid="switch-to-sign-up">
              Create an account with this email
            </button>
          </p>
        )}
        <button type="submit" className="button-primary auth-submit" disabled={busy} data-testid="auth-submit">
          {busy ? (signingUp ? "Creating your account…" : "Signing in…") : signingUp ? "Create account" : "Sign in"}
        </button>
      </form>
    </AuthCard>
  );
}
