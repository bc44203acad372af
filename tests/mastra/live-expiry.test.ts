import fs from "node:fs";
import path from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import { waitFor } from "../helpers/wait.js";
import { SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { isWaiting, liveQuote, quoteState } from "./live-helpers.js";

// A live supplier who never answers: the quote's run suspends waiting on them,
// the response deadline passes, the cron's expiry closes their negotiation and
// tells both sides, and that wakes the run, which resumes and recommends among
// the simulated suppliers. A late offer is then refused.

// The deadline passes by moving this process's clock on: the embedded backend
// runs here and takes its functions' time from Date.now (src/local-backend/context.ts
// wraps whatever Date.now is when it starts), so the skew must be in place first.
const realNow = Date.now;
let skewMs = 0;
Date.now = () => realNow() + skewMs;

const { embeddedBackend } = await import("./helpers/embedded-backend.js");
const backend = await embeddedBackend();
afterAll(async () => backend.stop());
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
const { mastra, startQuoteWorker } = await import("../../src/mastra/index.js");
const storedRun = async (runId: string) => (await mastra.getWorkflow("negotiationWorkflow").getWorkflowRunById(runId))?.status;
const state = (quoteId: Id<"quotes">) => quoteState(backend.transport, quoteId);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 60_000);

const PASSWORD = "correct horse battery staple";

/** A person signing up or in through Convex Auth's Password provider, as the dashboard and the portal do. */
async function account(email: string, flow: "signUp" | "signIn") {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  const { tokens } = await client.action(api.auth.signIn, { provider: "password", params: { email, password: PASSWORD, flow } });
  client.setAuth(tokens!.token);
  return client;
}

/** The cron's mutation, run as the cron runs it: internal, so only with the deployment's admin key. */
async function runExpiryCron(): Promise<number> {
  const admin = new ConvexHttpClient(backend.url, { logger: false });
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(fs.readFileSync(path.join(backend.dataDir, "convex", "admin_key"), "utf8").trim());
  return await admin.mutation(makeFunctionReference<"mutation", Record<string, never>, number>("expiry:expireDue"), {});
}

const latePrices = (lineItems: { sku: string }[]) => lineItems.map((line) => ({ sku: line.sku, unitPrice: 1 }));

describe("a live supplier who lets the deadline pass", () => {
  it("is expired by the cron, both sides are told, and the waiting run resumes and recommends among the others", { timeout: 120_000 }, async () => {
    const q = await liveQuote(backend.url, backend.transport, { seed: 71 });
    // A second member of the brand: every member hears of the expiry.
    const { token: memberLink } = await q.brand.mutation(api.invitations.create, { role: "viewer" });
    const viewerEmail = `viewer-${process.pid}-${realNow()}@acme.test`;
    await (await account(viewerEmail, "signUp")).mutation(api.invitations.accept, { token: memberLink });
    const members = await q.brand.query(api.members.list, {});
    expect(members.map((m) => m.role)).toEqual(["owner", "viewer"]);
    const [contactEmail] = (await q.brand.query(api.supplierInvitations.listForQuote, { quoteId: q.quoteId })).map((i) => i.contactEmail);

    const log: string[] = [];
    const worker = await startQuoteWorker({
      convexUrl: backend.url,
      serviceKey: SERVICE_KEY,
      workerId: "expiry-worker",
      leaseMs: 1500,
      runtime: { env: { PARLEY_MODEL: "scripted" } },
      log: (line) => log.push(line),
    });
    try {
      const waiting = await until("the quote to wait on its live supplier", async () => {
        const s = await state(q.quoteId);
        return isWaiting(s) && worker.running().length === 0 ? s : undefined;
      });
      const runId = waiting.quote.suspendedRunId!;
      const live = waiting.negotiations.find((n) => n._id === q.liveId)!;
      const simulated = waiting.negotiations.filter((n) => n._id !== q.liveId);
      expect(live).toMatchObject({ side: "live", status: "active", offers: [], messages: [] });
      expect(simulated.map((n) => n.status)).toEqual(["accepted", "accepted"]);
      expect(await storedRun(runId)).toBe("suspended");
      const responseMs = live.expiresAt! - waiting.quote.startedAt!;
      expect(responseMs).toBe(48 * 60 * 60 * 1000);

      // The deadline passes with no answer. (The hour-long sign-in tokens lapse with it: everyone signs in again.)
      skewMs = live.expiresAt! - realNow() + 60_000;
      await expect(q.contact.query(api.supplierPortal.negotiation, { negotiationId: q.liveId })).rejects.toThrow(/token hasn't expired/);
      const [owner, viewer, contact] = await Promise.all([
        account(members[0]!.email!, "signIn"),
        account(viewerEmail, "signIn"),
        account(contactEmail!, "signIn"),
      ]);
      const asBrand = <T extends object>(args: T) => ({ ...args, workspaceId: q.brand.workspaceId });
      const portal = () => contact.query(api.supplierPortal.negotiation, { negotiationId: q.liveId });
      const lineItems = (await portal()).quote.lineItems;

      // Past the deadline and before the cron has run: no more moves, and the portal says so.
      expect(await portal()).toMatchObject({ status: "active", yourTurn: false, canAcceptBrandOffer: false });
      await expect(
        contact.mutation(api.supplierPortal.makeSupplierOffer, { negotiationId: q.liveId, lines: latePrices(lineItems), leadTimeDays: 30, paymentTermsDays: 30 }),
      ).rejects.toMatchObject({ data: { code: "EXPIRED" } });
      expect(isWaiting(await state(q.quoteId))).toBe(true);

      expect(await runExpiryCron()).toBe(1);

      const words = "This negotiation expired: no agreement was reached by the response deadline (48 hours).";
      const done = await until("the woken run to complete the quote", async () => {
        const s = await state(q.quoteId);
        return s.quote.status === "completed" && worker.running().length === 0 ? s : undefined;
      });
      const expired = done.negotiations.find((n) => n._id === q.liveId)!;
      expect([expired.status, expired.outcome]).toEqual(["expired", "expired"]);
      expect(expired.messages.map((m) => [m.sender, m.kind, m.content])).toEqual([["system", "system", words]]);
      expect(expired.offers).toEqual([]);

      // Both sides see the system message.
      const brandMessages = await owner.query(api.messages.list, asBrand({ negotiationId: q.liveId, paginationOpts: { numItems: 50, cursor: null } }));
      expect(brandMessages.page.map((m) => [m.sender, m.kind, m.content])).toEqual([["system", "system", words]]);
      const supplierMessages = await contact.query(api.supplierPortal.messages, { negotiationId: q.liveId, paginationOpts: { numItems: 50, cursor: null } });
      expect(supplierMessages.page.map((m) => [m.sender, m.kind, m.content])).toEqual([["parley", "system", words]]);
      expect(await portal()).toMatchObject({ status: "expired", outcome: "expired", yourTurn: false, canAcceptBrandOffer: false, award: null });

      // Each member of the brand, and the supplier's person, has an "expired" notice about this negotiation.
      const brandNotice = {
        kind: "expired",
        text: `The negotiation with ${live.supplier.name} expired without agreement.`,
        quoteId: q.quoteId,
        negotiationId: q.liveId,
        read: false,
      };
      for (const member of [owner, viewer]) {
        const { items } = await member.query(api.notifications.list, asBrand({}));
        expect(items.filter((n) => n.kind === "expired")).toEqual([expect.objectContaining(brandNotice)]);
      }
      const supplierNotices = await contact.query(api.supplierPortal.notifications, {});
      expect(supplierNotices.items.filter((n) => n.kind === "expired")).toEqual([
        expect.objectContaining({ kind: "expired", text: words, quoteId: q.quoteId, negotiationId: q.liveId, read: false }),
      ]);

      // The same run was woken and resumed, not replaced, and Mastra stored it as finished.
      expect(log.filter((l) => l.includes("resuming quote") && l.includes(runId))).toHaveLength(1);
      expect(log.some((l) => /quote failed|fresh run/.test(l))).toBe(false);
      await until("Mastra to store the run as finished", async () => ((await storedRun(runId)) === "success" ? true : undefined));
      expect([done.quote.claimedBy, done.quote.suspendedRunId]).toEqual([undefined, undefined]);

      // The simulated agreements are ranked first; the expired negotiation last, with no terms.
      const ranking = done.quote.recommendation!.ranking;
      expect(ranking.map((r) => [r.rank, r.outcome])).toEqual([
        [1, "agreement"],
        [2, "agreement"],
        [3, "expired"],
      ]);
      expect(ranking.slice(0, 2).map((r) => r.negotiationId).sort()).toEqual(simulated.map((n) => n._id).sort());
      expect(ranking[2]).toMatchObject({ negotiationId: q.liveId, score: 0 });
      expect(ranking[2]!.terms).toBeUndefined();
      expect(ranking.slice(0, 2).every((r) => r.terms !== undefined && r.score > 0)).toBe(true);
      expect(done.quote.recommendation!.negotiationId).toBe(ranking[0]!.negotiationId);

      // A late offer is refused as expired and changes nothing, on either side.
      const everything = async () =>
        JSON.stringify({
          state: await state(q.quoteId),
          portal: await portal(),
          messages: await contact.query(api.supplierPortal.messages, { negotiationId: q.liveId, paginationOpts: { numItems: 50, cursor: null } }),
          supplierNotices: await contact.query(api.supplierPortal.notifications, {}),
          brandNotices: [await owner.query(api.notifications.list, asBrand({})), await viewer.query(api.notifications.list, asBrand({}))],
        });
      const before = await everything();
      await expect(
        contact.mutation(api.supplierPortal.makeSupplierOffer, {
          negotiationId: q.liveId,
          lines: latePrices(lineItems),
          leadTimeDays: 30,
          paymentTermsDays: 30,
          message: "Sorry we are late: here is our offer.",
        }),
      ).rejects.toMatchObject({ data: { code: "EXPIRED", message: "This negotiation has expired: its response deadline passed", field: "negotiationId" } });
      expect(await everything()).toBe(before);
      // Nor is the quote woken again: there is nothing to resume.
      expect(log.filter((l) => l.includes("resuming quote"))).toHaveLength(1);
      // The cron, run again, finds nothing more to expire.
      expect(await runExpiryCron()).toBe(0);
      expect(await everything()).toBe(before);
    } finally {
      await worker.stop();
      await q.brand.close();
    }
  });
});
