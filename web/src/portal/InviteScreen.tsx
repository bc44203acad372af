import { useMutation, useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import { ErrorNotice, Loading } from "../components/States";
import { describeError } from "../lib/errors";
import { hrefFor, navigate } from "../lib/router";
import { useNow } from "../lib/useNow";
import { PortalBoundary } from "./PortalBoundary";
import { deadlineWords } from "./words";

/** The page an invitation link opens, once signed in: who invites whom, and the way in. */
export function InviteScreen({ token }: { token: string }) {
  return (
    <section className="screen narrow" aria-labelledby="invite-title" data-testid="portal-invite">
      <PortalBoundary context="invitation">
        <Invitation token={token} />
      </PortalBoundary>
    </section>
  );
}

function Invitation({ token }: { token: string }) {
  const preview = useQuery(api.supplierPortal.previewInvitation, { token });
  const accept = useMutation(api.supplierPortal.acceptInvitation);
  const now = useNow(60_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (preview === undefined) return <Loading label="Opening the invitation…" />;
  const expiry = deadlineWords(preview.expiresAt, now);

  const join = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const negotiationId = await accept({ token });
      navigate({ name: "supplierNegotiation", negotiationId });
    } catch (e) {
      setError(describeError(e).message);
      setBusy(false);
    }
  };

  return (
    <div className="card portal-invite-card" data-testid="portal-invite-card" data-state={preview.state}>
      <h1 id="invite-title">
        {preview.brandName} invites you to negotiate for {preview.supplierName}
      </h1>
      {preview.contactName && (
        <p data-testid="invite-contact">
          This invitation is for <strong>{preview.contactName}</strong>. Joining makes you the person who answers for{" "}
          {preview.supplierName} in this negotiation: your offers and messages go straight to {preview.brandName}.
        </p>
      )}
      {preview.negotiationId ? (
        <>
          <p className="notice" data-testid="invite-already-joined">You have already joined this negotiation.</p>
          <a className="button-primary portal-link-button" href={hrefFor({ name: "supplierNegotiation", negotiationId: preview.negotiationId })}
            data-testid="open-negotiation">
            Open the negotiation
          </a>
        </>
      ) : preview.problem ? (
        <>
          <ErrorNotice message={`${preview.problem}.`} testId="invite-problem" />
          <p>
            <a href={hrefFor({ name: "supplierHome" })}>See the negotiations you have joined</a>
          </p>
        </>
      ) : (
        <>
          {expiry && (
            <p className="muted" data-testid="invite-expiry">
              The link works until {expiry.when} ({expiry.relative}).
            </p>
          )}
          {error && <ErrorNotice message={error} testId="invite-error" />}
          <button type="button" className="button-primary" onClick={() => void join()} disabled={busy} data-testid="accept-invitation">
            {busy ? "Joining…" : "Join the negotiation"}
          </button>
        </>
      )}
    </div>
  );
}
