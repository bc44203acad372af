import { TableScroll } from "../components/TableScroll";
import { deadlineWords } from "./words";
import { isOpen, type PortalNegotiation } from "./types";

/** What the brand asks for: the items and quantities, where and how to deliver, by when to agree, and its files. */
export function RequestCard({ view, now }: { view: PortalNegotiation; now: number }) {
  const { quote } = view;
  const deadline = deadlineWords(view.expiresAt, now);
  return (
    <section className="card portal-request" aria-labelledby="portal-request-title" data-testid="portal-request">
      <h2 id="portal-request-title">What {view.brandName} asks for</h2>
      <p className="muted small">
        <span className="quote-reference">{quote.reference}</span> {quote.title}, for {view.supplierName}. Prices in {quote.currency}.
      </p>
      <TableScroll label="Requested line items">
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" className="tabular">Quantity</th>
            </tr>
          </thead>
          <tbody>
            {quote.lineItems.map((line) => (
              <tr key={line.sku} data-testid="portal-line" data-sku={line.sku}>
                <th scope="row">
                  {line.name} <span className="muted small">{line.sku}</span>
                </th>
                <td className="tabular">{line.quantity.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <dl className="facts portal-facts">
        <dt>Respond by</dt>
        <dd data-testid="portal-deadline" data-expires-at={view.expiresAt ?? ""}>
          {deadline && !isOpen(view, now) ? (
            <>
              {deadline.when} <span className="muted">{deadline.passed ? "(passed)" : "(the negotiation has ended)"}</span>
            </>
          ) : deadline ? (
            <>
              {deadline.when} <span className={deadline.passed ? "portal-deadline-passed" : "muted"}>({deadline.relative})</span>
            </>
          ) : (
            "No deadline yet: it is set when the negotiation starts."
          )}
        </dd>
        <dt>Delivery address</dt>
        <dd className="delivery-address">{quote.deliveryAddress ?? "Not given"}</dd>
        <dt>Incoterms</dt>
        <dd>{quote.incoterms ?? "Not given"}</dd>
        {quote.notes && (
          <>
            <dt>Notes</dt>
            <dd className="portal-notes">{quote.notes}</dd>
          </>
        )}
      </dl>
      {view.attachments.length > 0 && (
        <>
          <h3 className="portal-subhead">Files</h3>
          <ul className="plain portal-attachments">
            {view.attachments.map((file) => (
              <li key={file._id} data-testid="portal-attachment">
                {file.url ? (
                  <a href={file.url} download={file.name} rel="noopener">
                    {file.name}
                  </a>
                ) : (
                  <span>{file.name}</span>
                )}{" "}
                <span className="muted small">{file.sizeInWords}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
