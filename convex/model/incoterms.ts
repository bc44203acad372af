import type { Infer } from "convex/values";
import type { incoterm } from "../schema";

// The Incoterms 2020 rules a quote may name: one definition, read by the
// quote form, the purchase order and the server's validation.

export type Incoterm = Infer<typeof incoterm>;

export const INCOTERMS: readonly { code: Incoterm; name: string }[] = [
  { code: "EXW", name: "Ex Works" },
  { code: "FCA", name: "Free Carrier" },
  { code: "CPT", name: "Carriage Paid To" },
  { code: "CIP", name: "Carriage and Insurance Paid To" },
  { code: "DAP", name: "Delivered at Place" },
  { code: "DPU", name: "Delivered at Place Unloaded" },
  { code: "DDP", name: "Delivered Duty Paid" },
  { code: "FAS", name: "Free Alongside Ship" },
  { code: "FOB", name: "Free on Board" },
  { code: "CFR", name: "Cost and Freight" },
  { code: "CIF", name: "Cost, Insurance and Freight" },
];

/** "FOB — Free on Board". */
export function incotermLabel(code: Incoterm): string {
  return `${code} — ${INCOTERMS.find((t) => t.code === code)?.name ?? code}`;
}
