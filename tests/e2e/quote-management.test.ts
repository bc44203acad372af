import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { backendAs, fillQuoteForm, newPerson, screenshot, signUp, type QuoteInput } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// Quote management in a real browser: duplicate (the form filled from a
// quote), re-run (a new quote under a new seed that negotiates), and the
// list's search, held in the URL. One stack and one brand user for the file.

let stack: Stack;

beforeAll(async () => {
  stack = await bootStack({ tokensPerSec: 400 });
  await signUp(stack.browser.page, stack.parley.webUrl, newPerson("Mina Buyer", "Quote Management Co"));
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page
      .screenshot({ path: join(RESULTS_DIR, `quote-management-${context.task.name.split(" ")[0]}-failure.png`), fullPage: true })
      .catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
});

afterAll(async () => {
  await stack?.stop();
});

interface TitledQuote extends QuoteInput {
  title: string;
  deliveryAddress?: string;
  incoterms?: string;
}

/** Requests a quote with a title (and a delivery, if given) through the form; returns its id. */
async function requestTitled(page: Page, input: TitledQuote): Promise<string> {
  await page.goto(`${stack.parley.webUrl}/#/new`);
  await page.getByTestId("quote-title-input").fill(input.title);
  await fillQuoteForm(page, input);
  if (input.deliveryAddress !== undefined) await page.getByTestId("delivery-address").fill(input.deliveryAddress);
  if (input.incoterms !== undefined) await page.getByTestId("incoterms").selectOption(input.incoterms);
  await page.getByTestId("submit-quote").click();
  return await quoteOnScreen(page);
}

/** The id of the quote whose page is open, once it is. */
async function quoteOnScreen(page: Page, not?: string): Promise<string> {
  await page.waitForFunction((old) => {
    const match = /#\/quotes\/([^/?]+)$/.exec(window.location.hash);
    return match !== null && decodeURIComponent(match[1]) !== old && document.querySelector("[data-testid=quote-detail]") !== null;
  }, not ?? null);
  return decodeURIComponent(/#\/quotes\/([^/?]+)$/.exec(new URL(page.url()).hash)![1]);
}

async function quoteOf(page: Page, quoteId: string) {
  const backend = await backendAs(page, stack.parley.convexUrl);
  const detail = await backend.client.query(api.quotes.get, { workspaceId: backend.workspaceId, quoteId });
  if (!detail) throw new Error(`no quote ${quoteId}`);
  return detail.quote;
}

const lines = (quote: { lineItems: { sku: string; quantity: number; targetUnitPrice: number; maxUnitPrice: number }[] }) =>
  quote.lineItems.map(({ sku, quantity, targetUnitPrice, maxUnitPrice }) => ({ sku, quantity, targetUnitPrice, maxUnitPrice }));

test("duplicate opens the form filled from the quote; submitted, the copy has the same lines", async () => {
  const { page } = stack.browser;
  const originalId = await requestTitled(page, {
    title: "Spring restock",
    quantity: "1200",
    secondProductOption: 4,
    maxRounds: "4",
    seed: "3",
    deliveryAddress: "Acme Goods, Dock 4\n12 Harbour Rd",
    incoterms: "DAP",
  });
  expect(await page.locator("#quote-title").textContent()).toBe("Spring restock");
  await expect.poll(() => page.getByTestId("quote-reference").first().textContent()).toMatch(/^Q-\d{4}$/);
  await page.locator("details.quote-summary > summary").click();
  expect(await page.getByTestId("quote-delivery-address").textContent()).toBe("Acme Goods, Dock 4\n12 Harbour Rd");
  expect(await page.getByTestId("quote-incoterms").textContent()).toBe("DAP — Delivered at Place");

  await page.getByTestId("duplicate-quote").click();
  await page.locator("[data-testid=quote-form-screen][data-mode=duplicate]").waitFor();
  expect(new URL(page.url()).hash).toBe(`#/new?from=${originalId}`);
  expect(await page.getByTestId("quote-title-input").inputValue()).toBe("Spring restock (copy)");
  expect(await page.getByTestId("line-item").count()).toBe(2);
  expect(await page.getByTestId("line-quantity").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(["1200", "1200"]);
  expect(await page.getByTestId("max-rounds").inputValue()).toBe("4");
  expect(await page.getByTestId("seed").inputValue(), "a copy gets a new seed").toBe("");
  expect(await page.getByTestId("delivery-address").inputValue()).toBe("Acme Goods, Dock 4\n12 Harbour Rd");
  expect(await page.getByTestId("incoterms").inputValue()).toBe("DAP");
  await screenshot(page, join(RESULTS_DIR, "quote-duplicate-form.png"));

  // The buyer edits the copy before asking.
  await page.getByTestId("line-quantity").first().fill("1500");
  await page.getByTestId("submit-quote").click();
  const copyId = await quoteOnScreen(page, originalId);
  expect(copyId).not.toBe(originalId);
  expect(await page.locator("#quote-title").textContent()).toBe("Spring restock (copy)");

  const [original, copy] = [await quoteOf(page, originalId), await quoteOf(page, copyId)];
  expect(lines(copy)).toEqual(lines(original).map((line, i) => (i === 0 ? { ...line, quantity: 1500 } : line)));
  expect(copy).toMatchObject({ maxRounds: 4, deliveryAddress: original.deliveryAddress, incoterms: "DAP", number: original.number! + 1 });
});

test("re-run requests the same quote at once under a new seed, which negotiates", async () => {
  const { page } = stack.browser;
  const originalId = await requestTitled(page, { title: "Re-run me", quantity: "800", maxRounds: "3", seed: "5" });
  await page.getByTestId("rerun-quote").click();
  const rerunId = await quoteOnScreen(page, originalId);
  expect(await page.locator("#quote-title").textContent()).toBe("Re-run me");
  const [original, rerun] = [await quoteOf(page, originalId), await quoteOf(page, rerunId)];
  expect(rerun.seed).not.toBe(original.seed);
  expect(lines(rerun)).toEqual(lines(original));
  expect(rerun).toMatchObject({ maxRounds: 3, guardrails: original.guardrails, priorities: original.priorities });
  // It negotiates: the worker claims it and the suppliers' messages stream in.
  await page.locator("[data-testid=quote-detail]:not([data-status=queued])").waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId("message").count(), { timeout: 60_000 }).toBeGreaterThan(0);
  // Once claimed, there is nothing to edit.
  expect(await page.getByTestId("edit-quote").count()).toBe(0);
  await screenshot(page, join(RESULTS_DIR, "quote-rerun.png"));
});

test("search finds one of two quotes by title; the URL holds the query and the sort", async () => {
  const { page } = stack.browser;
  const harbour = await requestTitled(page, { title: "Harbour tape order", quantity: "600" });
  const coffee = await requestTitled(page, { title: "Office coffee beans", quantity: "300", productOption: 12 });
  await page.goto(`${stack.parley.webUrl}/#/quotes`);
  await page.locator(`[data-testid=quote-row][data-quote-id="${coffee}"]`).waitFor();
  await screenshot(page, join(RESULTS_DIR, "quotes-list-titled.png"));

  await page.getByTestId("quote-search").fill("harbour");
  await page.getByTestId("quote-search").press("Enter");
  await expect.poll(() => new URL(page.url()).hash).toBe("#/quotes?q=harbour");
  await expect.poll(() => page.getByTestId("quote-row").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.quoteId))).toEqual([harbour]);
  expect(await page.getByTestId("quote-link").textContent()).toBe("Harbour tape order");

  // The URL is the state: a reload searches again, and the sort joins the query.
  await page.reload();
  await page.locator(`[data-testid=quote-row][data-quote-id="${harbour}"]`).waitFor();
  expect(await page.getByTestId("quote-search").inputValue()).toBe("harbour");
  expect(await page.getByTestId("quote-row").count()).toBe(1);
  await page.getByTestId("sort-quotes").selectOption("oldest");
  await expect.poll(() => new URL(page.url()).hash).toBe("#/quotes?q=harbour&sort=oldest");
  await page.locator(`[data-testid=quote-row][data-quote-id="${harbour}"]`).waitFor();

  // Nothing found says what was searched.
  await page.getByTestId("quote-search").fill("no such thing");
  await page.getByTestId("quote-search-submit").click();
  const empty = page.getByTestId("quotes-empty");
  await empty.waitFor();
  expect(await empty.textContent()).toContain("No quotes match “no such thing”.");
  expect(new URL(page.url()).hash).toBe("#/quotes?q=no%20such%20thing&sort=oldest");
  await screenshot(page, join(RESULTS_DIR, "quotes-search-empty.png"));
  await page.getByTestId("clear-search").click();
  await expect.poll(() => new URL(page.url()).hash).toBe("#/quotes?sort=oldest");
  await page.locator(`[data-testid=quote-row][data-quote-id="${coffee}"]`).waitFor();

  // Back in history is the earlier search.
  await page.goBack();
  await expect.poll(() => page.getByTestId("quote-search").inputValue()).toBe("no such thing");
  await page.getByTestId("quotes-empty").waitFor();
});
