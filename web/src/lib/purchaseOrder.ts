import type { FunctionReturnType } from "convex/server";
import type { api } from "../../../convex/_generated/api";
import { toCsv } from "./csv";
import type { Currency } from "../../../convex/model/currency";
import { currencyName, formatDays } from "./format";

// A purchase order's words, shared by the panel on the quote page, its PDF
// (purchaseOrderPdf.ts) and its CSV: the server wrote the PO (numbers, totals,
// "Not given"); this only formats it.

type StoredPurchaseOrder = NonNullable<FunctionReturnType<typeof api.purchaseOrders.forQuote>>;

/**
 * The PO with its quote's currency (ISO 4217): every amount on it is in that
 * currency. Who awarded and approved it by name only, so the supplier portal's
 * copy (which carries no account ids) makes the same documents.
 */
export type PurchaseOrder = Omit<StoredPurchaseOrder, "awardedBy" | "approval"> & {
  awardedBy: { name: string };
  approval: { name: string; approvedAt: number; comment?: string } | null;
  currency: Currency;
};

/** "EUR (Euro)": the currency as the documents state it. */
export const poCurrency = (po: PurchaseOrder) => `${po.currency} (${currencyName(po.currency)})`;

const when = (at: number) => new Date(at).toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });

export const poDate = (po: PurchaseOrder) => when(po.awardedAt);
export const poLeadTime = (po: PurchaseOrder) => formatDays(po.leadTimeDays);
export const poPaymentTerms = (po: PurchaseOrder) => `Net ${po.paymentTermsDays} days`;
export const poAwardedBy = (po: PurchaseOrder) => `${po.awardedBy.name} on ${when(po.awardedAt)}`;
/** "Abe Approver on May 2, 2026" (with their comment when they left one), or that none was needed. */
export function poApprovedBy(po: PurchaseOrder): string {
  if (!po.approval) return "No approval needed";
  const base = `${po.approval.name} on ${when(po.approval.approvedAt)}`;
  return po.approval.comment ? `${base}: “${po.approval.comment}”` : base;
}

/** The order's facts under its lines, in the order the documents print them. */
export function poTerms(po: PurchaseOrder): [label: string, value: string][] {
  return [
    ["Currency", poCurrency(po)],
    ["Lead time", poLeadTime(po)],
    ["Payment terms", poPaymentTerms(po)],
    ["Incoterms", po.incoterms],
    ["Delivery address", po.deliveryAddress],
    ["Awarded by", poAwardedBy(po)],
    ["Approved by", poApprovedBy(po)],
  ];
}

export const poFileName = (po: PurchaseOrder, extension: "pdf" | "csv") => `${po.reference}.${extension}`;

/** One row per line, the order's facts repeated on each, so a spreadsheet can filter and sum. */
export function purchaseOrderCsv(po: PurchaseOrder): string {
  const header = [
    "Purchase order", "Date", "Buyer", "Supplier", "SKU", "Product", "Quantity", "Unit price", "Line total",
    "Order total", "Currency", "Lead time (days)", "Payment terms (days)", "Incoterms", "Delivery address", "Awarded by", "Approved by",
  ];
  const rows = po.lines.map((line) => [
    po.reference, new Date(po.awardedAt).toISOString().slice(0, 10), po.buyerName, po.supplierName, line.sku, line.name,
    line.quantity, line.unitPrice, line.lineTotal, po.total, po.currency, po.leadTimeDays, po.paymentTermsDays, po.incoterms,
    po.deliveryAddress, po.awardedBy.name, po.approval ? po.approval.name : "",
  ]);
  return toCsv(header, rows);
}
