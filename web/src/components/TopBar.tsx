import { useQuery } from "convex/react";
import { useEffect, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { hrefFor, navigate, type Route } from "../lib/router";
import { roleAtLeast } from "../lib/roles";
import { useDeployment } from "../lib/deployment";
import { useAccount } from "../lib/workspace";
import { NotificationsBell } from "./NotificationsBell";
import { RoleBadge } from "./RoleBadge";

type NavName = "quotes" | "newQuote" | "insights" | "members";

/** Brand, the screens of the workspace, and who is signed in where, with sign out. */
export function TopBar({ route }: { route: Route }) {
  const { user, workspaces, current, select, announce, signOut } = useAccount();
  const { studioUrl } = useDeployment();
  const active = route.name === "quote" ? "quotes" : route.name;
  // On a phone the navigation and the account open from a Menu button, so the bar stays one compact row.
  const [menuOpen, setMenuOpen] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const routeKey = JSON.stringify(route);
  // The Menu button carries the count of awards waiting, so a phone sees it with the menu closed.
  const waiting = useQuery(
    api.approvals.waiting,
    current && roleAtLeast(current.role, "approver") ? { workspaceId: current._id as Id<"workspaces"> } : "skip",
  );
  const waitingCount = waiting?.length ?? 0;
  useEffect(() => setMenuOpen(false), [routeKey]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      // Focus inside the closing panel would be lost: it goes back to the button.
      if (document.getElementById("topbar-menu")?.contains(document.activeElement)) toggleRef.current?.focus();
      setMenuOpen(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [menuOpen]);
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
      <button
        ref={toggleRef}
        type="button"
        className="menu-toggle button-secondary button-small"
        aria-expanded={menuOpen}
        aria-controls="topbar-menu"
        onClick={() => setMenuOpen((open) => !open)}
        data-testid="menu-toggle"
      >
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
          <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        Menu
        {waitingCount > 0 && (
          <span className="approvals-count" data-testid="menu-approvals-count">
            {waitingCount}
            <span className="visually-hidden"> {waitingCount === 1 ? "award waits" : "awards wait"} for your approval</span>
          </span>
        )}
      </button>
      {/* Inline on a wide screen; on a phone, the panel the Menu button opens. */}
      <div
        className={`topbar-menu${menuOpen ? " open" : ""}`}
        id="topbar-menu"
        onClick={(event) => {
          if ((event.target as HTMLElement).closest("a")) setMenuOpen(false);
        }}
      >
      {current && (
        <nav aria-label="Main">
          {link("quotes", "Quotes", "nav-quotes")}
          {roleAtLeast(current.role, "buyer") && link("newQuote", "New quote", "nav-new-quote")}
          {link("insights", "Insights", "nav-insights")}
          {link("members", "Members", "nav-members")}
          {waiting && <ApprovalsWaiting waiting={waiting} />}
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
              <span className="workspace-name" title={current.name} data-testid="workspace-name">
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
      </div>
      {/* Outside the phone's menu panel: a new notice shows with the menu closed. */}
      {current && <NotificationsBell key={current._id} workspaceId={current._id as Id<"workspaces">} onOpen={() => setMenuOpen(false)} />}
    </header>
  );
}

/** For approvers and owners: how many awards wait for their decision, linking to the oldest. Nothing when none do. */
function ApprovalsWaiting({ waiting }: { waiting: { quoteId: Id<"quotes"> }[] }) {
  if (waiting.length === 0) return null;
  const count = waiting.length;
  return (
    <a className="approvals-waiting" href={hrefFor({ name: "quote", quoteId: waiting[0]!.quoteId })} data-testid="approvals-waiting"
      data-count={count} title={`${count} ${count === 1 ? "award waits" : "awards wait"} for your approval`}>
      Approvals <span className="approvals-count">{count}</span>
      <span className="visually-hidden"> waiting for you</span>
    </a>
  );
}
