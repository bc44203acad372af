import type { FunctionReturnType } from "convex/server";
import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { AGENT_NAME, humaniseType, SYSTEM_NAME } from "../../convex/model/events";
import { HIDDEN_PERSONA_FIELDS } from "../helpers/persona-fields";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  invite,
  type Member,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
  requestQuote,
  SERVICE_KEY,
  signUp,
  terms,
} from "./helpers";

// The audit trail as people read it: a quote's timeline in words, in order,
// for members of its workspace only; the owners' export of the whole log.

afterEach(() => {
  vi.useRealTimers();
});

const named = (t: Backend, userId: Id<"users">, name: string) => t.run(async (ctx) => ctx.db.patch(userId, { name }));

/**
 * A quote through take-over, counter, hand-back, walk-away, impasse and
 * agreement: a, b and c are its three negotiations.
 */
async function negotiated() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const owner = brand(t);
  await named(t, owner.userId, "Dana Owner");
  const leaseEpoch = (await claim(t, quoteId))!;
  const [a, b, c] = negotiations.map((n) => n._id);
  const names = Object.fromEntries(negotiations.map((n) => [n._id, n.supplier!.name])) as Record<string, string>;
  await offer(t, a, 1, "supplier", terms(7, 1, 30, 15));
  await owner.mutation(api.negotiations.pause, { negotiationId: a });
  await owner.mutation(api.negotiations.sendMessage, { negotiationId: a, content: "Can you do better on the tees?" });
  await owner.mutation(api.negotiations.counter, { negotiationId: a, terms: terms(6, 0.8, 30, 45) });
  await owner.mutation(api.negotiations.resume, { negotiationId: a });
  const final = (await offer(t, a, 3, "supplier", terms(6.5, 0.9, 30, 30)))!;
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: final, by: "brand" });
  await offer(t, b, 1, "supplier", terms(8, 1.2));
  await owner.mutation(api.negotiations.walkAway, { negotiationId: b, reason: "Too expensive" });
  await offer(t, c, 1, "supplier", terms(7.5, 1.1));
  await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: c, status: "impasse" });
  return { t, owner, quoteId, a, b, c, names, leaseEpoch };
}

describe("quote timeline", () => {
  test("every step in order, each in words: who, what, when", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-02T09:00:00Z"));
    const { t, owner, quoteId, a, b, c, names } = await negotiated();
    const { entries, truncated } = await owner.query(api.events.timeline, { quoteId });
    expect(truncated).toBe(false);
    const lines = entries.map((e) => `${e.who} ${e.what}`);
    expect(lines).toEqual([
      "Dana Owner requested the quote (2 line items, sent to 3 suppliers)",
      `${SYSTEM_NAME} claimed the quote and started negotiating`,
      `${names[a]} started the negotiation with ${names[a]}`,
      `${names[a]} made an opening offer in round 1: $19,000.00 in total, delivery in 30 days, payment in 15 days`,
      `Dana Owner took over the negotiation with ${names[a]}`,
      `Dana Owner wrote to ${names[a]}`,
      `Dana Owner countered to ${names[a]} in round 2: $16,000.00 in total, delivery in 30 days, payment in 45 days`,
      `Dana Owner handed the negotiation with ${names[a]} back to ${AGENT_NAME}`,
      `${names[a]} made an offer in round 3: $17,500.00 in total, delivery in 30 days, payment in 30 days`,
      `${AGENT_NAME} accepted ${names[a]}'s offer`,
      `${names[b]} started the negotiation with ${names[b]}`,
      `${names[b]} made an opening offer in round 1: $22,000.00 in total, delivery in 30 days, payment in 30 days`,
      `Dana Owner walked away from ${names[b]}: Too expensive`,
      `${names[c]} started the negotiation with ${names[c]}`,
      `${names[c]} made an opening offer in round 1: $20,500.00 in total, delivery in 30 days, payment in 30 days`,
      `${SYSTEM_NAME} ended the negotiation with ${names[c]} without agreement (impasse)`,
    ]);
    // Oldest first, with the time of each; negotiation events name their supplier.
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times[0]).toBe(new Date("2026-11-02T09:00:00Z").getTime());
    expect(entries.find((e) => e.type === "negotiation.paused")).toMatchObject({ actor: "user", negotiationId: a, supplierName: names[a] });
  });

  test("nothing a member must not see: no persona, no worker or lease, no raw event data", async () => {
    vi.useFakeTimers();
    const { t, owner, quoteId } = await negotiated();
    // A worker that stopped: another claims the lapsed lease.
    vi.advanceTimersByTime(61_000);
    expect(await claim(t, quoteId, "worker-2")).not.toBeNull();
    const timeline = await owner.query(api.events.timeline, { quoteId });
    expect(timeline.entries.at(-1)).toMatchObject({ who: SYSTEM_NAME, what: "picked the quote up again after its worker stopped" });
    const text = JSON.stringify(timeline);
    const personas = await t.run(async (ctx) => (await ctx.db.query("suppliers").collect()).map((s) => s.persona));
    for (const persona of personas) {
      for (const field of HIDDEN_PERSONA_FIELDS) expect(text).not.toContain(`"${field}"`);
      expect(text).not.toContain(String(persona.unitCostRatio));
    }
    for (const secret of ["worker-1", "worker-2", "leaseEpoch", "leaseExpiresAt", "claimedBy", SERVICE_KEY, '"data"']) expect(text).not.toContain(secret);
  });

  test("cancelling closes the open negotiations; the words say why, and who cancelled", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    const owner = brand(t);
    await claim(t, quoteId);
    await offer(t, negotiations[0]._id, 1, "supplier", terms(7, 1));
    await owner.mutation(api.quotes.cancel, { quoteId });
    const { entries } = await owner.query(api.events.timeline, { quoteId });
    const closed = entries.filter((e) => e.type === "negotiation.rejected");
    expect(closed).toHaveLength(3);
    for (const entry of closed) expect(entry.what).toMatch(/^closed the negotiation with .+ \(the quote was cancelled\)$/);
    // No name set: the person's email stands for them.
    expect(entries.at(-1)).toMatchObject({ type: "quote.cancelled", who: "owner@brand.test", what: "cancelled the quote" });
  });

  test("an award by a person: their acceptance, the award with its total, and the others closed for it", async () => {
    const t = newBackend();
    const { quoteId, negotiations } = await requestQuote(t);
    const owner = brand(t);
    await named(t, owner.userId, "Dana Owner");
    await claim(t, quoteId);
    const [a, b] = negotiations.map((n) => n._id);
    await offer(t, a, 1, "supplier", terms(6.4, 0.88));
    await offer(t, b, 1, "supplier", terms(7, 1));
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: a });
    const { entries } = await owner.query(api.events.timeline, { quoteId });
    const name = (id: Id<"negotiations">) => negotiations.find((n) => n._id === id)!.supplier!.name;
    const lines = entries.map((e) => `${e.who} ${e.what}`);
    expect(lines).toContain(`Dana Owner accepted ${name(a)}'s offer`);
    expect(lines.filter((l) => l.endsWith("(the quote went to another supplier)"))).toEqual([
      ...negotiations.slice(1).map((n) => `Dana Owner closed the negotiation with ${n.supplier!.name} (the quote went to another supplier)`),
    ]);
    expect(lines.at(-1)).toBe(`Dana Owner awarded the quote to ${name(a)} for $17,200.00`);
  });

  test("an event type nobody has worded yet still reads, without its data", async () => {
    const { t, owner, quoteId } = await negotiated();
    await t.run(async (ctx) =>
      ctx.db.insert("events", {
        workspaceId: owner.workspaceId,
        type: "quote.reminder_sent",
        actor: "system",
        quoteId,
        data: { secret: "do-not-show" },
        at: Date.now(),
      }),
    );
    const { entries } = await owner.query(api.events.timeline, { quoteId });
    expect(entries.at(-1)).toMatchObject({ who: SYSTEM_NAME, what: "recorded “quote reminder sent”" });
    expect(JSON.stringify(entries)).not.toContain("do-not-show");
    expect(humaniseType("")).toBe("did something");
  });

  test("a removed member's events still read, as a former member", async () => {
    const { t, owner, quoteId } = await negotiated();
    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    await named(t, buyer.userId, "Bo Buyer");
    const { quoteId: second, negotiations } = await requestQuoteAs(t, buyer);
    await claim(t, second);
    await offer(t, negotiations[0]._id, 1, "supplier", terms(7, 1));
    await buyer.mutation(api.negotiations.pause, { negotiationId: negotiations[0]._id });
    expect((await owner.query(api.events.timeline, { quoteId: second })).entries.map((e) => e.who)).toContain("Bo Buyer");
    await owner.mutation(api.members.remove, { userId: buyer.userId });
    const whos = (await owner.query(api.events.timeline, { quoteId: second })).entries.map((e) => e.who);
    expect(whos).toContain("A former member");
    expect(whos).not.toContain("Bo Buyer");
    // The first quote's own timeline is untouched by the second.
    expect((await owner.query(api.events.timeline, { quoteId })).entries.every((e) => e.quoteId === quoteId)).toBe(true);
  });
});

async function requestQuoteAs(t: Backend, member: Member) {
  const products = await member.query(api.products.list, {});
  const quoteId = await member.mutation(api.quotes.request, quoteArgs({ products }));
  const detail = (await member.query(api.quotes.get, { quoteId }))!;
  return { quoteId, negotiations: detail.negotiations };
}

describe("who may read the timeline", () => {
  test("a viewer reads it; a member of another workspace is refused, and its own workspace does not reach the quote", async () => {
    const { t, owner, quoteId } = await negotiated();
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    const seen = await viewer.query(api.events.timeline, { quoteId });
    expect(seen).toEqual(await owner.query(api.events.timeline, { quoteId }));

    const other = await newWorkspace(t, "someone@other.test", "Other Co");
    // Through the brand's workspace: not a member.
    await expectRefused(t, () => other.as.query(api.events.timeline, { workspaceId: owner.workspaceId, quoteId }), "FORBIDDEN", "workspaceId");
    // Through its own workspace: the quote is not there.
    await expectRefused(t, () => other.query(api.events.timeline, { quoteId }), "NOT_FOUND", "quoteId");
    const stranger = await signUp(t, "stranger@nowhere.test");
    await expectRefused(t, () => stranger.as.query(api.events.timeline, { workspaceId: owner.workspaceId, quoteId }), "FORBIDDEN");
    await expectRefused(t, () => t.query(api.events.timeline, { workspaceId: owner.workspaceId, quoteId }), "UNAUTHENTICATED");
  });
});

describe("workspace log export", () => {
  async function allPages(member: Member, range: { from?: number; to?: number }, numItems = 7) {
    const rows = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page: FunctionReturnType<typeof api.events.exportPage> = await member.query(api.events.exportPage, { ...range, paginationOpts: { numItems, cursor } });
      expect(page.page.length).toBeLessThanOrEqual(numItems);
      rows.push(...page.page);
      pages++;
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    return { rows, pages };
  }

  test("owners page through every event of the workspace, messages and members included, within a date range", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-10-01T12:00:00Z"));
    const { t, owner } = await negotiated();
    vi.setSystemTime(new Date("2026-11-15T12:00:00Z"));
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    await named(t, viewer.userId, "Vi Viewer");
    await owner.mutation(api.members.setRole, { userId: viewer.userId, role: "buyer" });

    const stored = await t.run(async (ctx) => ctx.db.query("events").collect());
    const mine = stored.filter((e) => e.workspaceId === owner.workspaceId);
    const { rows, pages } = await allPages(owner, {});
    expect(pages).toBeGreaterThan(2);
    expect(rows.map((r) => r._id)).toEqual(mine.map((e) => e._id));
    // The log has what the timeline leaves out: the AI's messages, the members.
    expect(rows.find((r) => r.type === "workspace.created")).toMatchObject({ who: "Dana Owner", what: "created the workspace “Acme Goods”" });
    expect(rows.find((r) => r.type === "member.role_changed")).toMatchObject({ who: "Dana Owner", what: "changed Vi Viewer's role from viewer to buyer" });
    expect(rows.find((r) => r.type === "member.joined")).toMatchObject({ who: "Vi Viewer", what: "joined as viewer" });
    expect(rows.every((r) => r.who !== "" && r.what !== "")).toBe(true);

    const november = await allPages(owner, { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1) });
    expect(november.rows.map((r) => r.type)).toEqual(["invitation.created", "member.joined", "member.role_changed"]);
    const october = await allPages(owner, { to: Date.UTC(2026, 10, 1) });
    expect(october.rows.length + november.rows.length).toBe(rows.length);
    expect((await allPages(owner, { from: Date.UTC(2026, 11, 1) })).rows).toEqual([]);
  });

  test("only owners export; bad ranges and page sizes are refused in words", async () => {
    const { t, owner } = await negotiated();
    const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
    const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
    const paginationOpts = { numItems: 10, cursor: null };
    for (const member of [buyer, viewer]) {
      const refused = await expectRefused(t, () => member.query(api.events.exportPage, { paginationOpts }), "FORBIDDEN");
      expect(refused.message).toMatch(/owner/);
    }
    const other = await newWorkspace(t, "someone@other.test", "Other Co");
    await expectRefused(t, () => other.as.query(api.events.exportPage, { workspaceId: owner.workspaceId, paginationOpts }), "FORBIDDEN", "workspaceId");
    // The other owner's own export holds only its own workspace's events.
    const theirs = await other.query(api.events.exportPage, { paginationOpts: { numItems: 100, cursor: null } });
    expect(theirs.page.map((r) => r.type)).toEqual(["workspace.created"]);

    const bad = await expectRefused(t, () => owner.query(api.events.exportPage, { from: 10, to: 5, paginationOpts }), "INVALID_ARGUMENT", "to");
    expect(bad.message).toBe("The end of the date range must come after its start");
    await expectRefused(t, () => owner.query(api.events.exportPage, { from: -1, paginationOpts }), "INVALID_ARGUMENT", "from");
    await expectRefused(t, () => owner.query(api.events.exportPage, { from: Number.NaN, paginationOpts }), "INVALID_ARGUMENT", "from");
    await expectRefused(t, () => owner.query(api.events.exportPage, { paginationOpts: { numItems: 100_000, cursor: null } }), "INVALID_ARGUMENT", "paginationOpts.numItems");
    await expectRefused(t, () => owner.query(api.events.exportPage, { paginationOpts: { numItems: 0, cursor: null } }), "INVALID_ARGUMENT", "paginationOpts.numItems");
  });
});
