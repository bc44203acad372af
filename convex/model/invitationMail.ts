import type { Doc } from "../_generated/dataModel";

// What became of a supplier invitation's email, as the brand's invitation list
// reads it. The stored status "pending" means "waiting for the mailer"; the
// mailer takes only invitations still pending (supplierInvitations.mailQueue),
// so once the link has expired or been used a "pending" mail will never go out,
// and reads "not_sent". Shared by the server's list (invitationsOfQuote) and the
// dashboard, which applies it again when a link expires on its clock while the
// page is open (a query's answer does not change by time passing alone).

export type InvitationMail = Omit<NonNullable<Doc<"supplierInvitations">["mail"]>, "status" | "claimedBy" | "claimExpiresAt"> & {
  status: NonNullable<Doc<"supplierInvitations">["mail"]>["status"] | "not_sent";
};

/** The mail as listed for an invitation in `state` ("pending" while its link can still be opened). */
export function invitationMail(mail: (InvitationMail & { claimedBy?: string; claimExpiresAt?: number }) | null | undefined, state: string): InvitationMail | null {
  if (!mail) return null;
  // Which mailer process holds the send is the worker's business, not the brand's.
  const { claimedBy: _claimedBy, claimExpiresAt: _claimExpiresAt, ...listed } = mail;
  return listed.status === "pending" && state !== "pending" ? { ...listed, status: "not_sent" } : listed;
}

type ListedInvitation = { state: "pending" | "accepted" | "revoked" | "expired"; expiresAt: number; mail: InvitationMail | null; token?: string };

/**
 * A listed invitation as of `now`: one the server listed as pending but whose
 * expiry has since passed on this clock is expired, its link no longer offered
 * and its unsent email not sent.
 */
export function invitationAsOf<Row extends ListedInvitation>(row: Row, now: number): Row {
  if (row.state !== "pending" || row.expiresAt > now) return row;
  const { token: _token, ...rest } = row;
  return { ...rest, state: "expired", mail: invitationMail(row.mail, "expired") } as Row;
}
