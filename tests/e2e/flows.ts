import type { Page } from "playwright-core";

export const FINAL_STATUSES = ["accepted", "rejected", "impasse", "expired", "failed"];

export interface QuoteInput {
  /** Index into the catalog picker's options (0 is the placeholder). */
  productOption?: number;
  quantity?: string;
  target?: string;
  max?: string;
  maxRounds?: string;
  seed?: string;
}

/** Fills the New quote form like a user would; does not submit. */
export async function fillQuoteForm(page: Page, input: QuoteInput = {}): Promise<void> {
  await page.getByTestId("product-picker").selectOption({ index: input.productOption ?? 1 });
  await page.getByTestId("add-line-item").click();
  await page.getByTestId("line-quantity").last().fill(input.quantity ?? "1000");
  if (input.target !== undefined) await page.getByTestId("line-target").last().fill(input.target);
  if (input.max !== undefined) await page.getByTestId("line-max").last().fill(input.max);
  await page.getByTestId("max-lead-time").fill("30");
  await page.getByTestId("min-payment-terms").fill("30");
  // Move a slider with the keyboard: the others rescale.
  await page.getByTestId("priority-price").focus();
  await page.keyboard.press("ArrowRight");
  if (input.maxRounds !== undefined || input.seed !== undefined) {
    await page.locator("details.advanced > summary").click();
    if (input.maxRounds !== undefined) await page.getByTestId("max-rounds").fill(input.maxRounds);
    if (input.seed !== undefined) await page.getByTestId("seed").fill(input.seed);
  }
}

/** Requests a quote through the form and returns its id from the detail page's URL. */
export async function requestQuote(page: Page, webUrl: string, input: QuoteInput = {}): Promise<string> {
  await page.goto(`${webUrl}/#/new`);
  await fillQuoteForm(page, input);
  await page.getByTestId("submit-quote").click();
  await page.getByTestId("quote-detail").waitFor();
  const match = /#\/quotes\/([^?]+)/.exec(page.url());
  if (!match) throw new Error(`not on a quote page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** Waits until every negotiation on the page shows a final status. */
export async function waitForFinalStatuses(page: Page, timeout = 200_000): Promise<string[]> {
  await page.waitForFunction(
    (finals) => {
      const panels = [...document.querySelectorAll<HTMLElement>("[data-testid=negotiation]")];
      return panels.length === 3 && panels.every((p) => finals.includes(p.dataset.status ?? ""));
    },
    FINAL_STATUSES,
    { timeout, polling: 100 },
  );
  return await page.locator("[data-testid=negotiation]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status ?? ""));
}

/** A full-page screenshot from the top, so the sticky header sits where it belongs. */
export async function screenshot(page: Page, path: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
}
