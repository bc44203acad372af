import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { fail, invalid } from "./errors";
import { logEvent } from "./events";
import { normalEmail } from "./accounts";
import { getNegotiation, getQuote, startIfPending } from "./negotiations";
import { notifyBrand } from "./notifications";
import { isTerminalNegotiation } from "./status";
import { checkNumber, checkText } from "./validate";
import { invitationMail } from "./invitationMail";

// Inviting a person at a supplier into one live negotiation, by link.
//
// The link's token is HMAC-SHA256(key, nonce), the key derived from the
// deployment's service key and the nonce stored on the invitation. The token
// itself is never stored: its SHA-256 finds the invitation, and the dashboard
// and the mailer derive the link again from the nonce when they need it. A copy
// of the database opens no door; re-sending draws a new nonce, so the old link
// stops working; rotating the service key retires every link.

export const SUPPLIER_INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_NAME = 120;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function linkKey(): Promise<CryptoKey> {
  const secret = process.env.PARLEY_SERVICE_KEY;
  if (!secret) fail("CONFLICT", "This deployment has no PARLEY_SERVICE_KEY set, so it cannot make invitation links");
  const raw = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`parley supplier invitation links\u0000${secret}`));
  return await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The link's token for an invitation's nonce. */
export async function tokenFor(nonce: string): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await linkKey(), new TextEncoder().encode(nonce));
  return base64url(new Uint8Array(signature));
}

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export function invitationState(invitation: Doc<"supplierInvitations">, now = Date.now()): InvitationState {
  if (invitation.acceptedAt !== undefined) return "accepted";
  if (invitation.revokedAt !== undefined) return "revoked";
  if (invitation.expiresAt <= now) return "expired";
  return "pending";
}

const PROBLEM: Record<Exclude<InvitationState, "pending">, { code: "CLOSED" | "EXPIRED"; message: string }> = {
  accepted: { code: "CLOSED", message: "This invitation has already been used. Sign in with the account that accepted it to see the negotiation" },
  revoked: { code: "CLOSED", message: "This invitation was withdrawn by the brand. Ask them for a new link if you still want to take part" },
  expired: { code: "EXPIRED", message: "This invitation has expired. Ask the brand for a new link" },
};

/** A brand's own people do not answer for its supplier. */
const MEMBER_PROBLEM = "You are a member of this brand's workspace, so you cannot answer for its supplier: sign in with the supplier's own account";

/** A fresh nonce and the token hash that goes with it. */
async function newLink() {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const token = await tokenFor(nonce);
  return { nonce, token, tokenHash: await sha256Hex(token) };
}

/**
 * A link that stops working no longer waits for its email: it leaves the
 * mailer's queue, so the queue never fills with links nobody will mail.
 * (An expired one leaves it by its expiry: mailQueue reads only unexpired ones.)
 */
function noMailDue(invitation: Doc<"supplierInvitations">): Partial<Doc<"supplierInvitations">> {
  return invitation.mail?.status === "pending" ? { mail: undefined } : {};
}

/** Mail waits for the quote worker's mailer; it says what became of it (convex/worker.ts pendingMail). */
const pendingMail = () => ({ status: "pending" as const, at: Date.now() });

/**
 * Invites a person at the negotiation's supplier. The negotiation must be
 * live and still open; an earlier pending invitation to it is revoked, so
 * one link at a time lets someone in.
 */
export async function inviteContact(
  ctx: MutationCtx,
  negotiationId: Id<"negotiations">,
  input: { name: string; email: string },
  invitedBy: Id<"users">,
): Promise<{ invitationId: Id<"supplierInvitations">; token: string; expiresAt: number }> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  if (negotiation.side !== "live") {
    fail("CONFLICT", "This supplier is simulated by Parley: choose a live supplier when you request the quote to invite a person", "negotiationId");
  }
  if (isTerminalNegotiation(negotiation.status)) fail("CLOSED", `This negotiation is closed (${negotiation.status})`, "negotiationId");
  await refuseIfJoined(ctx, negotiation, "negotiationId");
  const name = checkText(input.name.trim(), "name", { required: true, max: MAX_NAME });
  const email = normalEmail(input.email) ?? invalid("email", "Enter a valid email address");
  const contactId = await contactFor(ctx, negotiation, name, email);
  for (const earlier of await invitationsOf(ctx, negotiationId)) {
    if (invitationState(earlier) === "pending") await ctx.db.patch(earlier._id, { revokedAt: Date.now(), ...noMailDue(earlier) });
  }
  const { nonce, token, tokenHash } = await newLink();
  const now = Date.now();
  const expiresAt = now + SUPPLIER_INVITATION_TTL_MS;
  const invitationId = await ctx.db.insert("supplierInvitations", {
    workspaceId: negotiation.workspaceId,
    quoteId: negotiation.quoteId,
    negotiationId,
    contactId,
    nonce,
    tokenHash,
    invitedBy,
    createdAt: now,
    expiresAt,
    mail: pendingMail(),
  });
  await logEvent(ctx, {
    workspaceId: negotiation.workspaceId,
    type: "supplier_invitation.created",
    actor: "user",
    quoteId: negotiation.quoteId,
    negotiationId,
    data: { contactName: name },
  });
  return { invitationId, token, expiresAt };
}

/** One person answers for a negotiation: once someone has joined, no other invitation to it may be made or revived. */
async function refuseIfJoined(ctx: QueryCtx, negotiation: Doc<"negotiations">, field: string): Promise<void> {
  if (!negotiation.contactId) return;
  const current = await ctx.db.get(negotiation.contactId);
  fail("CONFLICT", `${current?.name ?? "A contact"} has already joined this negotiation`, field);
}

/** The workspace's contact at this supplier with this email, named as now given. */
async function contactFor(ctx: MutationCtx, negotiation: Doc<"negotiations">, name: string, email: string) {
  const existing = await ctx.db
    .query("supplierContacts")
    .withIndex("by_workspaceId_and_supplierId_and_email", (q) =>
      q.eq("workspaceId", negotiation.workspaceId).eq("supplierId", negotiation.supplierId).eq("email", email),
    )
    .unique();
  if (existing) {
    if (existing.name !== name) await ctx.db.patch(existing._id, { name });
    return existing._id;
  }
  return await ctx.db.insert("supplierContacts", {
    workspaceId: negotiation.workspaceId,
    supplierId: negotiation.supplierId,
    name,
    email,
    createdAt: Date.now(),
  });
}

async function invitationsOf(ctx: QueryCtx, negotiationId: Id<"negotiations">) {
  return await ctx.db
    .query("supplierInvitations")
    .withIndex("by_negotiationId", (q) => q.eq("negotiationId", negotiationId))
    .take(50);
}

async function getInvitation(ctx: QueryCtx, invitationId: Id<"supplierInvitations">) {
  const invitation = await ctx.db.get(invitationId);
  if (!invitation) fail("NOT_FOUND", "Invitation not found", "invitationId");
  return invitation;
}

/** A new link for the same contact (the old one stops working), mailed again when mail is set up. */
export async function resendInvitation(ctx: MutationCtx, invitationId: Id<"supplierInvitations">) {
  const invitation = await getInvitation(ctx, invitationId);
  const state = invitationState(invitation);
  if (state === "accepted") fail("CLOSED", "This invitation has been accepted: the contact is in the negotiation", "invitationId");
  const negotiation = await getNegotiation(ctx, invitation.negotiationId);
  if (negotiation.side !== "live") fail("CONFLICT", "This supplier is simulated now: nobody can be invited into its negotiation", "invitationId");
  if (isTerminalNegotiation(negotiation.status)) fail("CLOSED", `This negotiation is closed (${negotiation.status})`, "invitationId");
  // A revived link must not let a second person in beside (or instead of) the one who joined.
  await refuseIfJoined(ctx, negotiation, "invitationId");
  for (const other of await invitationsOf(ctx, negotiation._id)) {
    if (other._id !== invitationId && invitationState(other) === "pending") await ctx.db.patch(other._id, { revokedAt: Date.now(), ...noMailDue(other) });
  }
  const { nonce, token, tokenHash } = await newLink();
  const expiresAt = Date.now() + SUPPLIER_INVITATION_TTL_MS;
  await ctx.db.patch(invitationId, { nonce, tokenHash, replacedTokenHash: invitation.tokenHash, expiresAt, revokedAt: undefined, mail: pendingMail() });
  await logEvent(ctx, {
    workspaceId: invitation.workspaceId,
    type: "supplier_invitation.created",
    actor: "user",
    quoteId: invitation.quoteId,
    negotiationId: invitation.negotiationId,
    data: { contactName: (await ctx.db.get(invitation.contactId))?.name ?? null, resent: true },
  });
  return { invitationId, token, expiresAt };
}

export async function revokeInvitation(ctx: MutationCtx, invitationId: Id<"supplierInvitations">): Promise<void> {
  const invitation = await getInvitation(ctx, invitationId);
  if (invitationState(invitation) !== "pending") return;
  await ctx.db.patch(invitationId, { revokedAt: Date.now(), ...noMailDue(invitation) });
  await logEvent(ctx, {
    workspaceId: invitation.workspaceId,
    type: "supplier_invitation.revoked",
    actor: "user",
    quoteId: invitation.quoteId,
    negotiationId: invitation.negotiationId,
  });
}

/** The quote's invitations for its brand, with the link of each one still pending. */
export async function invitationsOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">) {
  await getQuote(ctx, quoteId);
  const negotiations = await ctx.db
    .query("negotiations")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId))
    .take(20);
  const now = Date.now();
  const rows = [];
  for (const negotiation of negotiations) {
    for (const invitation of await invitationsOf(ctx, negotiation._id)) {
      const state = invitationState(invitation, now);
      if (state === "revoked") continue;
      const contact = await ctx.db.get(invitation.contactId);
      rows.push({
        _id: invitation._id,
        negotiationId: invitation.negotiationId,
        contactName: contact?.name ?? "",
        contactEmail: contact?.email ?? "",
        state,
        createdAt: invitation.createdAt,
        expiresAt: invitation.expiresAt,
        acceptedAt: invitation.acceptedAt ?? null,
        // An expired (or used) link's email still waiting reads "not_sent": the mailer will not send it.
        mail: invitationMail(invitation.mail, state),
        ...(state === "pending" ? { token: await tokenFor(invitation.nonce) } : {}),
      });
    }
  }
  return rows;
}

async function invitationByToken(ctx: QueryCtx, token: string): Promise<Doc<"supplierInvitations">> {
  const tokenHash = token.length > 0 && token.length <= 200 ? await sha256Hex(token) : "";
  const found = tokenHash
    ? await ctx.db
        .query("supplierInvitations")
        .withIndex("by_tokenHash", (q) => q.eq("tokenHash", tokenHash))
        .unique()
    : null;
  if (!found) {
    const replaced = tokenHash
      ? await ctx.db
          .query("supplierInvitations")
          .withIndex("by_replacedTokenHash", (q) => q.eq("replacedTokenHash", tokenHash))
          .first()
      : null;
    if (replaced) fail("CLOSED", "This link was replaced by a newer one the brand sent you: use the latest link", "token");
    fail("NOT_FOUND", "This invitation link is not valid: check that you copied all of it, or ask the brand for a new one", "token");
  }
  return found;
}

/** What a link invites its holder to, in words the supplier may read, or why it no longer works. */
export async function previewSupplierInvitation(ctx: QueryCtx, token: string, userId: Id<"users">) {
  const invitation = await invitationByToken(ctx, token);
  const state = invitationState(invitation);
  const [workspace, contact, negotiation] = await Promise.all([
    ctx.db.get(invitation.workspaceId),
    ctx.db.get(invitation.contactId),
    ctx.db.get(invitation.negotiationId),
  ]);
  const supplier = negotiation ? await ctx.db.get(negotiation.supplierId) : null;
  const yours = state === "accepted" && invitation.acceptedBy === userId;
  const member = state === "pending" && (await isMemberOf(ctx, invitation.workspaceId, userId));
  return {
    brandName: workspace?.name ?? "A brand",
    supplierName: supplier?.name ?? "your company",
    contactName: contact?.name ?? "",
    expiresAt: invitation.expiresAt,
    state,
    ...(yours ? { negotiationId: invitation.negotiationId } : {}),
    ...(state !== "pending" && !yours ? { problem: PROBLEM[state].message } : {}),
    ...(member ? { problem: MEMBER_PROBLEM } : {}),
  };
}

async function isMemberOf(ctx: QueryCtx, workspaceId: Id<"workspaces">, userId: Id<"users">): Promise<boolean> {
  const member = await ctx.db
    .query("members")
    .withIndex("by_workspaceId_and_userId", (q) => q.eq("workspaceId", workspaceId).eq("userId", userId))
    .unique();
  return member !== null;
}

/**
 * The signed-in user becomes the invitation's contact and joins its
 * negotiation; the token is spent. Accepting again with the same account is a
 * no-op that returns the negotiation.
 */
export async function acceptSupplierInvitation(ctx: MutationCtx, token: string, userId: Id<"users">): Promise<Id<"negotiations">> {
  const invitation = await invitationByToken(ctx, token);
  const state = invitationState(invitation);
  if (state === "accepted" && invitation.acceptedBy === userId) return invitation.negotiationId;
  if (state !== "pending") fail(PROBLEM[state].code, PROBLEM[state].message, "token");
  const negotiation = await getNegotiation(ctx, invitation.negotiationId);
  if (isTerminalNegotiation(negotiation.status)) fail("CLOSED", "This negotiation has closed, so the invitation can no longer be used", "token");
  if (negotiation.side !== "live") fail("CLOSED", "The brand no longer negotiates with a person for this supplier, so the invitation can no longer be used", "token");
  if (negotiation.contactId && negotiation.contactId !== invitation.contactId) {
    fail("CLOSED", "Someone else at your company has already joined this negotiation, so this invitation can no longer be used", "token");
  }
  if (await isMemberOf(ctx, invitation.workspaceId, userId)) {
    // Or a buyer could make the supplier's offers too, and award them.
    fail("FORBIDDEN", MEMBER_PROBLEM, "token");
  }
  const contact = await ctx.db.get(invitation.contactId);
  if (!contact) fail("NOT_FOUND", "The contact of this invitation no longer exists", "token");
  if (contact.userId && contact.userId !== userId) {
    fail("CONFLICT", `${contact.name} has already joined with another account: sign in with that one`, "token");
  }
  const now = Date.now();
  if (!contact.userId) await ctx.db.patch(contact._id, { userId });
  await ctx.db.patch(invitation._id, { acceptedBy: userId, acceptedAt: now, ...noMailDue(invitation) });
  await ctx.db.patch(negotiation._id, { contactId: contact._id });
  // Someone is at the table: the negotiation starts (and the brand may take it over and write first).
  await startIfPending(ctx, { ...negotiation, contactId: contact._id }, "contact");
  await logEvent(ctx, {
    workspaceId: negotiation.workspaceId,
    type: "supplier_invitation.accepted",
    actor: "contact",
    quoteId: negotiation.quoteId,
    negotiationId: negotiation._id,
  });
  await notifyBrand(ctx, {
    kind: "supplier_joined",
    text: `${contact.name} joined the negotiation for ${(await ctx.db.get(negotiation.supplierId))?.name ?? "a supplier"}.`,
    negotiation,
  });
  return negotiation._id;
}

/** Invitations whose email waits for the mailer, with what the mail needs. */
export async function mailQueue(ctx: QueryCtx, limit: number) {
  const waiting = await ctx.db
    .query("supplierInvitations")
    .withIndex("by_mail_status_and_expiresAt", (q) => q.eq("mail.status", "pending").gt("expiresAt", Date.now()))
    .take(limit);
  const out = [];
  for (const invitation of waiting) {
    if (invitationState(invitation) !== "pending") continue;
    const [contact, workspace, quote, negotiation] = await Promise.all([
      ctx.db.get(invitation.contactId),
      ctx.db.get(invitation.workspaceId),
      ctx.db.get(invitation.quoteId),
      ctx.db.get(invitation.negotiationId),
    ]);
    const supplier = negotiation ? await ctx.db.get(negotiation.supplierId) : null;
    if (!contact) continue;
    out.push({
      invitationId: invitation._id,
      nonce: invitation.nonce,
      to: contact.email,
      contactName: contact.name,
      brandName: workspace?.name ?? "A brand",
      supplierName: supplier?.name ?? "",
      quoteTitle: quote?.title ?? null,
      expiresAt: invitation.expiresAt,
      token: await tokenFor(invitation.nonce),
    });
  }
  return out;
}

/**
 * One mailer process's claim to send an invitation's email, for `claimMs`
 * from now: granted when the mail still waits (same link, still pending) and
 * no other process holds a live claim on it; else refused, with when the
 * other claim runs out (`retryAt`) when there is one. Two processes watching
 * the same queue so send each mail once; one that dies mid-send leaves its
 * claim to run out, and the mail is sent again after it.
 */
export async function claimMail(
  ctx: MutationCtx,
  invitationId: Id<"supplierInvitations">,
  nonce: string,
  claimant: string,
  claimMs: number,
): Promise<{ granted: boolean; retryAt?: number }> {
  checkText(claimant, "claimant", { required: true, max: 100 });
  checkNumber(claimMs, "claimMs", { integer: true, min: 1_000, max: 15 * 60 * 1000 });
  const invitation = await ctx.db.get(invitationId);
  const mail = invitation?.mail;
  if (!invitation || invitation.nonce !== nonce || mail?.status !== "pending" || invitationState(invitation) !== "pending") return { granted: false };
  const now = Date.now();
  if (mail.claimedBy !== undefined && mail.claimedBy !== claimant && (mail.claimExpiresAt ?? 0) > now) return { granted: false, retryAt: mail.claimExpiresAt };
  await ctx.db.patch(invitationId, { mail: { ...mail, claimedBy: claimant, claimExpiresAt: now + claimMs } });
  return { granted: true };
}

/** What the mailer did with one invitation's email; ignored when the link was re-drawn meanwhile (another mail is due). */
export async function recordMail(
  ctx: MutationCtx,
  invitationId: Id<"supplierInvitations">,
  nonce: string,
  status: "sent" | "failed" | "not_configured",
  error?: string,
): Promise<void> {
  const invitation = await getInvitation(ctx, invitationId);
  if (invitation.nonce !== nonce || invitation.mail?.status !== "pending") return;
  await ctx.db.patch(invitationId, { mail: { status, at: Date.now(), ...(error ? { error: error.slice(0, 300) } : {}) } });
  await logEvent(ctx, {
    workspaceId: invitation.workspaceId,
    type: "supplier_invitation.mailed",
    actor: "system",
    quoteId: invitation.quoteId,
    negotiationId: invitation.negotiationId,
    data: { status, ...(error ? { reason: error.slice(0, 300) } : {}) },
  });
}
