import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { personaProblems } from "../../src/negotiation/personas";
import { invalid } from "./errors";

// The demo catalog: what a direct-to-consumer brand buys (packaging, apparel
// blanks, coffee) and the three suppliers Parley negotiates with. The personas
// are the engine's private parameters; see src/negotiation/types.ts.

type ProductSeed = Omit<Doc<"products">, "_id" | "_creationTime" | "workspaceId">;
type SupplierSeed = Omit<Doc<"suppliers">, "_id" | "_creationTime" | "workspaceId">;

export const PRODUCTS: ProductSeed[] = [
  { sku: "PKG-MAILER-1084", name: "Kraft mailer box 10×8×4 in", unit: "box", category: "Packaging", listPrice: 0.92 },
  { sku: "PKG-POLY-1419", name: "Recycled poly mailer 14×19 in", unit: "bag", category: "Packaging", listPrice: 0.21 },
  { sku: "PKG-TISSUE-2030", name: "Printed tissue paper 20×30 in", unit: "sheet", category: "Packaging", listPrice: 0.08 },
  { sku: "PKG-LABEL-46", name: "Thermal shipping labels 4×6 in, 250 per roll", unit: "roll", category: "Packaging", listPrice: 7.5 },
  { sku: "PKG-TAPE-48", name: "Water-activated kraft tape 48 mm × 137 m", unit: "roll", category: "Packaging", listPrice: 6.4 },
  { sku: "APP-TEE-240-BLK", name: "Heavyweight cotton tee 240 gsm, black", unit: "piece", category: "Apparel blanks", listPrice: 6.8 },
  { sku: "APP-HOOD-350-GRY", name: "Fleece pullover hoodie 350 gsm, heather grey", unit: "piece", category: "Apparel blanks", listPrice: 17.5 },
  { sku: "APP-CAP-TWL-NVY", name: "Unstructured cotton twill cap, navy", unit: "piece", category: "Apparel blanks", listPrice: 4.2 },
  { sku: "APP-TOTE-12OZ", name: "Canvas tote bag 12 oz, natural", unit: "piece", category: "Apparel blanks", listPrice: 3.1 },
  { sku: "APP-SOCK-CRW-WHT", name: "Combed cotton crew socks, white", unit: "pair", category: "Apparel blanks", listPrice: 1.65 },
  { sku: "COF-COL-HUILA-1KG", name: "Colombia Huila whole bean, medium roast, 1 kg", unit: "bag", category: "Coffee", listPrice: 21 },
  { sku: "COF-ETH-YIRG-1KG", name: "Ethiopia Yirgacheffe whole bean, light roast, 1 kg", unit: "bag", category: "Coffee", listPrice: 26.5 },
  { sku: "COF-ESP-HOUSE-1KG", name: "House espresso blend whole bean, 1 kg", unit: "bag", category: "Coffee", listPrice: 18.4 },
  { sku: "COF-DRIP-BOX-10", name: "Single-serve drip bags, box of 10", unit: "box", category: "Coffee", listPrice: 7.9 },
  { sku: "COF-GRN-BRA-60KG", name: "Green coffee, Brazil Cerrado, 60 kg sack", unit: "sack", category: "Coffee", listPrice: 310 },
];

export const SUPPLIERS: SupplierSeed[] = [
  {
    slug: "northwind",
    name: "Northwind Supply Co.",
    profile: {
      tagline: "Premium quality, firm on price",
      description:
        "A long-established manufacturer with audited factories and low defect rates. Opens high and concedes slowly, mostly at the deadline.",
      location: "Portland, Oregon, USA",
      qualityScore: 0.94,
    },
    persona: {
      concession: "boulware",
      concessionExponent: 0.3,
      unitCostRatio: 0.62,
      openingMarkup: 1.12,
      reservationMargin: 0.18,
      weights: { price: 0.6, leadTime: 0.15, paymentTerms: 0.25 },
      leadTimeDays: { standard: 21, fastest: 10 },
      expediteCostPerDay: 0.006,
      paymentTermsDays: { preferred: 30, max: 60 },
      annualFinancingRate: 0.06,
      capacityPerLine: 500_000,
      qualityScore: 0.94,
    },
  },
  {
    slug: "harbor",
    name: "Harbor Value Sourcing",
    profile: {
      tagline: "Lowest prices, cash up front",
      description:
        "A high-volume trading company that cuts prices quickly to win the order but needs to be paid fast. Quality is acceptable, not premium.",
      location: "Shenzhen, China",
      qualityScore: 0.72,
    },
    persona: {
      concession: "conceder",
      concessionExponent: 2.5,
      unitCostRatio: 0.5,
      openingMarkup: 1.0,
      reservationMargin: 0.06,
      weights: { price: 0.3, leadTime: 0.1, paymentTerms: 0.6 },
      leadTimeDays: { standard: 35, fastest: 25 },
      expediteCostPerDay: 0.004,
      paymentTermsDays: { preferred: 15, max: 30 },
      annualFinancingRate: 0.14,
      capacityPerLine: 2_000_000,
      qualityScore: 0.72,
    },
  },
  {
    slug: "meridian",
    name: "Meridian Trade Partners",
    profile: {
      tagline: "Fair dealing, meets you halfway",
      description:
        "A nearshore supplier with solid quality that mirrors your moves: concede and it concedes, hold firm and so does it.",
      location: "Monterrey, Mexico",
      qualityScore: 0.85,
    },
    persona: {
      concession: "tit_for_tat",
      concessionExponent: 1,
      unitCostRatio: 0.56,
      openingMarkup: 1.06,
      reservationMargin: 0.1,
      weights: { price: 0.45, leadTime: 0.25, paymentTerms: 0.3 },
      leadTimeDays: { standard: 28, fastest: 14 },
      expediteCostPerDay: 0.005,
      paymentTermsDays: { preferred: 30, max: 75 },
      annualFinancingRate: 0.09,
      capacityPerLine: 1_000_000,
      qualityScore: 0.85,
    },
  },
];

/** Upserts a workspace's catalog by sku and slug: running it twice leaves one row each. */
export async function loadCatalog(ctx: MutationCtx, workspaceId: Id<"workspaces">): Promise<{ products: number; suppliers: number }> {
  for (const seed of PRODUCTS) {
    const product = { ...seed, workspaceId };
    const existing = await ctx.db
      .query("products")
      .withIndex("by_workspaceId_and_sku", (q) => q.eq("workspaceId", workspaceId).eq("sku", product.sku))
      .unique();
    if (existing) await ctx.db.replace(existing._id, product);
    else await ctx.db.insert("products", product);
  }
  for (const seed of SUPPLIERS) {
    // A persona the engine cannot honour is refused before anything is written.
    const [problem] = personaProblems(seed.persona);
    if (problem) invalid(`suppliers.${seed.slug}.persona.${problem.field}`, `${seed.name}'s persona: ${problem.field}: ${problem.message}`);
  }
  for (const seed of SUPPLIERS) {
    const supplier = { ...seed, workspaceId };
    const existing = await ctx.db
      .query("suppliers")
      .withIndex("by_workspaceId_and_slug", (q) => q.eq("workspaceId", workspaceId).eq("slug", supplier.slug))
      .unique();
    if (existing) await ctx.db.replace(existing._id, supplier);
    else await ctx.db.insert("suppliers", supplier);
  }
  return { products: PRODUCTS.length, suppliers: SUPPLIERS.length };
}
