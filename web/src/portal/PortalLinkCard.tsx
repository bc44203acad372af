import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { hrefFor } from "../lib/router";
import "./portal.css";

/** For someone with no workspace: a supplier's person belongs in the portal, not in a new workspace. */
export function PortalLinkCard() {
  const mine = useQuery(api.supplierPortal.myNegotiationsList, {});
  const count = mine?.length ?? 0;
  return (
    <section className="screen narrow portal-link-card" aria-labelledby="portal-link-title" data-testid="portal-link-card">
      <div className="card">
        <h2 id="portal-link-title">Here as a supplier?</h2>
        <p>
          {count > 0
            ? `You take part in ${count === 1 ? "a negotiation" : `${count} negotiations`} for a brand. You do not need a workspace for that.`
            : "If a brand invited you to negotiate for your company, open its invitation link, or go to the supplier portal. You do not need a workspace for that."}
        </p>
        <a className="button-primary portal-link-button" href={hrefFor({ name: "supplierHome" })} data-testid="open-portal">
          Open the supplier portal
        </a>
      </div>
    </section>
  );
}
