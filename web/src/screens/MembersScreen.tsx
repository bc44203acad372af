import { useMutation, useQuery } from "convex/react";
import { useRef, useState } from "react";
import { currencyName, currencySymbol, formatMoney } from "../lib/format";
import { CurrencySelect } from "../components/CurrencySelect";
import { api } from "../../../convex/_generated/api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { RoleBadge } from "../components/RoleBadge";
import { ErrorNotice, Loading } from "../components/States";
import { invitationLink } from "../lib/router";
import { copyText } from "../components/copyText";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, withArticle, type Role } from "../lib/roles";
import type { Id } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { useAccount, useWorkspace } from "../lib/workspace";
import { TableScroll } from "../components/TableScroll";

interface MemberRow {
  userId: Id<"users">;
  role: Role;
  joinedAt: number;
  email: string | null;
  name: string | null;
}

// Owners first, as members.list sorts them; in the pickers, the most access last.
const ROLE_CHOICES = [...ROLES];

/** `#/members`: who is in the workspace; owners also change roles, remove people and invite. */
export function MembersScreen() {
  const { workspaceId, name, role, can } = useWorkspace();
  const members = useQuery(api.members.list, { workspaceId }) as MemberRow[] | undefined;
  const isOwner = can("owner");

  return (
    <section className="screen" aria-labelledby="members-title" data-testid="members-screen">
      <div className="screen-header">
        <div>
          <h1 id="members-title">Members</h1>
          <p className="muted">
            Who works in “{name}” and what each may do. Owners manage members, invitations and the approval threshold;
            approvers approve awards above it; buyers request, negotiate and award quotes; viewers read.
          </p>
        </div>
      </div>
      {!isOwner && (
        <p className="notice" data-testid="members-read-only">
          You are {withArticle(role)} here, so this list is read-only: owners change roles and invite people.
        </p>
      )}

      {members === undefined ? (
        <Loading label="Loading members…" />
      ) : (
        <div className="card">
          <TableScroll label="Members table">
            <table className="table members-table" data-testid="members-table">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  {isOwner && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <MemberRowView key={member.userId} member={member} editable={isOwner} />
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      )}

      <ApprovalsSettings />
      <CurrencySettings />
      {isOwner && <InviteCard />}
      {isOwner && <PendingInvitations />}

      <p className="muted" data-testid="workspace-id">
        For developers: a Mastra Studio run that creates a quote names this workspace with{" "}
        <code>"workspaceId": "{workspaceId}"</code> in its input.
      </p>
    </section>
  );
}

function MemberRowView({ member, editable }: { member: MemberRow; editable: boolean }) {
  const { workspaceId, name: workspaceName } = useWorkspace();
  const { user } = useAccount();
  const setRole = useMutation(api.members.setRole);
  const remove = useMutation(api.members.remove);
  const change = useServerAction();
  const removal = useServerAction();
  const [confirming, setConfirming] = useState(false);
  const isMe = member.userId === user._id;
  const who = member.name ?? member.email ?? "A member";

  return (
    <tr data-testid="member-row" data-email={member.email ?? ""} data-role={member.role}>
      <th scope="row">
        {who} {isMe && <span className="muted small">(you)</span>}
        {member.name && member.email && <div className="muted small">{member.email}</div>}
      </th>
      <td>
        {editable ? (
          <>
            <select
              className="role-select"
              aria-label={`Role of ${who}`}
              value={member.role}
              disabled={change.busy}
              onChange={(event) => change.run(() => setRole({ workspaceId, userId: member.userId, role: event.target.value as Role }))}
              data-testid="member-role"
            >
              {ROLE_CHOICES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            {change.error && (
              <p className="field-error" role="alert" data-testid="member-error">
                {change.error}
              </p>
            )}
          </>
        ) : (
          <RoleBadge role={member.role} testId="member-role-badge" />
        )}
      </td>
      <td className="muted small">{new Date(member.joinedAt).toLocaleDateString()}</td>
      {editable && (
        <td className="row-actions">
          <button type="button" className="button-danger-outline button-small" onClick={() => setConfirming(true)}
            data-testid="remove-member">
            {isMe ? "Leave" : "Remove"}
          </button>
          <ConfirmDialog
            open={confirming}
            title={isMe ? `Leave “${workspaceName}”?` : `Remove ${who}?`}
            confirmLabel={isMe ? "Leave" : "Remove"}
            tone="danger"
            busy={removal.busy}
            error={removal.error}
            onCancel={() => setConfirming(false)}
            onConfirm={() => removal.run(() => remove({ workspaceId, userId: member.userId }), () => setConfirming(false))}
          >
            <p>
              {isMe
                ? "You lose access to its quotes at once. An owner can invite you back."
                : `${who} loses access to “${workspaceName}” at once. You can invite them again later.`}
            </p>
          </ConfirmDialog>
        </td>
      )}
    </tr>
  );
}

function InviteCard() {
  const { workspaceId, name } = useWorkspace();
  const create = useMutation(api.invitations.create);
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<{ link: string; role: Role; expiresAt: number }>();
  const [copied, setCopied] = useState<"yes" | "no">();
  const { busy, error, run } = useServerAction();
  const input = useRef<HTMLInputElement>(null);

  return (
    <section className="card invite" aria-labelledby="invite-title" data-testid="invite-card">
      <h2 id="invite-title">Invite someone</h2>
      <p className="muted small">
        Create a link for one person. Whoever opens it signs in (or creates an account) and joins “{name}” with the
        role you choose. It works once, for 7 days.
      </p>
      <div className="invite-row">
        <label className="inline-field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            {ROLE_CHOICES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}: {ROLE_DESCRIPTIONS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button-primary" disabled={busy} data-testid="create-invitation"
          onClick={() =>
            run(async () => {
              const invitation = await create({ workspaceId, role });
              setCopied(undefined);
              setCreated({ link: invitationLink(window.location, invitation.token), role, expiresAt: invitation.expiresAt });
            })
          }>
          {busy ? "Creating…" : "Create invitation link"}
        </button>
      </div>
      {error && <ErrorNotice message={error} testId="invite-error" />}
      {created && (
        <div className="invite-result" data-testid="invite-result" data-role={created.role}>
          <label htmlFor="invite-link">
            Link for {withArticle(created.role)}, until {new Date(created.expiresAt).toLocaleString()}
          </label>
          <div className="send-row">
            <input id="invite-link" readOnly value={created.link} ref={input}
              onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
            <button type="button" className="button-secondary" data-testid="copy-invite-link"
              onClick={async () => setCopied((await copyText(created.link, input.current)) ? "yes" : "no")}>
              Copy link
            </button>
          </div>
          <p className="muted small" role="status" data-testid="copy-status">
            {copied === "yes"
              ? "Copied. Send it to the person you invite."
              : copied === "no"
                ? "Could not copy: the link is selected, copy it with Ctrl+C (⌘C on a Mac)."
                : "Copy it now: Parley shows this link only once."}
          </p>
        </div>
      )}
    </section>
  );
}

function PendingInvitations() {
  const { workspaceId } = useWorkspace();
  const invitations = useQuery(api.invitations.list, { workspaceId });
  return (
    <section className="card" aria-labelledby="pending-title" data-testid="pending-invitations">
      <h2 id="pending-title">Pending invitations</h2>
      {invitations === undefined ? (
        <Loading label="Loading invitations…" lines={1} />
      ) : invitations.length === 0 ? (
        <p className="muted small" data-testid="no-pending-invitations">
          No link is waiting to be used.
        </p>
      ) : (
        <TableScroll label="Pending invitations table">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <InvitationRow key={invitation._id} invitation={invitation} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

function InvitationRow({ invitation }: { invitation: { _id: Id<"invitations">; role: Role; createdAt: number; expiresAt: number } }) {
  const { workspaceId } = useWorkspace();
  const revoke = useMutation(api.invitations.revoke);
  const { busy, error, run } = useServerAction();
  return (
    <tr data-testid="invitation-row" data-invitation-id={invitation._id} data-role={invitation.role}>
      <td>
        <RoleBadge role={invitation.role} />
      </td>
      <td className="small">{new Date(invitation.createdAt).toLocaleString()}</td>
      <td className="small">{new Date(invitation.expiresAt).toLocaleString()}</td>
      <td className="row-actions">
        <button type="button" className="button-danger-outline button-small" disabled={busy}
          onClick={() => run(() => revoke({ workspaceId, invitationId: invitation._id }))} data-testid="revoke-invitation">
          {busy ? "Revoking…" : "Revoke"}
        </button>
        {error && <p className="field-error" role="alert">{error}</p>}
      </td>
    </tr>
  );
}


/** The spend threshold above which an award needs an approver: owners set or clear it, everyone else reads it. */
function ApprovalsSettings() {
  const { workspaceId, can } = useWorkspace();
  const workspace = useQuery(api.workspaces.get, { workspaceId });
  const save = useMutation(api.workspaces.setApprovalThreshold);
  const [draft, setDraft] = useState<string>();
  const { busy, error, run } = useServerAction();
  if (workspace === undefined) return <Loading label="Loading approvals…" lines={1} />;
  const threshold = workspace.approvalThreshold;
  const isOwner = can("owner");
  const current = threshold === null ? "No threshold: every award is made at once, without an approval." : `Awards above ${formatMoney(threshold, workspace.currency)} need an approver's or an owner's approval.`;
  const value = draft ?? (threshold === null ? "" : String(threshold));

  return (
    <section className="card approvals-settings" aria-labelledby="approvals-title" data-testid="approvals-settings">
      <h2 id="approvals-title">Approvals</h2>
      <p data-testid="approval-threshold-value" data-threshold={threshold ?? ""}>
        {current}
      </p>
      {isOwner ? (
        <form
          className="invite-row"
          onSubmit={(event) => {
            event.preventDefault();
            // An empty field clears the threshold; anything else goes to the server, which says what is wrong with it.
            const text = value.trim().replace(/[$,\s]/g, "").replace(currencySymbol(workspace.currency), "");
            void run(() => save({ workspaceId, threshold: text === "" ? null : Number(text) }), () => setDraft(undefined));
          }}
        >
          <label className="inline-field">
            <span>Approval threshold ({workspace.currency})</span>
            <input
              inputMode="decimal"
              value={value}
              placeholder="No threshold"
              onChange={(event) => setDraft(event.target.value)}
              aria-invalid={Boolean(error)}
              aria-describedby={error ? "threshold-error" : undefined}
              data-testid="approval-threshold"
            />
          </label>
          <button type="submit" className="button-primary" disabled={busy} data-testid="save-threshold">
            {busy ? "Saving…" : "Save"}
          </button>
          {threshold !== null && (
            <button type="button" className="button-secondary" disabled={busy} data-testid="clear-threshold"
              onClick={() => run(() => save({ workspaceId, threshold: null }), () => setDraft(undefined))}>
              Clear
            </button>
          )}
        </form>
      ) : (
        <p className="muted small">Owners set the threshold.</p>
      )}
      {error && (
        <p className="field-error" role="alert" id="threshold-error" data-testid="threshold-error">
          {error}
        </p>
      )}
      {isOwner && (
        <p className="muted small">
          Whoever asks for an award never approves it themselves: invite an approver, or clear the threshold, if you work alone.
        </p>
      )}
    </section>
  );
}

/**
 * The workspace's currency (ISO 4217): catalog list prices, the threshold and new quotes are in it. Owners change it;
 * quotes already requested keep the currency they were requested in.
 */
function CurrencySettings() {
  const { workspaceId, can } = useWorkspace();
  const workspace = useQuery(api.workspaces.get, { workspaceId });
  const save = useMutation(api.workspaces.setCurrency);
  const [draft, setDraft] = useState<string>();
  const { busy, error, run } = useServerAction();
  if (workspace === undefined) return <Loading label="Loading the currency…" lines={1} />;
  const value = draft ?? workspace.currency;

  return (
    <section className="card currency-settings" aria-labelledby="currency-title" data-testid="currency-settings">
      <h2 id="currency-title">Currency</h2>
      <p data-testid="currency-value" data-currency={workspace.currency}>
        Prices are in {currencyName(workspace.currency)} ({workspace.currency}). Quotes already requested keep the currency
        they were requested in.
      </p>
      {can("owner") ? (
        <form
          className="invite-row"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => save({ workspaceId, currency: value }), () => setDraft(undefined));
          }}
        >
          <label className="inline-field">
            <span>Workspace currency</span>
            <CurrencySelect value={value} onChange={setDraft} aria-invalid={Boolean(error)}
              aria-describedby={error ? "currency-error" : undefined} data-testid="workspace-currency" />
          </label>
          <button type="submit" className="button-primary" disabled={busy || value === workspace.currency} data-testid="save-currency">
            {busy ? "Saving…" : "Save"}
          </button>
        </form>
      ) : (
        <p className="muted small">Owners set the currency.</p>
      )}
      {error && (
        <p className="field-error" role="alert" id="currency-error" data-testid="currency-error">
          {error}
        </p>
      )}
    </section>
  );
}
