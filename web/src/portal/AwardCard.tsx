import { TableScroll } from "../components/TableScroll";
import { downloadFile } from "../lib/csv";
import { poFileName, poTerms } from "../lib/purchaseOrder";
import { formatMoney, formatUnitPrice } from "../lib/format";
import type { PortalNegotiation, PortalPurchaseOrder } from "./types";

/** The same PDF the brand downloads from its quote page (web/src/lib/purchaseOrderPdf.ts), loaded when asked for. */
async function downloadPdf(po: PortalPurchaseOrder, currency: string) {
  const { purchaseOrderPdf } = await import("../lib/purchaseOrderPdf");
  const document = { ...po, currency };
  downloadFile(poFileName(document, "pdf"), "application/pdf", (await purchaseOrderPdf(document)) as BlobPart);
}

const when = (at: number) => new Date(at).toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });

/** The quote's award: the purchase order when it is this supplier's, or that another supplier won. */
export function AwardCard({ view }: { view: PortalNegotiation }) {
  const award = view.award;
  if (!award) return null;
  if (!award.yours) {
    return (
      <section className="card" aria-labelledby="award-title" data-testid="portal-award" data-yours="false">
        <h2 id="award-title">The quote was awarded to another supplier</h2>
        <p>{view.brandName} chose another offer this time. Thank you for taking part.</p>
      </section>
    );
  }
  return (
    <section className="card portal-award" aria-labelledby="award-title" data-testid="portal-award" data-yours="true">
      <h2 id="award-title">Your offer was awarded</h2>
      {award.purchaseOrder ? (
        <PurchaseOrder po={award.purchaseOrder} currency={view.quote.currency} />
      ) : (
        <p>{view.brandName} awarded the quote to you. The purchase order appears here once it is written.</p>
      )}
    </section>
  );
}

function PurchaseOrder({ po, currency }: { po: PortalPurchaseOrder; currency: string }) {
  return (
    <div className="portal-po" data-testid="portal-po" data-reference={po.reference}>
      <div className="purchase-order-head">
        <p>
          Purchase order <strong data-testid="portal-po-reference">{po.reference}</strong> from {po.buyerName} to {po.supplierName},{" "}
          {when(po.awardedAt)}.
        </p>
        <span className="portal-po-actions">
          <button type="button" className="button-primary" onClick={() => void downloadPdf(po, currency)} data-testid="portal-po-pdf">
            Download PDF
          </button>
          <button type="button" className="button-secondary portal-print" onClick={() => window.print()} data-testid="portal-po-print">
            Print
          </button>
        </span>
      </div>
      <TableScroll label="Purchase order lines">
        <table className="table compact portal-terms">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" className="tabular portal-terms-quantity">Quantity</th>
              <th scope="col" className="tabular">Unit price</th>
              <th scope="col" className="tabular">Line total</th>
            </tr>
          </thead>
          <tbody>
            {po.lines.map((line) => (
              <tr key={line.sku} data-testid="portal-po-line">
                <th scope="row">
                  {line.name} <span className="muted small">{line.sku}</span>{" "}
                  <span className="portal-terms-inline-quantity muted small">× {line.quantity.toLocaleString("en-US")}</span>
                </th>
                <td className="tabular portal-terms-quantity">{line.quantity.toLocaleString("en-US")}</td>
                <td className="tabular">{formatUnitPrice(line.unitPrice, currency)}</td>
                <td className="tabular">{formatMoney(line.lineTotal, currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="portal-terms-quantity" />
              <td />
              <td className="tabular" data-testid="portal-po-total"><strong>{formatMoney(po.total, currency)}</strong></td>
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      {/* The order's facts in the words of its PDF and of the brand's panel (lib/purchaseOrder.ts poTerms). */}
      <dl className="facts portal-facts">
        {poTerms({ ...po, currency }).map(([label, value]) => (
          <div key={label} className="fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
