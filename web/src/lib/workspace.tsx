import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { Id } from "../../../convex/_generated/dataModel";
import { roleAtLeast, type Role } from "./roles";
import { chooseWorkspace, readWorkspaceChoice, storeWorkspaceChoice, type WorkspaceEntry } from "./workspaceChoice";

// The signed-in user, their workspaces and the one the dashboard shows. Every
// brand query and mutation takes the current workspace's id from here.

export interface AccountUser {
  _id: string;
  email: string | null;
  name: string | null;
}

export interface AccountState {
  user: AccountUser;
  workspaces: WorkspaceEntry[];
  /** The workspace on screen; null when the user belongs to none. */
  current: WorkspaceEntry | null;
  /** Show this workspace from now on (remembered for the next visit). */
  select(workspaceId: string): void;
  /** A one-off message for the top of the page ("Your workspace … is ready"), shown while its workspace is on screen. */
  notice?: string;
  announce(message: string | undefined, workspaceId?: string): void;
  /** Signs out; the app shows "Signing out…" meanwhile, never a screen whose queries are failing. */
  signOut(): Promise<void>;
}

export interface Notice {
  message: string;
  /** The workspace the message is about; switching away (or being removed) hides it. */
  workspaceId?: string;
}

const AccountContext = createContext<AccountState | null>(null);

export function AccountProvider({
  user,
  workspaces,
  notice,
  announce,
  signOut,
  children,
}: {
  user: AccountUser;
  workspaces: WorkspaceEntry[];
  notice?: Notice;
  announce(message: string | undefined, workspaceId?: string): void;
  signOut(): Promise<void>;
  children: ReactNode;
}) {
  const [chosen, setChosen] = useState<string | null>(() => readWorkspaceChoice(user._id));
  const select = useCallback(
    (workspaceId: string) => {
      setChosen(workspaceId);
      storeWorkspaceChoice(user._id, workspaceId);
    },
    [user._id],
  );
  const current = chooseWorkspace(workspaces, chosen);
  const shown = notice && (notice.workspaceId === undefined || notice.workspaceId === current?._id) ? notice.message : undefined;
  const value = useMemo<AccountState>(
    () => ({ user, workspaces, current, select, notice: shown, announce, signOut }),
    [user, workspaces, current, select, shown, announce, signOut],
  );
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}

export function useAccount(): AccountState {
  const account = useContext(AccountContext);
  if (!account) throw new Error("useAccount() is only available once signed in");
  return account;
}

export interface WorkspaceContext {
  workspaceId: Id<"workspaces">;
  name: string;
  role: Role;
  /** Whether the caller's role is at least `least` (the server checks again). */
  can(least: Role): boolean;
}

/** The workspace on screen and the caller's role in it. */
export function useWorkspace(): WorkspaceContext {
  const { current } = useAccount();
  if (!current) throw new Error("useWorkspace() needs a workspace; the app shows the create-a-workspace screen instead");
  return {
    workspaceId: current._id as Id<"workspaces">,
    name: current.name,
    role: current.role,
    can: (least) => roleAtLeast(current.role, least),
  };
}
