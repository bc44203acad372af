import { useMutation } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { formatMoney, totalPrice } from "../lib/format";
import { OfferTerms } from "./OfferTerms";
import { portalProblem } from "./problems";
import type { PortalNegotiation } from "./types";
import { lastOwnOffer, possessive } from "./words";

/**
 * The offer on the table: the terms agreed, the brand's offer (which the
 * supplier may accept: it becomes their final offer), or the supplier's own
 * while the brand answers. Once the quote is theirs, the purchase order says it all.
 */
export function BrandOfferCard({ view, open }: { view: PortalNegotiation; open: boolean }) {
  const accepted = view.offers.find((o) => o.status === "accepted") ?? null;
  const standing = view.standingOffer;
  if (view.award?.yours) return null;
  if (accepted) {
    return (
      <section className="card" aria-labelledby="agreed-offer-title" data-testid="agreed-offer">
        <h2 id="agreed-offer-title">Your final offer</h2>
        <p className="muted small">
          The terms you and {view.brandName} agreed on{view.award ? "." : ", held until the brand awards the quote."}
        </p>
        <OfferTerms offer={accepted} view={view} caption="Agreed terms" />
      </section>
    );
  }
  if (standing?.offeredBy === "brand") return <BrandOffer view={view} open={open} />;
  const own = standing?.offeredBy === "supplier" ? standing : lastOwnOffer(view.offers);
  if (!own) return null;
  return (
    <section className="card" aria-labelledby="own-offer-title" data-testid="own-offer">
      <h2 id="own-offer-title">Your offer</h2>
      <p className="muted small">
        Round {own.round}
        {open && !view.yourTurn ? `: with ${view.brandName}, waiting for their answer.` : "."}
      </p>
      <OfferTerms offer={own} view={view} caption="Your offer's terms" />
    </section>
  );
}

function BrandOffer({ view, open }: { view: PortalNegotiation; open: boolean }) {
  const accept = useMutation(api.supplierPortal.acceptOffer);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const offer = view.standingOffer!;
  const theirs = `${possessive(view.brandName)} offer`;

  const onConfirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await accept({ negotiationId: view.negotiationId });
      setConfirming(false);
    } catch (e) {
      setError(portalProblem(e, "action"));
    } finally {
      setBusy(false);
    }
  };

  const total = formatMoney(totalPrice(offer.terms), view.quote.currency);
  return (
    <section className="card portal-brand-offer" aria-labelledby="brand-offer-title" data-testid="brand-offer" data-status={offer.status}>
      <h2 id="brand-offer-title">{theirs}</h2>
      <p className="muted small">
        Round {offer.round}
        {offer.status === "pending" && open ? ": waiting for your answer." : "."}
      </p>
      <OfferTerms offer={offer} view={view} caption={theirs} />
      {view.canAcceptBrandOffer && open && (
        <button type="button" className="button-primary" onClick={() => setConfirming(true)} data-testid="accept-brand-offer">
          Accept the brand's offer
        </button>
      )}
      <ConfirmDialog open={confirming} title={`Accept ${theirs} of ${total}?`} confirmLabel="Accept the offer"
        busy={busy} error={error} onConfirm={() => void onConfirm()} onCancel={() => { setConfirming(false); setError(undefined); }}>
        <p>
          These terms become your <strong>final offer</strong>. {view.brandName} holds it until they award the quote, and you cannot
          change it afterwards. The brand may still choose another supplier.
        </p>
      </ConfirmDialog>
    </section>
  );
}
