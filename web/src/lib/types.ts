import type { FunctionReturnType } from "convex/server";
import type { api } from "../../../convex/_generated/api";
import type { Doc, Id } from "../../../convex/_generated/dataModel";
import { TERMINAL_NEGOTIATION_STATUSES, type Terms } from "../../../src/negotiation/types";
import type { NegotiationStanding } from "../../../convex/model/statusWords";

// The shapes the dashboard reads, as convex/README.md promises them.

export type Quote = Doc<"quotes">;
export type Negotiation = Doc<"negotiations">;
export type Offer = Doc<"offers">;
export type Message = Doc<"messages">;
export type Product = Doc<"products">;
export type Supplier = Doc<"suppliers">;
export type Award = Doc<"awards">;
export type QuoteStatus = Quote["status"];
export type NegotiationStatus = Negotiation["status"];

export type QuoteListItem = Quote & {
  bestOffer?: { supplierName: string; totalPrice: number; terms: Terms };
  unreadCount: number;
  /** An award of it waits for an approver. */
  awaitingApproval: boolean;
  negotiationStatuses: { negotiationId: Id<"negotiations">; supplierId: Id<"suppliers">; supplierName: string; status: NegotiationStatus; standing: NegotiationStanding }[];
};

/** A supplier as the brand sees it: its public profile, never its persona. */
export type SupplierProfile = Pick<Supplier, "_id" | "name" | "slug" | "profile">;

export type NegotiationView = Negotiation & {
  supplier: SupplierProfile | null;
  unreadCount: number;
  latestOffer?: Offer | null;
  /** How it reads after the quote's award: "awarded", "not_awarded" (a final offer not chosen), else its status. */
  standing: NegotiationStanding;
};

export interface QuoteDetail {
  quote: Quote;
  negotiations: NegotiationView[];
  award?: Award | null;
}

/** One invitation of a person at a live supplier, as buyers see it (a pending one carries its link's token). */
export type SupplierInvitationRow = FunctionReturnType<typeof api.supplierInvitations.listForQuote>[number];

export type NotificationItem = FunctionReturnType<typeof api.notifications.list>["items"][number];

export const QUOTE_STATUSES: QuoteStatus[] = ["queued", "negotiating", "completed", "awarded", "cancelled", "failed"];

/** A negotiation in one of these will not change again by itself: the engine's one list. */
export const FINAL_NEGOTIATION_STATUSES: readonly NegotiationStatus[] = TERMINAL_NEGOTIATION_STATUSES;

export type { Id, Terms };
