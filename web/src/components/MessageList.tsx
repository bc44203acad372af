import { useLayoutEffect, useRef } from "react";
import type { Message, Offer } from "../lib/types";
import { OfferCard } from "./OfferCard";

interface Props {
  messages: Message[] | undefined;
  offers: Offer[] | undefined;
  supplierName: string;
}

const SENDER_LABEL: Record<Message["sender"], (supplier: string) => string> = {
  brand: () => "Parley for the brand",
  supplier: (supplier) => supplier,
  user: () => "You",
  system: () => "Parley",
};

/**
 * A chat that stays pinned to the newest message while the user is at the
 * bottom, and leaves them alone when they scroll up to read. The box has a
 * fixed height, so growing text never moves the rest of the page.
 */
export function MessageList({ messages, offers, supplierName }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const offerById = new Map((offers ?? []).map((o) => [o._id as string, o]));
  const lastLength = messages?.reduce((n, m) => n + m.content.length, 0) ?? 0;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages?.length, lastLength, offers?.length]);

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
      {messages === undefined ? (
        <p className="muted chat-placeholder">Loading messages…</p>
      ) : messages.length === 0 ? (
        <p className="muted chat-placeholder" data-testid="chat-empty">
          Waiting for the first message…
        </p>
      ) : (
        messages.map((message) => {
          const offer = message.offerId ? offerById.get(message.offerId) : undefined;
          const streaming = message.state === "streaming";
          return (
            <article
              key={message._id}
              className={`message message-${message.sender} message-kind-${message.kind}`}
              data-testid="message"
              data-seq={message.seq}
              data-sender={message.sender}
              data-kind={message.kind}
              data-state={message.state}
              aria-busy={streaming}
            >
              {message.sender !== "system" && (
                <header className="message-sender">{SENDER_LABEL[message.sender](supplierName)}</header>
              )}
              <div className="message-content" data-testid="message-content">
                {message.content}
                {streaming && (
                  <span className="typing" data-testid="typing-indicator" aria-label="writing">
                    <span />
                    <span />
                    <span />
                  </span>
                )}
              </div>
              {offer && <OfferCard offer={offer} supplierName={supplierName} />}
              {message.metadata?.replacedByEngine && (
                <p className="message-note">The engine set these terms: {message.metadata.replacedByEngine}</p>
              )}
            </article>
          );
        })
      )}
    </div>
  );
}
