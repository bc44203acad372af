import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { newPerson, requestQuote, screenshot, signOut, signUp, waitForFinalStatuses } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// The audit trail and the insights a buyer uses, in a real browser: the quote's
// timeline names the person who took over; the insights follow a date range;
// an owner exports the log as CSV.

let stack: Stack;

// One stack for the file: Mastra's storage is one per process, bound to the first backend.
beforeAll(async () => {
  stack = await bootStack({ tokensPerSec: 40 });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack.browser.page.screenshot({ path: join(RESULTS_DIR, "audit-insights-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
});

afterAll(async () => {
  await stack?.stop();
});

/** Opens the quote page's Timeline section and returns its entries' text, oldest first. */
async function openTimeline(page: Page): Promise<string[]> {
  const timeline = page.getByTestId("quote-timeline");
  if ((await timeline.getAttribute("open")) === null) await page.getByTestId("quote-timeline-toggle").click();
  await timeline.getByTestId("timeline-entries").waitFor();
  return await timeline.getByTestId("timeline-entry").allTextContents();
}

async function horizontalOverflow(page: Page): Promise<number> {
  return await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test("the timeline lists a take-over with the person's name, live, and reads on a phone", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Tara Timeline", "Timeline Co"));
  await requestQuote(page, stack.parley.webUrl, { quantity: "2000", maxRounds: "12", seed: "11" });

  const before = await openTimeline(page);
  expect(before[0]).toContain("Tara Timeline requested the quote");

  const panel = page.locator("[data-testid=negotiation][data-status=active]").first();
  await panel.waitFor();
  const negotiationId = await panel.getAttribute("data-negotiation-id");
  const mine = page.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"]`);
  const supplier = ((await mine.locator("h3").first().textContent()) ?? "").trim();
  expect(supplier).not.toBe("");
  await mine.getByTestId("take-over").click();
  await mine.getByTestId("takeover-panel").waitFor();

  // The open timeline follows live: the take-over appears without a reload, with the person's name.
  const takeOver = page.locator("[data-testid=timeline-entry][data-type='negotiation.paused']");
  await takeOver.waitFor();
  const words = (await takeOver.textContent()) ?? "";
  expect(words).toContain("Tara Timeline took over the negotiation with");
  expect(words).toContain(`took over the negotiation with ${supplier}`);
  await page.locator("[data-testid=timeline-entry][data-type='negotiation.started']").first().waitFor();
  const entries = await openTimeline(page);
  expect(entries.findIndex((e) => e.includes("took over"))).toBeGreaterThan(entries.findIndex((e) => e.includes("requested the quote")));
  // Each entry has its time.
  expect(await page.locator("[data-testid=timeline-entry] time").count()).toBe(entries.length);

  // Hand back; the timeline says so too.
  await mine.getByTestId("resume").click();
  await page.locator("[data-testid=timeline-entry][data-type='negotiation.resumed']", { hasText: "Tara Timeline handed the negotiation" }).waitFor();

  await page.setViewportSize({ width: 375, height: 800 });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByTestId("quote-timeline").scrollIntoViewIfNeeded();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await page.getByTestId("quote-timeline").screenshot({ path: join(RESULTS_DIR, "timeline-375-dark.png") });

  // Cancelling ends the run (and the worker's work before the stack stops); the timeline closes with it.
  await page.getByTestId("cancel-quote").click();
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await page.locator("[data-testid=quote-detail][data-status=cancelled]").waitFor();
  await page.locator("[data-testid=timeline-entry][data-type='quote.cancelled']", { hasText: "Tara Timeline cancelled the quote" }).waitFor();
});

test("insights follow a date range; an owner exports the log as CSV", async () => {
  const { page } = stack.browser;
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.emulateMedia({ colorScheme: "light" });
  if ((await page.getByTestId("sign-out").count()) > 0) await signOut(page);
  await signUp(page, stack.parley.webUrl, newPerson("Ira Insights", "Insights Co"));
  await requestQuote(page, stack.parley.webUrl, { maxRounds: "6", seed: "7" });
  await waitForFinalStatuses(page);
  // The workflow is done once it recommends: the insights then count the recommended deal.
  await page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  await page.locator("[data-testid=quote-detail][data-status=completed]").waitFor();
  await page.getByTestId("nav-insights").click();
  await page.getByTestId("insights-lead").waitFor();
  expect(await page.getByTestId("insights-lead").textContent()).toContain("Of 1 quote");
  const allTime = {
    deals: await page.getByTestId("insight-deal-rate-value").textContent(),
    saved: await page.getByTestId("insight-saved-opening-value").textContent(),
  };
  expect(allTime.saved).toMatch(/^\$[\d,]+\.\d\d$/);
  await page.getByTestId("insights-charts").waitFor();
  expect(await page.getByTestId("supplier-row").count()).toBe(3);

  // A range before the quote: its numbers disappear.
  await page.getByTestId("range-from").fill("2020-01-01");
  await page.getByTestId("range-to").fill("2020-01-31");
  await page.getByTestId("insights-range-empty").waitFor();
  expect(await page.getByTestId("insights-lead").count()).toBe(0);
  expect(await page.getByTestId("supplier-row").count()).toBe(0);

  // A range that ends before it starts is refused in the server's words, and changes nothing.
  await page.getByTestId("range-from").fill("2020-02-15");
  await expect.poll(async () => await page.getByTestId("insights-error").textContent()).toBe("The end of the date range must come after its start");
  expect(await page.getByTestId("insights-range").isVisible()).toBe(true);

  // The last 30 days include it again: the same numbers.
  await page.getByTestId("range-30").click();
  await page.getByTestId("insights-lead").waitFor();
  expect(await page.getByTestId("range-30").getAttribute("aria-pressed")).toBe("true");
  expect(await page.getByTestId("insights-lead").textContent()).toContain("Of 1 quote");
  expect(await page.getByTestId("insight-deal-rate-value").textContent()).toBe(allTime.deals);
  expect(await page.getByTestId("insight-saved-opening-value").textContent()).toBe(allTime.saved);

  // The charts' text alternative: each is a table of the same figures.
  const chart = page.getByTestId("chart-savings");
  expect(await chart.locator("svg[role=img]").getAttribute("aria-label")).toContain("Money saved");
  await chart.locator("summary").click();
  expect(await chart.locator("tbody tr").count()).toBeGreaterThan(0);

  // The owner's export: every event of the workspace, one CSV row each.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-log").click()]);
  const file = join(RESULTS_DIR, "audit-log.csv");
  await download.saveAs(file);
  const csv = readFileSync(file, "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("Time (UTC),Who,Actor,What,Event,Quote,Supplier");
  expect(csv).toContain("Ira Insights,user,created the workspace");
  expect(csv).toContain("requested the quote");
  expect(csv).toContain("made an opening offer");
  expect(lines.length).toBeGreaterThan(10);
  await expect.poll(async () => await page.getByTestId("export-log-status").textContent()).toBe(`Exported ${lines.length - 1} events.`);

  await chart.locator("summary").click();
  await screenshot(page, join(RESULTS_DIR, "insights-range.png"));
  await page.setViewportSize({ width: 375, height: 800 });
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await screenshot(page, join(RESULTS_DIR, "insights-range-375-dark.png"));
  await page.getByTestId("insights-charts").screenshot({ path: join(RESULTS_DIR, "insights-charts-375-dark.png") });
  await page.getByTestId("supplier-performance").screenshot({ path: join(RESULTS_DIR, "insights-suppliers-375-dark.png") });
});
