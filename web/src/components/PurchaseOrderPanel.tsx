import { useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import { downloadFile } from "../lib/csv";
import { formatMoney, formatUnitPrice } from "../lib/format";
import { poDate, poFileName, poTerms, purchaseOrderCsv } from "../lib/purchaseOrder";
import type { Currency } from "../../../convex/model/currency";
import type { Id } from "../lib/types";
import { useWorkspace } from "../lib/workspace";
import { TableScroll } from "./TableScroll";

/** After the award: the purchase order it wrote, with its PDF and CSV. Nothing before. */
/** `currency`: the quote's, which the PO is in. */
export function PurchaseOrderPanel({ quoteId, currency }: { quoteId: Id<"quotes">; currency: Currency }) {
  const { workspaceId } = useWorkspace();
  const view = useQuery(api.purchaseOrders.forQuote, { workspaceId, quoteId });
  const po = view ? { ...view, currency } : view;
  const [making, setMaking] = useState(false);
  const [error, setError] = useState<string>();
  if (!po) return null;

  const downloadPdf = async () => {
    setMaking(true);
    setError(undefined);
    try {
      // Loaded on first use: pdf-lib is large and only this button needs it.
      const { purchaseOrderPdf } = await import("../lib/purchaseOrderPdf");
      downloadFile(poFileName(po, "pdf"), "application/pdf", (await purchaseOrderPdf(po)) as BlobPart);
    } catch (e) {
      setError(`Could not make the PDF: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setMaking(false);
    }
  };

  return (
    <section className="card purchase-order" aria-labelledby="po-title" data-testid="purchase-order" data-reference={po.reference}>
      <div className="purchase-order-head">
        <div>
          <h2 id="po-title">
            Purchase order <span data-testid="po-number">{po.reference}</span>
          </h2>
          <p className="muted small">
            {po.buyerName} to <strong data-testid="po-supplier">{po.supplierName}</strong>, {poDate(po)}
          </p>
        </div>
        <div className="purchase-order-actions">
          <button type="button" className="button-primary" onClick={() => void downloadPdf()} disabled={making} data-testid="po-download-pdf">
            {making ? "Making the PDF…" : "Download PDF"}
          </button>
          <button type="button" className="button-secondary" data-testid="po-download-csv"
            onClick={() => downloadFile(poFileName(po, "csv"), "text/csv;charset=utf-8", purchaseOrderCsv(po))}>
            Download CSV
          </button>
        </div>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      <TableScroll label="Purchase order lines">
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Quantity</th>
              <th scope="col">Unit price</th>
              <th scope="col">Line total</th>
            </tr>
          </thead>
          <tbody>
            {po.lines.map((line) => (
              <tr key={line.sku} data-testid="po-line">
                <th scope="row">
                  {line.name} <span className="muted small">{line.sku}</span>
                </th>
                <td className="tabular">{line.quantity.toLocaleString()}</td>
                <td className="tabular">{formatUnitPrice(line.unitPrice, currency)}</td>
                <td className="tabular">{formatMoney(line.lineTotal, currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>Total</th>
              <td className="tabular" data-testid="po-total"><strong>{formatMoney(po.total, currency)}</strong></td>
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      <dl className="facts">
        {poTerms(po).map(([label, value]) => (
          <div key={label} className="fact" data-testid={`po-${label.toLowerCase().replace(/\s+/g, "-")}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
