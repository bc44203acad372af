import { capitalise, formatDateTime, formatDays, formatMoney, formatUnitPrice, totalPrice } from "../lib/format";
import type { Currency } from "../../../convex/model/currency";
import { STATUS_LABELS, type NegotiationStanding } from "../../../convex/model/statusWords";
import type { Offer, Terms } from "../lib/types";

/** `currency`: the quote's (ISO 4217). */
export function TermsTable({ terms, currency }: { terms: Terms; currency: Currency }) {
  return (
    <table className="terms-table">
      <tbody>
        {terms.lines.map((line) => (
          <tr key={line.sku}>
            <th scope="row">{line.sku}</th>
            <td className="tabular">{line.quantity.toLocaleString()} ×</td>
            <td className="tabular">{formatUnitPrice(line.unitPrice, currency)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Lead time</th>
          <td colSpan={2}>{formatDays(terms.leadTimeDays)}</td>
        </tr>
        <tr>
          <th scope="row">Payment terms</th>
          <td colSpan={2}>Net {terms.paymentTermsDays} days</td>
        </tr>
      </tbody>
    </table>
  );
}

/** The words of an accepted offer: the final offer, held until the award; after it, "Awarded" or "Not awarded". */
function acceptedWords(standing: NegotiationStanding | undefined): string {
  return standing === "awarded" || standing === "not_awarded" ? STATUS_LABELS[standing] : STATUS_LABELS.accepted;
}

/** One set of terms in one round, as a card inside the chat. `standing`: its negotiation's (statusWords.ts). */
export function OfferCard({ offer, supplierName, currency, standing }: { offer: Offer; supplierName: string; currency: Currency; standing?: NegotiationStanding }) {
  const by = offer.offeredBy === "brand" ? "Brand" : supplierName;
  const decided = standing === "awarded" || standing === "not_awarded";
  return (
    <div
      className={`offer-card offer-${offer.offeredBy} offer-status-${offer.status}`}
      data-testid="offer-card"
      data-round={offer.round}
      data-offered-by={offer.offeredBy}
      data-status={offer.status}
    >
      <div className="offer-head">
        <span className="offer-title">
          {by} offer · round {offer.round}
        </span>
        {/* An agreement is the supplier's final offer, held until the brand awards it: not yet an order. */}
        <span className={`offer-status`} data-testid="offer-status">{offer.status === "accepted" ? acceptedWords(standing) : capitalise(offer.status)}</span>
      </div>
      <TermsTable terms={offer.terms} currency={currency} />
      <div className="offer-total">
        Total <strong className="tabular">{formatMoney(totalPrice(offer.terms), currency)}</strong>
      </div>
      {/* Once the quote is awarded the hold is over: its date no longer means anything. */}
      {offer.status === "accepted" && offer.validUntil !== undefined && !decided && (
        <p className="muted small" data-testid="offer-valid-until">
          Held for the award until {formatDateTime(offer.validUntil)}
        </p>
      )}
    </div>
  );
}
