import { TableScroll } from "../components/TableScroll";
import { formatDays, formatMoney, formatUnitPrice, totalPrice } from "../lib/format";
import type { PortalNegotiation, PortalOffer } from "./types";

/** One offer's terms: per line the unit price and line total, the total, lead time and payment terms. */
export function OfferTerms({ offer, view, caption }: { offer: PortalOffer; view: PortalNegotiation; caption: string }) {
  const { currency, lineItems } = view.quote;
  const nameOf = (sku: string) => lineItems.find((item) => item.sku === sku)?.name ?? sku;
  return (
    <>
      <TableScroll label={caption}>
        <table className="table compact portal-terms">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" className="tabular portal-terms-quantity">Quantity</th>
              <th scope="col" className="tabular">Unit price</th>
              <th scope="col" className="tabular">Line total</th>
            </tr>
          </thead>
          <tbody>
            {offer.terms.lines.map((line) => (
              <tr key={line.sku} data-testid="offer-line" data-sku={line.sku}>
                <th scope="row">
                  {nameOf(line.sku)} <span className="portal-terms-inline-quantity muted small">× {line.quantity.toLocaleString("en-US")}</span>
                </th>
                <td className="tabular portal-terms-quantity">{line.quantity.toLocaleString("en-US")}</td>
                <td className="tabular" data-testid="offer-line-unit-price">{formatUnitPrice(line.unitPrice, currency)}</td>
                <td className="tabular">{formatMoney(line.quantity * line.unitPrice, currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="portal-terms-quantity" />
              <td />
              <td className="tabular" data-testid="offer-total"><strong>{formatMoney(totalPrice(offer.terms), currency)}</strong></td>
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      <dl className="facts portal-facts">
        <dt>Lead time</dt>
        <dd data-testid="offer-lead-time-value">{formatDays(offer.terms.leadTimeDays)}</dd>
        <dt>Payment terms</dt>
        <dd data-testid="offer-payment-terms-value">{offer.terms.paymentTermsDays === 0 ? "On delivery" : `${offer.terms.paymentTermsDays} days`}</dd>
      </dl>
    </>
  );
}
