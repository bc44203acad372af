import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { ConvexError } from "convex/values";
import type { ErrorData } from "../../convex/model/errors";
import {
  type Backend,
  everyRow,
  expectRefusedEverywhere as expectRefused,
  invite,
  liveQuote,
  newBackend,
  SERVICE_KEY,
  signUp,
} from "./helpers";

// Inviting a live supplier's person by link: who can be invited when, what
// the link lets in, and that the link itself is nowhere in the database.

async function oneLive() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 2, join: 0 });
  return { t, ...q, target: q.live[0]._id };
}

async function refusal(call: () => Promise<unknown>): Promise<ErrorData> {
  try {
    await call();
  } catch (error) {
    const data = (error as ConvexError<ErrorData>).data;
    if (data) return data;
    throw error;
  }
  throw new Error("expected a refusal");
}

const tokensIn = async (t: Backend, tokens: string[]) => {
  const dump = JSON.stringify(await everyRow(t));
  return tokens.filter((token) => dump.includes(token));
};

describe("supplierInvitations.create", () => {
  test("a live, open negotiation without a contact gets a link; the link lets exactly one person in", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const { token, expiresAt, invitationId } = await owner.mutation(api.supplierInvitations.create, {
      negotiationId: target,
      name: "  Ana Lopez ",
      email: " Ana@Supplier.TEST ",
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    const ana = await signUp(t, "ana@supplier.test");
    const preview = await ana.as.query(api.supplierPortal.previewInvitation, { token });
    expect(preview).toMatchObject({ brandName: "Acme Goods", contactName: "Ana Lopez", state: "pending", expiresAt });
    expect(preview).not.toHaveProperty("problem");
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(target);
    const rows = await everyRow(t);
    const contact = (rows.supplierContacts as { email: string; name: string; userId: string }[])[0];
    expect(contact).toMatchObject({ email: "ana@supplier.test", name: "Ana Lopez", userId: ana.userId });
    expect((rows.negotiations as { _id: string; contactId?: string }[]).find((n) => n._id === target)!.contactId).toBeDefined();
    const listed = await owner.query(api.supplierInvitations.listForQuote, { quoteId });
    expect(listed).toEqual([expect.objectContaining({ _id: invitationId, state: "accepted", contactName: "Ana Lopez", acceptedAt: expect.any(Number) })]);
    expect(listed[0]).not.toHaveProperty("token");
    // The brand hears of it, once per member.
    expect((await owner.query(api.notifications.list, {})).items).toEqual([expect.objectContaining({ kind: "supplier_joined", negotiationId: target })]);
  });

  test("a simulated negotiation, a closed one and one with a contact are refused", async () => {
    const { t, owner, target, simulated, live } = await oneLive();
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.create, { negotiationId: simulated[0]._id, name: "A", email: "a@b.test" }), "CONFLICT", "negotiationId");
    await owner.mutation(api.negotiations.walkAway, { negotiationId: live[1]._id, reason: "Not this one" });
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.create, { negotiationId: live[1]._id, name: "A", email: "a@b.test" }), "CLOSED", "negotiationId");
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@supplier.test" });
    await (await signUp(t, "ana@supplier.test")).as.mutation(api.supplierPortal.acceptInvitation, { token });
    const data = await expectRefused(t, () => owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Bo", email: "bo@b.test" }), "CONFLICT", "negotiationId");
    expect(data.message).toContain("Ana");
  });

  test.each([
    ["name", "", "a@b.test"],
    ["name", "   ", "a@b.test"],
    ["name", "x".repeat(121), "a@b.test"],
    ["email", "Ana", ""],
    ["email", "Ana", "not-an-email"],
    ["email", "Ana", "a@"],
    ["email", "Ana", "a b@c.test"],
  ])("bad %s (%j, %j): INVALID_ARGUMENT at that field, nothing written", async (field, name, email) => {
    const { t, owner, target } = await oneLive();
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.create, { negotiationId: target, name, email }), "INVALID_ARGUMENT", field);
  });

  test("a viewer may not invite, see links, resend or revoke them", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    const { invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@supplier.test" });
    await expectRefused(t, () => viewer.query(api.supplierInvitations.listForQuote, { quoteId }), "FORBIDDEN");
    await expectRefused(t, () => viewer.mutation(api.supplierInvitations.create, { negotiationId: target, name: "B", email: "b@b.test" }), "FORBIDDEN");
    await expectRefused(t, () => viewer.mutation(api.supplierInvitations.resend, { invitationId }), "FORBIDDEN");
    await expectRefused(t, () => viewer.mutation(api.supplierInvitations.revoke, { invitationId }), "FORBIDDEN");
  });
});

describe("links", () => {
  test("listForQuote shows the token of pending invitations only, and it is the link's token", async () => {
    const { t, owner, live, quoteId } = await oneLive();
    const a = await owner.mutation(api.supplierInvitations.create, { negotiationId: live[0]._id, name: "Ana", email: "ana@s.test" });
    const b = await owner.mutation(api.supplierInvitations.create, { negotiationId: live[1]._id, name: "Bo", email: "bo@s.test" });
    await (await signUp(t, "bo@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token: b.token });
    const rows = await owner.query(api.supplierInvitations.listForQuote, { quoteId });
    const byId = Object.fromEntries(rows.map((row) => [row._id, row]));
    expect(byId[a.invitationId]).toMatchObject({ state: "pending", token: a.token, mail: { status: "pending", at: expect.any(Number) } });
    expect(byId[b.invitationId].state).toBe("accepted");
    expect(byId[b.invitationId]).not.toHaveProperty("token");
    // An expired link is listed without one.
    await t.run(async (ctx) => ctx.db.patch(a.invitationId, { expiresAt: Date.now() - 1 }));
    const later = await owner.query(api.supplierInvitations.listForQuote, { quoteId });
    expect(later.find((row) => row._id === a.invitationId)).toMatchObject({ state: "expired" });
    expect(later.find((row) => row._id === a.invitationId)).not.toHaveProperty("token");
  });

  test("no token is stored anywhere: not after create, not after resend, not after accept", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const second = await owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    const listed = (await owner.query(api.supplierInvitations.listForQuote, { quoteId }))[0].token!;
    expect(listed).toBe(second.token);
    expect(await tokensIn(t, [first.token, second.token])).toEqual([]);
    await (await signUp(t, "ana@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token: second.token });
    expect(await tokensIn(t, [first.token, second.token])).toEqual([]);
  });

  test("resend: the old link says it was replaced, the new one works", async () => {
    const { t, owner, target } = await oneLive();
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const second = await owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    expect(second.invitationId).toBe(first.invitationId);
    expect(second.token).not.toBe(first.token);
    const ana = await signUp(t, "ana@s.test");
    const replaced = await expectRefused(t, () => ana.as.query(api.supplierPortal.previewInvitation, { token: first.token }), "CLOSED", "token");
    expect(replaced.message).toMatch(/replaced by a newer one/);
    await expectRefused(t, () => ana.as.mutation(api.supplierPortal.acceptInvitation, { token: first.token }), "CLOSED", "token");
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token: second.token })).toBe(target);
    // An accepted invitation is not re-sent.
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId }), "CLOSED", "invitationId");
  });

  test("a second invitation withdraws the first: its link says so", async () => {
    const { t, owner, target } = await oneLive();
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Bo", email: "bo@s.test" });
    const ana = await signUp(t, "ana@s.test");
    expect((await ana.as.query(api.supplierPortal.previewInvitation, { token: first.token })).problem).toMatch(/withdrawn/);
    const data = await expectRefused(t, () => ana.as.mutation(api.supplierPortal.acceptInvitation, { token: first.token }), "CLOSED", "token");
    expect(data.message).toMatch(/withdrawn/);
  });

  test("revoke: the link says it was withdrawn, CLOSED; revoking again changes nothing", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const { token, invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    const ana = await signUp(t, "ana@s.test");
    const preview = await ana.as.query(api.supplierPortal.previewInvitation, { token });
    expect(preview.problem).toMatch(/withdrawn/);
    expect(preview).not.toHaveProperty("negotiationId");
    const data = await expectRefused(t, () => ana.as.mutation(api.supplierPortal.acceptInvitation, { token }), "CLOSED", "token");
    expect(data.message).toMatch(/withdrawn/);
    expect(await owner.query(api.supplierInvitations.listForQuote, { quoteId })).toEqual([]);
    const before = JSON.stringify(await everyRow(t));
    await owner.mutation(api.supplierInvitations.revoke, { invitationId });
    expect(JSON.stringify(await everyRow(t))).toBe(before);
  });

  test("an expired link: EXPIRED, in words", async () => {
    const { t, owner, target } = await oneLive();
    const { token, invitationId } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await t.run(async (ctx) => ctx.db.patch(invitationId, { expiresAt: Date.now() - 1 }));
    const ana = await signUp(t, "ana@s.test");
    expect(await ana.as.query(api.supplierPortal.previewInvitation, { token })).toMatchObject({ state: "expired", problem: expect.stringMatching(/expired/) });
    const data = await expectRefused(t, () => ana.as.mutation(api.supplierPortal.acceptInvitation, { token }), "EXPIRED", "token");
    expect(data.message).toMatch(/expired.*new link/);
    // Re-sending gives a fresh link that works.
    const { token: fresh } = await owner.mutation(api.supplierInvitations.resend, { invitationId });
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token: fresh })).toBe(target);
  });

  test("accepting twice with the same account returns the same negotiation and writes nothing; another account is CLOSED", async () => {
    const { t, owner, target } = await oneLive();
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const ana = await signUp(t, "ana@s.test");
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(target);
    const before = JSON.stringify(await everyRow(t));
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(target);
    expect(JSON.stringify(await everyRow(t))).toBe(before);
    expect(await ana.as.query(api.supplierPortal.previewInvitation, { token })).toMatchObject({ state: "accepted", negotiationId: target });
    const mallory = await signUp(t, "mallory@evil.test");
    const preview = await mallory.as.query(api.supplierPortal.previewInvitation, { token });
    expect(preview).not.toHaveProperty("negotiationId");
    expect(preview.problem).toMatch(/already been used/);
    await expectRefused(t, () => mallory.as.mutation(api.supplierPortal.acceptInvitation, { token }), "CLOSED", "token");
  });

  test("a contact who joined with one account cannot be taken over through a new link by another", async () => {
    const t = newBackend();
    const first = await liveQuote(t, { live: 1 });
    const [ana] = first.contacts;
    // The same supplier, the same person by email, on a second quote.
    const again = await liveQuote(t, { live: 1, join: 0 });
    const email = (await everyRow(t)).supplierContacts as { email: string }[];
    const { token } = await again.owner.mutation(api.supplierInvitations.create, { negotiationId: again.live[0]._id, name: "Contact 0", email: email[0].email });
    const mallory = await signUp(t, "mallory@evil.test");
    await expectRefused(t, () => mallory.as.mutation(api.supplierPortal.acceptInvitation, { token }), "CONFLICT", "token");
    expect(await ana.as.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(again.live[0]._id);
  });

  test.each([["garbage"], [""], ["x".repeat(5000)]])("a token that is no link (%#): NOT_FOUND", async (token) => {
    const { t } = await oneLive();
    const who = await signUp(t, "who@s.test");
    expect(await refusal(() => who.as.query(api.supplierPortal.previewInvitation, { token }))).toMatchObject({ code: "NOT_FOUND", field: "token" });
    await expectRefused(t, () => who.as.mutation(api.supplierPortal.acceptInvitation, { token }), "NOT_FOUND", "token");
  });

  test("a link to a negotiation that closed meanwhile: CLOSED", async () => {
    const { t, owner, target } = await oneLive();
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    await owner.mutation(api.negotiations.walkAway, { negotiationId: target, reason: "Changed our mind" });
    const ana = await signUp(t, "ana@s.test");
    await expectRefused(t, () => ana.as.mutation(api.supplierPortal.acceptInvitation, { token }), "CLOSED", "token");
  });
});

describe("one person answers for a negotiation", () => {
  test("re-sending a withdrawn link while another is pending withdraws that one: one link at a time", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const second = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Bo", email: "bo@s.test" });
    const again = await owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    const bo = await signUp(t, "bo@s.test");
    await expectRefused(t, () => bo.as.mutation(api.supplierPortal.acceptInvitation, { token: second.token }), "CLOSED", "token");
    const pending = (await owner.query(api.supplierInvitations.listForQuote, { quoteId })).filter((row) => row.state === "pending");
    expect(pending.map((row) => row._id)).toEqual([first.invitationId]);
    expect(await (await signUp(t, "ana@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token: again.token })).toBe(target);
  });

  test("once someone has joined, no older link can be revived to take their place", async () => {
    const { t, owner, target } = await oneLive();
    const old = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Mallory", email: "mallory@evil.test" });
    const current = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    const ana = await signUp(t, "ana@s.test");
    await ana.as.mutation(api.supplierPortal.acceptInvitation, { token: current.token });
    await expectRefused(t, () => owner.mutation(api.supplierInvitations.resend, { invitationId: old.invitationId }), "CONFLICT", "invitationId");
    // Ana keeps the negotiation.
    expect((await ana.as.query(api.supplierPortal.myNegotiationsList, {})).map((n) => n.negotiationId)).toEqual([target]);
  });

  test("a link still pending from before someone joined cannot replace them", async () => {
    const { t, owner, target } = await oneLive();
    const link = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "ana@s.test" });
    // Two links pending at once, as data written before the one-link rule would hold them.
    const stale = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Mallory", email: "mallory@evil.test" });
    await t.run(async (ctx) => ctx.db.patch(link.invitationId, { revokedAt: undefined }));
    const ana = await signUp(t, "ana@s.test");
    await ana.as.mutation(api.supplierPortal.acceptInvitation, { token: link.token });
    const mallory = await signUp(t, "mallory@evil.test");
    await expectRefused(t, () => mallory.as.mutation(api.supplierPortal.acceptInvitation, { token: stale.token }), "CLOSED", "token");
    expect(await t.run(async (ctx) => (await ctx.db.get(target))!.contactId)).toBe(
      await t.run(async (ctx) => (await ctx.db.get(link.invitationId))!.contactId),
    );
  });
});

describe("the invitation's email", () => {
  const mailFor = async (t: Backend) => await t.query(api.worker.pendingMail, { serviceKey: SERVICE_KEY });

  test("waits for the mailer with its link; the result is recorded once, and a re-drawn link's old result is ignored", async () => {
    const { t, owner, target, quoteId } = await oneLive();
    const first = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: "Ana@S.test" });
    const [queued] = await mailFor(t);
    expect(queued).toMatchObject({ invitationId: first.invitationId, to: "ana@s.test", contactName: "Ana", brandName: "Acme Goods", token: first.token });
    // The link is re-drawn before the mailer reports: its report about the old link changes nothing.
    const second = await owner.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    const before = JSON.stringify(await everyRow(t));
    await t.mutation(api.worker.recordMailResult, { serviceKey: SERVICE_KEY, invitationId: first.invitationId, nonce: queued.nonce, status: "sent" });
    expect(JSON.stringify(await everyRow(t))).toBe(before);
    const [again] = await mailFor(t);
    expect(again.token).toBe(second.token);
    await t.mutation(api.worker.recordMailResult, { serviceKey: SERVICE_KEY, invitationId: first.invitationId, nonce: again.nonce, status: "failed", error: "x".repeat(1_000) });
    expect(await mailFor(t)).toEqual([]);
    const [row] = await owner.query(api.supplierInvitations.listForQuote, { quoteId });
    expect(row.mail).toMatchObject({ status: "failed", error: "x".repeat(300) });
    // A second report for the same mail changes nothing.
    const reported = JSON.stringify(await everyRow(t));
    await t.mutation(api.worker.recordMailResult, { serviceKey: SERVICE_KEY, invitationId: first.invitationId, nonce: again.nonce, status: "sent" });
    expect(JSON.stringify(await everyRow(t))).toBe(reported);
  });

  test("withdrawn and accepted invitations are not mailed", async () => {
    const { t, owner, live } = await oneLive();
    const a = await owner.mutation(api.supplierInvitations.create, { negotiationId: live[0]._id, name: "Ana", email: "ana@s.test" });
    const b = await owner.mutation(api.supplierInvitations.create, { negotiationId: live[1]._id, name: "Bo", email: "bo@s.test" });
    await owner.mutation(api.supplierInvitations.revoke, { invitationId: a.invitationId });
    await (await signUp(t, "bo@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token: b.token });
    expect(await mailFor(t)).toEqual([]);
  });
});

describe("the brand's own people", () => {
  test.each([["owner"], ["buyer"], ["viewer"]] as const)("a member (%s) cannot join as the supplier: FORBIDDEN, nothing written", async (role) => {
    const { t, owner, target } = await oneLive();
    const member = role === "owner" ? owner : await invite(t, owner, `${role}@acme.test`, role);
    const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: target, name: "Ana", email: `${role}@acme.test` });
    expect((await member.as.query(api.supplierPortal.previewInvitation, { token })).problem).toMatch(/member of this brand/);
    await expectRefused(t, () => member.as.mutation(api.supplierPortal.acceptInvitation, { token }), "FORBIDDEN", "token");
    // The link still works for the supplier's person.
    expect(await (await signUp(t, "ana@s.test")).as.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(target);
  });
});
