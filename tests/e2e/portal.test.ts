import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { openBrowser, type Browser } from "./browser";
import { backendAs, newPerson, signUp, type Person } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// The supplier portal in a real Chromium, as a supplier's person meets it: the
// invitation link (good, mistyped, withdrawn, replaced, already used), the
// offer form's refusals, the brand's counter-offer, their negotiations, and
// declining. Every page passes axe at 1440 px and 375 px. One stack, one
// quote whose three suppliers are all live; the tests run in order and share it.

let stack: Stack;
let sam: Browser | undefined;
let olive: Browser | undefined;

/** What the tests share, set up as they go. */
const s = {} as {
  web: string;
  brandName: string;
  brand: ConvexHttpClient;
  workspaceId: Id<"workspaces">;
  quoteId: Id<"quotes">;
  negotiations: { _id: Id<"negotiations">; supplierName: string }[];
  lines: { sku: string; name: string; listPrice: number }[];
  /** n1: the one Sam joins, through the re-sent link. */
  joined: Id<"negotiations">;
  links: { revoked: string; resentOld: string; resentNew: string; replacedByCreate: string };
  samPerson: Person;
  samClient: ConvexHttpClient;
};

beforeAll(async () => {
  stack = await bootStack({ tokensPerSec: 200 });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  for (const [name, b] of [["brand", stack?.browser], ["sam", sam], ["olive", olive]] as const) {
    await b?.page.screenshot({ path: join(RESULTS_DIR, `portal-${name}-failure.png`), fullPage: true }).catch(() => undefined);
    if (b) console.log([`${name} browser errors:`, ...b.errors].join("\n"));
  }
  console.log(["stack log:", ...(stack?.log.slice(-60) ?? [])].join("\n"));
});

afterAll(async () => {
  if (advisories.size > 0) {
    console.log(["axe's moderate and minor findings on the portal (not failed on):", ...[...advisories].map(([rule, where]) => `${rule}\n    ${[...where].join("\n    ")}`)].join("\n"));
  }
  await sam?.close().catch(() => undefined);
  await olive?.close().catch(() => undefined);
  await stack?.stop();
});

// ---------------------------------------------------------------------------
// The audit, as tests/e2e/a11y.test.ts runs it on the dashboard: WCAG 2.1 A/AA,
// failing on serious and critical; at 375 px the page must not scroll sideways.

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 375, height: 812 },
] as const;
const SCHEMES = ["light", "dark"] as const;
const BLOCKING = new Set(["serious", "critical"]);
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const advisories = new Map<string, Set<string>>();

async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const transitions = document.getAnimations().filter((a) => a.constructor.name === "CSSTransition");
    await Promise.all(transitions.map((a) => a.finished.catch(() => undefined)));
  });
}

/** One line per serious or critical violation (and per sideways scroll at 375 px), in every viewport and scheme. */
async function audit(page: Page, state: string): Promise<string[]> {
  const found: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await settle(page);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      for (const v of results.violations) {
        if (!BLOCKING.has(v.impact ?? "")) {
          const key = `[${v.impact}] ${v.id}: ${v.help}`;
          advisories.set(key, (advisories.get(key) ?? new Set()).add(`${state}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`));
          continue;
        }
        const targets = v.nodes.map((n) => `${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.split("\n").slice(1).join(" ").trim()})` : ""}`);
        found.push(`${state} @ ${viewport.width}px ${colorScheme}: [${v.impact}] ${v.id}: ${v.help}\n    ${targets.join("\n    ")}`);
      }
    }
    if (viewport.width === 375) {
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      if (scrollWidth > innerWidth) found.push(`${state} @ 375px: scrolls sideways (scrollWidth ${scrollWidth} > ${innerWidth})`);
      await page.screenshot({ path: join(RESULTS_DIR, `portal-375-${state.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true });
    }
  }
  await page.setViewportSize(VIEWPORTS[0]);
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

async function expectAccessible(page: Page, state: string): Promise<void> {
  const found = await audit(page, state);
  expect.soft(found, `axe found serious or critical violations on ${state}:\n${found.join("\n")}`).toEqual([]);
}

// ---------------------------------------------------------------------------

const tokenOf = (page: Page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("__convexAuthJWT_"));
    return key ? localStorage.getItem(key) : null;
  });

async function clientOf(page: Page): Promise<ConvexHttpClient> {
  const token = await tokenOf(page);
  if (!token) throw new Error("no sign-in token in this page");
  const client = new ConvexHttpClient(stack.parley.convexUrl, { logger: false });
  client.setAuth(token);
  return client;
}

const linkOf = (token: string) => `${s.web}/#/supplier/invite/${token}`;

/** Signs up on the portal's own sign-in card, which an invitation link opens when signed out. */
async function portalSignUp(page: Page, person: Person): Promise<void> {
  await page.getByTestId("portal-sign-in").waitFor();
  await page.getByTestId("tab-sign-up").click();
  await page.getByTestId("auth-name").fill(person.name);
  await page.getByTestId("auth-email").fill(person.email);
  await page.getByTestId("auth-password").fill(person.password);
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("portal").waitFor();
}

/** The ConvexError's code and field a call is refused with. */
async function refusal(call: () => Promise<unknown>): Promise<{ code?: string; field?: string; message?: string }> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ConvexError) return error.data as { code?: string; field?: string; message?: string };
    throw error;
  }
  throw new Error("the call was not refused");
}

const offersOnJoined = () => s.brand.query(api.offers.list, { workspaceId: s.workspaceId, negotiationId: s.joined });
const joinedView = async () => (await s.brand.query(api.quotes.get, { workspaceId: s.workspaceId, quoteId: s.quoteId }))!.negotiations.find((n) => n._id === s.joined)!;

test("invitation links: a good one in words and at 375 px; mistyped, withdrawn, replaced and used ones each say why, and nothing is joined", async () => {
  const brandPage = stack.browser.page;
  s.web = stack.parley.webUrl;
  s.brandName = "Portal Goods";
  await signUp(brandPage, s.web, newPerson("Bea Brand", s.brandName));
  ({ client: s.brand, workspaceId: s.workspaceId } = await backendAs(brandPage, stack.parley.convexUrl));

  // A quote on which every supplier is live, two lines.
  const products = await s.brand.query(api.products.list, { workspaceId: s.workspaceId });
  const suppliers = await s.brand.query(api.suppliers.list, { workspaceId: s.workspaceId });
  const picked = products.slice(0, 2);
  s.quoteId = await s.brand.mutation(api.quotes.request, {
    workspaceId: s.workspaceId,
    lineItems: picked.map((p, i) => ({
      productId: p._id,
      quantity: 500 + 250 * i,
      targetUnitPrice: Math.round(p.listPrice * 0.8 * 100) / 100,
      maxUnitPrice: Math.round(p.listPrice * 1.05 * 100) / 100,
    })),
    priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
    guardrails: { maxLeadTimeDays: 45, minPaymentTermsDays: 15 },
    maxRounds: 8,
    seed: 7,
    liveSupplierIds: suppliers.map((x) => x._id),
  });
  const detail = (await s.brand.query(api.quotes.get, { workspaceId: s.workspaceId, quoteId: s.quoteId }))!;
  expect(detail.negotiations.length).toBeGreaterThanOrEqual(3);
  expect(detail.negotiations.every((n) => n.side === "live")).toBe(true);
  s.negotiations = detail.negotiations.map((n) => ({ _id: n._id, supplierName: n.supplier?.name ?? "" }));
  s.lines = detail.quote.lineItems.map((l) => ({ sku: l.sku, name: l.name, listPrice: l.listPrice }));
  const [n0, n1, n2] = s.negotiations;
  s.joined = n1!._id;

  // n0: invited, then withdrawn. n1: invited, then re-sent (the first link stops working). n2: invited twice (the first is withdrawn).
  const invite = (negotiationId: Id<"negotiations">, name: string) =>
    s.brand.mutation(api.supplierInvitations.create, { workspaceId: s.workspaceId, negotiationId, name, email: newPerson(name).email });
  const revoked = await invite(n0!._id, "Rita Revoked");
  await s.brand.mutation(api.supplierInvitations.revoke, { workspaceId: s.workspaceId, invitationId: revoked.invitationId });
  s.samPerson = newPerson("Sam Supplier");
  const old = await s.brand.mutation(api.supplierInvitations.create, { workspaceId: s.workspaceId, negotiationId: n1!._id, name: s.samPerson.name, email: s.samPerson.email });
  const resent = await s.brand.mutation(api.supplierInvitations.resend, { workspaceId: s.workspaceId, invitationId: old.invitationId });
  expect(resent.token).not.toBe(old.token);
  const first = await invite(n2!._id, "Fay First");
  await invite(n2!._id, "Fay First");
  s.links = { revoked: revoked.token, resentOld: old.token, resentNew: resent.token, replacedByCreate: first.token };

  // Signed out, the link opens a sign-up card in general words (who invites is only known once signed in).
  sam = await openBrowser({ width: 1440, height: 900 });
  const page = sam.page;
  await page.goto(linkOf(s.links.resentNew));
  await page.getByTestId("portal-sign-in").waitFor();
  expect(await page.getByTestId("portal-invited-note").textContent()).toContain("A brand invited you to negotiate a quote with them on Parley");
  await expectAccessible(page, "invitation (signed out)");
  await portalSignUp(page, s.samPerson);
  s.samClient = await clientOf(page);

  // Signed in: who invites whom, for whom the link is, until when; the way in.
  const card = page.getByTestId("portal-invite-card");
  await card.waitFor();
  expect(await card.getAttribute("data-state")).toBe("pending");
  expect(await page.locator("#invite-title").textContent()).toBe(`${s.brandName} invites you to negotiate for ${n1!.supplierName}`);
  expect(await page.getByTestId("invite-contact").textContent()).toContain(`This invitation is for ${s.samPerson.name}`);
  expect(await page.getByTestId("invite-expiry").textContent()).toMatch(/^The link works until .+ \(in \d+ days\)\.$/);
  await page.getByTestId("accept-invitation").waitFor();
  await expectAccessible(page, "invitation preview (signed in)");

  // Each bad link says why in a sentence, and offers no way to join.
  const NOT_VALID = "This invitation link is not valid: check that you copied all of it, or ask the brand for a new one.";
  const WITHDRAWN = "This invitation was withdrawn by the brand. Ask them for a new link if you still want to take part.";
  const REPLACED = "This link was replaced by a newer one the brand sent you: use the latest link.";
  const last = s.links.resentNew.at(-1) === "A" ? "B" : "A";
  const cases = [
    { what: "mistyped (one character off)", token: `${s.links.resentNew.slice(0, -1)}${last}`, testId: "portal-error", words: NOT_VALID, code: "NOT_FOUND" },
    { what: "mistyped (cut short)", token: s.links.resentNew.slice(0, 12), testId: "portal-error", words: NOT_VALID, code: "NOT_FOUND" },
    { what: "withdrawn", token: s.links.revoked, testId: "invite-problem", words: WITHDRAWN, code: "CLOSED" },
    { what: "replaced by a re-send", token: s.links.resentOld, testId: "portal-error", words: REPLACED, code: "CLOSED" },
    { what: "replaced by a new invitation", token: s.links.replacedByCreate, testId: "invite-problem", words: WITHDRAWN, code: "CLOSED" },
  ];
  for (const c of cases) {
    await page.goto(linkOf(c.token));
    const notice = page.getByTestId(c.testId);
    await notice.waitFor();
    expect(await notice.textContent(), c.what).toBe(c.words);
    expect(await notice.getAttribute("role"), c.what).toBe("alert");
    expect(await page.getByTestId("accept-invitation").count(), c.what).toBe(0);
    // And the server refuses it from a script too.
    expect((await refusal(() => s.samClient.mutation(api.supplierPortal.acceptInvitation, { token: c.token }))).code, c.what).toBe(c.code);
  }
  await page.goto(linkOf(cases[0]!.token));
  await page.getByTestId("portal-error").waitFor();
  await expectAccessible(page, "invitation (mistyped link)");
  await page.goto(linkOf(s.links.revoked));
  await page.getByTestId("invite-problem").waitFor();
  await expectAccessible(page, "invitation (withdrawn link)");

  // Nothing was joined: Sam has no negotiation, and no negotiation has a contact.
  expect(await s.samClient.query(api.supplierPortal.myNegotiationsList, {})).toEqual([]);
  const after = (await s.brand.query(api.quotes.get, { workspaceId: s.workspaceId, quoteId: s.quoteId }))!;
  expect(after.negotiations.map((n) => n.contactId ?? null)).toEqual(after.negotiations.map(() => null));

  // The re-sent link lets Sam in.
  await page.goto(linkOf(s.links.resentNew));
  await page.getByTestId("accept-invitation").click();
  await page.getByTestId("portal-request").waitFor();
  expect(page.url()).toContain(`#/supplier/n/${s.joined}`);
  // Opened again by the same account, the link leads back to the negotiation.
  await page.goto(linkOf(s.links.resentNew));
  await page.getByTestId("invite-already-joined").waitFor();
  expect(await page.getByTestId("open-negotiation").getAttribute("href")).toBe(`#/supplier/n/${s.joined}`);
  expect(await page.getByTestId("accept-invitation").count()).toBe(0);

  // The used link, opened by another account: it says so; Olive joins nothing and Sam stays the contact.
  olive = await openBrowser({ width: 1440, height: 900 });
  await olive.page.goto(linkOf(s.links.resentNew));
  await portalSignUp(olive.page, newPerson("Olive Other"));
  const used = olive.page.getByTestId("invite-problem");
  await used.waitFor();
  expect(await used.textContent()).toBe("This invitation has already been used. Sign in with the account that accepted it to see the negotiation.");
  expect(await olive.page.getByTestId("accept-invitation").count()).toBe(0);
  expect(await olive.page.getByTestId("open-negotiation").count()).toBe(0);
  await expectAccessible(olive.page, "invitation (used by another account)");
  const oliveClient = await clientOf(olive.page);
  expect((await refusal(() => oliveClient.mutation(api.supplierPortal.acceptInvitation, { token: s.links.resentNew }))).code).toBe("CLOSED");
  expect(await oliveClient.query(api.supplierPortal.myNegotiationsList, {})).toEqual([]);
  expect((await refusal(() => oliveClient.query(api.supplierPortal.negotiation, { negotiationId: s.joined }))).code).toBe("FORBIDDEN");
  const invitations = await s.brand.query(api.supplierInvitations.listForQuote, { workspaceId: s.workspaceId, quoteId: s.quoteId });
  const accepted = invitations.filter((i) => i.state === "accepted");
  expect(accepted.map((i) => [i.negotiationId, i.contactName])).toEqual([[s.joined, s.samPerson.name]]);
  await olive.close();
  olive = undefined;

  // The brand's own people cannot answer for its supplier, even holding a good link.
  const fresh = await s.brand.mutation(api.supplierInvitations.create, { workspaceId: s.workspaceId, negotiationId: n0!._id, name: "Rita Revoked", email: newPerson("Rita").email });
  await brandPage.goto(linkOf(fresh.token));
  const member = brandPage.getByTestId("invite-problem");
  await member.waitFor();
  expect(await member.textContent()).toBe("You are a member of this brand's workspace, so you cannot answer for its supplier: sign in with the supplier's own account.");
  expect(await brandPage.getByTestId("accept-invitation").count()).toBe(0);
  expect((await refusal(() => s.brand.mutation(api.supplierPortal.acceptInvitation, { token: fresh.token }))).code).toBe("FORBIDDEN");
  expect((await s.brand.query(api.quotes.get, { workspaceId: s.workspaceId, quoteId: s.quoteId }))!.negotiations.find((n) => n._id === n0!._id)!.contactId).toBeUndefined();
});

test("the offer form refuses bad input with words at the field, and nothing is written", async () => {
  const page = sam!.page;
  await page.goto(`${s.web}/#/supplier/n/${s.joined}`);
  await page.getByTestId("offer-form").waitFor();
  const prices = page.getByTestId("offer-unit-price");
  expect(await prices.count()).toBe(s.lines.length);
  const [a, b] = s.lines as [(typeof s.lines)[0], (typeof s.lines)[0]];
  const good = { prices: [a.listPrice.toFixed(2), b.listPrice.toFixed(2)], lead: "20", pay: "30" };
  const cases: { what: string; prices?: string[]; lead?: string; pay?: string; field: string; words: string | RegExp }[] = [
    { what: "empty price", prices: ["", good.prices[1]!], field: "lines.0.unitPrice", words: `Enter your unit price for ${a.name}.` },
    { what: "zero price", prices: ["0", good.prices[1]!], field: "lines.0.unitPrice", words: `The unit price for ${a.name} must be more than zero.` },
    { what: "negative price", prices: ["-5", good.prices[1]!], field: "lines.0.unitPrice", words: `The unit price for ${a.name} must be more than zero.` },
    { what: "letters for a price (second line)", prices: [good.prices[0]!, "twelve"], field: "lines.1.unitPrice", words: `Enter the unit price for ${b.name} as a number, like 12.50.` },
    { what: "lead time 0", lead: "0", field: "leadTimeDays", words: "The lead time must be between 1 and 365 days." },
    { what: "lead time 1.5", lead: "1.5", field: "leadTimeDays", words: "Enter the lead time as a whole number of days, like 30." },
    { what: "payment terms over 180", pay: "181", field: "paymentTermsDays", words: "The payment terms must be between 0 and 180 days." },
    // Passes the form's check, refused by the server (it rounds to cents): its words, at the field.
    { what: "a price that rounds to nothing", prices: ["0.001", good.prices[1]!], field: "lines.0.unitPrice", words: "Unit price must be greater than 0" },
  ];
  for (const c of cases) {
    const values = c.prices ?? good.prices;
    for (const [i, value] of values.entries()) await prices.nth(i).fill(value);
    await page.getByTestId("offer-lead-time").fill(c.lead ?? good.lead);
    await page.getByTestId("offer-payment-terms").fill(c.pay ?? good.pay);
    await page.getByTestId("offer-submit").click();
    const error = page.locator(`[data-testid=field-error][data-field="${c.field}"]`);
    await error.waitFor();
    const text = (await error.textContent()) ?? "";
    if (typeof c.words === "string") expect(text, c.what).toBe(c.words);
    else expect(text, c.what).toMatch(c.words);
    expect(await page.getByTestId("field-error").count(), `${c.what}: one error, at its field`).toBe(1);
    // The error belongs to its input, and focus goes there.
    const input = page.locator(`[aria-describedby~="${(await error.getAttribute("id"))!}"]`);
    expect(await input.getAttribute("aria-invalid"), c.what).toBe("true");
    await expect.poll(() => input.evaluate((el) => el === document.activeElement), { message: c.what }).toBe(true);
    expect(await offersOnJoined(), c.what).toEqual([]);
  }
  await page.getByTestId("offer-lead-time").fill("0");
  await page.getByTestId("offer-payment-terms").fill("200");
  await prices.first().fill("");
  await page.getByTestId("offer-submit").click();
  await expect.poll(() => page.getByTestId("field-error").count()).toBe(3);
  await expectAccessible(page, "offer form (field errors)");

  // A script skipping the form is refused the same way, at the same fields.
  type Attempt = Partial<{ lines: { sku: string; unitPrice: number }[]; leadTimeDays: number; paymentTermsDays: number }>;
  const lines = (p0: number, p1: number) => [{ sku: a.sku, unitPrice: p0 }, { sku: b.sku, unitPrice: p1 }];
  const offer = (over: Attempt) =>
    refusal(() => s.samClient.mutation(api.supplierPortal.makeSupplierOffer, { negotiationId: s.joined, lines: lines(a.listPrice, b.listPrice), leadTimeDays: 20, paymentTermsDays: 30, ...over }));
  const attempts: [Attempt, string][] = [
    [{ lines: lines(0, b.listPrice) }, "lines[0].unitPrice"],
    [{ lines: lines(a.listPrice, -1) }, "lines[1].unitPrice"],
    [{ lines: lines(a.listPrice, 2_000_000) }, "lines[1].unitPrice"],
    [{ lines: [{ sku: a.sku, unitPrice: 1 }, { sku: a.sku, unitPrice: 1 }] }, "lines[0].unitPrice"],
    [{ leadTimeDays: 0 }, "leadTimeDays"],
    [{ leadTimeDays: 1.5 }, "leadTimeDays"],
    [{ paymentTermsDays: 181 }, "paymentTermsDays"],
    [{ paymentTermsDays: -1 }, "paymentTermsDays"],
  ];
  for (const [over, field] of attempts) {
    const found = await offer(over);
    expect([found.code, found.field], JSON.stringify(over)).toEqual(["INVALID_ARGUMENT", field]);
  }
  expect(await offersOnJoined()).toEqual([]);
  expect((await joinedView()).currentRound).toBe(0);
});

test("the brand's counter stands, the negotiations list, and declining: a reason first, then the brand sees it closed and counted", async () => {
  const page = sam!.page;
  const brandPage = stack.browser.page;
  await page.goto(`${s.web}/#/supplier/n/${s.joined}`);
  await page.getByTestId("offer-form").waitFor();
  // An opening above the brand's target and within its limit: the brand's agent counters.
  const prices = page.getByTestId("offer-unit-price");
  for (const [i, line] of s.lines.entries()) await prices.nth(i).fill((Math.round(line.listPrice * 1.04 * 100) / 100).toFixed(2));
  await page.getByTestId("offer-lead-time").fill("40");
  await page.getByTestId("offer-payment-terms").fill("20");
  await page.getByTestId("offer-submit").click();
  await expect.poll(async () => (await offersOnJoined()).length).toBe(1);
  await page.getByTestId("brand-offer").waitFor({ timeout: 120_000 });
  await page.getByTestId("offer-form").waitFor();
  // The form starts from Sam's own last offer.
  expect(await page.getByTestId("offer-lead-time").inputValue()).toBe("40");
  await expect.poll(async () => (await page.getByTestId("portal-status").getAttribute("data-label")) ?? "").toBe("Your turn");
  await expectAccessible(page, "negotiation (brand offer standing)");
  // Accepting asks first, in words; changing one's mind leaves everything as it was.
  await page.getByTestId("accept-brand-offer").click();
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain("final offer");
  await expectAccessible(page, "accept the brand's offer (confirm)");
  await dialog.getByTestId("confirm-no").click();
  await dialog.waitFor({ state: "detached" });
  expect((await joinedView()).status).toBe("active");
  expect((await offersOnJoined()).map((o) => o.status)).not.toContain("accepted");

  // A negotiation link with a mistyped id: the server answers as for anyone else's (it says nothing of what exists), and so does the page.
  await page.goto(`${s.web}/#/supplier/n/not-a-negotiation`);
  await page.getByTestId("portal-error").waitFor();
  expect(await page.getByTestId("portal-error").textContent()).toBe("This negotiation is not one you were invited to.");

  // Sam's negotiations: one row, this one, Sam's turn.
  await page.goto(`${s.web}/#/supplier`);
  const rows = page.getByTestId("supplier-negotiation-row");
  await expect.poll(() => rows.count()).toBe(1);
  expect(await rows.first().getAttribute("data-negotiation-id")).toBe(s.joined);
  expect(await rows.first().getAttribute("data-your-turn")).toBe("true");
  expect(await rows.first().textContent()).toContain(s.brandName);
  await expectAccessible(page, "your negotiations");

  // The brand watches its quote page and its bell.
  await brandPage.goto(`${s.web}/#/quotes/${s.quoteId}`);
  const panel = brandPage.locator(`[data-testid=negotiation][data-negotiation-id="${s.joined}"]`);
  await panel.waitFor();
  expect(await panel.getAttribute("data-status")).toBe("active");
  const bell = brandPage.getByTestId("notifications-button");
  const unreadBefore = (await s.brand.query(api.notifications.list, { workspaceId: s.workspaceId })).unread;
  expect(unreadBefore).toBeGreaterThan(0);
  await expect.poll(async () => Number(await bell.getAttribute("data-unread"))).toBe(unreadBefore);

  // Declining without a reason (or with only spaces) is refused in words; nothing changes.
  await page.goto(`${s.web}/#/supplier/n/${s.joined}`);
  await page.getByTestId("decline-open").click();
  const reason = page.getByTestId("decline-reason");
  await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
  for (const typed of ["", "   "]) {
    await reason.fill(typed);
    await page.getByTestId("decline-confirm").click();
    const error = page.locator("[data-testid=field-error][data-field=reason]");
    await error.waitFor();
    expect(await error.textContent()).toBe(`Say why you decline: ${s.brandName} reads it.`);
    expect(await reason.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
  }
  await expectAccessible(page, "decline form (no reason)");
  expect((await joinedView()).status).toBe("active");
  expect(Number(await bell.getAttribute("data-unread"))).toBe(unreadBefore);
  // The server wants a reason too.
  expect((await refusal(() => s.samClient.mutation(api.supplierPortal.decline, { negotiationId: s.joined, reason: "  " }))).field).toBe("reason");

  const why = "Our line is booked until spring, so we cannot meet these dates.";
  await reason.fill(why);
  await page.getByTestId("decline-confirm").click();
  await expect.poll(async () => (await page.getByTestId("portal-status").getAttribute("data-label")) ?? "").toBe("Declined");
  expect(await page.getByTestId("offer-form").count()).toBe(0);
  expect(await page.getByTestId("decline-open").count()).toBe(0);
  await page.locator("[data-testid=portal-message][data-sender=you]", { hasText: why }).waitFor();
  await page.goto(`${s.web}/#/supplier`);
  await expect.poll(() => rows.first().getAttribute("data-status")).toBe("rejected");
  expect(await rows.first().getAttribute("data-your-turn")).toBe("false");
  expect(await rows.first().getByTestId("row-status").textContent()).toBe("Ended");

  // The brand's page shows it closed, live, and the bell counts the decline.
  await brandPage.locator(`[data-testid=negotiation][data-negotiation-id="${s.joined}"][data-status=rejected]`).waitFor({ timeout: 30_000 });
  expect(await panel.getByTestId("negotiation-status").textContent()).toBe("Rejected");
  await expect.poll(async () => Number(await bell.getAttribute("data-unread"))).toBe(unreadBefore + 1);
  expect(await brandPage.getByTestId("notifications-count").textContent()).toBe(String(unreadBefore + 1));
  await bell.click();
  const declined = brandPage.locator("[data-testid=notification-item][data-kind=supplier_declined]");
  await declined.first().waitFor();
  expect(await declined.first().textContent()).toContain(why);
  await expect.poll(async () => Number(await bell.getAttribute("data-unread"))).toBe(0);
  await brandPage.keyboard.press("Escape");

  // The audit itself catches what it should: faint words, an unnamed input and a too-wide row, planted on the portal.
  await page.evaluate(() => {
    const planted = document.createElement("div");
    planted.innerHTML = '<p style="color:#c8c8c8;background:#fff">Faint words</p><input type="text"><div style="width:600px;height:4px"></div>';
    document.querySelector("main")!.append(planted);
  });
  const planted = await audit(page, "planted");
  expect(planted.some((f) => f.includes("color-contrast") && f.includes("375px light")), planted.join("\n")).toBe(true);
  expect(planted.some((f) => f.includes("] label: Form elements must have labels")), planted.join("\n")).toBe(true);
  expect(planted.some((f) => f.includes("375px: scrolls sideways")), planted.join("\n")).toBe(true);
});
