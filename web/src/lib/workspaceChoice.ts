// Which workspace the dashboard shows, kept per user in localStorage, and the
// workspace a new account asked for, kept in sessionStorage until it exists.
// No React here, so the rules can be tested without a browser.

import type { Role } from "../../../convex/model/roles";

export interface WorkspaceEntry {
  _id: string;
  name: string;
  role: Role;
  joinedAt: number;
}

/** The stored choice while it is still one of theirs; else the first (oldest) workspace; null with none. */
export function chooseWorkspace<W extends { _id: string }>(workspaces: readonly W[], storedId: string | null | undefined): W | null {
  return workspaces.find((w) => w._id === storedId) ?? workspaces[0] ?? null;
}

const choiceKey = (userId: string) => `parley.workspace.${userId}`;
const PENDING_KEY = "parley.pendingWorkspace";

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback; // storage disabled (private mode, sandboxed frame): remember nothing
  }
}

export function readWorkspaceChoice(userId: string): string | null {
  return safely(() => window.localStorage.getItem(choiceKey(userId)), null);
}

export function storeWorkspaceChoice(userId: string, workspaceId: string): void {
  safely(() => window.localStorage.setItem(choiceKey(userId), workspaceId), undefined);
}

/** Sign-up asks for a workspace; it is created once the new account is signed in. */
export function readPendingWorkspace(): string | null {
  return safely(() => window.sessionStorage.getItem(PENDING_KEY), null);
}

export function storePendingWorkspace(name: string | null): void {
  safely(() => (name === null ? window.sessionStorage.removeItem(PENDING_KEY) : window.sessionStorage.setItem(PENDING_KEY, name)), undefined);
}

const PENDING_CURRENCY_KEY = "parley.pendingWorkspaceCurrency";

/** The currency (ISO 4217) sign-up chose for that workspace; null: the server's default. */
export function readPendingCurrency(): string | null {
  return safely(() => window.sessionStorage.getItem(PENDING_CURRENCY_KEY), null);
}

export function storePendingCurrency(code: string | null): void {
  safely(
    () => (code === null ? window.sessionStorage.removeItem(PENDING_CURRENCY_KEY) : window.sessionStorage.setItem(PENDING_CURRENCY_KEY, code)),
    undefined,
  );
}
