import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { LIMITS } from "../../convex/model/validate";
import { backendAs, newPerson, screenshot, signUp } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

let stack: Stack;

beforeEach(async () => {
  stack = await bootStack();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "bad-form-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors].join("\n"));
  }
  await stack?.stop();
});

/** The quotes of the workspace on screen, asked of the backend as the signed-in user. */
async function quoteCount(stack: Stack): Promise<number> {
  const { client, workspaceId } = await backendAs(stack.browser.page, stack.parley.convexUrl);
  const page = await client.query(api.quotes.list, { workspaceId, paginationOpts: { numItems: 10, cursor: null } });
  return page.page.length;
}

test("a bad New quote form explains each problem at its field and creates nothing", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Bea Buyer", "Bad Form Co"));
  await page.goto(`${stack.parley.webUrl}/#/new`);
  await page.getByTestId("product-picker").waitFor();

  // No line items at all.
  await page.getByTestId("submit-quote").click();
  const noLines = page.locator('[data-testid=field-error][data-field="lineItems"]');
  await noLines.waitFor();
  expect(await noLines.textContent()).toMatch(/at least one product/i);
  await page.getByTestId("form-error").waitFor();

  // A line whose maximum unit price is below its target, and a lead time of 0.
  await page.getByTestId("product-picker").selectOption({ index: 1 });
  await page.getByTestId("add-line-item").click();
  expect(await noLines.count(), "adding a product clears the line items error").toBe(0);
  await page.getByTestId("line-quantity").fill("500");
  await page.getByTestId("line-target").fill("5");
  await page.getByTestId("line-max").fill("4");
  await page.getByTestId("max-lead-time").fill("0");
  await page.getByTestId("submit-quote").click();
  const maxError = page.locator('[data-testid=field-error][data-field="lineItems.0.maxUnitPrice"]');
  await maxError.waitFor();
  expect(await maxError.textContent()).toMatch(/below the target/i);
  expect(await page.getByTestId("line-max").getAttribute("aria-invalid")).toBe("true");
  await page.locator('[data-testid=field-error][data-field="guardrails.maxLeadTimeDays"]').waitFor();
  await screenshot(page, join(RESULTS_DIR, "bad-form.png"));

  // A target above the list price is allowed, with a warning at the field; back under it, the warning goes.
  await page.getByTestId("line-target").fill("500");
  await page.getByText(/^Above the list price of \$[\d.,]+: suppliers will gladly take it/).waitFor();
  await page.getByTestId("line-target").fill("1");
  await page.getByText(/^Above the list price/).waitFor({ state: "detached" });
  await page.getByTestId("line-target").fill("5");

  // What only the server knows is also said at the field, in words: a quantity above its limit.
  await page.getByTestId("line-max").fill("6");
  await page.getByTestId("max-lead-time").fill("30");
  await page.getByTestId("line-quantity").fill("20000000");
  await page.getByTestId("submit-quote").click();
  const quantityError = page.locator('[data-testid=field-error][data-field="lineItems.0.quantity"]');
  await quantityError.waitFor();
  expect(await quantityError.textContent()).toContain("Quantity must be at most 10,000,000");
  expect(await page.getByTestId("form-error").textContent()).not.toMatch(/Server Error|\[CONVEX/);

  // A quantity within the limit but beyond what any supplier can make is refused before anything starts.
  await page.getByTestId("line-quantity").fill("9000000");
  await page.getByTestId("submit-quote").click();
  await page.locator('[data-testid=field-error][data-field="lineItems.0.quantity"]', { hasText: "None of this workspace's suppliers can supply 9,000,000" }).waitFor();

  expect(page.url()).toContain("#/new");
  expect(await quoteCount(stack)).toBe(0);

  // The priorities as shown add up to 100 whatever the sliders hold, and the rounds hint names the real default.
  for (const [key, value] of [["price", "51"], ["leadTime", "21"], ["quality", "17"], ["paymentTerms", "3"]] as const) {
    await page.getByTestId(`priority-${key}`).fill(value);
    const shown = await Promise.all(["price", "leadTime", "paymentTerms", "quality"].map((k) => page.getByTestId(`priority-${k}-value`).textContent()));
    expect(shown.reduce((sum, text) => sum + Number.parseInt(text!, 10), 0), `after ${key} = ${value}: ${shown.join(" ")}`).toBe(100);
  }
  await page.getByText(`Default ${LIMITS.defaultMaxRounds}, at most ${LIMITS.maxRounds}.`).waitFor({ state: "attached" });

  // A status filter that does not exist says so, instead of silently showing everything.
  await page.goto(`${stack.parley.webUrl}/#/quotes?status=bogus`);
  expect(await page.getByTestId("unknown-status").textContent()).toContain("There is no status “bogus”");
  await page.goto(`${stack.parley.webUrl}/#/quotes?status=queued`);
  await page.getByTestId("quotes-empty").waitFor();
  expect(await page.getByTestId("unknown-status").count()).toBe(0);
});
