import { ConvexError } from "convex/values";
import { ACCOUNT_RULES, isEmail } from "../../../convex/model/accounts";
import { normaliseField } from "./errors";

// The sign-in screen's logic: what the form checks before calling the server,
// what the server's refusals mean in words, and a workspace name to start from.

export type AuthFlow = "signIn" | "signUp";
export type AuthField = "email" | "password" | "name" | "workspaceName";

export interface AuthDraft {
  email: string;
  password: string;
  name: string;
  workspaceName: string;
}

export interface AuthProblem {
  field?: AuthField;
  message: string;
  /** The account exists: offer to sign in instead. */
  suggestSignIn?: boolean;
  /** No such account: offer to create one. */
  suggestSignUp?: boolean;
}

const { minPasswordLength: MIN_PASSWORD, maxNameLength, maxWorkspaceNameLength } = ACCOUNT_RULES;
export { MIN_PASSWORD };

export function validateAuth(
  draft: AuthDraft,
  flow: AuthFlow,
  opts: { withWorkspace: boolean },
): Partial<Record<AuthField, string>> {
  const errors: Partial<Record<AuthField, string>> = {};
  const email = draft.email.trim();
  if (!email) errors.email = "Enter your email address.";
  else if (!isEmail(email)) errors.email = "Enter a valid email address, like you@company.com.";
  if (!draft.password) errors.password = "Enter your password.";
  else if (flow === "signUp" && draft.password.length < MIN_PASSWORD)
    errors.password = `Use a password of at least ${MIN_PASSWORD} characters.`;
  if (flow === "signUp" && !draft.name.trim()) errors.name = "Enter your name, so teammates know who you are.";
  else if (flow === "signUp" && draft.name.trim().length > maxNameLength) {
    errors.name = `Your name has at most ${maxNameLength} characters.`;
  }
  if (flow === "signUp" && opts.withWorkspace) {
    const workspace = draft.workspaceName.trim();
    if (!workspace) errors.workspaceName = "Name your workspace, e.g. your brand's name.";
    else if (workspace.length > maxWorkspaceNameLength) {
      errors.workspaceName = `A workspace name has at most ${maxWorkspaceNameLength} characters.`;
    }
  }
  return errors;
}

function fieldOf(field: unknown): AuthField | undefined {
  if (typeof field !== "string") return undefined;
  const f = normaliseField(field);
  if (f === "email" || f === "password" || f === "name") return f;
  if (f === "workspaceName") return "workspaceName";
  return undefined;
}

/** A refused sign-in or sign-up, in plain words, at the field it is about. */
export function describeAuthError(error: unknown, flow: AuthFlow): AuthProblem {
  if (error instanceof ConvexError) {
    const data = error.data as { code?: unknown; message?: unknown; field?: unknown } | string | null;
    if (typeof data === "string") return { message: data };
    const message = data && typeof data.message === "string" ? data.message : "The server refused the request.";
    return { field: fieldOf(data?.field), message: /[.!?]$/.test(message) ? message : `${message}.` };
  }
  const text = error instanceof Error ? error.message : String(error);
  if (/InvalidAccountId/.test(text)) {
    return { field: "email", message: "No account uses this email. Check it, or create an account.", suggestSignUp: true };
  }
  if (/InvalidSecret/.test(text)) return { field: "password", message: "Wrong password. Check it and try again." };
  if (/TooManyFailedAttempts/.test(text)) {
    return { field: "password", message: "Too many wrong passwords for this account. Wait a few minutes, then try again." };
  }
  if (/already exists/i.test(text)) {
    return { field: "email", message: "An account with this email already exists. Sign in instead.", suggestSignIn: true };
  }
  if (/failed to fetch|network|websocket|connection/i.test(text)) {
    return { message: "Parley cannot reach its backend. Check that `npm start` is still running, then try again." };
  }
  if (/Invalid password/i.test(text)) return { field: "password", message: `Use a password of at least ${MIN_PASSWORD} characters.` };
  return { message: flow === "signUp" ? "Could not create the account. Try again." : "Could not sign in. Try again." };
}

// Personal mail providers say nothing about the brand: use the person's name instead.
const PERSONAL_DOMAINS = new Set([
  "gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "msn", "icloud", "me", "mac", "aol",
  "proton", "protonmail", "pm", "gmx", "mail", "yandex", "zoho", "fastmail", "hey", "example",
]);

/** A workspace name to start from: the company of a work email ("jo@acme.com" → "Acme"), else "Jo's workspace". */
export function suggestWorkspaceName(email: string, name: string): string {
  const domain = email.trim().toLowerCase().split("@")[1] ?? "";
  const labels = domain.split(".").filter(Boolean);
  // "jo@eu.acme.co.uk" → "acme": the label before the public suffix.
  const suffixLength = labels.length >= 3 && labels.at(-2)!.length <= 3 ? 2 : 1;
  const company = labels.length > suffixLength ? labels[labels.length - suffixLength - 1] : "";
  if (company && !PERSONAL_DOMAINS.has(company) && /^[a-z0-9-]+$/.test(company)) {
    return company
      .split("-")
      .filter(Boolean)
      .map((part) => part[0].toUpperCase() + part.slice(1))
      .join(" ");
  }
  const first = name.trim().split(/\s+/)[0];
  return first ? `${first}'s workspace` : "My workspace";
}
