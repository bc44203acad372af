import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { newPerson, requestQuote, signUp, FINAL_STATUSES, screenshot } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

let stack: Stack;

beforeEach(async () => {
  // Slower than the other tests: there must be time to take over mid-negotiation.
  stack = await bootStack({ tokensPerSec: 15 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "take-over-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

test("take over a negotiation, counter in person, and hear the AI's answer after resuming", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Tess Buyer", "Take Over Co"));
  await requestQuote(page, stack.parley.webUrl, { quantity: "2000", maxRounds: "12", seed: "11" });

  // The first negotiation to become active is the one taken over.
  const panel = page.locator("[data-testid=negotiation][data-status=active]").first();
  await panel.waitFor();
  const negotiationId = await panel.getAttribute("data-negotiation-id");
  const mine = page.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"]`);
  await mine.getByTestId("take-over").click();
  await mine.getByTestId("takeover-panel").waitFor();
  expect(await mine.getAttribute("data-status")).toBe("paused");

  // A message in the brand user's own words.
  const note = "Could you sharpen the price if we commit to the full volume today?";
  await mine.getByTestId("send-message-input").fill(note);
  await mine.getByTestId("send-message").click();
  await mine.locator("[data-testid=message][data-sender=user]", { hasText: note }).waitFor();

  // The supplier still answers while the brand's AI waits; then the counter-offer form opens,
  // with the engine's suggestion and the predicted acceptance beside the draft.
  const form = mine.getByTestId("counter-form");
  await form.waitFor({ timeout: 120_000 });
  await form.getByTestId("suggestion-probability").waitFor();
  const price = form.getByTestId("counter-unit-price").first();
  const suggested = Number(await price.inputValue());
  expect(suggested).toBeGreaterThan(0);
  const mineAsked = (Math.round(suggested * 0.99 * 100) / 100).toFixed(2);
  await price.fill(mineAsked);
  await form.getByTestId("counter-lead-time").fill("30");
  await form.getByTestId("counter-payment-terms").fill("30");
  await form.getByTestId("counter-message").fill("Here is our counter-offer.");
  await expect.poll(async () => (await form.getByTestId("acceptance-probability").textContent()) ?? "").toMatch(/\d+%/);
  await screenshot(page, join(RESULTS_DIR, "take-over.png"));
  await form.getByTestId("send-counter").click();

  // The counter is in the chat as the user's offer, and it stands.
  const counterMessage = mine.locator("[data-testid=message][data-sender=user][data-kind=offer]", { hasText: "Here is our counter-offer." });
  await counterMessage.waitFor();
  const counterSeq = Number(await counterMessage.getAttribute("data-seq"));
  await counterMessage.locator("[data-testid=offer-card][data-offered-by=brand]").waitFor();
  expect(await counterMessage.getByTestId("offer-card").textContent()).toContain(`$${mineAsked}`);
  await mine.getByTestId("counter-waiting").waitFor();

  // Hand back to the AI: the supplier answers the counter.
  await mine.getByTestId("resume").click();
  await page.waitForFunction(
    ({ id, seq }) => {
      const root = document.querySelector(`[data-testid=negotiation][data-negotiation-id="${id}"]`);
      return [...(root?.querySelectorAll<HTMLElement>("[data-testid=message][data-sender=supplier]") ?? [])].some(
        (m) => Number(m.dataset.seq) > seq && m.dataset.state === "complete" && (m.textContent ?? "").length > 0,
      );
    },
    { id: negotiationId, seq: counterSeq },
    { timeout: 120_000, polling: 100 },
  );
  expect(["active", ...FINAL_STATUSES]).toContain(await mine.getAttribute("data-status"));
  await screenshot(page, join(RESULTS_DIR, "take-over-answered.png"));
});
