import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { newPerson, requestQuote, screenshot, signUp } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

let stack: Stack;

beforeEach(async () => {
  // Paced like take-over.test.ts: there must be time to take over mid-negotiation.
  stack = await bootStack({ tokensPerSec: 15 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "layout-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

/** Every input and label of the counter-offer form lies inside its negotiation panel, and no label is cut off. */
async function expectFormFitsPanel(panel: Locator): Promise<void> {
  const report = await panel.evaluate((root) => {
    const box = root.getBoundingClientRect();
    const form = root.querySelector("[data-testid=counter-form]")!;
    const out: string[] = [];
    const within = (r: DOMRect) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
    for (const el of form.querySelectorAll<HTMLElement>("input, textarea, button")) {
      const r = el.getBoundingClientRect();
      if (!within(r)) out.push(`${el.dataset.testid ?? el.tagName} ${r.left}-${r.right} outside ${box.left}-${box.right}`);
    }
    for (const label of form.querySelectorAll<HTMLLabelElement>("label")) {
      const r = label.getBoundingClientRect();
      if (!within(r)) out.push(`label "${label.textContent}" outside the panel`);
      if (label.scrollWidth > label.clientWidth + 1) out.push(`label "${label.textContent}" clipped`);
      // Above its input: the control starts below the label's bottom.
      const control = document.getElementById(label.htmlFor);
      if (control && control.getBoundingClientRect().top < r.bottom - 0.5) out.push(`label "${label.textContent}" not above its input`);
    }
    return { out, inputs: form.querySelectorAll("input").length };
  });
  expect(report.inputs).toBeGreaterThanOrEqual(3);
  expect(report.out).toEqual([]);
}

type Rgb = [number, number, number, number];
const parseRgb = (css: string): Rgb => {
  const parts = (css.match(/[\d.]+/g) ?? []).map(Number);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
};
const luminance = ([r, g, b]: Rgb): number => {
  const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const contrast = (a: Rgb, b: Rgb): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

test("the quotes list and the take-over form fit a phone and a wide screen, in light and dark", async () => {
  const { page } = stack.browser;
  const webUrl = stack.parley.webUrl;
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, webUrl, newPerson("Lena Layout", "Layout Co"));
  const quoteId = await requestQuote(page, webUrl, { quantity: "1200", maxRounds: "6", seed: "7" });
  const detailUrl = page.url();

  // 1440 px: take over one negotiation (as in take-over.test.ts) until the counter-offer form opens.
  const active = page.locator("[data-testid=negotiation][data-status=active]").first();
  await active.waitFor();
  const negotiationId = await active.getAttribute("data-negotiation-id");
  const mine = page.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"]`);
  await mine.getByTestId("take-over").click();
  await mine.getByTestId("takeover-panel").waitFor();
  await mine.getByTestId("send-message-input").fill("What is your best price for the full volume?");
  await mine.getByTestId("send-message").click();
  const form = mine.getByTestId("counter-form");
  await form.waitFor({ timeout: 120_000 });
  await form.getByTestId("suggestion-probability").waitFor();
  await expectFormFitsPanel(mine);
  expect(await horizontalOverflow(page).then((o) => o.scrollWidth <= o.innerWidth)).toBe(true);
  await screenshot(page, join(RESULTS_DIR, "layout-detail-1440-light.png"));

  // 375 px: the detail page (take-over form still open) and the quotes list scroll only vertically.
  await page.setViewportSize({ width: 375, height: 800 });
  await form.waitFor();
  const detailOverflow = await horizontalOverflow(page);
  expect(detailOverflow.scrollWidth).toBeLessThanOrEqual(detailOverflow.innerWidth);
  await expectFormFitsPanel(mine);
  await screenshot(page, join(RESULTS_DIR, "layout-detail-375-light.png"));

  await page.goto(`${webUrl}/#/quotes`);
  const row = page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"]`);
  await row.waitFor();
  const listOverflow = await horizontalOverflow(page);
  expect(listOverflow.scrollWidth).toBeLessThanOrEqual(listOverflow.innerWidth);
  for (const testId of ["quote-best-offer", "quote-unread"]) {
    const cell = row.getByTestId(testId);
    expect(await cell.isVisible()).toBe(true);
    const box = (await cell.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    // The stacked card names each cell, since the header row is hidden.
    const label = await cell.evaluate((el) => getComputedStyle(el, "::before").content);
    expect(label).toMatch(/Best current offer|Unread/);
  }
  await screenshot(page, join(RESULTS_DIR, "layout-quotes-375-light.png"));

  // Dark mode: a dark body and readable main text, from the computed colours.
  await page.emulateMedia({ colorScheme: "dark" });
  const colours = async () =>
    await page.evaluate(() => {
      const body = getComputedStyle(document.body);
      const muted = document.querySelector(".muted");
      return { bg: body.backgroundColor, text: body.color, muted: muted ? getComputedStyle(muted).color : body.color };
    });
  const dark = await colours();
  const bg = parseRgb(dark.bg);
  expect(bg[3]).toBe(1);
  expect(luminance(bg)).toBeLessThan(0.2);
  expect(contrast(parseRgb(dark.text), bg)).toBeGreaterThanOrEqual(4.5);
  expect(contrast(parseRgb(dark.muted), bg)).toBeGreaterThanOrEqual(4.5);
  await screenshot(page, join(RESULTS_DIR, "layout-quotes-375-dark.png"));

  await page.goto(detailUrl);
  await page.getByTestId("quote-detail").waitFor();
  await screenshot(page, join(RESULTS_DIR, "layout-detail-375-dark.png"));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId("negotiations").waitFor();
  const wide = await colours();
  expect(luminance(parseRgb(wide.bg))).toBeLessThan(0.2);
  expect(contrast(parseRgb(wide.text), parseRgb(wide.bg))).toBeGreaterThanOrEqual(4.5);
  await screenshot(page, join(RESULTS_DIR, "layout-detail-1440-dark.png"));

  // And back to light: the same page is light again.
  await page.emulateMedia({ colorScheme: "light" });
  expect(luminance(parseRgb((await colours()).bg))).toBeGreaterThan(0.8);
});
