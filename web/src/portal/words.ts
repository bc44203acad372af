import { negotiationStanding, STATUS_LABELS } from "../../../convex/model/statusWords";
import { LIMITS } from "../../../convex/model/validate";

// The portal's rules in plain functions (tested in tests/e2e/portal-logic.test.ts):
// what a status means to a supplier, how far the deadline is, and whether an
// offer typed into the form can be sent.

export type NegotiationStatus = "pending" | "active" | "paused" | "accepted" | "rejected" | "impasse" | "expired" | "failed";
export type Outcome = "agreement" | "impasse" | "walked_away" | "expired" | "failed" | null;
export type Award = null | { yours: boolean };

export interface StatusInput {
  status: NegotiationStatus;
  outcome?: Outcome;
  yourTurn: boolean;
  award: Award;
  quoteStatus?: string;
  /** Who ended a rejected negotiation: the supplier's person ("you") or the brand. */
  endedBy?: "you" | "brand" | null;
}

/** The negotiation's state as the supplier reads it: a short label, a sentence, and a tone for the badge. */
export function statusWords(input: StatusInput): { label: string; detail: string; tone: "live" | "good" | "bad" | "warn" | "neutral" } {
  const { status, outcome, yourTurn, award, quoteStatus, endedBy } = input;
  // The award's words are the brand's own ("Awarded", "Not awarded"), from the one function both sides read
  // (convex/model/statusWords.ts). The supplier knows only whether the award is its own, never whose it is.
  const standing = negotiationStanding(status, award ? award.yours : null);
  if (standing === "awarded") return { label: STATUS_LABELS.awarded, detail: "The brand awarded this quote to your offer.", tone: "good" };
  if (standing === "not_awarded") {
    return { label: STATUS_LABELS.not_awarded, detail: "The brand chose another supplier's offer for this quote. Thank you for your final offer.", tone: "neutral" };
  }
  if (quoteStatus === "cancelled") return { label: "Cancelled", detail: "The brand cancelled this request for a quote.", tone: "bad" };
  switch (status) {
    case "pending":
      // A live supplier opens: the brand waits for its first offer.
      return yourTurn
        ? { label: "Your turn", detail: "Make your opening offer: the brand answers it.", tone: "live" }
        : { label: "Starting", detail: "The negotiation is about to start.", tone: "neutral" };
    // "paused" is the brand's person taking over from its agent: the brand's own business, so it reads as active.
    case "active":
    case "paused":
      return yourTurn
        ? { label: "Your turn", detail: "Make an offer, accept the brand's offer, or write to the brand.", tone: "live" }
        : { label: "Waiting for the brand's answer", detail: "Your offer is with the brand. You can still write to them.", tone: "neutral" };
    case "accepted":
      return {
        label: STATUS_LABELS.accepted,
        detail: "You and the brand agreed on terms: they are your final offer, held until the brand awards the quote.",
        tone: "good",
      };
    case "rejected":
      if (endedBy === "you") return { label: "Declined", detail: "You declined this negotiation. The conversation keeps your reason.", tone: "bad" };
      // Still open when the quote was awarded elsewhere: closed by the award, and told so.
      if (award && endedBy === "brand") return { label: "Ended", detail: "The brand awarded this quote to another supplier, and this negotiation is closed.", tone: "bad" };
      if (endedBy === "brand") return { label: "Ended", detail: "The brand ended this negotiation without agreement. The conversation says why.", tone: "bad" };
      return outcome === "walked_away"
        ? { label: "Ended", detail: "The negotiation ended without agreement: one side declined. The conversation says why.", tone: "bad" }
        : { label: "Ended", detail: "The negotiation ended without agreement.", tone: "bad" };
    case "impasse":
      return { label: "No agreement", detail: "The last round passed without agreement.", tone: "bad" };
    case "expired":
      return { label: "Expired", detail: "The response deadline passed before an agreement.", tone: "bad" };
    case "failed":
      return { label: "Stopped", detail: "Parley stopped this negotiation because of a problem on its side.", tone: "bad" };
  }
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "in 47 hours", "in 3 days", "in 12 minutes", "2 hours ago": whole units, rounded toward now. */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  const size = Math.abs(diff);
  const sign = diff < 0 ? -1 : 1;
  if (size < MINUTE) return diff > 0 ? "in less than a minute" : "just now";
  if (size < HOUR) return RELATIVE.format(sign * Math.floor(size / MINUTE), "minute");
  if (size < 2 * DAY) return RELATIVE.format(sign * Math.floor(size / HOUR), "hour");
  return RELATIVE.format(sign * Math.floor(size / DAY), "day");
}

/** How long ago something happened; a time a little ahead of this clock (another machine's) reads "just now". */
export function timeAgo(at: number, now: number): string {
  return relativeTime(Math.min(at, now), now);
}

/** "Acme Goods’ offer", "Harbor’s offer". */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}’` : `${name}’s`;
}

/** The deadline in words: its date and time, and how far it is. */
export function deadlineWords(expiresAt: number | null, now: number): { when: string; relative: string; passed: boolean } | null {
  if (expiresAt === null) return null;
  const when = new Date(expiresAt).toLocaleString("en-US", {
    weekday: "long",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  });
  return { when, relative: relativeTime(expiresAt, now), passed: expiresAt <= now };
}

export interface OfferDraft {
  unitPrices: string[];
  leadTimeDays: string;
  paymentTermsDays: string;
  message: string;
}

export interface OfferLine {
  sku: string;
  name: string;
}

export interface OfferValues {
  lines: { sku: string; unitPrice: number }[];
  leadTimeDays: number;
  paymentTermsDays: number;
  message?: string;
}

/** The field an error is keyed by: the server's path, normalised ("lines[0].unitPrice" → "lines.0.unitPrice"). */
export const priceField = (index: number) => `lines.${index}.unitPrice`;

function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/[,\s]/g, "");
  // A sign is read, so that "-5" is told it must be more than zero rather than that it is not a number.
  if (cleaned === "" || !/^-?\d*\.?\d+$/.test(cleaned)) return null;
  return Number(cleaned);
}

function wholeDays(text: string, label: string, min: number, max: number): { value?: number; error?: string } {
  const value = parseNumber(text);
  if (text.trim() === "") return { error: `Enter the ${label} in days.` };
  if (value === null || !Number.isInteger(value)) return { error: `Enter the ${label} as a whole number of days, like 30.` };
  if (value < min || value > max) return { error: `The ${label} must be between ${min} and ${max} days.` };
  return { value };
}

/** Checks the form as the server will, so most mistakes are named before sending. */
export function validateOffer(
  draft: OfferDraft,
  lines: OfferLine[],
): { values: OfferValues | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const prices = lines.map((line, i) => {
    const text = draft.unitPrices[i] ?? "";
    const value = parseNumber(text);
    if (text.trim() === "") errors[priceField(i)] = `Enter your unit price for ${line.name}.`;
    else if (value === null) errors[priceField(i)] = `Enter the unit price for ${line.name} as a number, like 12.50.`;
    else if (value <= 0) errors[priceField(i)] = `The unit price for ${line.name} must be more than zero.`;
    else if (value > LIMITS.maxUnitPrice) errors[priceField(i)] = `The unit price for ${line.name} is at most ${LIMITS.maxUnitPrice.toLocaleString("en-US")}.`;
    return { sku: line.sku, unitPrice: value ?? 0 };
  });
  const lead = wholeDays(draft.leadTimeDays, "lead time", 1, LIMITS.maxLeadTimeDays);
  if (lead.error) errors.leadTimeDays = lead.error;
  const payment = wholeDays(draft.paymentTermsDays, "payment terms", 0, LIMITS.maxPaymentTermsDays);
  if (payment.error) errors.paymentTermsDays = payment.error;
  const message = draft.message.trim();
  if (message.length > LIMITS.maxTextLength) errors.message = `Keep the message under ${LIMITS.maxTextLength.toLocaleString("en-US")} characters.`;
  if (Object.keys(errors).length > 0) return { values: null, errors };
  return {
    values: {
      lines: prices,
      leadTimeDays: lead.value!,
      paymentTermsDays: payment.value!,
      ...(message ? { message } : {}),
    },
    errors: {},
  };
}

interface TermsLike {
  lines: { sku: string; unitPrice: number }[];
  leadTimeDays: number;
  paymentTermsDays: number;
}

/** The form starts from the supplier's last offer, or empty when they have made none. */
export function prefillOffer(lines: OfferLine[], lastOwn: TermsLike | null): OfferDraft {
  return {
    unitPrices: lines.map((line) => {
      const price = lastOwn?.lines.find((l) => l.sku === line.sku)?.unitPrice;
      return price === undefined ? "" : String(price);
    }),
    leadTimeDays: lastOwn ? String(lastOwn.leadTimeDays) : "",
    paymentTermsDays: lastOwn ? String(lastOwn.paymentTermsDays) : "",
    message: "",
  };
}

/** The supplier's last own offer among the negotiation's offers (highest round). */
export function lastOwnOffer<T extends { round: number; offeredBy: string }>(offers: T[]): T | null {
  return offers.filter((o) => o.offeredBy === "supplier").reduce<T | null>((last, o) => (!last || o.round > last.round ? o : last), null);
}

/** The supplier's message "Seen" goes under: their last one the brand has read up to. */
export function seenMessageId<T extends { _id: string; seq: number; sender: string }>(messages: T[], seenByBrandSeq: number): string | null {
  let seen: string | null = null;
  for (const m of messages) if (m.sender === "you" && m.seq <= seenByBrandSeq) seen = m._id;
  return seen;
}

/** A typing heartbeat is due when none was sent in the last `everyMs`. */
export function heartbeatDue(lastSentAt: number | null, now: number, everyMs = 2_000): boolean {
  return lastSentAt === null || now - lastSentAt >= everyMs;
}

/** Who wrote a message, as the supplier's screen labels it. */
export function senderLabel(sender: "brand" | "you" | "parley", brandName: string): string {
  return sender === "you" ? "You" : sender === "brand" ? brandName : "Parley";
}
