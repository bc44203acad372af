import { deadlineWords, statusWords } from "./words";
import { isOpen, type PortalNegotiation } from "./types";

/** Where the negotiation stands, in a supplier's words: whose turn, which round, how long is left. */
export function StatusCard({ view, now }: { view: PortalNegotiation; now: number }) {
  const open = isOpen(view, now);
  const expiredByClock = !open && (view.status === "active" || view.status === "pending" || view.status === "paused");
  const words = expiredByClock
    ? { label: "Expired", detail: "The response deadline passed before an agreement.", tone: "bad" as const }
    : statusWords({ status: view.status, outcome: view.outcome, yourTurn: view.yourTurn, award: view.award, quoteStatus: view.quote.status, endedBy: view.endedBy });
  const deadline = deadlineWords(view.expiresAt, now);
  const round = Math.min(view.currentRound, view.maxRounds);
  return (
    <section className={`card portal-status portal-status-${words.tone}`} aria-labelledby="portal-status-title"
      data-testid="portal-status" data-status={view.status} data-standing={view.standing} data-label={words.label}>
      {/* Announced when it changes: the brand's answer, an award, the end, arrive while the supplier is elsewhere on the page. */}
      <div aria-live="polite">
        <h2 id="portal-status-title" className="portal-status-label">
          <span className={`badge badge-${words.tone}`}>{words.label}</span>
        </h2>
        <p>{words.detail}</p>
      </div>
      {/* Held until the award: once the quote is awarded, to this supplier or another, there is nothing left to hold. */}
      {view.standing === "accepted" && view.standingOffer?.validUntil && (
        <p className="muted small" data-testid="portal-final-offer-until">
          Your final offer holds until {new Date(view.standingOffer.validUntil).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}.
        </p>
      )}
      {open && (
        <p className="muted small">
          {round > 0 ? `Offer ${round} of at most ${view.maxRounds}.` : `At most ${view.maxRounds} offers in all.`}
          {deadline && ` Agree by ${deadline.when} (${deadline.relative}).`}
        </p>
      )}
    </section>
  );
}
