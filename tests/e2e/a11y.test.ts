import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { openBrowser, type Browser } from "./browser";
import { fillSignUp, newPerson, requestQuote, signUp, waitForFinalStatuses } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// Every screen of the dashboard passes axe-core's WCAG 2.1 A/AA rules with no
// serious or critical violation, at 1440 px and 375 px, in light and dark.
// One stack for the file (Mastra's storage is one per process); each state is
// visited once and audited in its four combinations there.

let stack: Stack;
const others: Browser[] = [];

beforeAll(async () => {
  stack = await bootStack({ tokensPerSec: 40 });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    const all = [stack?.browser, ...others];
    await Promise.all(
      all.map((b, i) => b?.page.screenshot({ path: join(RESULTS_DIR, `a11y-failure-${i}.png`), fullPage: true }).catch(() => undefined)),
    );
    console.log(["browser errors:", ...all.flatMap((b) => b?.errors ?? []), "stack log:", ...(stack?.log.slice(-40) ?? [])].join("\n"));
  }
});

afterAll(async () => {
  if (advisories.size > 0) {
    console.log(["axe's moderate and minor findings (not failed on):", ...[...advisories].map(([rule, where]) => `${rule}\n    ${[...where].join("\n    ")}`)].join("\n"));
  }
  await Promise.all(others.splice(0).map((b) => b.close().catch(() => undefined)));
  await stack?.stop();
});

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 375, height: 812 },
] as const;
const SCHEMES = ["light", "dark"] as const;
const BLOCKING = new Set(["serious", "critical"]);
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** PARLEY_A11Y_BEST_PRACTICE=1 also runs axe's best-practice rules, reported as advisories. */
const TAGS = process.env.PARLEY_A11Y_BEST_PRACTICE === "1" ? [...WCAG_TAGS, "best-practice"] : WCAG_TAGS;
/** Moderate and minor findings (and best-practice ones): printed after the run, not failed on. */
const advisories = new Map<string, Set<string>>();

/** Lets colour transitions settle after a scheme change, so axe reads final colours. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const transitions = document.getAnimations().filter((a) => a.constructor.name === "CSSTransition");
    await Promise.all(transitions.map((a) => a.finished.catch(() => undefined)));
  });
}

/**
 * Audits the page as it stands in the four combinations (or the viewports
 * given), then puts it back at the first viewport, light. Returns one line per serious or critical violation: the state,
 * the combination, the rule, its help text and the offending selectors.
 */
async function audit(page: Page, state: string, viewports: readonly { width: number; height: number }[] = VIEWPORTS): Promise<string[]> {
  const found: string[] = [];
  for (const viewport of viewports) {
    await page.setViewportSize(viewport);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await settle(page);
      const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
      for (const v of results.violations) {
        if (!BLOCKING.has(v.impact ?? "") || !v.tags.some((t) => WCAG_TAGS.includes(t))) {
          const key = `[${v.impact}] ${v.id}: ${v.help}`;
          advisories.set(key, (advisories.get(key) ?? new Set()).add(`${state}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`));
          continue;
        }
        const targets = v.nodes.map((n) => `${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.split("\n").slice(1).join(" ").trim()})` : ""}`);
        found.push(`${state} @ ${viewport.width}px ${colorScheme}: [${v.impact}] ${v.id}: ${v.help}\n    ${targets.join("\n    ")}`);
      }
    }
  }
  await page.setViewportSize(viewports[0]!);
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

/** Audits and fails with every finding listed, so one run shows all that needs fixing. */
async function expectAccessible(page: Page, state: string, viewports?: readonly { width: number; height: number }[]): Promise<void> {
  const found = await audit(page, state, viewports);
  expect.soft(found, `axe found serious or critical violations on ${state}:\n${found.join("\n")}`).toEqual([]);
}

type Rgb = [number, number, number];
const luminance = ([r, g, b]: Rgb): number => {
  const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const contrast = (a: Rgb, b: Rgb): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

/**
 * What axe does not measure: a text input's border and its focus ring against
 * the surface behind the input (WCAG 1.4.11, 3:1), in the scheme on screen.
 */
async function controlContrast(page: Page, testId: string): Promise<{ border: number; focus: number }> {
  const input = page.getByTestId(testId).first();
  await input.focus();
  const colours = await input.evaluate((el) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    // The first opaque background behind the input.
    let behind = el.parentElement;
    let bg = "rgb(255, 255, 255)";
    while (behind) {
      const c = getComputedStyle(behind).backgroundColor;
      if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") {
        bg = c;
        break;
      }
      behind = behind.parentElement;
    }
    // Computed styles are live: read the focused outline before blurring.
    const focused = getComputedStyle(el);
    const focus = { color: focused.outlineColor, style: focused.outlineStyle, width: parseFloat(focused.outlineWidth) };
    (el as HTMLElement).blur();
    const border = getComputedStyle(el).borderTopColor;
    return { bg: rgb(bg), border: rgb(border), focus: rgb(focus.color), focusDrawn: focus.style !== "none" && focus.width >= 2 };
  });
  return {
    border: contrast(colours.border as Rgb, colours.bg as Rgb),
    // No ring drawn counts as no contrast at all.
    focus: colours.focusDrawn ? contrast(colours.focus as Rgb, colours.bg as Rgb) : 1,
  };
}

test("every screen passes axe at 1440 and 375 px, in light and dark", { timeout: 420_000 }, async () => {
  const { page } = stack.browser;
  const web = stack.parley.webUrl;
  await page.setViewportSize(VIEWPORTS[0]);

  // Signing in and creating an account, with a refused sign-in shown.
  await page.goto(`${web}/#/quotes`);
  await page.getByTestId("sign-in-screen").waitFor();
  await expectAccessible(page, "sign-in");
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("field-error").first().waitFor();
  expect(await page.getByTestId("auth-email").getAttribute("aria-invalid")).toBe("true");
  await expectAccessible(page, "sign-in (refused)");
  const ada = newPerson("Ada Audit", "Audit Co");
  await fillSignUp(page, ada);
  await expectAccessible(page, "sign-up");
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("page-notice").waitFor({ timeout: 15_000 });

  // The top bar on a phone is one compact row; the navigation and the account open from its Menu button.
  await page.setViewportSize(VIEWPORTS[1]);
  const bar = async (p: Page) => (await p.locator("header.topbar").boundingBox())!;
  expect.soft((await bar(page)).height, "the 375 px top bar is one row").toBeLessThanOrEqual(64);
  const toggle = page.getByTestId("menu-toggle");
  expect(await toggle.getAttribute("aria-expanded")).toBe("false");
  expect(await page.getByTestId("nav-quotes").isVisible()).toBe(false);
  await toggle.click();
  expect(await toggle.getAttribute("aria-expanded")).toBe("true");
  const menuItems = ["nav-quotes", "nav-new-quote", "nav-insights", "nav-members", "workspace-name", "workspace-role", "account-email", "sign-out"];
  for (const testId of menuItems) {
    const box = await page.getByTestId(testId).boundingBox();
    expect(box, `${testId} shows in the open menu`).not.toBeNull();
    expect.soft(box!.x + box!.width, `${testId} lies within the phone's width`).toBeLessThanOrEqual(375);
  }
  await expectAccessible(page, "top bar menu (open)", [VIEWPORTS[1]]);
  await page.screenshot({ path: join(RESULTS_DIR, "a11y-topbar-375-menu.png") });
  // From the keyboard: Tab goes from the button into the menu; Escape closes it and focus returns to the button.
  await toggle.focus();
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("#topbar-menu") !== null)).toBe(true);
  await page.keyboard.press("Escape");
  await expect.poll(() => page.getByTestId("sign-out").isVisible()).toBe(false);
  expect(await toggle.getAttribute("aria-expanded")).toBe("false");
  expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
  // A link in the menu navigates and closes it.
  await toggle.click();
  await page.getByTestId("nav-members").click();
  await page.getByTestId("members-table").waitFor();
  expect(await toggle.getAttribute("aria-expanded")).toBe("false");
  // On a wide screen the same links sit in the bar itself, and there is no Menu button.
  await page.setViewportSize(VIEWPORTS[0]);
  expect(await toggle.isVisible()).toBe(false);
  for (const testId of menuItems) expect(await page.getByTestId(testId).isVisible(), `${testId} in the wide top bar`).toBe(true);

  // The empty quotes list.
  await page.getByTestId("nav-quotes").click();
  await page.getByTestId("quotes-empty").waitFor();
  await expectAccessible(page, "quotes (empty)");

  // New quote, with the form's refusal shown at its fields; inputs' borders and focus rings at 3:1.
  await page.goto(`${web}/#/new`);
  await page.getByTestId("product-picker").waitFor();
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settle(page);
    const c = await controlContrast(page, "max-lead-time");
    expect.soft(c.border, `input border contrast in ${colorScheme}`).toBeGreaterThanOrEqual(3);
    expect.soft(c.focus, `focus ring contrast in ${colorScheme}`).toBeGreaterThanOrEqual(3);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await expectAccessible(page, "new quote");
  await page.getByTestId("submit-quote").click();
  await page.getByTestId("form-error").waitFor();
  await expectAccessible(page, "new quote (refused)");

  // Members: a spend threshold (so the award later needs an approval) and an invitation for an approver.
  await page.getByTestId("nav-members").click();
  await page.getByTestId("approval-threshold").fill("1");
  await page.getByTestId("save-threshold").click();
  await expect.poll(() => page.getByTestId("approval-threshold-value").getAttribute("data-threshold")).toBe("1");
  await page.getByTestId("invite-role").selectOption("approver");
  await page.getByTestId("create-invitation").click();
  await page.getByTestId("invite-link").waitFor();
  const link = await page.getByTestId("invite-link").inputValue();
  await expectAccessible(page, "members");

  // A second person: the invited sign-in, no workspace yet, then the join screen.
  const abe = await openBrowser({ width: 1440, height: 900 });
  others.push(abe);
  await abe.page.goto(link);
  await abe.page.getByTestId("sign-in-screen").waitFor();
  await expectAccessible(abe.page, "sign-in (invited)");
  await signUp(abe.page, web, newPerson("Abe Approver"));
  await abe.page.getByTestId("join-title").waitFor();
  await abe.page.goto(`${web}/#/quotes`);
  await abe.page.getByTestId("no-workspace").waitFor();
  await expectAccessible(abe.page, "no workspace");
  await abe.page.goto(link);
  await abe.page.getByTestId("join-title").waitFor();
  await expectAccessible(abe.page, "join");
  await abe.page.getByTestId("join-workspace").click();
  await abe.page.getByTestId("page-notice").waitFor();

  // A quote while it negotiates: one negotiation taken over (its panel open), the others running, the timeline open.
  const quoteId = await requestQuote(page, web, { quantity: "1200", secondProductOption: 4, maxRounds: "6", seed: "7" });
  const active = page.locator("[data-testid=negotiation][data-status=active]").first();
  await active.waitFor();
  const negotiationId = await active.getAttribute("data-negotiation-id");
  const mine = page.locator(`[data-testid=negotiation][data-negotiation-id="${negotiationId}"]`);
  await mine.getByTestId("take-over").click();
  await mine.getByTestId("takeover-panel").waitFor();
  await page.getByTestId("quote-timeline-toggle").click();
  await page.getByTestId("quote-timeline").getByTestId("timeline-entries").waitFor();
  await expectAccessible(page, "quote detail (negotiating, take-over panel and timeline open)");
  // In person: a message, the supplier's answer, then the counter-offer form with the engine's suggestion.
  await mine.getByTestId("send-message-input").fill("What is your best price for the full volume?");
  await mine.getByTestId("send-message").click();
  await mine.getByTestId("counter-form").waitFor({ timeout: 120_000 });
  await mine.getByTestId("suggestion-probability").waitFor();
  await expectAccessible(page, "take-over (counter-offer form)");
  await mine.getByTestId("resume").click();

  // The quotes list with a quote in it.
  await page.getByTestId("nav-quotes").click();
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"]`).waitFor();
  await expectAccessible(page, "quotes (with a quote)");

  // Completed: the recommendation and the comparison.
  await page.locator(`[data-testid=quote-row][data-quote-id="${quoteId}"] [data-testid=quote-link]`).click();
  await page.getByTestId("quote-detail").waitFor();
  await waitForFinalStatuses(page);
  await page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId("comparison-row").count()).toBe(3);
  await page.locator("[data-testid=quote-detail][data-status=completed]").waitFor();
  await expectAccessible(page, "quote detail (completed)");

  // The award waits for an approval: the requester's card, then the approver's.
  await page.getByTestId("accept-recommendation").click();
  const dialog = page.locator("dialog[open]");
  await dialog.getByTestId("award-needs-approval").waitFor();
  // The open dialog is named by its own title, not another dialog's on the page.
  expect(await page.getByRole("dialog", { name: /^Award the quote to / }).count()).toBe(1);
  await expectAccessible(page, "award dialog");
  await dialog.getByTestId("confirm-yes").click();
  await page.getByTestId("approval-pending").waitFor();
  await expectAccessible(page, "approval card (requester)");
  await abe.page.getByTestId("approvals-waiting").click();
  await abe.page.getByTestId("approval-pending").getByTestId("approve-award").waitFor();
  await expectAccessible(abe.page, "approval card (approver)");
  // On a phone, the closed Menu button says that an award waits.
  await abe.page.setViewportSize(VIEWPORTS[1]);
  expect.soft((await bar(abe.page)).height, "one row for an approver too").toBeLessThanOrEqual(64);
  expect(await abe.page.getByTestId("menu-approvals-count").textContent()).toContain("1 award waits for your approval");
  await abe.page.screenshot({ path: join(RESULTS_DIR, "a11y-topbar-375-approver.png") });
  await abe.page.setViewportSize(VIEWPORTS[0]);
  await abe.page.getByTestId("approve-award").click();

  // Awarded, with its purchase order.
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();
  await page.getByTestId("purchase-order").waitFor();
  await expectAccessible(page, "quote detail (awarded, purchase order)");

  // Insights, with a date range and the charts' tables open.
  await page.getByTestId("nav-insights").click();
  await page.getByTestId("insights-charts").waitFor();
  await page.getByTestId("range-30").click();
  await page.getByTestId("insights-lead").waitFor();
  for (const summary of await page.locator("[data-testid=insights-charts] details > summary").all()) await summary.click();
  await expectAccessible(page, "insights");

  // A page that does not exist.
  await page.goto(`${web}/#/no-such-page`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await expectAccessible(page, "not found");

  // The audit itself catches what it should: faint text and an unnamed input, planted on the page.
  await page.evaluate(() => {
    const planted = document.createElement("div");
    planted.innerHTML = '<p style="color:#c8c8c8;background:#fff">Faint words</p><input type="text" data-planted>';
    document.querySelector("main")!.append(planted);
  });
  const planted = await audit(page, "planted", [VIEWPORTS[1]]);
  expect(planted.some((f) => f.includes("color-contrast") && f.includes("375px light")), planted.join("\n")).toBe(true);
  expect(planted.some((f) => f.includes("] label: Form elements must have labels")), planted.join("\n")).toBe(true);
});
