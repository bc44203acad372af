import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { Loading } from "../components/States";
import { hrefFor } from "../lib/router";
import { useNow } from "../lib/useNow";
import { AwardCard } from "./AwardCard";
import { BrandOfferCard } from "./BrandOfferCard";
import { Conversation } from "./Conversation";
import { DeclinePanel } from "./DeclinePanel";
import { OfferForm } from "./OfferForm";
import { PortalBoundary } from "./PortalBoundary";
import { RequestCard } from "./RequestCard";
import { StatusCard } from "./StatusCard";
import { isOpen } from "./types";

/** One negotiation, as its supplier's person works it: what is asked, the conversation, the offers, the award. */
export function NegotiationScreen({ negotiationId }: { negotiationId: string }) {
  return (
    <section className="screen portal-negotiation" aria-labelledby="portal-negotiation-title" data-testid="portal-negotiation">
      <p className="breadcrumb">
        <a href={hrefFor({ name: "supplierHome" })}>Your negotiations</a>
      </p>
      <PortalBoundary context="negotiation">
        <Negotiation negotiationId={negotiationId as Id<"negotiations">} />
      </PortalBoundary>
    </section>
  );
}

function Negotiation({ negotiationId }: { negotiationId: Id<"negotiations"> }) {
  const view = useQuery(api.supplierPortal.negotiation, { negotiationId });
  // The deadline passes on the clock, not by a change of data: the page rechecks it every few seconds.
  const now = useNow(5_000);
  if (view === undefined) return <Loading label="Opening the negotiation…" lines={5} />;
  const open = isOpen(view, now);
  return (
    <div className="portal-grid" data-status={view.status} data-your-turn={String(view.yourTurn && open)}>
      <h1 id="portal-negotiation-title" className="portal-title">
        <span className="quote-reference">{view.quote.reference}</span> {view.quote.title}
        <span className="portal-title-brand muted"> · {view.brandName}</span>
      </h1>
      <div className="portal-main">
        <StatusCard view={view} now={now} />
        {view.award && <AwardCard view={view} />}
        <Conversation view={view} open={open} now={now} />
      </div>
      <aside className="portal-side" aria-label="Offers and the request">
        <BrandOfferCard view={view} open={open} />
        {view.yourTurn && open && <OfferForm key={view.standingOffer?._id ?? "first"} view={view} />}
        {open && <DeclinePanel negotiationId={view.negotiationId} brandName={view.brandName} />}
        <RequestCard view={view} now={now} />
      </aside>
    </div>
  );
}
