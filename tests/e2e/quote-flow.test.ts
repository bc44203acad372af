import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { backendAs, newPerson, requestQuote, signUp, waitForFinalStatuses, FINAL_STATUSES, screenshot } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

let stack: Stack;

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 40 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "quote-flow-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

interface Sample {
  count: number;
  streaming: { key: string; length: number }[];
  statuses: string[];
  typing: number;
}

test("request a quote, watch three negotiations stream live, accept the recommendation", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Quinn Buyer", "Quote Flow Co"));
  const quoteId = await requestQuote(page, stack.parley.webUrl, { quantity: "1200", secondProductOption: 4, maxRounds: "6", seed: "7" });
  expect(await page.getByTestId("negotiation").count()).toBe(3);

  // Sample what the page shows while the worker writes. Growth must come from
  // live queries alone: the page is never reloaded.
  const counts: number[] = [];
  const lengths = new Map<string, number[]>();
  const grew = (values: number[]) => values.filter((v, i) => i > 0 && v > values[i - 1]).length;
  let streamedEnough = false;
  let sawTyping = false;
  for (;;) {
    const sample: Sample = await page.evaluate(() => {
      const messages = [...document.querySelectorAll<HTMLElement>("[data-testid=message]")];
      return {
        count: messages.length,
        streaming: messages
          .filter((m) => m.dataset.state === "streaming")
          .map((m) => ({
            key: `${m.closest<HTMLElement>("[data-testid=negotiation]")?.dataset.negotiationId}:${m.dataset.seq}`,
            length: m.querySelector("[data-testid=message-content]")?.textContent?.length ?? 0,
          })),
        statuses: [...document.querySelectorAll<HTMLElement>("[data-testid=negotiation]")].map((n) => n.dataset.status ?? ""),
        typing: document.querySelectorAll("[data-testid=typing-indicator]").length,
      };
    });
    if (counts.at(-1) !== sample.count) counts.push(sample.count);
    if (sample.typing > 0) sawTyping = true;
    for (const { key, length } of sample.streaming) {
      const seen = lengths.get(key) ?? [];
      if (seen.at(-1) !== length) seen.push(length);
      lengths.set(key, seen);
      if (grew(seen) >= 2) streamedEnough = true; // three or more lengths, each longer
    }
    const allFinal = sample.statuses.length === 3 && sample.statuses.every((s) => FINAL_STATUSES.includes(s));
    if ((grew(counts) >= 2 && streamedEnough) || allFinal) break;
    await page.waitForTimeout(40);
  }
  expect(grew(counts), `message counts seen: ${counts.join(", ")}`).toBeGreaterThanOrEqual(2);
  expect(counts.length).toBeGreaterThanOrEqual(3);
  const longest = Math.max(...[...lengths.values()].map(grew));
  expect(longest, `streaming lengths seen: ${JSON.stringify([...lengths])}`).toBeGreaterThanOrEqual(2);
  expect(sawTyping, "a typing indicator shows while a message streams").toBe(true);

  const statuses = await waitForFinalStatuses(page);
  expect(statuses.every((s) => FINAL_STATUSES.includes(s))).toBe(true);

  const recommendation = page.getByTestId("recommendation");
  await recommendation.waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId("comparison-row").count()).toBe(3);
  expect((await page.getByTestId("recommendation-explanation").textContent())?.trim().length).toBeGreaterThan(10);
  expect(await page.getByTestId("offer-card").count()).toBeGreaterThan(0);
  // The price chart shows one line item at a time; the selector switches it.
  const chart = page.getByTestId("price-chart");
  expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(0);
  const skus = await page.getByTestId("chart-line").locator("option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(skus).toHaveLength(2);
  expect(await chart.getAttribute("data-sku")).toBe(skus[0]);
  await page.getByTestId("chart-line").selectOption(skus[1]!);
  await expect.poll(() => chart.getAttribute("data-sku")).toBe(skus[1]);
  expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(0);

  await screenshot(page, join(RESULTS_DIR, "quote-detail.png"));
  // The README's screenshot: written when missing, refreshed on request, so a
  // test run does not leave a changed file in the checkout.
  const readmeShot = resolve("docs", "screenshots", "quote-detail.png");
  if (!existsSync(readmeShot) || process.env.PARLEY_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(dirname(readmeShot), { recursive: true });
    copyFileSync(join(RESULTS_DIR, "quote-detail.png"), readmeShot);
  }

  // An agreement is a final offer held until the award: never "accepted", never an order.
  const finalOffers = page.locator("[data-testid=negotiation][data-status=accepted]");
  const held = await finalOffers.count();
  expect(held, "more than one supplier holds a final offer, so that the others can be told").toBeGreaterThanOrEqual(2);
  for (let i = 0; i < held; i++) expect(await finalOffers.nth(i).getByTestId("negotiation-status").textContent()).toBe("Final offer");
  // The comparison says the same words, never the engine's bare "Agreement".
  const outcomes = () => page.getByTestId("comparison-outcome").allTextContents();
  expect((await outcomes()).filter((w) => w === "Final offer")).toHaveLength(held);
  expect(await outcomes()).not.toContain("Agreement");

  const accept = page.getByTestId("accept-recommendation");
  expect(await accept.count(), "the recommendation names a supplier to award").toBe(1);
  const supplier = (await page.getByTestId("recommended-supplier").textContent())?.trim();
  await accept.click();
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await expect.poll(async () => (await page.getByTestId("award-banner").textContent()) ?? "").toContain(supplier!);
  // One award; every other supplier that held a final offer is told, politely, that it went elsewhere.
  const told = page.locator("[data-testid=negotiation] [data-testid=message]", { hasText: "awarded this quote to another supplier" });
  await expect.poll(() => told.count()).toBe(held - 1);
  // The statuses stay "accepted"; the words say the award: the winner "Awarded", every other final offer "Not awarded".
  const words = (standing: string) => page.locator(`[data-testid=negotiation][data-standing=${standing}] [data-testid=negotiation-status]`).allTextContents();
  await expect.poll(() => words("awarded")).toEqual(["Awarded"]);
  await expect.poll(() => words("not_awarded")).toEqual(Array.from({ length: held - 1 }, () => "Not awarded"));
  expect(await finalOffers.count(), "an award changes no negotiation's status").toBe(held);
  await expect.poll(async () => (await outcomes()).filter((w) => w === "Awarded" || w === "Not awarded").sort()).toEqual(["Awarded", ...Array.from({ length: held - 1 }, () => "Not awarded")]);
  await screenshot(page, join(RESULTS_DIR, "quote-awarded.png"));

  // The backend agrees, and the quotes list shows it without a reload.
  const backend = await backendAs(page, stack.parley.convexUrl);
  const detail = await backend.client.query(api.quotes.get, { workspaceId: backend.workspaceId, quoteId });
  expect(detail?.quote.status).toBe("awarded");
  await page.getByTestId("nav-quotes").click();
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"][data-status=awarded]`).waitFor();
  const dots = page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"] .status-dots [role=img]`);
  expect(await dots.evaluateAll((els) => els.map((el) => el.getAttribute("data-standing")).filter((s) => s === "awarded" || s === "not_awarded").sort())).toEqual(
    ["awarded", ...Array.from({ length: held - 1 }, () => "not_awarded")],
  );
  await page.getByTestId("nav-insights").click();
  await page.getByTestId("insight-deal-rate").waitFor();
  // One quote, awarded: a deal rate of 100 % counted by quote, and nothing cancelled.
  expect(await page.getByTestId("insight-deal-rate-value").textContent()).toBe("100%");
  expect(await page.getByTestId("insight-cancelled-value").textContent()).toBe("0");
  expect(await page.getByTestId("insights-lead").textContent()).toContain("Of 1 quote, 1 finished negotiating and 1 of those reached a deal");
  await screenshot(page, join(RESULTS_DIR, "insights.png"));
});
