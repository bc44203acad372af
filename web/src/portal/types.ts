import type { FunctionReturnType } from "convex/server";
import type { api } from "../../../convex/_generated/api";

/** The negotiation as the supplier's portal receives it (convex/model/supplierViews.ts). */
export type PortalNegotiation = FunctionReturnType<typeof api.supplierPortal.negotiation>;
export type PortalOffer = PortalNegotiation["offers"][number];
export type PortalMessage = FunctionReturnType<typeof api.supplierPortal.messages>["page"][number];
export type PortalPurchaseOrder = NonNullable<Extract<NonNullable<PortalNegotiation["award"]>, { yours: true }>["purchaseOrder"]>;

export const OPEN_STATUSES: readonly string[] = ["pending", "active", "paused"];

/** Whether the negotiation still takes moves: not ended, deadline not passed. */
export function isOpen(view: Pick<PortalNegotiation, "status" | "expiresAt">, now: number): boolean {
  return OPEN_STATUSES.includes(view.status) && (view.expiresAt === null || view.expiresAt > now);
}
