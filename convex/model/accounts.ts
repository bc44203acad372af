// What an account and a workspace name must be: one definition, checked by the
// server (auth.ts, workspaces.ts) and, before it is asked, by the dashboard.

export const ACCOUNT_RULES = {
  /** No address is longer (RFC 5321); it also bounds the rate limiter's keys (rateLimits.ts). */
  maxEmailLength: 254,
  minPasswordLength: 8,
  maxNameLength: 100,
  maxWorkspaceNameLength: 80,
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmail = (email: string): boolean => EMAIL.test(email.trim());

/** An email as Parley stores and compares it (accounts, rate limits, invitations): trimmed, lower case; or undefined when it is not one. */
export function normalEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= ACCOUNT_RULES.maxEmailLength && isEmail(email) ? email : undefined;
}
