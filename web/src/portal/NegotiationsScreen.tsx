import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { Empty, Loading } from "../components/States";
import { hrefFor } from "../lib/router";
import { useNow } from "../lib/useNow";
import { PortalBoundary } from "./PortalBoundary";
import { deadlineWords, statusWords } from "./words";

/** Every negotiation the signed-in person was invited to, across brands, the latest activity first. */
export function NegotiationsScreen() {
  return (
    <section className="screen" aria-labelledby="portal-home-title" data-testid="portal-home">
      <div className="screen-header">
        <h1 id="portal-home-title">Your negotiations</h1>
      </div>
      <PortalBoundary context="negotiation">
        <NegotiationList />
      </PortalBoundary>
    </section>
  );
}

function NegotiationList() {
  const rows = useQuery(api.supplierPortal.myNegotiationsList, {});
  const now = useNow(60_000);
  if (rows === undefined) return <Loading label="Loading your negotiations…" />;
  if (rows.length === 0) {
    return (
      <Empty title="No negotiations yet" testId="portal-empty">
        <p className="muted">When a brand invites you, open the link in its email: the negotiation then appears here.</p>
      </Empty>
    );
  }
  return (
    <ul className="plain portal-rows">
      {rows.map((row) => {
        const status = statusWords({ status: row.status, yourTurn: row.yourTurn, award: row.awarded === null ? null : { yours: row.awarded } });
        const deadline = deadlineWords(row.expiresAt, now);
        const open = row.status === "pending" || row.status === "active" || row.status === "paused";
        return (
          <li key={row.negotiationId}>
            <a className="card portal-row" href={hrefFor({ name: "supplierNegotiation", negotiationId: row.negotiationId })}
              data-testid="supplier-negotiation-row" data-negotiation-id={row.negotiationId} data-status={row.status} data-standing={row.standing}
              data-your-turn={String(row.yourTurn && open)}>
              <span className="portal-row-main">
                <span className="portal-row-brand">{row.brandName}</span>
                <span className="portal-row-title">
                  <span className="quote-reference">{row.reference}</span> {row.title}
                </span>
              </span>
              <span className="portal-row-meta">
                <span className={`badge badge-${status.tone}`} data-testid="row-status">{status.label}</span>
                {row.yourTurn && open && status.label !== "Your turn" && <span className="badge badge-live" data-testid="row-your-turn">Your turn</span>}
                {row.unread > 0 && (
                  <span className="unread" data-testid="row-unread">
                    {row.unread} new
                    <span className="visually-hidden"> {row.unread === 1 ? "message" : "messages"}</span>
                  </span>
                )}
                {deadline && open && (
                  <span className={`small ${deadline.passed ? "portal-deadline-passed" : "muted"}`} data-testid="row-deadline">
                    {deadline.passed ? "Deadline passed" : `Answer ${deadline.relative}`}
                  </span>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
