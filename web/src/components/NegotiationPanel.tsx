import { useMutation, useQuery } from "convex/react";
import { useEffect } from "react";
import { api } from "../../../convex/_generated/api";
import { currencyOf, formatDateTime, formatDays, formatMoney, supplierName, totalPrice } from "../lib/format";
import { FINAL_NEGOTIATION_STATUSES, type Message, type NegotiationView, type Offer, type Quote } from "../lib/types";
import { MessageList } from "./MessageList";
import { StatusBadge } from "./StatusBadge";
import { STATUS_LABELS } from "../../../convex/model/statusWords";
import { invitationOf, SupplierInvitationBox, useSupplierInvitations } from "./SupplierInvitationBox";
import { SupplierPresence } from "./SupplierPresence";
import { TakeOverPanel } from "./TakeOverPanel";
import { useViewingBeat } from "./useViewingBeat";
import { useWorkspace } from "../lib/workspace";

// A negotiation holds a few dozen messages at most (rounds are capped), so one
// live query over all of them keeps the chat whole and current.
const MESSAGE_LIMIT = 500;

export function NegotiationPanel({ negotiation, quote, color }: { negotiation: NegotiationView; quote: Quote; color: string }) {
  const { workspaceId, can } = useWorkspace();
  const page = useQuery(api.messages.list, {
    workspaceId,
    negotiationId: negotiation._id,
    paginationOpts: { numItems: MESSAGE_LIMIT, cursor: null },
  }) as { page: Message[] } | undefined;
  // The text so far of a message still streaming arrives in pieces through its own small query.
  const streamingTexts = useQuery(api.messages.streaming, { workspaceId, negotiationId: negotiation._id });
  const offers = useQuery(api.offers.list, { workspaceId, negotiationId: negotiation._id }) as Offer[] | undefined;
  const markRead = useMutation(api.messages.markRead);
  const live = negotiation.side === "live";
  const presence = useQuery(api.notifications.supplierPresence, live ? { workspaceId, negotiationId: negotiation._id } : "skip");
  const setBrandViewing = useMutation(api.notifications.setBrandViewing);
  // The live supplier's person sees that someone at the brand has this negotiation open.
  useViewingBeat((pageId, viewing) => setBrandViewing({ workspaceId, negotiationId: negotiation._id, pageId, viewing }), live, negotiation._id);
  const invitations = useSupplierInvitations(quote._id, live);

  // Reading the chat here counts as reading it.
  useEffect(() => {
    if (negotiation.unreadCount > 0 && document.visibilityState === "visible") {
      markRead({ workspaceId, negotiationId: negotiation._id }).catch(() => {
        // Unread counts are a convenience; a failure here must not disturb the chat.
      });
    }
  }, [negotiation.unreadCount, negotiation._id, workspaceId, markRead]);

  const name = supplierName(negotiation);
  const latest = negotiation.currentTerms;
  const streaming = page?.page.some((m) => m.state === "streaming") ?? false;
  const open = !FINAL_NEGOTIATION_STATUSES.includes(negotiation.status) && (quote.status === "queued" || quote.status === "negotiating");
  const contact = invitations && invitationOf(invitations, negotiation._id);
  const contactName = contact?.state === "accepted" ? contact.contactName : undefined;
  const waiting = live && open && !streaming && negotiation.lastOfferBy !== "supplier" ? waitingWords(negotiation, name) : null;

  return (
    <section
      className={`negotiation negotiation-${negotiation.status}`}
      style={{ borderTopColor: color }}
      aria-labelledby={`neg-${negotiation._id}`}
      data-testid="negotiation"
      data-negotiation-id={negotiation._id}
      data-status={negotiation.status}
      data-standing={negotiation.standing}
      data-supplier={negotiation.supplier?.slug}
      data-streaming={streaming}
    >
      <header className="negotiation-head">
        <div>
          <h3 id={`neg-${negotiation._id}`}>
            <span className="swatch" style={{ background: color }} aria-hidden="true" /> {name}
          </h3>
          {negotiation.supplier && (
            <p className="muted small" title={negotiation.supplier.profile.tagline}>
              {negotiation.supplier.profile.location} · quality {Math.round(negotiation.supplier.profile.qualityScore * 100)}/100
            </p>
          )}
        </div>
        <div className="negotiation-meta">
          <span className="negotiation-badges">
            {live && (
              <span className="badge badge-side-live" data-testid="live-badge" title={`A person at ${name} answers in the supplier portal`}>
                Live<span className="visually-hidden">: a person at {name} answers</span>
              </span>
            )}
            {/* Its standing, not its bare status: after the award, "Awarded" or "Not awarded" (convex/model/statusWords.ts). */}
            <StatusBadge status={negotiation.standing} testId="negotiation-status" still={waiting !== null} />
          </span>
          <span className="muted small tabular" data-testid="negotiation-round">
            Round {negotiation.currentRound} of {negotiation.maxRounds}
          </span>
        </div>
      </header>
      <div className="standing-offer" data-testid="standing-offer">
        {latest ? (
          <>
            <span className="muted small">
              {termsWord(negotiation)}
            </span>{" "}
            <strong className="tabular">{formatMoney(totalPrice(latest), currencyOf(quote))}</strong>
            <span className="muted small">
              {" "}
              · {formatDays(latest.leadTimeDays)} · net {latest.paymentTermsDays}
            </span>
          </>
        ) : (
          <span className="muted small">No offer yet</span>
        )}
      </div>
      <MessageList
        messages={withStreamedText(page?.page, streamingTexts)}
        offers={offers}
        supplierName={name}
        currency={currencyOf(quote)}
        standing={negotiation.standing}
        {...(live
          ? { contactName, seenSeq: presence?.seenSeq ?? negotiation.supplierReadSeq ?? -1, emptyText: "No messages yet." }
          : {})}
      />
      {live && <SupplierPresence supplierName={name} typing={presence?.typing} viewing={presence?.viewing} waiting={waiting} />}
      {live && <SupplierInvitationBox negotiation={negotiation} supplierName={name} rows={invitations} open={open} />}
      {can("buyer") ? (
        <TakeOverPanel negotiation={negotiation} quote={quote} />
      ) : (
        negotiation.status === "paused" && (
          <p className="takeover takeover-idle muted small" data-testid="paused-by-buyer">
            Paused: a buyer of this workspace is negotiating in person.
          </p>
        )
      )}
    </section>
  );
}

/** What the terms shown under the header are: after the award, the same word as the badge. */
function termsWord(negotiation: NegotiationView): string {
  if (negotiation.standing === "awarded" || negotiation.standing === "not_awarded") return STATUS_LABELS[negotiation.standing];
  if (negotiation.status === "accepted") return "Agreed";
  return negotiation.lastOfferBy === "brand" ? "Brand's offer" : "Supplier's offer";
}

/** A live negotiation waits on the supplier's person: whether anyone has joined yet, and until when it can wait. */
function waitingWords(negotiation: NegotiationView, name: string): string {
  const until = negotiation.expiresAt ? ` (until ${formatDateTime(negotiation.expiresAt)})` : "";
  return negotiation.contactId
    ? `Waiting for ${name} to answer${until}.`
    : `Waiting for ${name} to answer: nobody from ${name} has joined yet${until}.`;
}

/** Messages with each streaming one's text so far in place of its first words. */
function withStreamedText(messages: Message[] | undefined, texts: { messageId: string; content: string }[] | undefined) {
  if (!messages || !texts || texts.length === 0) return messages;
  const byId = new Map(texts.map((t) => [t.messageId, t.content]));
  return messages.map((m) => (m.state === "streaming" && byId.has(m._id) ? { ...m, content: byId.get(m._id)! } : m));
}
