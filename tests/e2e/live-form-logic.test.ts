import { describe, expect, test } from "vitest";
import { draftFromQuote, emptyDraft, validateQuote, type QuoteDraft } from "../../web/src/lib/quoteForm";
import type { Id, Quote } from "../../web/src/lib/types";

// The New quote form's live-supplier choice and response deadline, without a browser.

const draft = (patch: Partial<QuoteDraft> = {}): QuoteDraft => ({
  ...emptyDraft(),
  lines: [{ key: 1, productId: "p1", quantity: "100", targetUnitPrice: "2", maxUnitPrice: "3" }],
  ...patch,
});
const s1 = "s1" as Id<"suppliers">;
const s2 = "s2" as Id<"suppliers">;

describe("who answers, and by when", () => {
  test("a new form is all simulated with 48 hours, and sends them", () => {
    expect(emptyDraft()).toMatchObject({ liveSupplierIds: [], responseHours: "48" });
    const { errors, args } = validateQuote(draft());
    expect(errors).toEqual({});
    expect(args).toMatchObject({ responseHours: 48 });
    expect(args).not.toHaveProperty("liveSupplierIds");
  });

  test("live suppliers are sent once each", () => {
    const { args } = validateQuote(draft({ liveSupplierIds: [s1, s2, s1], responseHours: "720" }));
    expect(args?.liveSupplierIds).toEqual([s1, s2]);
    expect(args?.responseHours).toBe(720);
  });

  test.each([
    ["", "Enter how many hours"],
    ["0", "from 1 to 720"],
    ["721", "from 1 to 720"],
    ["1.5", "whole number"],
    ["-3", "from 1 to 720"],
    ["abc", "Enter how many hours"],
    ["1e9", "from 1 to 720"],
  ])("response hours %j are refused at the field", (hours, words) => {
    const { errors, args } = validateQuote(draft({ responseHours: hours }));
    expect(args).toBeUndefined();
    expect(Object.keys(errors)).toEqual(["responseHours"]);
    expect(errors.responseHours).toContain(words);
  });

  test("duplicate and edit keep the response hours and the live suppliers; an old quote without hours gets the default", () => {
    const quote = {
      title: "Restock",
      lineItems: [{ productId: "p1", quantity: 5, targetUnitPrice: 1, maxUnitPrice: 2 }],
      guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
      priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 },
      maxRounds: 6,
      seed: 9,
      responseHours: 12,
    } as unknown as Quote;
    let key = 0;
    const copy = draftFromQuote(quote, "duplicate", () => key++, [s2]);
    expect(copy).toMatchObject({ responseHours: "12", liveSupplierIds: [s2] });
    expect(validateQuote(copy).args).toMatchObject({ responseHours: 12, liveSupplierIds: [s2] });
    const edit = draftFromQuote(quote, "edit", () => key++, [s1]);
    expect(edit).toMatchObject({ responseHours: "12", liveSupplierIds: [s1] });
    const old = draftFromQuote({ ...quote, responseHours: undefined }, "edit", () => key++);
    expect(old).toMatchObject({ responseHours: "48", liveSupplierIds: [] });
  });
});

describe("the auto-award policy on the form", () => {
  test("blank is off and sends nothing; a percentage is sent as the policy", () => {
    expect(emptyDraft().autoAwardPct).toBe("");
    expect(validateQuote(draft()).args).not.toHaveProperty("autoAward");
    expect(validateQuote(draft({ autoAwardPct: "7.5" })).args?.autoAward).toEqual({ maxPctOverTarget: 7.5 });
    expect(validateQuote(draft({ autoAwardPct: "0" })).args?.autoAward).toEqual({ maxPctOverTarget: 0 });
  });

  test.each(["-1", "51", "ten"])("%s is refused at the field, in words", (pct) => {
    const { errors, args } = validateQuote(draft({ autoAwardPct: pct }));
    expect(args).toBeUndefined();
    expect(errors["autoAward.maxPctOverTarget"]).toMatch(/from 0 to 50 over target, or blank for off/);
  });

  test("duplicate and edit keep the policy", () => {
    const quote = { lineItems: [], guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 }, priorities: { price: 0.4, leadTime: 0.2, paymentTerms: 0.2, quality: 0.2 }, maxRounds: 6, seed: 9, autoAward: { maxPctOverTarget: 5 } } as unknown as Quote;
    expect(draftFromQuote(quote, "duplicate", () => 0).autoAwardPct).toBe("5");
  });
});
