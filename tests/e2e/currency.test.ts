import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Download, Page } from "playwright-core";
import { extractText } from "unpdf";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { backendAs, fillSignUp, newPerson, requestQuote, screenshot, waitForFinalStatuses } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// A workspace in euros, chosen at sign-up: the quote page, the negotiation's
// messages, the award and the purchase order (panel, PDF, CSV) state € amounts
// and never "$"; changing the workspace's currency later leaves the quote in euros.

let stack: Stack;

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 200 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "currency-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = (await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), click()])) as [Download, void];
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

const EURO = new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" });
const visibleText = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => (el as HTMLElement).innerText);
/** Everything the element holds, the collapsed line items and timeline and the chart's titles included. */
const allText = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => el.textContent ?? "");

test("a workspace in EUR: quote, messages, award and purchase order in euros, never dollars", async () => {
  const { page } = stack.browser;
  await page.goto(`${stack.parley.webUrl}/#/quotes`);
  await fillSignUp(page, newPerson("Elena Einkauf", "Euro Goods"));
  await page.getByTestId("auth-currency").selectOption("EUR");
  await screenshot(page, join(RESULTS_DIR, "currency-sign-up.png"));
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("page-notice").waitFor({ timeout: 15_000 });

  // The Members screen names the currency; the owner may change it.
  await page.getByTestId("nav-members").click();
  await page.locator("[data-testid=currency-value][data-currency=EUR]").waitFor();
  expect(await page.getByTestId("workspace-currency").inputValue()).toBe("EUR");

  // The new-quote form asks for prices in euros.
  await page.goto(`${stack.parley.webUrl}/#/new`);
  await page.getByTestId("product-picker").waitFor();
  expect(await page.getByTestId("product-picker").evaluate((el) => (el as HTMLElement).innerText)).toContain("€");

  const quoteId = await requestQuote(page, stack.parley.webUrl, { quantity: "1200", secondProductOption: 4, maxRounds: "6", seed: "7" });
  await waitForFinalStatuses(page);
  await page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId("comparison-row").count()).toBe(3);

  const backend = await backendAs(page, stack.parley.convexUrl);
  const detail = (await backend.client.query(api.quotes.get, { workspaceId: backend.workspaceId, quoteId: quoteId as Id<"quotes"> }))!;
  expect(detail.quote.currency).toBe("EUR");

  // The messages the negotiation wrote, the offer cards, the comparison and the recommendation: euros only.
  const messages = await page.getByTestId("message-content").allInnerTexts();
  expect(messages.length).toBeGreaterThan(3);
  expect(messages.some((m) => /€\d{1,3}(,\d{3})*\.\d{2}/.test(m)), messages.join("\n")).toBe(true);
  for (const message of messages) expect(message).not.toContain("$");
  expect(await page.getByTestId("offer-card").first().innerText()).toContain("€");
  expect(await visibleText(page, "recommendation")).toContain("€");
  expect(await visibleText(page, "comparison-table")).toContain("€");
  expect(await page.getByTestId("quote-currency").textContent()).toBe("EUR (Euro)");
  await page.locator("details.quote-summary > summary").click();
  const quotePage = await allText(page, "quote-detail");
  expect(quotePage).toContain("€");
  expect(quotePage).not.toContain("$");
  await screenshot(page, join(RESULTS_DIR, "currency-quote.png"));

  // Award: the banner, the purchase order panel, its PDF and CSV.
  await page.getByTestId("accept-recommendation").click();
  expect(await page.locator("dialog[open]").innerText()).not.toContain("$");
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  const panel = page.getByTestId("purchase-order");
  await panel.waitFor();
  const po = (await backend.client.query(api.purchaseOrders.forQuote, { workspaceId: backend.workspaceId, quoteId: quoteId as Id<"quotes"> }))!;
  const total = (await panel.getByTestId("po-total").textContent())!.trim();
  expect(total).toBe(EURO.format(po.total));
  expect(await panel.getByTestId("po-currency").innerText()).toContain("EUR (Euro)");
  expect(await page.getByTestId("award-banner").innerText()).toContain("€");
  await page.getByTestId("quote-timeline-toggle").click();
  await page.getByTestId("timeline-entries").waitFor();
  const timeline = await page.getByTestId("timeline-entries").innerText();
  expect(timeline).toMatch(/awarded the quote to .+ for €[\d,]+\.\d{2}/);
  expect(timeline).toContain("€");
  const awarded = await allText(page, "quote-detail");
  expect(awarded).not.toContain("$");

  const pdf = await downloaded(page, () => panel.getByTestId("po-download-pdf").click());
  const { text } = await extractText(new Uint8Array(pdf.bytes), { mergePages: true });
  expect(text).toContain(total);
  expect(text).toContain("EUR (Euro)");
  expect(text).not.toContain("$");

  const csv = await downloaded(page, () => panel.getByTestId("po-download-csv").click());
  const rows = csv.bytes.toString("utf8").trim().split("\r\n");
  expect(rows[0]).toContain(",Line total,Order total,Currency,");
  expect(rows.length).toBeGreaterThan(1);
  // Product names may be quoted: the order total and the currency follow each other on every line.
  for (const row of rows.slice(1)) expect(row).toContain(`,${po.total},EUR,`);

  // The owner changes the workspace to pounds: the quote keeps its euros.
  await page.getByTestId("nav-members").click();
  await page.getByTestId("workspace-currency").selectOption("GBP");
  await page.getByTestId("save-currency").click();
  await page.locator("[data-testid=currency-value][data-currency=GBP]").waitFor();
  await screenshot(page, join(RESULTS_DIR, "currency-members.png"));
  await page.goto(`${stack.parley.webUrl}/#/quotes/${quoteId}`);
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await panel.waitFor();
  expect((await panel.getByTestId("po-total").textContent())!.trim()).toBe(total);
  const after = await allText(page, "quote-detail");
  expect(after).toContain("€");
  expect(after).not.toContain("£");
  expect(after).not.toContain("$");
  // The quotes list shows the quote in euros too.
  await page.getByTestId("nav-quotes").click();
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"]`).waitFor();
});
