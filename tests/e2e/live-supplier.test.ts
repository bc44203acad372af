import { copyFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { openBrowser, type Browser } from "./browser";
import { fillQuoteForm, newPerson, screenshot, signUp, type Person } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";
import { ConvexHttpClient } from "convex/browser";

// A real negotiation with a real supplier, on two screens: the brand's
// dashboard in one browser, the supplier portal in another (its own storage,
// its own account). One live supplier and two simulated ones on one quote; a
// second live supplier on another quote sees nothing of the first.

let stack: Stack;
let supplierBrowser: Browser | undefined;
let otherBrowser: Browser | undefined;

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 80 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    for (const [name, b] of [["brand", stack?.browser], ["supplier", supplierBrowser], ["other", otherBrowser]] as const) {
      await b?.page.screenshot({ path: join(RESULTS_DIR, `live-supplier-${name}-failure.png`), fullPage: true }).catch(() => undefined);
      if (b) console.log([`${name} browser errors:`, ...b.errors].join("\n"));
    }
    console.log(["stack log:", ...stack.log.slice(-60)].join("\n"));
  }
  await supplierBrowser?.close().catch(() => undefined);
  await otherBrowser?.close().catch(() => undefined);
  supplierBrowser = otherBrowser = undefined;
  await stack?.stop();
});

/** Requests a quote on which the first supplier of the form is live; returns the quote page's live negotiation panel and its id. */
async function requestLiveQuote(page: Page, webUrl: string, liveIndex = 0) {
  await page.goto(`${webUrl}/#/new`);
  await fillQuoteForm(page, { quantity: "1000", maxRounds: "6", seed: "11" });
  const live = page.getByTestId("live-supplier").nth(liveIndex);
  const supplierName = (await live.getAttribute("data-supplier-name")) ?? "";
  await live.check();
  await page.getByTestId("submit-quote").click();
  await page.getByTestId("quote-detail").waitFor();
  const panel = page.locator("[data-testid=negotiation]", { has: page.getByTestId("live-badge") });
  await panel.waitFor();
  expect(await page.getByTestId("negotiation").count()).toBe(3);
  const negotiationId = (await panel.getAttribute("data-negotiation-id"))!;
  return { panel, negotiationId, supplierName };
}

/** Invites a person on the live panel and returns the link the dashboard shows. */
async function invite(panel: Locator, contact: { name: string; email: string }): Promise<string> {
  await panel.getByTestId("invite-name").fill(contact.name);
  await panel.getByTestId("invite-email").fill(contact.email);
  await panel.getByTestId("invite-submit").click();
  const link = panel.getByTestId("invite-link");
  await link.waitFor();
  const value = await link.inputValue();
  expect(value).toMatch(/#\/supplier\/invite\/[A-Za-z0-9_-]{20,}$/);
  return value;
}

/** Opens the link in the supplier's own browser, creates their account there and joins the negotiation. */
async function joinAsSupplier(page: Page, link: string, person: Person): Promise<void> {
  await page.goto(link);
  await page.getByTestId("tab-sign-up").click();
  await page.getByTestId("auth-name").fill(person.name);
  await page.getByTestId("auth-email").fill(person.email);
  await page.getByTestId("auth-password").fill(person.password);
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("accept-invitation").click();
  await page.getByTestId("portal-request").waitFor();
}

const tokenOf = (page: Page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("__convexAuthJWT_"));
    return key ? localStorage.getItem(key) : null;
  });

test("invite a live supplier, talk and type on both screens, counter, accept and award; another supplier sees none of it", async () => {
  const brand = stack.browser.page;
  const { webUrl, convexUrl } = stack.parley;
  await signUp(brand, webUrl, newPerson("Bea Brand", "Live Goods"));
  const { panel, negotiationId, supplierName } = await requestLiveQuote(brand, webUrl);
  const contact = newPerson("Sam Supplier");
  const link = await invite(panel, { name: contact.name, email: contact.email });
  await expect.poll(async () => (await panel.getByTestId("invite-state").textContent()) ?? "").toContain(contact.name);

  supplierBrowser = await openBrowser();
  const supplier = supplierBrowser.page;
  await joinAsSupplier(supplier, link, contact);
  // The request, in the supplier's words: the line and its quantity, the deadline; nothing of the brand's limits.
  const request = supplier.getByTestId("portal-request");
  expect(await supplier.getByTestId("portal-line").count()).toBe(1);
  expect(await request.textContent()).toContain("1,000");
  await supplier.getByTestId("portal-deadline").waitFor();
  expect((await supplier.locator("body").textContent())?.toLowerCase()).not.toMatch(/target|guardrail|maximum price|priorit/);
  await expect.poll(async () => (await panel.getByTestId("invite-state").textContent()) ?? "").toMatch(/joined/i);
  // Each screen shows that the other side has the negotiation open (presence, convex/model/presence.ts).
  await panel.getByTestId("viewing-indicator").waitFor({ timeout: 15_000 });
  await supplier.getByTestId("portal-brand-viewing").waitFor({ timeout: 15_000 });

  // Typing shows on the other screen, live, and the message arrives.
  await supplier.getByTestId("portal-message-input").pressSequentially("Hello from the factory floor", { delay: 30 });
  await panel.getByTestId("typing-indicator").waitFor({ timeout: 15_000 });
  await supplier.getByTestId("portal-send").click();
  await panel.locator("[data-testid=message]", { hasText: "Hello from the factory floor" }).waitFor();
  await panel.getByTestId("typing-indicator").waitFor({ state: "detached", timeout: 15_000 });

  // The brand's person takes over, types and writes back; the supplier sees both, then "seen" under its own message.
  await panel.getByTestId("take-over").click();
  await panel.getByTestId("send-message-input").pressSequentially("Thanks, we look forward to your offer", { delay: 30 });
  await supplier.getByTestId("portal-typing").waitFor({ timeout: 15_000 });
  await panel.getByTestId("send-message").click();
  await supplier.locator("[data-testid=portal-message][data-sender=brand]", { hasText: "look forward to your offer" }).waitFor();
  await supplier.getByTestId("portal-seen").waitFor({ timeout: 15_000 });
  await panel.getByTestId("resume").click();
  await panel.locator("[data-testid=message]", { hasText: "back in charge" }).waitFor();
  // Who speaks for the brand, a person or its agent, and when it changes hands, is the brand's own business.
  expect(await supplier.getByTestId("portal-messages").textContent()).not.toMatch(/took over|back in charge|AI negotiator/);

  // The supplier offers from the form; Parley's agent counters on its own, live on the supplier's screen.
  const prices = supplier.getByTestId("offer-unit-price");
  expect(await prices.count()).toBe(1);
  await supplier.getByTestId("offer-lead-time").fill("0");
  await supplier.getByTestId("offer-submit").click();
  await supplier.getByTestId("field-error").first().waitFor();
  const listPrice = await listPriceOfFirstLine(brand, convexUrl, negotiationId);
  await prices.first().fill((listPrice * 1.1).toFixed(2));
  await supplier.getByTestId("offer-lead-time").fill("20");
  await supplier.getByTestId("offer-payment-terms").fill("30");
  await supplier.getByTestId("offer-submit").click();
  await supplier.getByTestId("brand-offer").waitFor({ timeout: 90_000 });
  await screenshot(supplier, join(RESULTS_DIR, "supplier-portal.png"));
  // The README's screenshot of the portal: written when missing, refreshed on request (as quote-flow.test.ts does).
  const readmeShot = resolve("docs", "screenshots", "supplier-portal.png");
  if (!existsSync(readmeShot) || process.env.PARLEY_UPDATE_SCREENSHOTS === "1") copyFileSync(join(RESULTS_DIR, "supplier-portal.png"), readmeShot);

  // The supplier accepts the counter: a final offer, held until the award.
  await supplier.getByTestId("accept-brand-offer").click();
  await supplier.locator("dialog[open]").getByTestId("confirm-yes").click();
  await brand.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"][data-status=accepted]`).waitFor({ timeout: 60_000 });

  // Every negotiation done, the brand is told, awards the live supplier's final offer, and the supplier sees the award and its purchase order.
  await brand.getByTestId("recommendation").waitFor({ timeout: 180_000 });
  expect((await brand.getByTestId("recommended-supplier").textContent())?.trim()).toBe(supplierName);
  await brand.getByTestId("accept-recommendation").click();
  await brand.locator("dialog[open]").getByTestId("confirm-yes").click();
  await brand.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await supplier.getByTestId("portal-award").waitFor({ timeout: 30_000 });
  await supplier.getByTestId("portal-po").waitFor();
  expect(await supplier.getByTestId("portal-po").textContent()).toMatch(/PO-\d{4}/);
  // The supplier downloads the same purchase order PDF the brand does.
  const [download] = await Promise.all([supplier.waitForEvent("download"), supplier.getByTestId("portal-po-pdf").click()]);
  expect(download.suggestedFilename()).toMatch(/^PO-\d{4}\.pdf$/);
  await brand.getByTestId("notifications-button").click();
  await expect.poll(() => brand.getByTestId("notification-item").count()).toBeGreaterThan(0);

  // A second quote with another live supplier and another person: they see only their own negotiation.
  await brand.keyboard.press("Escape");
  const second = await requestLiveQuote(brand, webUrl, 1);
  // The brand's page has left the first negotiation: its supplier no longer sees anyone at the brand viewing it.
  await supplier.getByTestId("portal-brand-viewing").waitFor({ state: "detached", timeout: 15_000 });
  const stranger = newPerson("Olive Other");
  const otherLink = await invite(second.panel, { name: stranger.name, email: stranger.email });
  otherBrowser = await openBrowser();
  const other = otherBrowser.page;
  await joinAsSupplier(other, otherLink, stranger);
  await other.goto(`${webUrl}/#/supplier`);
  await expect.poll(() => other.getByTestId("supplier-negotiation-row").count()).toBe(1);
  await other.goto(`${webUrl}/#/supplier/n/${negotiationId}`);
  await expect.poll(async () => (await other.locator("body").textContent()) ?? "").toContain("not one you were invited to");
  expect(await other.locator("body").textContent()).not.toContain("Hello from the factory floor");
  // And the server agrees, for every supplier query on the first negotiation.
  const client = new ConvexHttpClient(convexUrl);
  client.setAuth((await tokenOf(other))!);
  for (const call of [
    () => client.query(api.supplierPortal.negotiation, { negotiationId }),
    () => client.query(api.supplierPortal.messages, { negotiationId, paginationOpts: { numItems: 10, cursor: null } }),
    () => client.mutation(api.supplierPortal.sendMessage, { negotiationId, content: "let me in" }),
  ]) {
    await expect(call()).rejects.toThrow(/not one you were invited to/);
  }
});

/** The catalog list price of the quote's first line, read as the brand (the supplier's screen never shows it). */
async function listPriceOfFirstLine(brand: Page, convexUrl: string, negotiationId: string): Promise<number> {
  const client = new ConvexHttpClient(convexUrl);
  client.setAuth((await tokenOf(brand))!);
  const workspaceId = (await brand.getByTestId("app").getAttribute("data-workspace-id"))!;
  const quoteId = /#\/quotes\/([^?]+)/.exec(brand.url())![1]!;
  const detail = await client.query(api.quotes.get, { workspaceId: workspaceId as never, quoteId: decodeURIComponent(quoteId) as never });
  expect(detail?.negotiations.some((n) => n._id === negotiationId)).toBe(true);
  return detail!.quote.lineItems[0]!.listPrice;
}
