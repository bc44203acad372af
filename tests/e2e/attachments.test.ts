import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { backendAs, newPerson, requestQuote, signUp } from "./flows";
import { openBrowser } from "./browser";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// Files on a quote, in a real browser against the embedded backend: a buyer
// attaches a PDF through the file input, it is listed and its link serves the
// same bytes, a file of a type a quote does not take is refused in words, a
// viewer sees the list without controls, and removing it deletes the file.

let stack: Stack;

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 200 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "attachments-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

/** A small but real PDF's bytes, with a binary byte in it so that nothing text-mangles them on the way. */
const PDF_BYTES = Buffer.concat([
  Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1"),
  Buffer.from("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"),
  Buffer.from([0, 255, 1, 254]),
  Buffer.from("\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
]);

test("attach a PDF, download it, have an HTML file refused, show a viewer the list only, then remove the PDF", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Ada Attacher", "Attach Co"));
  const quoteId = (await requestQuote(page, stack.parley.webUrl)) as Id<"quotes">;
  const card = page.getByTestId("attachments");
  await card.getByTestId("attachments-empty").waitFor();
  // The input has a visible label that opens it.
  expect(await card.locator("label", { hasText: "Attach a file" }).isVisible()).toBe(true);

  // Record every progress line the card shows while the file goes up.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const text = document.querySelector("[data-testid=attachment-progress]")?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await card.getByTestId("attachment-input").setInputFiles({ name: "drawing.pdf", mimeType: "application/pdf", buffer: PDF_BYTES });
  const item = card.getByTestId("attachment");
  await item.waitFor();
  expect(await item.count()).toBe(1);
  expect((await item.getByTestId("attachment-link").textContent())?.trim()).toBe("drawing.pdf");
  const meta = (await item.getByTestId("attachment-meta").textContent()) ?? "";
  expect(meta).toContain(`PDF, ${PDF_BYTES.length} bytes`);
  expect(meta).toContain("added by Ada Attacher");
  expect(await card.getByTestId("attachment-error").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen)).toContain("Uploading “drawing.pdf”…");
  expect(await card.getByTestId("attachment-progress").count(), "the progress line goes once the file is attached").toBe(0);

  // The link opens the file in a new tab, and serves the very bytes uploaded.
  const link = item.getByTestId("attachment-link");
  expect(await link.getAttribute("target")).toBe("_blank");
  const href = (await link.getAttribute("href"))!;
  const served = await fetch(href);
  expect(served.status).toBe(200);
  expect(served.headers.get("content-type")).toBe("application/pdf");
  expect(Buffer.from(await served.arrayBuffer()).equals(PDF_BYTES)).toBe(true);

  // The timeline tells who attached what.
  await page.getByTestId("quote-timeline-toggle").click();
  await page.locator('[data-testid=timeline-entry][data-type="attachment.added"]', { hasText: "attached “drawing.pdf”" }).waitFor();

  // A type a quote does not take: refused in words before anything is uploaded.
  await card.getByTestId("attachment-input").setInputFiles({ name: "page.html", mimeType: "text/html", buffer: Buffer.from("<h1>hi</h1>") });
  const error = card.getByTestId("attachment-error");
  await error.waitFor();
  expect(await error.textContent()).toContain("This is a file of type text/html, which cannot be attached");
  expect(await card.getByTestId("attachment").count()).toBe(1);
  const backend = await backendAs(page, stack.parley.convexUrl);
  const listed = await backend.client.query(api.attachments.list, { workspaceId: backend.workspaceId, quoteId });
  expect(listed.map((a) => a.name)).toEqual(["drawing.pdf"]);

  // At 375 px the card fits the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  await card.scrollIntoViewIfNeeded();
  const box = (await card.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(375);
  // Nothing in it reaches past the screen's edge (the hidden file input included).
  const past = await card.evaluate((el) =>
    [el, ...el.querySelectorAll<HTMLElement>("*")].filter((e) => e.getBoundingClientRect().right > window.innerWidth).map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(past).toEqual([]);
  await card.screenshot({ path: join(RESULTS_DIR, "attachments-375-light.png") });
  // Dark mode: the card follows the colour tokens.
  const colours = () => card.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el.querySelector("a")!).color]);
  const light = await colours();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await colours();
  expect(dark[0]).not.toBe(light[0]);
  expect(dark[1]).not.toBe(light[1]);
  await card.screenshot({ path: join(RESULTS_DIR, "attachments-375-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 1000 });

  // A viewer, invited from the Members screen, sees the list and opens the file, and has no control to change it.
  await page.getByTestId("nav-members").click();
  await page.getByTestId("invite-role").selectOption("viewer");
  await page.getByTestId("create-invitation").click();
  const invite = await page.getByTestId("invite-link").inputValue();
  const viewer = await openBrowser();
  try {
    await viewer.page.goto(invite);
    await signUp(viewer.page, stack.parley.webUrl, newPerson("Vic Viewer"));
    await viewer.page.getByTestId("join-workspace").click();
    await viewer.page.getByTestId("page-notice").waitFor();
    await viewer.page.goto(`${stack.parley.webUrl}/#/quotes/${quoteId}`);
    const theirs = viewer.page.getByTestId("attachments");
    await theirs.getByTestId("attachment").waitFor();
    expect(await theirs.getByTestId("attachment-link").getAttribute("href")).toBe(href);
    expect(await theirs.getByTestId("attachment-input").count()).toBe(0);
    expect(await theirs.getByTestId("attachment-remove").count()).toBe(0);
    expect(await theirs.getByTestId("attachments-need-buyer").textContent()).toBe("Viewers can't attach or remove files — ask an owner for the buyer role.");
  } finally {
    await viewer.close();
  }
  await page.goto(`${stack.parley.webUrl}/#/quotes/${quoteId}`);
  await item.waitFor();

  // Remove, with confirmation: the list empties and the file is gone from storage.
  await item.getByTestId("attachment-remove").click();
  const dialog = page.locator("dialog[open]");
  expect(await dialog.locator("h2").textContent()).toBe("Remove “drawing.pdf”?");
  await dialog.getByTestId("confirm-yes").click();
  await card.getByTestId("attachments-empty").waitFor();
  expect((await fetch(href)).status).toBe(404);
  expect(await backend.client.query(api.attachments.list, { workspaceId: backend.workspaceId, quoteId })).toEqual([]);
});
