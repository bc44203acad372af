import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { newPerson, requestQuote, signUp } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// "Accept" is never offered on a supplier offer outside the brand's guardrails,
// and the take-over panel says why, in the server's own words.

let stack: Stack;

beforeEach(async () => {
  // Slow enough to take over before the first offer lands.
  stack = await bootStack({ tokensPerSec: 15 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "accept-guardrails-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

test("an offer above the brand's maximum cannot be accepted, and the panel says why", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Gail Guard", "Guardrail Co"));
  // A maximum far under every supplier's price: each offer is outside the guardrail.
  await requestQuote(page, stack.parley.webUrl, { quantity: "2000", target: "0.40", max: "0.50", maxRounds: "12", seed: "5" });

  const panel = page.locator("[data-testid=negotiation][data-status=active]").first();
  await panel.waitFor();
  const negotiationId = await panel.getAttribute("data-negotiation-id");
  const mine = page.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"]`);
  await mine.getByTestId("take-over").click();
  await mine.getByTestId("takeover-panel").waitFor();

  // The supplier's offer stands (the counter form opens for it), and it is above $0.50.
  await mine.getByTestId("counter-form").waitFor({ timeout: 120_000 });
  const accept = mine.getByTestId("accept-offer");
  expect(await accept.isDisabled()).toBe(true);
  const why = mine.getByTestId("accept-outside-guardrails");
  expect(await why.textContent()).toMatch(/^This offer can't be accepted: unit price \$[\d.,]+ for \S+ is above the guardrail of \$0\.50\. Counter it instead\.$/);
  // The button names its reason for assistive technology too.
  expect(await accept.getAttribute("aria-describedby")).toBe(await why.getAttribute("id"));
});
