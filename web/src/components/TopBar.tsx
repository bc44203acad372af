import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { hrefFor, navigate, type Route } from "../lib/router";
import { roleAtLeast } from "../lib/roles";
import { useDeployment } from "../lib/deployment";
import { useAccount } from "../lib/workspace";
import { RoleBadge } from "./RoleBadge";

type NavName = "quotes" | "newQuote" | "insights" | "members";

/** Brand, the screens of the workspace, and who is signed in where, with sign out. */
export function TopBar({ route }: { route: Route }) {
  const { user, workspaces, current, select, announce, signOut } = useAccount();
  const { studioUrl } = useDeployment();
  const active = route.name === "quote" ? "quotes" : route.name;
  const link = (name: NavName, label: string, testId: string) => (
    <a href={hrefFor({ name } as Route)} aria-current={active === name ? "page" : undefined} data-testid={testId}>
      {label}
    </a>
  );

  const onSwitch = (workspaceId: string) => {
    select(workspaceId);
    announce(undefined);
    // A quote belongs to one workspace: after switching, start from the list.
    if (route.name === "quote" || route.name === "newQuote" || route.name === "join") navigate({ name: "quotes" });
  };

  const onSignOut = () => {
    announce(undefined);
    void signOut();
  };

  return (
    <header className="topbar">
      <a className="brand-mark" href={hrefFor({ name: "quotes" })}>
        <span className="logo" aria-hidden="true">P</span> <span className="brand-name">Parley</span>
      </a>
      {current && (
        <nav aria-label="Main">
          {link("quotes", "Quotes", "nav-quotes")}
          {roleAtLeast(current.role, "buyer") && link("newQuote", "New quote", "nav-new-quote")}
          {link("insights", "Insights", "nav-insights")}
          {link("members", "Members", "nav-members")}
          {roleAtLeast(current.role, "approver") && <ApprovalsWaiting workspaceId={current._id as Id<"workspaces">} />}
        </nav>
      )}
      <div className="account" data-testid="account">
        {current && (
          <div className="account-workspace">
            {workspaces.length > 1 ? (
              <select
                className="workspace-switcher"
                aria-label="Workspace"
                value={current._id}
                onChange={(event) => onSwitch(event.target.value)}
                data-testid="workspace-switcher"
              >
                {workspaces.map((w) => (
                  <option key={w._id} value={w._id}>
                    {w.name}
                  </option>
                ))}
              </select>
            ) : (
              <span className="workspace-name" data-testid="workspace-name">
                {current.name}
              </span>
            )}
            <RoleBadge role={current.role} testId="workspace-role" />
          </div>
        )}
        {studioUrl && current?.role === "owner" && (
          <a
            className="studio-link small"
            href={studioUrl}
            target="_blank"
            rel="noopener noreferrer"
            title="Mastra Studio: the negotiation workflow's runs and steps, for developers (opens in a new tab)"
            data-testid="studio-link"
          >
            Studio
          </a>
        )}
        <span className="account-email" title={user.name ?? undefined} data-testid="account-email">
          {user.email ?? user.name ?? "Signed in"}
        </span>
        <button type="button" className="button-secondary button-small" onClick={onSignOut} data-testid="sign-out">
          Sign out
        </button>
      </div>
    </header>
  );
}

/** For approvers and owners: how many awards wait for their decision, linking to the oldest. Nothing when none do. */
function ApprovalsWaiting({ workspaceId }: { workspaceId: Id<"workspaces"> }) {
  const waiting = useQuery(api.approvals.waiting, { workspaceId });
  if (!waiting || waiting.length === 0) return null;
  const count = waiting.length;
  return (
    <a className="approvals-waiting" href={hrefFor({ name: "quote", quoteId: waiting[0]!.quoteId })} data-testid="approvals-waiting"
      data-count={count} title={`${count} ${count === 1 ? "award waits" : "awards wait"} for your approval`}>
      Approvals <span className="approvals-count">{count}</span>
      <span className="visually-hidden"> waiting for you</span>
    </a>
  );
}
