// What an account and a workspace name must be: one definition, checked by the
// server (auth.ts, workspaces.ts) and, before it is asked, by the dashboard.

export const ACCOUNT_RULES = {
  minPasswordLength: 8,
  maxNameLength: 100,
  maxWorkspaceNameLength: 80,
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmail = (email: string): boolean => EMAIL.test(email.trim());
