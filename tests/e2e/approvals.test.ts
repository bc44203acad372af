import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openBrowser, type Browser } from "./browser";
import { currentWorkspace, newPerson, requestQuote, screenshot, signUp, waitForFinalStatuses } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// An owner sets a spend threshold; the buyer's award above it waits, for
// everyone to see, until an approver (a second person, in a second browser)
// approves it; then the quote is awarded and the PO names the approver.

let stack: Stack;
const others: Browser[] = [];

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 200 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    const all = [stack?.browser, ...others];
    await Promise.all(
      all.map((b, i) => b?.page.screenshot({ path: join(RESULTS_DIR, `approvals-failure-${i}.png`), fullPage: true }).catch(() => undefined)),
    );
    console.log(["browser errors:", ...all.flatMap((b) => b?.errors ?? []), "stack log:", ...(stack?.log.slice(-40) ?? [])].join("\n"));
  }
  await Promise.all(others.splice(0).map((b) => b.close().catch(() => undefined)));
  await stack?.stop();
});

async function inviteLink(page: Page, role: string): Promise<string> {
  await page.getByTestId("nav-members").click();
  await page.getByTestId("invite-role").selectOption(role);
  await page.getByTestId("create-invitation").click();
  await page.getByTestId("invite-link").waitFor();
  return await page.getByTestId("invite-link").inputValue();
}

test("an award above the threshold waits for an approver, who approves it; the PO names them", async () => {
  const web = stack.parley.webUrl;
  const page = stack.browser.page;
  const ada = newPerson("Ada Owner", "Approvals Co");
  await signUp(page, web, ada);

  // The threshold: a bad amount is refused in words, then $1 is saved.
  await page.getByTestId("nav-members").click();
  const threshold = page.getByTestId("approval-threshold");
  await threshold.fill("-5");
  await page.getByTestId("save-threshold").click();
  expect(await page.getByTestId("threshold-error").textContent()).toBe("Approval threshold must be at least 0");
  await threshold.fill("1");
  await page.getByTestId("save-threshold").click();
  await expect.poll(() => page.getByTestId("approval-threshold-value").getAttribute("data-threshold")).toBe("1");
  expect(await page.getByTestId("approval-threshold-value").textContent()).toContain("Awards above $1.00");

  // Abe joins as an approver, from his own browser.
  const link = await inviteLink(page, "approver");
  const abe = await openBrowser();
  others.push(abe);
  await abe.page.goto(link);
  const abePerson = newPerson("Abe Approver");
  await signUp(abe.page, web, abePerson);
  expect(await abe.page.getByTestId("join-title").textContent()).toBe("Join “Approvals Co” as an approver");
  await abe.page.getByTestId("join-workspace").click();
  await abe.page.getByTestId("page-notice").waitFor();
  expect(await currentWorkspace(abe.page)).toMatchObject({ role: "approver" });
  await abe.page.getByTestId("nav-members").click();
  expect(await abe.page.getByTestId("approval-threshold-value").textContent()).toContain("Awards above $1.00");
  expect(await abe.page.getByTestId("approval-threshold").count(), "only owners edit it").toBe(0);
  expect(await abe.page.getByTestId("approvals-waiting").count()).toBe(0);

  // Ada awards: the dialog says it needs an approval, and the quote waits.
  const quoteId = await requestQuote(page, web, { quantity: "1200", secondProductOption: 4, maxRounds: "6", seed: "7" });
  await waitForFinalStatuses(page);
  await page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  const supplier = (await page.getByTestId("recommended-supplier").textContent())!.trim();
  await page.getByTestId("accept-recommendation").click();
  const dialog = page.locator("dialog[open]");
  await dialog.getByTestId("award-needs-approval").waitFor();
  expect(await dialog.getByTestId("confirm-yes").textContent()).toBe("Ask for approval");
  await dialog.getByTestId("confirm-yes").click();
  const pending = page.getByTestId("approval-pending");
  await pending.waitFor();
  expect(await pending.getByTestId("awaiting-approval").textContent()).toBe("Awaiting approval");
  expect(await page.getByTestId("quote-detail").getAttribute("data-status")).toBe("completed");
  expect(await page.getByTestId("accept-recommendation").count(), "no second award while one waits").toBe(0);
  expect(await pending.getByTestId("approve-award").count(), "the requester does not approve").toBe(0);
  await pending.getByTestId("withdraw-approval").waitFor();
  expect(await page.getByTestId("purchase-order").count()).toBe(0);
  await screenshot(page, join(RESULTS_DIR, "approval-pending.png"));

  // Abe is told in the top bar; it takes him to the quote, where he approves.
  const waiting = abe.page.getByTestId("approvals-waiting");
  await waiting.waitFor();
  expect(await waiting.getAttribute("data-count")).toBe("1");
  await waiting.click();
  await abe.page.locator(`[data-testid=quote-detail]`).waitFor();
  expect(abe.page.url()).toContain(encodeURIComponent(quoteId));
  const card = abe.page.getByTestId("approval-pending");
  await card.waitFor();
  expect(await card.textContent()).toContain(supplier);
  await card.getByTestId("approval-comment").fill("Within this quarter's budget");
  await screenshot(abe.page, join(RESULTS_DIR, "approval-decide.png"));
  await card.getByTestId("approve-award").click();
  await abe.page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await abe.page.getByTestId("purchase-order").waitFor();
  const approvedBy = (await abe.page.getByTestId("po-approved-by").textContent()) ?? "";
  expect(approvedBy).toContain("Abe Approver");
  expect(approvedBy).toContain("Within this quarter's budget");
  expect(await abe.page.getByTestId("po-awarded-by").textContent()).toContain("Ada Owner");
  await expect.poll(() => waiting.count(), { message: "nothing waits any more" }).toBe(0);

  // Ada's page follows without a reload: awarded, the PO names the approver.
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await page.getByTestId("purchase-order").waitFor();
  expect(await page.getByTestId("po-approved-by").textContent()).toContain("Abe Approver");
  expect(await page.getByTestId("approval-pending").count()).toBe(0);
  await screenshot(page, join(RESULTS_DIR, "approval-approved.png"));
});
