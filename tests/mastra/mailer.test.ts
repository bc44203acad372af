import { ConvexHttpClient } from "convex/browser";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { Id } from "../../convex/_generated/dataModel.js";
import type { LiveTransport } from "../../src/mastra/convex-transport.js";
import { invitationLink, startMailer, type Mailer } from "../../src/mastra/worker/mailer.js";
import { signUpBrand } from "../helpers/brand-session.js";
import { header, mimePart, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.js";
import { waitFor } from "../helpers/wait.js";
import { SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";

// The invitation mailer against the embedded backend (its pendingMail
// subscription over the official clients) and a real SMTP conversation with a
// sink on node:net: what is sent, to whom, with a link that lets the supplier
// in, and what is recorded when there is no server or the server refuses.

const backend = await embeddedBackend();
const brand = await signUpBrand(backend.url, { email: "buyer@acme.test", workspace: "Acme <Goods>" });
afterAll(async () => {
  await brand.close();
  await backend.stop();
});

const PUBLIC_URL = "http://parley.test:3000/";
const SMTP_USER = "parley-mailer";
const SMTP_PASS = "s3cret:pass/word";

// Each test's mailer and sink, stopped after it; every log line of every mailer, and every token mailed or shown.
let running: { mailer?: Mailer; sink?: SmtpSink } = {};
afterEach(async () => {
  await running.mailer?.stop();
  await running.sink?.close();
  running = {};
});
const logs: string[] = [];
const tokens = new Set<string>();
afterAll(() => {
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) {
    for (const token of tokens) expect(line).not.toContain(token);
    expect(line).not.toContain(SMTP_PASS);
    expect(line).not.toContain(encodeURIComponent(SMTP_PASS));
    expect(line).not.toContain(SERVICE_KEY);
  }
});

function mailer(opts: { smtpUrl?: string; transport?: LiveTransport } = {}) {
  running.mailer = startMailer({
    transport: opts.transport ?? backend.transport,
    serviceKey: SERVICE_KEY,
    publicUrl: PUBLIC_URL,
    smtpUrl: opts.smtpUrl,
    from: "Acme via Parley <parley@acme.test>",
    log: (line) => logs.push(line),
  });
  return running.mailer;
}

async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}) {
  running.sink = await startSmtpSink(opts);
  return running.sink;
}

/** A quote whose suppliers are all live, and its negotiations. */
async function liveQuote(title: string) {
  const suppliers = await brand.query(api.suppliers.list, {});
  const products = await backend.transport.query(api.worker.products, { serviceKey: SERVICE_KEY, workspaceId: brand.workspaceId });
  const quoteId = await brand.mutation(api.quotes.request, {
    title,
    lineItems: products.slice(0, 1).map((p) => ({ productId: p._id, quantity: 500, targetUnitPrice: p.listPrice * 0.8, maxUnitPrice: p.listPrice })),
    priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
    guardrails: { maxLeadTimeDays: 45, minPaymentTermsDays: 15 },
    liveSupplierIds: suppliers.map((s) => s._id),
  });
  const state = await backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId });
  return { quoteId, negotiationIds: state!.negotiations.map((n) => n._id) as Id<"negotiations">[] };
}

async function invite(negotiationId: Id<"negotiations">, name: string, email: string) {
  const created = await brand.mutation(api.supplierInvitations.create, { negotiationId, name, email });
  tokens.add(created.token);
  return created;
}

type Invitations = Awaited<ReturnType<typeof listInvitations>>;
const listInvitations = (quoteId: Id<"quotes">) => brand.query(api.supplierInvitations.listForQuote, { quoteId });

/** The quote's invitations once none of them waits for the mailer. */
const settled = (quoteId: Id<"quotes">) =>
  waitFor(
    "every invitation mail to be recorded",
    async () => {
      const rows = await listInvitations(quoteId);
      return rows.every((row) => row.mail && row.mail.status !== "pending") ? rows : undefined;
    },
    20_000,
  );

const byEmail = (rows: Invitations, email: string) => rows.find((row) => row.contactEmail === email)!;

const timeline = async (quoteId: Id<"quotes">) => (await brand.query(api.events.timeline, { quoteId })).entries.map((e) => e.what);

/** A person at the supplier, signed up with Convex Auth, holding the link. */
async function supplierPerson(email: string) {
  const http = new ConvexHttpClient(backend.url, { logger: false });
  const { tokens: auth } = await http.action(api.auth.signIn, {
    provider: "password",
    params: { email, password: "correct horse battery staple", flow: "signUp" },
  });
  http.setAuth(auth!.token);
  return http;
}

const linkIn = (text: string) => {
  const match = /(http:\/\/parley\.test:3000\/#\/supplier\/invite\/(\S+))/.exec(text);
  if (!match) throw new Error("no invitation link in the mail");
  return { link: match[1]!, token: decodeURIComponent(match[2]!) };
};

describe("the invitation mailer", () => {
  it("emails each invited contact a link that lets them into their negotiation", async () => {
    const smtp = await sink();
    mailer({ smtpUrl: smtp.url({ user: SMTP_USER, pass: SMTP_PASS }) });
    const { quoteId, negotiationIds } = await liveQuote("Spring linen");
    const sam = await invite(negotiationIds[0]!, "Sam Weaver", "Sam.Weaver@Supplier.test");
    await invite(negotiationIds[1]!, "Kim Loom", "kim@other-supplier.test");

    const mails = await smtp.received(2);
    const rows = await settled(quoteId);
    expect(rows.map((row) => row.mail?.status)).toEqual(["sent", "sent"]);
    expect(mails.map((m) => m.to).sort()).toEqual([["kim@other-supplier.test"], ["sam.weaver@supplier.test"]]);
    expect(mails.every((m) => m.from === "parley@acme.test" && m.user === SMTP_USER)).toBe(true);

    const mail = mails.find((m) => m.to[0] === "sam.weaver@supplier.test")!;
    expect(header(mail.raw, "To")).toContain("sam.weaver@supplier.test");
    expect(header(mail.raw, "Subject")).toContain("Acme <Goods> invites");
    const text = mimePart(mail.raw, "text/plain");
    const { link, token } = linkIn(text);
    expect(token).toBe(sam.token);
    expect(link).toBe(invitationLink(PUBLIC_URL, sam.token));
    expect(text).toContain("Hello Sam Weaver,");
    expect(text).toContain("Acme <Goods> invites you to negotiate for");
    expect(text).toContain("on the quote “Spring linen”");
    const until = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "full", timeStyle: "short" }).format(sam.expiresAt);
    expect(text).toContain(`The link works until ${until} UTC.`);
    const html = mimePart(mail.raw, "text/html");
    expect(html).toContain("Acme &lt;Goods&gt; invites you");
    expect(html).toContain(`<a href="${link}">`);

    // The link does what it says: the person previews and joins with it.
    const person = await supplierPerson("sam.weaver@supplier.test");
    const preview = await person.query(api.supplierPortal.previewInvitation, { token });
    expect(preview).toMatchObject({ brandName: "Acme <Goods>", contactName: "Sam Weaver", state: "pending" });
    expect(await person.mutation(api.supplierPortal.acceptInvitation, { token })).toBe(negotiationIds[0]);

    expect(await timeline(quoteId)).toEqual(expect.arrayContaining([expect.stringContaining("emailed the invitation link")]));
  });

  it("records not_configured without a mail server, and the quote's timeline says to share the link", async () => {
    mailer();
    const { quoteId, negotiationIds } = await liveQuote("No mail server");
    await invite(negotiationIds[0]!, "Ada Buyer", "ada@supplier.test");
    const rows = await settled(quoteId);
    expect(rows[0]).toMatchObject({ state: "pending", mail: { status: "not_configured" } });
    expect(rows[0]!.token).toBeTruthy();
    expect(await timeline(quoteId)).toEqual(
      expect.arrayContaining([expect.stringContaining("no mail server is set up: PARLEY_SMTP_URL); share the link shown on the quote")]),
    );
  });

  it("records a refused recipient as failed, in words and without credentials, and still sends the others", async () => {
    const smtp = await sink({ refuse: (address) => address.startsWith("nobody@") });
    mailer({ smtpUrl: smtp.url({ user: SMTP_USER, pass: SMTP_PASS }) });
    const { quoteId, negotiationIds } = await liveQuote("Refused");
    await invite(negotiationIds[0]!, "Nobody", "nobody@supplier.test");
    await invite(negotiationIds[1]!, "Somebody", "somebody@supplier.test");
    const rows = await settled(quoteId);
    const refused = byEmail(rows, "nobody@supplier.test").mail!;
    expect(refused.status).toBe("failed");
    expect(refused.error).toMatch(/recipients were rejected.*550 5\.1\.1 <nobody@supplier\.test>: mailbox unavailable/);
    expect(refused.error).not.toContain(SMTP_PASS);
    expect(byEmail(rows, "somebody@supplier.test").mail!.status).toBe("sent");
    expect(smtp.mails.map((m) => m.to)).toEqual([["somebody@supplier.test"]]);
    expect(await timeline(quoteId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/could not email the invitation: .*550.*; share the link shown on the quote/)]),
    );
  });

  it("keeps the link out of the record and the log when the server's refusal quotes it", async () => {
    const smtp = await sink({
      replyToData: (raw) => `554 5.7.1 rejected as spam, it links to ${linkIn(mimePart(raw, "text/plain")).link}`,
    });
    mailer({ smtpUrl: smtp.url() });
    const { quoteId, negotiationIds } = await liveQuote("Spam filter");
    const { token } = await invite(negotiationIds[0]!, "Flo", "flo@supplier.test");
    const [row] = await settled(quoteId);
    expect(row!.mail!.status).toBe("failed");
    expect(row!.mail!.error).toContain("554 5.7.1 rejected as spam, it links to http://parley.test:3000/#/supplier/invite/[link token]");
    expect(row!.mail!.error).not.toContain(token);
    expect(logs.some((line) => line.includes("[link token]"))).toBe(true);
    expect((await timeline(quoteId)).join("\n")).not.toContain(token);
  });

  it("records an unreachable mail server as failed, without the credentials of its URL", async () => {
    const closed = await startSmtpSink();
    const url = closed.url({ user: SMTP_USER, pass: SMTP_PASS });
    await closed.close();
    mailer({ smtpUrl: url });
    const { quoteId, negotiationIds } = await liveQuote("Unreachable");
    await invite(negotiationIds[0]!, "Lee", "lee@supplier.test");
    const [row] = await settled(quoteId);
    expect(row!.mail!.status).toBe("failed");
    expect(row!.mail!.error).toMatch(/ECONNREFUSED/);
    expect(row!.mail!.error).not.toContain(SMTP_USER);
    expect(row!.mail!.error).not.toContain(SMTP_PASS);
  });

  it("mails a new link on resend; the old link stops working", async () => {
    const smtp = await sink();
    mailer({ smtpUrl: smtp.url() });
    const { quoteId, negotiationIds } = await liveQuote("Resend");
    const first = await invite(negotiationIds[0]!, "Rae", "rae@supplier.test");
    const [firstMail] = await smtp.received(1);
    await settled(quoteId);
    const again = await brand.mutation(api.supplierInvitations.resend, { invitationId: first.invitationId });
    tokens.add(again.token);
    const [, secondMail] = await smtp.received(2);
    expect((await settled(quoteId))[0]!.mail!.status).toBe("sent");
    expect(linkIn(mimePart(firstMail!.raw, "text/plain")).token).toBe(first.token);
    expect(linkIn(mimePart(secondMail!.raw, "text/plain")).token).toBe(again.token);
    expect(again.token).not.toBe(first.token);
    const person = await supplierPerson("rae@supplier.test");
    await expect(person.query(api.supplierPortal.previewInvitation, { token: first.token })).rejects.toThrow(/replaced by a newer one/);
    expect(await person.query(api.supplierPortal.previewInvitation, { token: again.token })).toMatchObject({ state: "pending" });
    expect(smtp.mails).toHaveLength(2);
  });

  it("sends a mail once though the queue arrives twice mid-send, and stop() waits for the send and its record", async () => {
    const smtp = await sink({ dataDelayMs: 400 });
    // Every delivery of the subscription comes twice, the second while the first one's send is in flight.
    const echoing: LiveTransport = {
      ...backend.transport,
      onUpdate: (fn, args, onValue, onError) =>
        backend.transport.onUpdate(fn, args, (value) => (onValue(value), setTimeout(() => onValue(value), 100)), onError),
    };
    const m = mailer({ smtpUrl: smtp.url(), transport: echoing });
    const { quoteId, negotiationIds } = await liveQuote("Twice");
    await invite(negotiationIds[0]!, "Dee", "dee@supplier.test");
    await waitFor("the send to begin", () => (smtp.begun() > 0 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 150));
    await m.stop();
    expect(smtp.mails).toHaveLength(1);
    expect((await listInvitations(quoteId))[0]!.mail!.status).toBe("sent");
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.begun()).toBe(1);
  });

  it("sends each mail once when two mailers watch the same deployment", async () => {
    const smtp = await sink({ dataDelayMs: 300 });
    mailer({ smtpUrl: smtp.url() });
    const second = startMailer({ transport: backend.transport, serviceKey: SERVICE_KEY, publicUrl: PUBLIC_URL, smtpUrl: smtp.url(), log: (line) => logs.push(line) });
    try {
      const { quoteId, negotiationIds } = await liveQuote("Two mailers");
      await invite(negotiationIds[0]!, "Ann", "ann@supplier.test");
      await invite(negotiationIds[1]!, "Ben", "ben@other-supplier.test");
      const rows = await settled(quoteId);
      expect(rows.map((row) => row.mail?.status)).toEqual(["sent", "sent"]);
      // Nothing of the claim reaches the brand's list.
      for (const row of rows) expect(Object.keys(row.mail!).sort()).toEqual(["at", "status"]);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.begun()).toBe(2);
      expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(["ann@supplier.test", "ben@other-supplier.test"]);
    } finally {
      await second.stop();
    }
  });

  it("waits out another mailer's claim on a mail, and sends it once that claim runs out", async () => {
    const smtp = await sink();
    const { quoteId, negotiationIds } = await liveQuote("Claimed elsewhere");
    await invite(negotiationIds[0]!, "Cy", "cy@supplier.test");
    const [waiting] = await backend.transport.query(api.worker.pendingMail, { serviceKey: SERVICE_KEY });
    const held = { serviceKey: SERVICE_KEY, invitationId: waiting!.invitationId, nonce: waiting!.nonce, claimMs: 2_000 };
    expect(await backend.transport.mutation(api.worker.claimMail, { ...held, claimant: "a process that died mid-send" })).toEqual({ granted: true });
    // Another claimant is refused while the claim lives, and told when it runs out.
    const refused = await backend.transport.mutation(api.worker.claimMail, { ...held, claimant: "someone else" });
    expect(refused.granted).toBe(false);
    expect(refused.retryAt).toBeGreaterThan(Date.now());
    await expect(backend.transport.mutation(api.worker.claimMail, { ...held, claimant: "x", claimMs: 10 })).rejects.toThrow(/claimMs/);

    mailer({ smtpUrl: smtp.url() });
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp.begun(), "nothing is sent while another process holds the mail").toBe(0);
    await smtp.received(1);
    expect((await settled(quoteId))[0]!.mail!.status).toBe("sent");
    expect(smtp.begun()).toBe(1);
  });

  it("keeps a contact's name from adding headers or recipients, and escapes it in the HTML", async () => {
    const smtp = await sink();
    mailer({ smtpUrl: smtp.url() });
    const { quoteId, negotiationIds } = await liveQuote("Hostile <name>");
    await invite(negotiationIds[0]!, "Eve <b>x</b>\r\nBcc: evil@attacker.test\r\n\r\nbody", "eve@supplier.test");
    const [mail] = await smtp.received(1);
    await settled(quoteId);
    expect(mail!.to).toEqual(["eve@supplier.test"]);
    const head = mail!.raw.split("\r\n\r\n")[0]!;
    expect(head).not.toMatch(/^bcc:/im);
    expect(header(mail!.raw, "To")).toMatch(/^"[^"]*evil@attacker\.test[^"]*" <eve@supplier\.test>$/);
    expect(mimePart(mail!.raw, "text/html")).toContain("Hello Eve &lt;b&gt;x&lt;/b&gt; Bcc: evil@attacker.test body,");
  });

  it("refuses a mail server or public address it cannot use, naming the setting and not the password", () => {
    const start = (smtpUrl: string, publicUrl = PUBLIC_URL) => () =>
      startMailer({ transport: backend.transport, serviceKey: SERVICE_KEY, publicUrl, smtpUrl });
    expect(start(`http://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@mail.test`)).toThrow(/PARLEY_SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    expect(start(`mail.test:${SMTP_PASS}`)).toThrow(/PARLEY_SMTP_URL/);
    expect(start("smtp://[bad")).toThrow(/PARLEY_SMTP_URL is not a URL/);
    expect(start("smtp://mail.test", "javascript:alert(1)")).toThrow(/PARLEY_PUBLIC_URL\) must be an http\(s\) URL/);
    expect(start("smtp://mail.test", "parley.test")).toThrow(/PARLEY_PUBLIC_URL/);
    for (const bad of [`http://${SMTP_USER}:${SMTP_PASS}@mail.test`, "smtp://[bad"]) {
      try {
        start(bad)();
      } catch (error) {
        expect((error as Error).message).not.toContain(SMTP_PASS);
      }
    }
  });
});
