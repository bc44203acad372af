import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Download, Page } from "playwright-core";
import { extractText } from "unpdf";
import { afterEach, beforeEach, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { backendAs, newPerson, requestQuote, screenshot, signUp, waitForFinalStatuses } from "./flows";
import { bootStack, RESULTS_DIR, type Stack } from "./stack";

// An award writes a purchase order: its panel shows on the quote page, and its
// PDF and CSV download from the browser. The comparison exports to CSV too.

let stack: Stack;

beforeEach(async () => {
  stack = await bootStack({ tokensPerSec: 200 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await stack?.browser.page.screenshot({ path: join(RESULTS_DIR, "purchase-order-failure.png"), fullPage: true }).catch(() => undefined);
    console.log(["browser errors:", ...stack.browser.errors, "stack log:", ...stack.log.slice(-40)].join("\n"));
  }
  await stack?.stop();
});

/** Clicks and returns what the browser saved, with the name it offered. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = (await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), click()])) as [Download, void];
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

test("award, then download the purchase order as PDF and CSV; export the comparison", async () => {
  const { page } = stack.browser;
  await signUp(page, stack.parley.webUrl, newPerson("Pia Buyer", "PO Flow Co"));
  const quoteId = await requestQuote(page, stack.parley.webUrl, { quantity: "1200", secondProductOption: 4, maxRounds: "6", seed: "7" });
  await waitForFinalStatuses(page);
  await page.getByTestId("recommendation").waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId("comparison-row").count()).toBe(3);
  expect(await page.getByTestId("purchase-order").count(), "no PO before the award").toBe(0);

  // The comparison as CSV: a header and one row per supplier.
  const comparison = await downloaded(page, () => page.getByTestId("comparison-export-csv").click());
  expect(comparison.name).toMatch(/^comparison-\d{4}-\d{2}-\d{2}\.csv$/);
  const comparisonLines = comparison.bytes.toString("utf8").trim().split("\r\n");
  expect(comparisonLines[0]).toBe("Rank,Supplier,Recommended,Outcome,Total,Currency,Lead time (days),Payment terms (days),Score,Summary");
  expect(comparisonLines).toHaveLength(4);
  expect(comparisonLines.filter((l) => l.includes(",yes,"))).toHaveLength(1);
  // Its outcome column says what the table says, in the dashboard's words: never the engine's bare "Agreement".
  const tableWords = await page.getByTestId("comparison-outcome").allTextContents();
  expect(comparisonLines.slice(1).map((l) => l.split(",")[3])).toEqual(tableWords);
  expect(tableWords).toContain("Final offer");
  expect(tableWords).not.toContain("Agreement");

  const supplier = (await page.getByTestId("recommended-supplier").textContent())!.trim();
  await page.getByTestId("accept-recommendation").click();
  await page.locator("dialog[open]").getByTestId("confirm-yes").click();
  await page.locator("[data-testid=quote-detail][data-status=awarded]").waitFor();

  // The PO panel, live after the award.
  const panel = page.getByTestId("purchase-order");
  await panel.waitFor();
  expect(await panel.getByTestId("po-number").textContent()).toBe("PO-0001");
  expect(await panel.getByTestId("po-supplier").textContent()).toBe(supplier);
  expect(await panel.getByTestId("po-line").count()).toBe(2);
  expect(await panel.getByTestId("po-delivery-address").textContent()).toContain("Not given");
  expect(await panel.getByTestId("po-approved-by").textContent()).toContain("No approval needed");
  await screenshot(page, join(RESULTS_DIR, "purchase-order.png"));

  const backend = await backendAs(page, stack.parley.convexUrl);
  const po = (await backend.client.query(api.purchaseOrders.forQuote, { workspaceId: backend.workspaceId, quoteId: quoteId as Id<"quotes"> }))!;
  expect(po).toMatchObject({ reference: "PO-0001", supplierName: supplier, buyerName: "PO Flow Co" });
  const total = (await panel.getByTestId("po-total").textContent())!.trim();
  expect(total).toBe(new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(po.total));

  // The PDF, made in the browser: its text names the PO, the supplier, a line and the total.
  const pdf = await downloaded(page, () => panel.getByTestId("po-download-pdf").click());
  expect(pdf.name).toBe("PO-0001.pdf");
  expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const { text, totalPages } = await extractText(new Uint8Array(pdf.bytes), { mergePages: true });
  expect(totalPages).toBe(1);
  expect(text).toContain("Purchase order PO-0001");
  expect(text).toContain("PO Flow Co");
  expect(text).toContain(supplier);
  expect(text).toContain(po.lines[0]!.name);
  expect(text).toContain(po.lines[0]!.sku);
  expect(text).toContain(total);
  expect(text).toContain("Not given");
  expect(text).toContain("Pia Buyer");
  for (const secret of ["Target", "Maximum", "guardrail", "Priorit"]) expect(text).not.toContain(secret);

  // The CSV: a row per line, each naming the PO and the supplier.
  const csv = await downloaded(page, () => panel.getByTestId("po-download-csv").click());
  expect(csv.name).toBe("PO-0001.csv");
  const rows = csv.bytes.toString("utf8").trim().split("\r\n");
  expect(rows[0]!.startsWith("Purchase order,Date,Buyer,Supplier,SKU,Product,Quantity,Unit price,Line total,Order total")).toBe(true);
  expect(rows).toHaveLength(3);
  for (const row of rows.slice(1)) {
    expect(row.startsWith("PO-0001,")).toBe(true);
    expect(row).toContain(supplier);
  }
  expect(rows[1]).toContain(po.lines[0]!.sku);

  // On a phone the panel fits: nothing scrolls the page sideways.
  await page.setViewportSize({ width: 390, height: 900 });
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0);
  await panel.getByTestId("po-download-pdf").waitFor();
  await screenshot(page, join(RESULTS_DIR, "purchase-order-phone.png"));
});
