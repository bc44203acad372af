import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openBrowser, type Browser } from "./browser";
import { currentWorkspace, newPerson, screenshot, signUp } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";
import type { Page } from "playwright-core";

// An owner runs the workspace: invitations made and revoked, roles changed and
// removals take effect on the other person's screen at once, and someone in two
// workspaces switches between them.

let stack: Stack;
const others: Browser[] = [];

beforeEach(async () => {
  stack = await bootStack();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    const all = [stack?.browser, ...others];
    await Promise.all(
      all.map((b, i) => b?.page.screenshot({ path: join(RESULTS_DIR, `members-failure-${i}.png`), fullPage: true }).catch(() => undefined)),
    );
    console.log(["browser errors:", ...all.flatMap((b) => b?.errors ?? []), "stack log:", ...(stack?.log.slice(-40) ?? [])].join("\n"));
  }
  await Promise.all(others.splice(0).map((b) => b.close().catch(() => undefined)));
  await stack?.stop();
});

async function invite(page: Page, role: "viewer" | "buyer" | "owner"): Promise<string> {
  await page.getByTestId("nav-members").click();
  await page.getByTestId("invite-role").selectOption(role);
  const shown = page.getByTestId("invite-link");
  const before = (await shown.count()) > 0 ? await shown.inputValue() : "";
  await page.getByTestId("create-invitation").click();
  await expect.poll(async () => ((await shown.count()) > 0 ? await shown.inputValue() : "")).not.toBe(before);
  return await shown.inputValue();
}

const memberRow = (page: Page, email: string) => page.locator(`[data-testid=member-row][data-email="${email}"]`);

test("owners invite, revoke, change roles and remove; a member of two workspaces switches; a removed member starts afresh", async () => {
  const web = stack.parley.webUrl;
  const page = stack.browser.page;
  const ada = newPerson("Ada Owner", "Acme");
  await signUp(page, web, ada);

  // Two links; the viewer's is revoked at once and leaves the pending list.
  const buyerLink = await invite(page, "buyer");
  const viewerLink = await invite(page, "viewer");
  await expect.poll(() => page.getByTestId("invitation-row").count()).toBe(2);
  await page.locator("[data-testid=invitation-row][data-role=viewer] [data-testid=revoke-invitation]").click();
  await expect.poll(() => page.getByTestId("invitation-row").count()).toBe(1);

  // The last owner can be neither demoted nor removed: said in words, and nothing changes.
  await memberRow(page, ada.email).getByTestId("member-role").selectOption("buyer");
  await memberRow(page, ada.email).getByTestId("member-error").waitFor();
  expect(await memberRow(page, ada.email).getByTestId("member-error").textContent()).toMatch(/at least one owner/i);
  expect(await memberRow(page, ada.email).getAttribute("data-role")).toBe("owner");

  // Dan has a workspace of his own, then joins Acme as a buyer: now he has two.
  const dan = await openBrowser();
  others.push(dan);
  const danPerson = newPerson("Dan Two", "Dan Co");
  await signUp(dan.page, web, danPerson);
  await dan.page.goto(viewerLink);
  await dan.page.getByTestId("join-problem").waitFor();
  expect(await dan.page.getByTestId("join-problem-reason").textContent()).toMatch(/revoked/i);
  await dan.page.goto(buyerLink);
  expect(await dan.page.getByTestId("join-title").textContent()).toBe("Join “Acme” as a buyer");
  await dan.page.getByTestId("join-workspace").click();
  await dan.page.getByTestId("page-notice").waitFor();
  const switcher = dan.page.getByTestId("workspace-switcher");
  await switcher.waitFor();
  expect(await switcher.locator("option").allTextContents()).toEqual(["Dan Co", "Acme"]);
  expect(await currentWorkspace(dan.page)).toMatchObject({ role: "buyer" });
  await dan.page.getByTestId("nav-new-quote").waitFor();
  await screenshot(dan.page, join(RESULTS_DIR, "workspace-switcher.png"));

  // Switching shows the other workspace, and the choice survives a reload.
  await switcher.selectOption({ label: "Dan Co" });
  await expect.poll(async () => (await currentWorkspace(dan.page)).role).toBe("owner");
  await dan.page.reload();
  await expect.poll(async () => (await currentWorkspace(dan.page)).role).toBe("owner");
  await dan.page.getByTestId("workspace-switcher").selectOption({ label: "Acme" });
  await expect.poll(async () => (await currentWorkspace(dan.page)).role).toBe("buyer");

  // Ada makes Dan a viewer: his New quote goes away without a reload.
  await page.getByTestId("nav-members").click();
  await memberRow(page, danPerson.email).getByTestId("member-role").selectOption("viewer");
  await expect.poll(async () => (await currentWorkspace(dan.page)).role).toBe("viewer");
  expect(await dan.page.getByTestId("nav-new-quote").count()).toBe(0);
  await dan.page.goto(`${web}/#/new`);
  expect(await dan.page.getByTestId("new-quote-forbidden").textContent()).toContain("Viewers can't request quotes");
  await screenshot(page, join(RESULTS_DIR, "members-owner.png"));

  // Removed from Acme, Dan falls back to his own workspace.
  await memberRow(page, danPerson.email).getByTestId("remove-member").click();
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await expect.poll(() => memberRow(page, danPerson.email).count()).toBe(0);
  await expect.poll(async () => (await currentWorkspace(dan.page)).role).toBe("owner");
  expect(await dan.page.getByTestId("workspace-name").textContent()).toBe("Dan Co");

  // Erin joins through a link only; removed, she is offered a workspace of her own.
  const erinLink = await invite(page, "buyer");
  const erin = await openBrowser();
  others.push(erin);
  await erin.page.goto(erinLink);
  const erinPerson = newPerson("Erin Solo");
  await signUp(erin.page, web, erinPerson);
  await erin.page.getByTestId("join-workspace").click();
  await erin.page.getByTestId("page-notice").waitFor();
  await page.getByTestId("nav-members").click();
  await memberRow(page, erinPerson.email).getByTestId("remove-member").click();
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await erin.page.getByTestId("no-workspace").waitFor();
  expect(await erin.page.getByTestId("page-notice").count(), "the notice about Acme went with it").toBe(0);
  await screenshot(erin.page, join(RESULTS_DIR, "no-workspace.png"));
  await erin.page.getByTestId("new-workspace-name").fill("Erin Studio");
  await erin.page.getByTestId("create-workspace").click();
  await erin.page.getByTestId("page-notice").waitFor();
  expect(await erin.page.getByTestId("page-notice").textContent()).toContain("Your workspace “Erin Studio” is ready — you are its owner");
  expect(await currentWorkspace(erin.page)).toMatchObject({ role: "owner" });
});
