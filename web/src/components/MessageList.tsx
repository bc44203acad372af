import { useLayoutEffect, useRef } from "react";
import type { Currency } from "../../../convex/model/currency";
import type { NegotiationStanding } from "../../../convex/model/statusWords";
import type { Message, Offer } from "../lib/types";
import { OfferCard } from "./OfferCard";

interface Props {
  messages: Message[] | undefined;
  offers: Offer[] | undefined;
  supplierName: string;
  /** The quote's currency, for the offer cards. */
  currency: Currency;
  /** A live supplier's person, when the brand may know who it is. */
  contactName?: string;
  /** A live negotiation: the last seq the supplier's person has read, for "Seen". */
  seenSeq?: number;
  /** What the chat says before its first message. */
  emptyText?: string;
  /** The negotiation's standing (statusWords.ts): after the award its final offer reads "Awarded" or "Not awarded". */
  standing?: NegotiationStanding;
}

const SENDER_LABEL: Record<Message["sender"], (supplier: string, contact?: string) => string> = {
  brand: () => "Parley for the brand",
  supplier: (supplier) => supplier,
  // A live supplier's person speaks for the supplier: named with it when the brand knows the name.
  contact: (supplier, contact) => (contact ? `${supplier} (${contact})` : supplier),
  user: () => "You",
  system: () => "Parley",
};

const fromBrand = (sender: Message["sender"]) => sender === "brand" || sender === "user";

/** The newest brand-side message the supplier's person has read, if any. */
function lastSeenSeq(messages: Message[], seenSeq: number | undefined): number | undefined {
  if (seenSeq === undefined) return undefined;
  return messages.filter((m) => fromBrand(m.sender) && m.seq <= seenSeq).at(-1)?.seq;
}

/**
 * A chat that stays pinned to the newest message while the user is at the
 * bottom, and leaves them alone when they scroll up to read. The box has a
 * fixed height, so growing text never moves the rest of the page.
 */
export function MessageList({ messages, offers, supplierName, currency, contactName, seenSeq, emptyText, standing }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const timeline = messages ? buildTimeline(messages, offers ?? []) : undefined;
  const lastLength = messages?.reduce((n, m) => n + m.content.length, 0) ?? 0;
  const seenAt = messages ? lastSeenSeq(messages, seenSeq) : undefined;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages?.length, lastLength, offers?.length, seenAt]);

  return (
    <div
      ref={box}
      className="chat"
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label={`Messages with ${supplierName}`}
      tabIndex={0}
      data-testid="chat"
      onScroll={(event) => {
        const el = event.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
    >
      {timeline === undefined ? (
        <p className="muted chat-placeholder">Loading messages…</p>
      ) : timeline.length === 0 ? (
        <p className="muted chat-placeholder" data-testid="chat-empty">
          {emptyText ?? "Waiting for the first message…"}
        </p>
      ) : (
        timeline.map((item) => {
          if (item.type === "offer") {
            return (
              <div key={item.offer._id} className={`message message-${item.offer.offeredBy} message-bare-offer`} data-testid="bare-offer">
                <OfferCard offer={item.offer} supplierName={supplierName} currency={currency} standing={standing} />
              </div>
            );
          }
          const { message, offer } = item;
          const streaming = message.state === "streaming";
          return (
            <article
              key={message._id}
              className={`message message-${message.sender} message-kind-${message.kind}${message.withdrawn ? " message-withdrawn" : ""}`}
              data-testid="message"
              data-seq={message.seq}
              data-sender={message.sender}
              data-kind={message.kind}
              data-state={message.state}
              data-withdrawn={message.withdrawn}
              aria-busy={streaming}
            >
              {message.sender !== "system" && (
                <header className="message-sender">{SENDER_LABEL[message.sender](supplierName, contactName)}</header>
              )}
              <div className="message-content" data-testid="message-content">
                {message.content}
                {streaming && (
                  <span className="typing" role="img" data-testid="typing-indicator" aria-label="writing">
                    <span />
                    <span />
                    <span />
                  </span>
                )}
              </div>
              {offer &&
                (message.kind === "offer" ? (
                  <OfferCard offer={offer} supplierName={supplierName} currency={currency} standing={standing} />
                ) : (
                  // Accepting or rejecting refers to an offer already shown above.
                  <p className="offer-ref" data-testid="offer-ref">
                    {message.kind === "acceptance" ? "Accepted" : "Re:"} {offer.offeredBy === "brand" ? "brand" : supplierName}{" "}
                    offer of round {offer.round}
                  </p>
                ))}
              {message.metadata?.replacedByEngine && (
                <p className="message-note">The engine set these terms: {message.metadata.replacedByEngine}</p>
              )}
              {message.seq === seenAt && (
                <p className="seen-receipt" data-testid="seen-receipt">
                  Seen<span className="visually-hidden"> by {contactName ?? supplierName}</span>
                </p>
              )}
            </article>
          );
        })
      )}
    </div>
  );
}

type TimelineItem =
  | { type: "message"; message: Message; offer?: Offer }
  | { type: "offer"; offer: Offer };

const partyOf = (sender: Message["sender"]) => (sender === "supplier" || sender === "contact" ? "supplier" : "brand");

/**
 * Messages in seq order, each with its offer. An offer message still being
 * written has no offerId yet: it takes the unclaimed offer its party made just
 * before, so the card does not jump when the message finishes. An offer no
 * message refers to still shows, where it was made.
 */
function buildTimeline(messages: Message[], offers: Offer[]): TimelineItem[] {
  const byId = new Map(offers.map((o) => [o._id as string, o]));
  const mentioned = new Set(messages.map((m) => m.offerId).filter(Boolean));
  const loose = offers.filter((o) => !mentioned.has(o._id)).sort((a, b) => a._creationTime - b._creationTime);
  const claimed = new Set<string>();
  const items: TimelineItem[] = [];
  messages.forEach((message, i) => {
    let offer = message.offerId ? byId.get(message.offerId) : undefined;
    if (!offer && message.kind === "offer" && (message.sender === "supplier" || message.sender === "brand")) {
      const before = messages[i + 1]?._creationTime ?? Infinity;
      offer = loose.find(
        (o) => !claimed.has(o._id) && o.offeredBy === partyOf(message.sender) && o._creationTime <= before,
      );
      if (offer) claimed.add(offer._id);
    }
    items.push({ type: "message", message, offer });
  });
  const unclaimed = loose.filter((o) => !claimed.has(o._id));
  // Place each unclaimed offer before the first message written after it.
  for (const offer of unclaimed) {
    const at = items.findIndex((item) => item.type === "message" && item.message._creationTime > offer._creationTime);
    items.splice(at === -1 ? items.length : at, 0, { type: "offer", offer });
  }
  return items;
}
