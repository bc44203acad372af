import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { openBrowser, type Browser } from "./browser";
import {
  backendAs,
  currentWorkspace,
  fillSignUp,
  newPerson,
  requestQuote,
  screenshot,
  signIn,
  signOut,
  signUp,
  waitForFinalStatuses,
  waitForStreamingGrowth,
  screensSeen,
  watchScreens,
} from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// Who sees what: an owner's workspace is theirs alone, a second brand sees none
// of it, and a teammate invited as a viewer reads everything but cannot award.

/** The code of the server's refusal ("FORBIDDEN", …), or "allowed". */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "allowed";
  } catch (error) {
    const data = (error as { data?: { code?: string } }).data;
    return data?.code ?? String(error);
  }
}

let stack: Stack;
const others: Browser[] = [];

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 40 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    const all = [stack?.browser, ...others];
    await Promise.all(
      all.map((b, i) => b?.page.screenshot({ path: join(RESULTS_DIR, `access-failure-${i}.png`), fullPage: true }).catch(() => undefined)),
    );
    console.log(["browser errors:", ...all.flatMap((b) => b?.errors ?? []), "stack log:", ...(stack?.log.slice(-40) ?? [])].join("\n"));
  }
  await Promise.all(others.splice(0).map((b) => b.close().catch(() => undefined)));
  await stack?.stop();
});

test("sign up, sign in again, keep workspaces apart, and invite a viewer who reads but cannot award", async () => {
  const web = stack.parley.webUrl;
  const page = stack.browser.page;

  // 1. Ada signs up: her workspace exists within seconds, and she owns it.
  const ada = newPerson("Ada Lovelace", "Acme");
  await page.goto(`${web}/#/quotes`);
  await fillSignUp(page, ada);
  await screenshot(page, join(RESULTS_DIR, "sign-up.png"));
  await watchScreens(page);
  const started = Date.now();
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("page-notice").waitFor({ timeout: 15_000 });
  expect(Date.now() - started, "sign-up and the new workspace take seconds").toBeLessThan(10_000);
  expect(await page.getByTestId("page-notice").textContent()).toContain("Your workspace “Acme” is ready — you are its owner");
  expect(await page.getByTestId("workspace-name").textContent()).toBe("Acme");
  expect(await page.getByTestId("workspace-role").textContent()).toBe("Owner");
  expect(await page.getByTestId("account-email").textContent()).toBe(ada.email);
  await page.getByTestId("quotes-empty").waitFor();
  // Straight from the form to the new workspace: never the create-a-workspace screen or an error on the way.
  const seenOnSignUp = await screensSeen(page);
  for (const wrong of ["no-workspace", "error-boundary", "session-problem", "auth-error"]) expect(seenOnSignUp).not.toContain(wrong);
  const acme = await currentWorkspace(page);
  expect(acme.role).toBe("owner");

  // 2. She requests a quote and watches it stream, with the buyer's controls.
  const quoteId = await requestQuote(page, web, { quantity: "1200", maxRounds: "6", seed: "7" });
  await waitForStreamingGrowth(page);
  await page.getByTestId("take-over").first().waitFor();

  // 3. Signed out, the quote is out of sight; a wrong password is said at its field; then she is back.
  await watchScreens(page);
  await signOut(page);
  expect(await page.getByTestId("quote-detail").count()).toBe(0);
  const seenOnSignOut = await screensSeen(page);
  for (const wrong of ["error-boundary", "session-problem", "quote-not-found"]) expect(seenOnSignOut).not.toContain(wrong);
  await page.getByTestId("tab-sign-in").click();
  await page.getByTestId("auth-email").fill(ada.email);
  await page.getByTestId("auth-password").fill("not-her-password");
  await page.getByTestId("auth-submit").click();
  const wrong = page.locator('[data-testid=field-error][data-field="password"]');
  await wrong.waitFor();
  expect(await wrong.textContent()).toMatch(/wrong password/i);
  await page.getByTestId("auth-email").fill(`nobody.${Date.now()}@example.com`);
  await page.getByTestId("auth-password").fill("whatever-it-is");
  await page.getByTestId("auth-submit").click();
  const unknown = page.locator('[data-testid=field-error][data-field="email"]');
  await unknown.waitFor();
  expect(await unknown.textContent()).toMatch(/no account/i);
  await page.getByTestId("auth-email").fill(ada.email);
  await page.getByTestId("auth-password").fill("not-her-password");
  await page.getByTestId("auth-submit").click();
  await wrong.waitFor();
  await screenshot(page, join(RESULTS_DIR, "sign-in-error.png"));
  await page.getByTestId("auth-password").fill(ada.password);
  await page.getByTestId("auth-submit").click();
  // Back where she was: the quote's page (the URL kept it), then the list.
  await page.locator(`[data-testid=quote-detail]`).waitFor();
  await page.getByTestId("nav-quotes").click();
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"]`).waitFor();
  expect((await currentWorkspace(page)).workspaceId).toBe(acme.workspaceId);

  // 4. Bob, another brand in another browser, sees none of it.
  const bob = await openBrowser();
  others.push(bob);
  const bobPerson = newPerson("Bob Globex", "Globex");
  expect(await signUp(bob.page, web, bobPerson)).toContain("Your workspace “Globex” is ready");
  await bob.page.getByTestId("quotes-empty").waitFor();
  expect(await bob.page.getByTestId("quote-row").count()).toBe(0);
  await bob.page.goto(`${web}/#/quotes/${quoteId}`);
  await bob.page.getByTestId("quote-not-found").waitFor();
  expect(await bob.page.getByTestId("quote-not-found").textContent()).toContain("Quote not found");
  expect(await bob.page.getByTestId("negotiation").count()).toBe(0);
  await screenshot(bob.page, join(RESULTS_DIR, "quote-not-found.png"));
  // The server agrees: in his workspace the quote is absent, and Acme's is closed to him.
  const asBob = await backendAs(bob.page, stack.parley.convexUrl);
  expect(await asBob.client.query(api.quotes.get, { workspaceId: asBob.workspaceId, quoteId })).toBeNull();
  expect(await refusal(asBob.client.query(api.quotes.get, { workspaceId: acme.workspaceId as never, quoteId }))).toBe("FORBIDDEN");

  // 5. Ada invites a viewer from the Members screen.
  await page.getByTestId("nav-members").click();
  await page.locator("[data-testid=member-row]").first().waitFor();
  expect(await page.getByTestId("member-row").count()).toBe(1);
  await page.getByTestId("invite-role").selectOption("viewer");
  await page.getByTestId("create-invitation").click();
  const link = await page.getByTestId("invite-link").inputValue();
  expect(link).toMatch(new RegExp(`^${web.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/#/join/[A-Za-z0-9_-]{20,}$`));
  await page.locator("[data-testid=invitation-row][data-role=viewer]").waitFor();
  await page.getByTestId("copy-invite-link").click();
  await expect.poll(async () => (await page.getByTestId("copy-status").textContent()) ?? "").toMatch(/Copied|Could not copy/);
  await screenshot(page, join(RESULTS_DIR, "members.png"));

  // 6. Cy opens the link signed out, is told she was invited, signs up (no workspace of her own) and joins.
  const cy = await openBrowser();
  others.push(cy);
  await cy.page.goto(link);
  await cy.page.getByTestId("invited-note").waitFor();
  expect(await cy.page.getByTestId("auth-workspace").count(), "an invited person creates no workspace").toBe(0);
  const cyPerson = newPerson("Cy Viewer");
  await signUp(cy.page, web, cyPerson);
  const title = cy.page.getByTestId("join-title");
  await title.waitFor();
  expect(await title.textContent()).toBe("Join “Acme” as a viewer");
  await screenshot(cy.page, join(RESULTS_DIR, "join.png"));
  await cy.page.getByTestId("join-workspace").click();
  await cy.page.getByTestId("page-notice").waitFor();
  expect(await cy.page.getByTestId("page-notice").textContent()).toContain("You joined “Acme” as a viewer");
  expect(await cy.page.getByTestId("workspace-name").textContent()).toBe("Acme");
  expect((await currentWorkspace(cy.page)).role).toBe("viewer");
  expect(await cy.page.getByTestId("nav-new-quote").count(), "a viewer has no New quote").toBe(0);
  await cy.page.getByTestId("new-quote-needs-buyer").waitFor();

  // She sees Ada's quote, live, without any buyer's control.
  await cy.page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"] [data-testid=quote-link]`).click();
  await cy.page.getByTestId("quote-detail").waitFor();
  await expect.poll(() => cy.page.getByTestId("negotiation").count()).toBe(3);
  expect(await cy.page.getByTestId("take-over").count()).toBe(0);
  expect(await cy.page.getByTestId("cancel-quote").count()).toBe(0);
  await waitForFinalStatuses(cy.page);
  await cy.page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  expect(await cy.page.getByTestId("accept-recommendation").count(), "a viewer has no award control").toBe(0);
  expect(await cy.page.getByTestId("cancel-quote").count()).toBe(0);
  if ((await cy.page.getByTestId("recommended-supplier").count()) > 0) {
    expect(await cy.page.getByTestId("award-needs-buyer").textContent()).toBe(
      "Viewers can't award — ask an owner for the buyer role.",
    );
  }
  await screenshot(cy.page, join(RESULTS_DIR, "viewer-quote.png"));

  // The server refuses the award anyway.
  const asCy = await backendAs(cy.page, stack.parley.convexUrl);
  expect(asCy.workspaceId).toBe(acme.workspaceId);
  const detail = await asCy.client.query(api.quotes.get, { workspaceId: asCy.workspaceId, quoteId });
  expect(detail?.quote._id).toBe(quoteId);
  const award = asCy.client.mutation(api.negotiations.acceptCurrentOffer, {
    workspaceId: asCy.workspaceId,
    negotiationId: detail!.negotiations[0]._id,
  });
  expect(await refusal(award)).toBe("FORBIDDEN");

  // Ada sees her new member, and the used invitation is no longer pending.
  await page.getByTestId("nav-members").click();
  await page.locator(`[data-testid=member-row][data-email="${cyPerson.email}"][data-role=viewer]`).waitFor();
  await page.getByTestId("no-pending-invitations").waitFor();
  // Cy's own view of the members list is read-only.
  await cy.page.getByTestId("nav-members").click();
  await cy.page.getByTestId("members-read-only").waitFor();
  expect(await cy.page.getByTestId("member-role").count()).toBe(0);
  expect(await cy.page.getByTestId("invite-card").count()).toBe(0);

  // A spent link says so in words to anyone else who opens it.
  await bob.page.goto(link);
  await bob.page.getByTestId("join-problem").waitFor();
  expect(await bob.page.getByTestId("join-problem-reason").textContent()).toMatch(/already been used/i);
  // And a made-up one is simply not valid.
  await bob.page.goto(`${web}/#/join/not-a-real-token`);
  await expect.poll(async () => (await bob.page.getByTestId("join-problem-reason").textContent()) ?? "").toMatch(/not valid/i);

  // Ada signs in again in a fresh session and still sees her quote, awarded or not.
  await signOut(page);
  await signIn(page, ada);
  await page.getByTestId("nav-quotes").click();
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"]`).waitFor();
});
