import { useMutation, useQueries } from "convex/react";
import { useMemo, useRef, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import { describeError } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { useNow } from "../lib/useNow";
import { invitationAsOf } from "../../../convex/model/invitationMail";
import { hrefFor } from "../lib/router";
import type { Id, NegotiationView, SupplierInvitationRow } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { useWorkspace } from "../lib/workspace";
import { copyText } from "./copyText";
import { Field } from "./Field";

/**
 * The quote's supplier invitations, for buyers and owners; undefined while
 * loading, for viewers, and when the server refuses (a role lowered while the
 * page is open): links are not a viewer's to see, and their absence is no error.
 */
export function useSupplierInvitations(quoteId: Id<"quotes">, wanted: boolean): SupplierInvitationRow[] | undefined {
  const { workspaceId, can } = useWorkspace();
  const enabled = wanted && can("buyer");
  // useQueries, not useQuery: it hands back a refusal instead of throwing it into the page.
  const requests = useMemo(
    () =>
      enabled
        ? { rows: { query: api.supplierInvitations.listForQuote, args: { workspaceId, quoteId } } }
        : ({} as Record<string, never>),
    [enabled, workspaceId, quoteId],
  );
  const rows = useQueries(requests).rows as SupplierInvitationRow[] | Error | undefined;
  return rows instanceof Error ? undefined : rows;
}

/** The invitation that speaks for a negotiation now: the accepted one, else the pending one, else the latest. */
export function invitationOf(rows: SupplierInvitationRow[], negotiationId: Id<"negotiations">): SupplierInvitationRow | undefined {
  const mine = rows.filter((row) => row.negotiationId === negotiationId).sort((a, b) => b.createdAt - a.createdAt);
  return mine.find((row) => row.state === "accepted") ?? mine.find((row) => row.state === "pending") ?? mine[0];
}

function supplierLink(token: string): string {
  return `${window.location.origin}${window.location.pathname}${hrefFor({ name: "supplierInvite", token })}`;
}

function mailWords(mail: NonNullable<SupplierInvitationRow["mail"]>, email: string): string {
  switch (mail.status) {
    case "pending":
      return `Emailing the link to ${email}…`;
    case "not_sent":
      return `Expired — not sent: the link expired before it was emailed to ${email}.`;
    case "sent":
      return `Emailed to ${email} on ${formatDateTime(mail.at)}.`;
    case "failed":
      return `Not emailed: ${mail.error ?? "the mail server refused it"}. Share the link yourself.`;
    case "not_configured":
      return "Not emailed: no mail server (PARLEY_SMTP_URL) — share the link.";
  }
}

interface Props {
  negotiation: NegotiationView;
  supplierName: string;
  /** The quote's invitations (useSupplierInvitations); undefined while they load. */
  rows: SupplierInvitationRow[] | undefined;
  /** The negotiation can still take a person in. */
  open: boolean;
}

/** For a live negotiation: invite the supplier's person by link, follow the invitation, re-send or revoke it. */
export function SupplierInvitationBox({ negotiation, supplierName, rows, open }: Props) {
  // A link can expire while the page is open: the list's answer does not change by time passing alone.
  const now = useNow(30_000);
  if (rows === undefined) return null;
  const invitation = invitationOf(rows.map((row) => invitationAsOf(row, now)), negotiation._id);
  if (invitation?.state === "accepted") {
    return (
      <div className="invite-box" data-testid="supplier-invitation" data-state="accepted">
        <p className="invite-state" data-testid="invite-state">
          <strong>{invitation.contactName}</strong> joined{invitation.acceptedAt ? ` on ${formatDateTime(invitation.acceptedAt)}` : ""}.
        </p>
      </div>
    );
  }
  if (!open) return null;
  return (
    <section className="invite-box" aria-label={`Invite a person at ${supplierName}`} data-testid="supplier-invitation"
      data-state={invitation?.state ?? "none"}>
      {invitation?.state === "pending" && <PendingInvitation invitation={invitation} />}
      {invitation?.state === "expired" && <ExpiredInvitation invitation={invitation} />}
      {invitation?.state !== "pending" && (
        <InviteForm negotiationId={negotiation._id} supplierName={supplierName} again={invitation !== undefined} />
      )}
    </section>
  );
}

function PendingInvitation({ invitation }: { invitation: SupplierInvitationRow }) {
  const { workspaceId } = useWorkspace();
  const resend = useMutation(api.supplierInvitations.resend);
  const revoke = useMutation(api.supplierInvitations.revoke);
  const { busy, error, run } = useServerAction();
  const [said, setSaid] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const link = invitation.token ? supplierLink(invitation.token) : "";
  const linkId = `invite-link-${invitation._id}`;
  return (
    <>
      <label htmlFor={linkId} className="invite-label">
        Link for {invitation.contactName}
      </label>
      <div className="send-row">
        <input id={linkId} ref={input} readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
        <button type="button" className="button-secondary" data-testid="copy-invite-link"
          onClick={async () =>
            setSaid((await copyText(link, input.current))
              ? `Copied. Send it to ${invitation.contactName}.`
              : "Could not copy: the link is selected, copy it with Ctrl+C (⌘C on a Mac).")
          }>
          Copy
        </button>
      </div>
      <p className="invite-state small" data-testid="invite-state" data-mail={invitation.mail?.status}>
        Waiting for {invitation.contactName} to open the link · expires {formatDateTime(invitation.expiresAt)}.{" "}
        {invitation.mail && (
          <span className="invite-mail" data-testid="invite-mail" data-status={invitation.mail.status}>
            {mailWords(invitation.mail, invitation.contactEmail)}
          </span>
        )}
      </p>
      <div className="invite-actions">
        <button type="button" className="button-secondary button-small" disabled={busy} data-testid="resend-invite"
          onClick={() => run(() => resend({ workspaceId, invitationId: invitation._id }), () => setSaid("A new link is ready: the old one no longer works."))}>
          Re-send
        </button>
        <button type="button" className="button-danger-outline button-small" disabled={busy} data-testid="revoke-invite"
          onClick={() => run(() => revoke({ workspaceId, invitationId: invitation._id }))}>
          Revoke
        </button>
      </div>
      <p className="muted small" role="status" data-testid="invite-status">
        {said}
      </p>
      {error && <p className="field-error" role="alert" data-testid="invite-error">{error}</p>}
    </>
  );
}

function ExpiredInvitation({ invitation }: { invitation: SupplierInvitationRow }) {
  const { workspaceId } = useWorkspace();
  const resend = useMutation(api.supplierInvitations.resend);
  const { busy, error, run } = useServerAction();
  return (
    <>
      <p className="invite-state small" data-testid="invite-state">
        The link for {invitation.contactName} expired on {formatDateTime(invitation.expiresAt)} before they opened it.{" "}
        {invitation.mail && (
          <span className="invite-mail" data-testid="invite-mail" data-status={invitation.mail.status}>
            {mailWords(invitation.mail, invitation.contactEmail)}
          </span>
        )}
      </p>
      <div className="invite-actions">
        <button type="button" className="button-secondary button-small" disabled={busy} data-testid="resend-invite"
          onClick={() => run(() => resend({ workspaceId, invitationId: invitation._id }))}>
          Re-send to {invitation.contactName}
        </button>
      </div>
      {error && <p className="field-error" role="alert" data-testid="invite-error">{error}</p>}
    </>
  );
}

function InviteForm({ negotiationId, supplierName, again }: { negotiationId: Id<"negotiations">; supplierName: string; again: boolean }) {
  const { workspaceId } = useWorkspace();
  const create = useMutation(api.supplierInvitations.create);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<{ name?: string; email?: string; other?: string }>({});
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = {
      ...(name.trim() ? {} : { name: "Enter the name of the person you invite." }),
      ...(/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? {} : { email: "Enter their email address, like jane@supplier.com." }),
    };
    setErrors(found);
    if (found.name || found.email) return;
    setBusy(true);
    try {
      // The list query shows the new link as soon as it exists.
      await create({ workspaceId, negotiationId, name: name.trim(), email: email.trim() });
    } catch (error) {
      const problem = describeError(error);
      setErrors(problem.field === "name" || problem.field === "email" ? { [problem.field]: problem.message } : { other: problem.message });
    } finally {
      setBusy(false);
    }
  };

  const id = `invite-${negotiationId}`;
  return (
    <form className="invite-form" onSubmit={onSubmit} noValidate data-testid="invite-form">
      <p className="invite-form-title">
        <strong>{again ? "Or invite someone else" : `Invite a person at ${supplierName}`}</strong>
        <span className="muted small"> Parley makes a link for them (and emails it when a mail server is set up); through it they answer for {supplierName} in the supplier portal.</span>
      </p>
      <div className="invite-fields">
        <Field id={`${id}-name`} field="name" label="Name" error={errors.name}>
          {(a11y) => (
            <input {...a11y} value={name} autoComplete="off" maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="invite-name" />
          )}
        </Field>
        <Field id={`${id}-email`} field="email" label="Email" error={errors.email}>
          {(a11y) => (
            <input {...a11y} type="email" value={email} autoComplete="off" onChange={(e) => setEmail(e.target.value)} data-testid="invite-email" />
          )}
        </Field>
      </div>
      {errors.other && <p className="field-error" role="alert" data-testid="invite-error">{errors.other}</p>}
      <button type="submit" className="button-primary button-small" disabled={busy} data-testid="invite-submit">
        {busy ? "Inviting…" : "Create invitation link"}
      </button>
    </form>
  );
}
