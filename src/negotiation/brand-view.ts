// The brand's view of a negotiation: what the simulation hands brand code. A
// copy by allow-list, so a persona never travels along at run time either,
// whatever object it came from.

import type { BrandSetup } from "./setup-types.js";
import type { SupplierProfile } from "./types.js";

/** A supplier's public profile only (a SupplierSpec's persona is left behind). */
export function supplierProfile(supplier: SupplierProfile): SupplierProfile {
  const { id, name, location, qualityScore, tagline, description } = supplier;
  return {
    id,
    name,
    qualityScore,
    ...(location !== undefined ? { location } : {}),
    ...(tagline !== undefined ? { tagline } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

/** The brand side of a setup (a NegotiationSetup is one): the brand's quote, the supplier's profile, the protocol's parameters. */
export function brandView(setup: BrandSetup): BrandSetup {
  const { lineItems, priorities, guardrails, maxRounds, seed, brandStrategy } = setup;
  return {
    lineItems,
    priorities,
    guardrails,
    supplier: supplierProfile(setup.supplier),
    maxRounds,
    seed,
    ...(brandStrategy !== undefined ? { brandStrategy } : {}),
  };
}

/**
 * The profile of a stored supplier (Convex's `suppliers` doc: `name` and
 * `profile`); its `persona` is not read.
 */
export function supplierProfileOf(id: string, supplier: { name: string; profile: Omit<SupplierProfile, "id" | "name"> }): SupplierProfile {
  return supplierProfile({ id, name: supplier.name, ...supplier.profile });
}
