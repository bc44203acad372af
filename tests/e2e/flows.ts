import { ConvexHttpClient } from "convex/browser";
import type { Page } from "playwright-core";
import type { Id } from "../../convex/_generated/dataModel";
import { TERMINAL_NEGOTIATION_STATUSES } from "../../src/negotiation/types";

export const FINAL_STATUSES: string[] = [...TERMINAL_NEGOTIATION_STATUSES];

export interface QuoteInput {
  /** Index into the catalog picker's options (0 is the placeholder). */
  productOption?: number;
  /** A second line item: this option of the picker, at the same quantity. */
  secondProductOption?: number;
  quantity?: string;
  target?: string;
  max?: string;
  maxRounds?: string;
  seed?: string;
}

/** Fills the New quote form like a user would; does not submit. */
export async function fillQuoteForm(page: Page, input: QuoteInput = {}): Promise<void> {
  await page.getByTestId("product-picker").selectOption({ index: input.productOption ?? 1 });
  await page.getByTestId("add-line-item").click();
  await page.getByTestId("line-quantity").last().fill(input.quantity ?? "1000");
  if (input.target !== undefined) await page.getByTestId("line-target").last().fill(input.target);
  if (input.max !== undefined) await page.getByTestId("line-max").last().fill(input.max);
  if (input.secondProductOption !== undefined) {
    await page.getByTestId("product-picker").selectOption({ index: input.secondProductOption });
    await page.getByTestId("add-line-item").click();
    await page.getByTestId("line-quantity").last().fill(input.quantity ?? "1000");
  }
  await page.getByTestId("max-lead-time").fill("30");
  await page.getByTestId("min-payment-terms").fill("30");
  // Move a slider with the keyboard: the others rescale.
  await page.getByTestId("priority-price").focus();
  await page.keyboard.press("ArrowRight");
  if (input.maxRounds !== undefined || input.seed !== undefined) {
    await page.locator("details.advanced > summary").click();
    if (input.maxRounds !== undefined) await page.getByTestId("max-rounds").fill(input.maxRounds);
    if (input.seed !== undefined) await page.getByTestId("seed").fill(input.seed);
  }
}

/** Requests a quote through the form and returns its id from the detail page's URL. */
export async function requestQuote(page: Page, webUrl: string, input: QuoteInput = {}): Promise<string> {
  await page.goto(`${webUrl}/#/new`);
  await fillQuoteForm(page, input);
  await page.getByTestId("submit-quote").click();
  await page.getByTestId("quote-detail").waitFor();
  const match = /#\/quotes\/([^?]+)/.exec(page.url());
  if (!match) throw new Error(`not on a quote page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** Waits until every negotiation on the page shows a final status. */
export async function waitForFinalStatuses(page: Page, timeout = 200_000): Promise<string[]> {
  await page.waitForFunction(
    (finals) => {
      const panels = [...document.querySelectorAll<HTMLElement>("[data-testid=negotiation]")];
      return panels.length === 3 && panels.every((p) => finals.includes(p.dataset.status ?? ""));
    },
    FINAL_STATUSES,
    { timeout, polling: 100 },
  );
  return await page.locator("[data-testid=negotiation]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status ?? ""));
}

/** A full-page screenshot from the top, so the sticky header sits where it belongs. */
export async function screenshot(page: Page, path: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
}

export interface Person {
  name: string;
  email: string;
  password: string;
  /** The workspace created on sign-up; none when the person signs up through an invitation. */
  workspace?: string;
}

let people = 0;

/** Someone new: a unique email, a good password and, unless invited, a workspace of their own. */
export function newPerson(name: string, workspace?: string): Person {
  people++;
  const slug = name.toLowerCase().replace(/[^a-z]+/g, ".");
  return { name, email: `${slug}.${Date.now().toString(36)}${people}@example.com`, password: "correct-horse-battery", workspace };
}

/** Fills the sign-in screen's Create account form, without submitting it. */
export async function fillSignUp(page: Page, person: Person): Promise<void> {
  await page.getByTestId("sign-in-screen").waitFor();
  await page.getByTestId("tab-sign-up").click();
  await page.getByTestId("auth-name").fill(person.name);
  await page.getByTestId("auth-email").fill(person.email);
  await page.getByTestId("auth-password").fill(person.password);
  if (person.workspace !== undefined) await page.getByTestId("auth-workspace").fill(person.workspace);
}

/**
 * Creates the account through the sign-in screen (opened at `webUrl` unless the
 * page is already on it, e.g. an invitation link). With a workspace, waits for
 * the dashboard and returns its "workspace is ready" notice.
 */
export async function signUp(page: Page, webUrl: string, person: Person): Promise<string | undefined> {
  if (!page.url().startsWith(webUrl)) await page.goto(`${webUrl}/#/quotes`);
  await fillSignUp(page, person);
  await page.getByTestId("auth-submit").click();
  if (person.workspace === undefined) {
    await page.getByTestId("app").waitFor();
    return undefined;
  }
  const notice = page.getByTestId("page-notice");
  await notice.waitFor({ timeout: 15_000 });
  return (await notice.textContent()) ?? "";
}

export async function signIn(page: Page, person: Pick<Person, "email" | "password">): Promise<void> {
  await page.getByTestId("sign-in-screen").waitFor();
  await page.getByTestId("tab-sign-in").click();
  await page.getByTestId("auth-email").fill(person.email);
  await page.getByTestId("auth-password").fill(person.password);
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("app").waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-in-screen").waitFor();
}

/** The workspace on screen, as the dashboard's root element says. */
export async function currentWorkspace(page: Page): Promise<{ workspaceId: string; role: string }> {
  const app = page.getByTestId("app");
  await app.waitFor();
  return { workspaceId: (await app.getAttribute("data-workspace-id")) ?? "", role: (await app.getAttribute("data-role")) ?? "" };
}

/**
 * The backend as the person signed in on this page: their Convex Auth token
 * (kept by the dashboard in localStorage) on an HTTP client, and the id of the
 * workspace on screen. For checks the UI cannot make, e.g. that the server
 * refuses what a viewer is not shown.
 */
export async function backendAs(page: Page, convexUrl: string): Promise<{ client: ConvexHttpClient; workspaceId: Id<"workspaces"> }> {
  const token = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("__convexAuthJWT_"));
    return key ? localStorage.getItem(key) : null;
  });
  if (!token) throw new Error("no sign-in token in this page's localStorage");
  const client = new ConvexHttpClient(convexUrl);
  client.setAuth(token);
  const { workspaceId } = await currentWorkspace(page);
  return { client, workspaceId: workspaceId as Id<"workspaces"> };
}

/** Waits until some message's text visibly grows while it streams: live queries at work, no reload. */
export async function waitForStreamingGrowth(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __lengths?: Map<string, number[]> };
      const lengths = (w.__lengths ??= new Map());
      for (const m of document.querySelectorAll<HTMLElement>("[data-testid=message][data-state=streaming]")) {
        const key = `${m.closest<HTMLElement>("[data-testid=negotiation]")?.dataset.negotiationId}:${m.dataset.seq}`;
        const length = m.querySelector("[data-testid=message-content]")?.textContent?.length ?? 0;
        const seen = lengths.get(key) ?? [];
        if (seen.at(-1) !== length) seen.push(length);
        lengths.set(key, seen);
        if (seen.length >= 3 && seen.every((v: number, i: number) => i === 0 || v > seen[i - 1])) return true;
      }
      return false;
    },
    undefined,
    { timeout, polling: 50 },
  );
}

/**
 * Starts noting every screen the page shows (by data-testid), however briefly,
 * so a test can prove there was no flash of the wrong one. Read with `screensSeen`.
 */
export async function watchScreens(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __screens: string[]; __screenObserver?: MutationObserver };
    w.__screens = [];
    w.__screenObserver?.disconnect();
    const note = () => {
      for (const el of document.querySelectorAll<HTMLElement>("[data-testid]")) {
        const id = el.dataset.testid!;
        if (w.__screens.at(-1) !== id && !w.__screens.includes(id)) w.__screens.push(id);
      }
    };
    w.__screenObserver = new MutationObserver(note);
    w.__screenObserver.observe(document.body, { childList: true, subtree: true });
    note();
  });
}

export async function screensSeen(page: Page): Promise<string[]> {
  return await page.evaluate(() => (window as unknown as { __screens?: string[] }).__screens ?? []);
}
