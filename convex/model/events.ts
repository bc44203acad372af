import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { personName } from "./people";
import { currencyOf, formatMoney } from "./currency";

// The append-only audit log. Every state change writes one row here, with the
// user who caused it when a person did.

/** contact: a live supplier's person; their events read as the supplier's. */
export type Actor = "brand" | "supplier" | "system" | "user" | "contact";
export type EventData = Record<string, string | number | boolean | null>;

export async function logEvent(
  ctx: MutationCtx,
  event: {
    workspaceId: Id<"workspaces">;
    type: string;
    actor: Actor;
    quoteId?: Id<"quotes">;
    negotiationId?: Id<"negotiations">;
    data?: EventData;
  },
): Promise<void> {
  const userId = event.actor === "user" || event.actor === "contact" ? await callingUser(ctx) : null;
  await ctx.db.insert("events", { ...event, ...(userId ? { userId } : {}), at: Date.now() });
}

/**
 * Who did it, for an event a person caused: the signed-in caller (the access
 * layer has already checked the session). A service call has no identity.
 */
async function callingUser(ctx: MutationCtx): Promise<Id<"users"> | null> {
  const identity = await ctx.auth.getUserIdentity();
  const userPart = identity?.subject.split("|")[0];
  return userPart ? ctx.db.normalizeId("users", userPart) : null;
}

// ---------------------------------------------------------------------------
// Reading the log: each event in words, for the quote timeline and the owners'
// CSV export. Only words and ids leave the server, never an event's raw `data`
// (a worker's id, lease details): what an event says is decided here, by type.

/** The brand side when Parley's AI negotiates for it (actor "brand"). */
export const AGENT_NAME = "Parley's agent";
/** Parley itself: workers, expiry, recommendations (actor "system"). */
export const SYSTEM_NAME = "Parley";

export const TIMELINE_LIMIT = 500;
export const EXPORT_PAGE_MAX = 500;

export type EventEntry = {
  _id: Id<"events">;
  at: number;
  type: string;
  actor: Actor;
  /** Who did it, in words: a person's name, "Parley's agent", a supplier's name or "Parley". */
  who: string;
  /** What they did, as the rest of a sentence after `who`. */
  what: string;
  quoteId: Id<"quotes"> | null;
  negotiationId: Id<"negotiations"> | null;
  supplierName: string | null;
};

/** "approval.requested" → "approval requested": how an event type nobody has worded yet reads. */
export function humaniseType(type: string): string {
  const words = type.replace(/[._-]+/g, " ").trim();
  return words.length === 0 ? "did something" : `recorded “${words}”`;
}

/** In the quote's currency (quotes.currency), whatever the workspace's is now. */
function termsInWords(terms: Doc<"offers">["terms"], currency: string): string {
  return `${formatMoney(totalPrice(terms), currency)} in total, delivery in ${terms.leadTimeDays} days, payment in ${terms.paymentTermsDays} days`;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value : undefined);

/**
 * Describes events with a cache of the rows their words need (users, suppliers,
 * negotiations, offers, quotes), read through the caller's `ctx.db`, which the
 * access layer scopes to the workspace: another workspace's rows read as absent.
 */
export function eventDescriber(ctx: QueryCtx) {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key) as Promise<T>;
  };
  const person = (userId: Id<"users"> | string | undefined | null) =>
    once(`user:${userId}`, async () => {
      const id = typeof userId === "string" ? ctx.db.normalizeId("users", userId) : null;
      const user = id ? await ctx.db.get(id) : null;
      return personName(user);
    });
  const negotiation = (id: Id<"negotiations"> | undefined) =>
    once(`negotiation:${id}`, async () => (id ? await ctx.db.get(id) : null));
  const supplierOf = (id: Id<"negotiations"> | undefined) =>
    once(`supplierOf:${id}`, async () => {
      const found = await negotiation(id);
      const supplier = found ? await ctx.db.get(found.supplierId) : null;
      return supplier?.name ?? null;
    });
  const offer = (id: unknown) =>
    once(`offer:${id}`, async () => {
      const offerId = typeof id === "string" ? ctx.db.normalizeId("offers", id) : null;
      return offerId ? await ctx.db.get(offerId) : null;
    });
  const quote = (id: Id<"quotes"> | undefined) => once(`quote:${id}`, async () => (id ? await ctx.db.get(id) : null));
  const workspace = (id: Id<"workspaces">) => once(`workspace:${id}`, async () => await ctx.db.get(id));

  /** Whether this "rejected" event closed a walk-away: the brand user's rejection message came just before it. */
  async function walkedAway(event: Doc<"events">): Promise<boolean> {
    if (!event.negotiationId) return false;
    const before = await ctx.db
      .query("events")
      .withIndex("by_negotiationId_and_at", (q) => q.eq("negotiationId", event.negotiationId).lte("at", event.at))
      .order("desc")
      .take(5);
    const previous = before.find((e) => e._creationTime < event._creationTime);
    return previous?.type === "message_sent" && previous.actor === "user" && previous.data?.kind === "rejection";
  }

  async function what(stored: Doc<"events">, supplier: string): Promise<string | null> {
    // A live supplier's person acts for the supplier: the same words.
    const event = stored.actor === "contact" ? { ...stored, actor: "supplier" as const } : stored;
    const data = event.data ?? {};
    const reason = text(data.reason);
    switch (event.type) {
      case "quote.requested": {
        const items = typeof data.lineItems === "number" ? `${data.lineItems} line item${data.lineItems === 1 ? "" : "s"}` : "line items";
        const count = typeof data.suppliers === "number" ? `${data.suppliers} supplier${data.suppliers === 1 ? "" : "s"}` : "the suppliers";
        return `requested the quote (${items}, sent to ${count})`;
      }
      case "quote.negotiating":
        return "claimed the quote and started negotiating";
      case "quote.reclaimed":
        return "picked the quote up again after its worker stopped";
      case "quote.completed":
        return "finished negotiating and made a recommendation";
      case "quote.autoAwardSkipped":
        return `did not award automatically: ${reason ?? "the auto-award policy did not allow it"}`;
      case "quote.awarded": {
        const awardedTo = await supplierOf(typeof data.negotiationId === "string" ? (data.negotiationId as Id<"negotiations">) : undefined);
        const agreed = await offer(data.offerId);
        const how = data.automatic === true ? " automatically, under the quote's auto-award policy," : "";
        return `awarded the quote${how} to ${awardedTo ?? "a supplier"}${agreed ? ` for ${formatMoney(totalPrice(agreed.terms), currencyOf(await quote(event.quoteId)))}` : ""}`;
      }
      case "quote.edited":
        return "edited the quote";
      case "quote.cancelled":
        return "cancelled the quote";
      case "quote.failed":
        return `stopped the quote because of an error${reason ? `: ${reason}` : ""}`;
      case "negotiation.started":
        return `started the negotiation with ${supplier}`;
      case "negotiation.paused":
        return `took over the negotiation with ${supplier}`;
      case "negotiation.resumed":
        return `handed the negotiation with ${supplier} back to ${AGENT_NAME}`;
      case "negotiation.accepted":
        return event.actor === "supplier" ? "accepted the brand's offer" : `accepted ${supplier}'s offer`;
      case "negotiation.rejected": {
        if (event.actor === "supplier") return `declined and ended the negotiation${reason ? `: ${reason}` : ""}`;
        if (event.actor === "user" && (await walkedAway(event))) {
          return `walked away from ${supplier}${reason ? `: ${reason}` : ""}`;
        }
        const status = (await quote(event.quoteId))?.status;
        const why = status === "awarded" ? " (the quote went to another supplier)" : status === "cancelled" ? " (the quote was cancelled)" : "";
        return `closed the negotiation with ${supplier}${why}`;
      }
      case "negotiation.impasse":
        return `ended the negotiation with ${supplier} without agreement (impasse)`;
      case "negotiation.expired":
        return `let the negotiation with ${supplier} expire`;
      case "negotiation.failed":
        return `stopped the negotiation with ${supplier} because of an error${reason ? `: ${reason}` : ""}`;
      case "offer_made": {
        const made = await offer(data.offerId);
        const round = typeof data.round === "number" ? ` in round ${data.round}` : "";
        const terms = made ? `: ${termsInWords(made.terms, currencyOf(await quote(event.quoteId)))}` : "";
        if (data.offeredBy === "supplier") return `${data.round === 1 ? "made an opening offer" : "made an offer"}${round}${terms}`;
        return `${event.actor === "user" ? "countered" : "made a counter-offer"} to ${supplier}${round}${terms}`;
      }
      case "message_sent":
        if (stored.actor === "contact" && data.kind === "text") return "wrote to the brand";
        return event.actor === "user" && data.kind === "text" ? `wrote to ${supplier}` : null;
      case "supplier_invitation.created":
        return `invited ${text(data.contactName) ?? "a contact"} of ${supplier} to negotiate in person`;
      case "supplier_invitation.revoked":
        return `revoked the invitation to ${supplier}`;
      case "supplier_invitation.accepted":
        return "accepted the invitation and joined the negotiation";
      case "supplier_invitation.mailed":
        return data.status === "sent"
          ? `emailed the invitation link to ${supplier}'s contact`
          : data.status === "not_configured"
            ? "could not email the invitation (no mail server is set up: PARLEY_SMTP_URL); share the link shown on the quote"
            : `could not email the invitation${reason ? `: ${reason}` : ""}; share the link shown on the quote`;
      case "quote.waiting":
        return "is waiting for a live supplier to answer";
      case "approval.requested": {
        const amount = typeof data.amount === "number" ? ` of ${formatMoney(data.amount, currencyOf(await quote(event.quoteId)))}` : "";
        return `asked for approval to award the quote to ${supplier}${amount}`;
      }
      case "approval.approved":
        return `approved awarding the quote to ${supplier}`;
      case "approval.rejected":
        return `turned down awarding the quote to ${supplier}`;
      case "approval.withdrawn": {
        const because = data.reason === "quote_cancelled" ? ", as the quote was cancelled" : data.reason === "quote_failed" ? ", as the quote failed" : "";
        return `withdrew the request to award the quote to ${supplier}${because}`;
      }
      // Attachments (convex/model/attachments.ts): the file's name, as checked when it was attached.
      case "attachment.added":
        return text(data.name) ? `attached “${data.name}”` : "attached a file";
      case "attachment.removed":
        return text(data.name) ? `removed the attachment “${data.name}”` : "removed an attachment";
      case "workspace.approval_threshold_set":
        return typeof data.to === "number"
          ? `set the approval threshold to ${formatMoney(data.to, text(data.currency) ?? currencyOf(await workspace(event.workspaceId)))}`
          : "removed the approval threshold";
      case "workspace.currency_set":
        return `set the workspace's currency to ${text(data.to) ?? "?"}${text(data.from) ? ` (it was ${data.from})` : ""}`;
      case "workspace.created":
        return `created the workspace${text(data.name) ? ` “${data.name}”` : ""}`;
      case "invitation.created":
        return `invited a new ${text(data.role) ?? "member"}`;
      case "invitation.revoked":
        return "revoked an invitation";
      case "member.joined":
        return `joined as ${text(data.role) ?? "a member"}`;
      case "member.role_changed":
        return `changed ${await person(text(data.userId))}'s role from ${text(data.from) ?? "?"} to ${text(data.to) ?? "?"}`;
      case "member.removed":
        return `removed ${await person(text(data.userId))} from the workspace`;
      default:
        return humaniseType(event.type);
    }
  }

  /**
   * The event in words; null for one a reader need not see line by line (the
   * AI's and the supplier's messages: the conversations show them, and their
   * offers have their own events). `all` keeps those too, for the export.
   */
  return async function describe(event: Doc<"events">, opts: { all?: boolean } = {}): Promise<EventEntry | null> {
    const supplierName = await supplierOf(event.negotiationId);
    const supplier = supplierName ?? "a supplier";
    let sentence = await what(event, supplier);
    if (sentence === null) {
      if (!opts.all) return null;
      sentence = `sent a message to ${event.actor === "supplier" || event.actor === "contact" ? "the brand" : supplier}`;
    }
    const who =
      event.actor === "user"
        ? await person(event.userId)
        : event.actor === "brand"
          ? AGENT_NAME
          : event.actor === "supplier" || event.actor === "contact"
            ? supplier === "a supplier" ? "The supplier" : supplier
            : SYSTEM_NAME;
    return {
      _id: event._id,
      at: event.at,
      type: event.type,
      actor: event.actor,
      who,
      what: sentence,
      quoteId: event.quoteId ?? null,
      negotiationId: event.negotiationId ?? null,
      supplierName,
    };
  };
}

/** A quote's events, oldest first, in words; at most TIMELINE_LIMIT events are read. */
export async function quoteTimeline(ctx: QueryCtx, quoteId: Id<"quotes">) {
  const events = await ctx.db
    .query("events")
    .withIndex("by_quoteId_and_at", (q) => q.eq("quoteId", quoteId))
    .take(TIMELINE_LIMIT);
  const describe = eventDescriber(ctx);
  const entries: EventEntry[] = [];
  for (const event of events) {
    const entry = await describe(event);
    if (entry) entries.push(entry);
  }
  return { entries, truncated: events.length === TIMELINE_LIMIT };
}
