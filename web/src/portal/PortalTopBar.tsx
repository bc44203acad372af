import { hrefFor } from "../lib/router";
import { PortalNotifications } from "./PortalNotifications";

/** The portal's own bar: Parley, the supplier's negotiations, their notifications, who is signed in. */
export function PortalTopBar({
  onHome,
  user,
  hasWorkspace,
  signOut,
}: {
  /** The list of negotiations is on screen: its link says so. */
  onHome: boolean;
  user: { email: string | null; name: string | null };
  hasWorkspace: boolean;
  signOut(): Promise<void>;
}) {
  return (
    <header className="topbar portal-topbar">
      <a className="brand-mark" href={hrefFor({ name: "supplierHome" })}>
        <span className="logo" aria-hidden="true">P</span> <span className="brand-name">Parley</span>
        <span className="portal-label">Supplier portal</span>
      </a>
      <nav aria-label="Supplier portal" className="portal-nav">
        <a href={hrefFor({ name: "supplierHome" })} aria-current={onHome ? "page" : undefined} data-testid="portal-nav-home">
          Your negotiations
        </a>
        {hasWorkspace && (
          <a href={hrefFor({ name: "quotes" })} data-testid="portal-nav-dashboard">
            Brand dashboard
          </a>
        )}
      </nav>
      <div className="account portal-account" data-testid="account">
        <PortalNotifications />
        <span className="account-email" title={user.name ?? undefined} data-testid="account-email">
          {user.email ?? user.name ?? "Signed in"}
        </span>
        <button type="button" className="button-secondary button-small" onClick={() => void signOut()} data-testid="sign-out">
          Sign out
        </button>
      </div>
    </header>
  );
}
