import { useMutation, usePaginatedQuery, useQuery } from "convex/react";
import { useEffect, useLayoutEffect, useRef } from "react";
import { api } from "../../../convex/_generated/api";
import { MessageBox } from "./MessageBox";
import type { PortalMessage, PortalNegotiation } from "./types";
import { useViewingBeat } from "../components/useViewingBeat";
import { seenMessageId, senderLabel, timeAgo } from "./words";

const PAGE = 100;

/** The conversation with the brand, live: streamed words as they come, "Seen", "typing…", "viewing", and the box to write in. */
export function Conversation({ view, open, now }: { view: PortalNegotiation; open: boolean; now: number }) {
  const negotiationId = view.negotiationId;
  const { results, status, loadMore } = usePaginatedQuery(api.supplierPortal.messages, { negotiationId }, { initialNumItems: PAGE });
  const streaming = useQuery(api.supplierPortal.streaming, { negotiationId });
  const markRead = useMutation(api.supplierPortal.markMessagesRead);
  // Both end on the server when the beats stop (convex/model/presence.ts): the view's next answer hides them.
  const typing = view.brandTyping;
  const setViewingState = useMutation(api.supplierPortal.setViewingState);
  // The brand sees that this negotiation is open on the supplier's screen.
  useViewingBeat((pageId, viewing) => setViewingState({ negotiationId, pageId, viewing }), true, negotiationId);
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  // A negotiation has a few dozen messages: the whole of it is kept on screen.
  useEffect(() => {
    if (status === "CanLoadMore") loadMore(PAGE);
  }, [status, loadMore]);

  const texts = new Map((streaming ?? []).map((s) => [s.messageId, s.content]));
  const messages = results.map((m) => (m.state === "streaming" && texts.has(m._id) ? { ...m, content: texts.get(m._id)! } : m));
  const lastSeq = messages.at(-1)?.seq ?? 0;
  const contentLength = messages.reduce((n, m) => n + m.content.length, 0);
  const seenId = seenMessageId(messages, view.seenByBrandSeq);

  // Read when the supplier can see it: now if the tab is visible, else when they come back to it.
  useEffect(() => {
    if (view.unread === 0) return;
    const mark = () => {
      if (document.visibilityState === "visible") void markRead({ negotiationId }).catch(() => undefined);
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [view.unread, lastSeq, negotiationId, markRead]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, contentLength, typing]);

  return (
    <section className="card portal-conversation" aria-labelledby="portal-conversation-title">
      <h2 id="portal-conversation-title">Conversation with {view.brandName}</h2>
      {view.brandViewing && (
        <p className="portal-viewing muted small" data-testid="portal-brand-viewing">
          {view.brandName} is viewing this negotiation
        </p>
      )}
      <div ref={box} className="chat portal-chat" role="log" aria-live="polite" aria-relevant="additions" tabIndex={0}
        aria-label={`Messages with ${view.brandName}`} data-testid="portal-messages"
        onScroll={(event) => {
          const el = event.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}>
        {status === "LoadingFirstPage" ? (
          <p className="muted chat-placeholder">Loading messages…</p>
        ) : messages.length === 0 ? (
          <p className="muted chat-placeholder">No messages yet. Your offers and messages to {view.brandName}, and their answers, appear here.</p>
        ) : (
          messages.map((m) => <MessageItem key={m._id} message={m} brandName={view.brandName} seen={m._id === seenId} now={now} />)
        )}
        {typing && (
          <p className="portal-typing muted small" data-testid="portal-typing">
            {view.brandName} is typing
            <span className="typing" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
          </p>
        )}
      </div>
      {open ? (
        <MessageBox negotiationId={negotiationId} brandName={view.brandName} />
      ) : (
        <p className="muted small portal-closed-note">This negotiation has ended: no more messages can be sent.</p>
      )}
    </section>
  );
}

function MessageItem({ message, brandName, seen, now }: { message: PortalMessage; brandName: string; seen: boolean; now: number }) {
  const cls = message.sender === "you" ? "message-brand" : message.sender === "brand" ? "message-supplier" : "message-system";
  return (
    <div className={`message ${cls} portal-message-${message.sender}`} data-testid="portal-message" data-sender={message.sender}
      data-seq={message.seq} data-kind={message.kind} data-state={message.state}>
      {message.sender !== "parley" && (
        <p className="message-sender">
          {senderLabel(message.sender, brandName)}
          {message.kind === "offer" && <span className="portal-kind"> · offer</span>}
          {message.kind === "acceptance" && <span className="portal-kind"> · accepted</span>}
          {message.kind === "rejection" && <span className="portal-kind"> · declined</span>}
          <span className="portal-time"> · {timeAgo(message._creationTime, now)}</span>
        </p>
      )}
      <p className="message-content">
        {message.content}
        {message.state === "streaming" && <span className="visually-hidden"> (still being written)</span>}
      </p>
      {message.withdrawn && <p className="message-note">Withdrawn: this offer no longer stands.</p>}
      {seen && (
        <p className="portal-seen small" data-testid="portal-seen">
          Seen
        </p>
      )}
    </div>
  );
}
