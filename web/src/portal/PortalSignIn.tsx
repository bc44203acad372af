import { useAuthActions } from "@convex-dev/auth/react";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../components/AuthCard";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/States";
import { describeAuthError, MIN_PASSWORD, validateAuth, type AuthDraft, type AuthField, type AuthFlow, type AuthProblem } from "../lib/auth";
import type { Route } from "../lib/router";
import "./portal.css";

type PortalRoute = Extract<Route, { name: "supplierInvite" | "supplierHome" | "supplierNegotiation" }>;
type PortalField = Exclude<AuthField, "workspaceName">;

const FIELD_ORDER: PortalField[] = ["name", "email", "password"];
const FIELD_ID: Record<PortalField, string> = { name: "portal-auth-name", email: "portal-auth-email", password: "portal-auth-password" };

/**
 * Signed out on a portal page: sign in or create an account, with no workspace.
 * Who sent an invitation is only known once signed in (the preview needs a
 * user), so the words here stay general.
 */
export function PortalSignIn({ route }: { route: PortalRoute }) {
  const { signIn } = useAuthActions();
  const invited = route.name === "supplierInvite";
  const [flow, setFlow] = useState<AuthFlow>(invited ? "signUp" : "signIn");
  const [draft, setDraft] = useState<AuthDraft>({ email: "", password: "", name: "", workspaceName: "" });
  const [errors, setErrors] = useState<Partial<Record<AuthField, string>>>({});
  const [problem, setProblem] = useState<AuthProblem>();
  const [busy, setBusy] = useState(false);
  const signingUp = flow === "signUp";

  const edit = (field: PortalField, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors(({ [field]: _dropped, ...rest }) => rest);
    setProblem(undefined);
  };
  const switchTo = (next: AuthFlow) => {
    setFlow(next);
    setErrors({});
    setProblem(undefined);
  };
  const focusFirst = (found: Partial<Record<AuthField, string>>) => {
    const first = FIELD_ORDER.find((f) => found[f]);
    if (first) requestAnimationFrame(() => document.getElementById(FIELD_ID[first])?.focus());
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = validateAuth(draft, flow, { withWorkspace: false });
    setErrors(found);
    setProblem(undefined);
    if (Object.keys(found).length > 0) return focusFirst(found);
    setBusy(true);
    try {
      const name = draft.name.trim();
      const result = await signIn("password", {
        email: draft.email.trim(),
        password: draft.password,
        flow,
        ...(signingUp && name ? { name } : {}),
      });
      if (!result.signingIn) throw new Error("Could not sign in");
    } catch (error) {
      const found = describeAuthError(error, flow);
      setProblem(found);
      if (found.field) {
        setErrors({ [found.field]: found.message });
        focusFirst({ [found.field]: found.message });
      }
      setBusy(false);
    }
  };

  return (
    <AuthCard title={invited ? "You are invited to negotiate" : "Supplier portal"} testId="portal-sign-in">
      <p className="notice" data-testid="portal-invited-note">
        {invited
          ? `A brand invited you to negotiate a quote with them on Parley, for your company. ${signingUp ? "Create an account" : "Sign in"} to see who invites you and to join.`
          : "Sign in to see the negotiations brands invited you to."}
      </p>
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
            <Field id={FIELD_ID.name} field="name" label="Your name" error={errors.name} hint="The brand sees it next to your messages.">
              {(a11y) => <input {...a11y} autoComplete="name" value={draft.name} onChange={(e) => edit("name", e.target.value)} data-testid="auth-name" />}
            </Field>
          )}
          <Field id={FIELD_ID.email} field="email" label="Email" error={errors.email}>
            {(a11y) => (
              <input {...a11y} type="email" autoComplete={signingUp ? "email" : "username"} value={draft.email}
                onChange={(e) => edit("email", e.target.value)} data-testid="auth-email" />
            )}
          </Field>
          <Field id={FIELD_ID.password} field="password" label="Password" error={errors.password}
            hint={signingUp ? `At least ${MIN_PASSWORD} characters.` : undefined}>
            {(a11y) => (
              <input {...a11y} type="password" autoComplete={signingUp ? "new-password" : "current-password"} value={draft.password}
                onChange={(e) => edit("password", e.target.value)} data-testid="auth-password" />
            )}
          </Field>
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
