import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { invitationAsOf } from "../../convex/model/invitationMail";
import { liveQuote, newBackend, SERVICE_KEY } from "./helpers";

// The brand's invitation list says what became of each link's email; an
// expired link's email that never went out reads "not_sent", never "pending".

async function invited() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 2, join: 0 });
  const { invitationId } = await q.owner.mutation(api.supplierInvitations.create, { negotiationId: q.live[0]._id, name: "Ana", email: "ana@s.test" });
  const row = async () => (await q.owner.query(api.supplierInvitations.listForQuote, { quoteId: q.quoteId })).find((r) => r._id === invitationId)!;
  const expire = () => t.run(async (ctx) => ctx.db.patch(invitationId, { expiresAt: Date.now() - 1 }));
  return { t, ...q, invitationId, row, expire };
}

describe("an invitation's email in the brand's list", () => {
  test("waiting for the mailer while the link is open; 'not_sent' once it expired unsent", async () => {
    const { row, expire } = await invited();
    expect(await row()).toMatchObject({ state: "pending", mail: { status: "pending" } });
    await expire();
    const expired = await row();
    expect(expired).toMatchObject({ state: "expired", mail: { status: "not_sent", at: expect.any(Number) } });
    expect(expired).not.toHaveProperty("token");
  });

  test("an email sent before the link expired still reads 'sent'", async () => {
    const { t, row, expire } = await invited();
    const [queued] = await t.query(api.worker.pendingMail, { serviceKey: SERVICE_KEY });
    await t.mutation(api.worker.recordMailResult, { serviceKey: SERVICE_KEY, invitationId: queued.invitationId, nonce: queued.nonce, status: "sent" });
    await expire();
    expect(await row()).toMatchObject({ state: "expired", mail: { status: "sent" } });
  });

  test("a row listed as pending whose link expires on the dashboard's clock reads expired, its unsent email not sent", async () => {
    const { row } = await invited();
    const listed = await row();
    expect(invitationAsOf(listed, listed.expiresAt - 1)).toBe(listed);
    const later = invitationAsOf(listed, listed.expiresAt);
    expect(later).toMatchObject({ state: "expired", mail: { status: "not_sent" } });
    expect(later).not.toHaveProperty("token");
    // Not pending: left as listed.
    const sent = { ...listed, state: "expired" as const, mail: { status: "sent" as const, at: 1 } };
    expect(invitationAsOf(sent, listed.expiresAt + 1)).toBe(sent);
  });
});
