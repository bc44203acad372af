import { ConvexError } from "convex/values";
import { describe, expect, test } from "vitest";
import { hrefFor, isPortalRoute, parseHash } from "../../web/src/lib/router";
import { portalProblem } from "../../web/src/portal/problems";
import { isOpen } from "../../web/src/portal/types";
import {
  deadlineWords,
  heartbeatDue,
  lastOwnOffer,
  possessive,
  prefillOffer,
  relativeTime,
  seenMessageId,
  statusWords,
  timeAgo,
  validateOffer,
  type OfferDraft,
} from "../../web/src/portal/words";

// The supplier portal's routes, words and offer checks, without a browser.

const HOUR = 3_600_000;
const LINES = [
  { sku: "TOTE", name: "Canvas tote" },
  { sku: "SOCK", name: "Crew socks" },
];
const draft = (patch: Partial<OfferDraft> = {}): OfferDraft => ({
  unitPrices: ["2.50", "1.20"],
  leadTimeDays: "30",
  paymentTermsDays: "45",
  message: "",
  ...patch,
});

describe("portal routes", () => {
  test("parse and print the three portal pages", () => {
    expect(parseHash("#/supplier")).toEqual({ name: "supplierHome" });
    expect(parseHash("#/supplier/invite/abc-DEF_1")).toEqual({ name: "supplierInvite", token: "abc-DEF_1" });
    expect(parseHash("#/supplier/n/k17abc")).toEqual({ name: "supplierNegotiation", negotiationId: "k17abc" });
    for (const route of [{ name: "supplierHome" }, { name: "supplierInvite", token: "t/ok?x" }, { name: "supplierNegotiation", negotiationId: "n1" }] as const) {
      expect(parseHash(hrefFor(route))).toEqual(route);
      expect(isPortalRoute(route)).toBe(true);
    }
  });

  test("a cut-short or empty invitation still opens the invitation page, which refuses it in words", () => {
    expect(parseHash("#/supplier/invite/")).toEqual({ name: "supplierInvite", token: "" });
    expect(parseHash("#/supplier/invite")).toEqual({ name: "supplierInvite", token: "" });
  });

  test("other supplier paths are not found, and dashboard routes are not the portal's", () => {
    expect(parseHash("#/supplier/n")).toEqual({ name: "notFound", path: "/supplier/n" });
    expect(parseHash("#/supplier/n/a/b").name).toBe("notFound");
    expect(isPortalRoute(parseHash("#/quotes"))).toBe(false);
    expect(isPortalRoute(parseHash("#/join/tok"))).toBe(false);
  });
});

describe("status words", () => {
  const base = { yourTurn: true, award: null, outcome: null };
  test("whose turn it is, including the live supplier's opening", () => {
    expect(statusWords({ ...base, status: "active" }).label).toBe("Your turn");
    expect(statusWords({ ...base, status: "active", yourTurn: false }).label).toBe("Waiting for the brand's answer");
    expect(statusWords({ ...base, status: "pending" }).label).toBe("Your turn");
    expect(statusWords({ ...base, status: "pending", yourTurn: false }).label).toBe("Starting");
  });

  test("ends in words, the award first", () => {
    // The brand's words for the award (convex/model/statusWords.ts): the winner "Awarded", another final offer "Not awarded".
    expect(statusWords({ ...base, status: "accepted", award: { yours: true } }).label).toBe("Awarded");
    expect(statusWords({ ...base, status: "accepted", award: { yours: false } })).toMatchObject({ label: "Not awarded", tone: "neutral" });
    expect(statusWords({ ...base, status: "accepted" })).toMatchObject({ label: "Final offer", detail: expect.stringMatching(/final offer, held until the brand awards/) });
    // Closed by the award while still negotiating: its own end, and why.
    const closed = statusWords({ ...base, status: "rejected", award: { yours: false }, endedBy: "brand" });
    expect(closed).toMatchObject({ label: "Ended", detail: expect.stringMatching(/awarded this quote to another supplier/) });
    expect(statusWords({ ...base, status: "rejected", award: { yours: false }, endedBy: "you" }).label).toBe("Declined");
    expect(statusWords({ ...base, status: "active", quoteStatus: "cancelled" }).label).toBe("Cancelled");
    for (const status of ["rejected", "impasse", "expired", "failed"] as const) {
      expect(statusWords({ ...base, status }).tone).toBe("bad");
    }
  });
});

describe("time in words", () => {
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  test("a 48-hour deadline just set reads 'in 47 hours'", () => {
    expect(relativeTime(now + 48 * HOUR - 5_000, now)).toBe("in 47 hours");
    expect(relativeTime(now + 3 * 24 * HOUR, now)).toBe("in 3 days");
    expect(relativeTime(now + 25 * 60_000, now)).toBe("in 25 minutes");
    expect(relativeTime(now + 10_000, now)).toBe("in less than a minute");
    expect(relativeTime(now - 2 * HOUR, now)).toBe("2 hours ago");
  });

  test("a message stamped a moment ahead of this clock was just now", () => {
    expect(timeAgo(now + 20_000, now)).toBe("just now");
    expect(timeAgo(now - 5 * 60_000, now)).toBe("5 minutes ago");
  });

  test("a negotiation takes moves until it ends or its deadline passes on the clock", () => {
    expect(isOpen({ status: "active", expiresAt: now + 1 }, now)).toBe(true);
    expect(isOpen({ status: "paused", expiresAt: null }, now)).toBe(true);
    expect(isOpen({ status: "active", expiresAt: now }, now)).toBe(false);
    for (const status of ["accepted", "rejected", "impasse", "expired", "failed"] as const) {
      expect(isOpen({ status, expiresAt: now + HOUR }, now)).toBe(false);
    }
  });

  test("the deadline says when, how far, and whether it passed", () => {
    expect(deadlineWords(null, now)).toBeNull();
    const soon = deadlineWords(now + 2 * HOUR, now)!;
    expect(soon).toMatchObject({ relative: "in 2 hours", passed: false });
    expect(soon.when).toMatch(/December 2/);
    expect(deadlineWords(now - 1, now)!.passed).toBe(true);
  });
});

describe("the offer form", () => {
  test("a good offer becomes the mutation's arguments, the message only when given", () => {
    expect(validateOffer(draft(), LINES)).toEqual({
      values: { lines: [{ sku: "TOTE", unitPrice: 2.5 }, { sku: "SOCK", unitPrice: 1.2 }], leadTimeDays: 30, paymentTermsDays: 45 },
      errors: {},
    });
    const withMessage = validateOffer(draft({ message: "  Best we can do.  ", unitPrices: ["1,250.5", " 3 "] }), LINES);
    expect(withMessage.values).toMatchObject({ lines: [{ unitPrice: 1250.5 }, { unitPrice: 3 }], message: "Best we can do." });
  });

  test("each bad field is named at the field the server would name", () => {
    const { values, errors } = validateOffer(draft({ unitPrices: ["", "-1"], leadTimeDays: "0", paymentTermsDays: "30.5" }), LINES);
    expect(values).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["leadTimeDays", "lines.0.unitPrice", "lines.1.unitPrice", "paymentTermsDays"]);
    expect(errors["lines.0.unitPrice"]).toMatch(/Canvas tote/);
    expect(errors["lines.1.unitPrice"]).toMatch(/Crew socks/);
    expect(errors.paymentTermsDays).toMatch(/whole number/);
  });

  test("what an attacker might type is refused, not coerced", () => {
    for (const price of ["1e3", "0x10", "Infinity", "NaN", "12abc", "1.2.3", "0", "1000001"]) {
      expect(validateOffer(draft({ unitPrices: [price, "1"] }), LINES).errors, price).toHaveProperty(["lines.0.unitPrice"]);
    }
    expect(validateOffer(draft({ leadTimeDays: "366" }), LINES).errors).toHaveProperty("leadTimeDays");
    expect(validateOffer(draft({ paymentTermsDays: "181" }), LINES).errors).toHaveProperty("paymentTermsDays");
    expect(validateOffer(draft({ paymentTermsDays: "0" }), LINES).errors).toEqual({});
    expect(validateOffer(draft({ message: "x".repeat(4_001) }), LINES).errors).toHaveProperty("message");
    expect(validateOffer(draft({ unitPrices: ["1"] }), LINES).errors).toHaveProperty(["lines.1.unitPrice"]);
  });

  test("starts from the supplier's last own offer, by sku", () => {
    const offers = [
      { round: 1, offeredBy: "supplier", terms: { lines: [{ sku: "SOCK", unitPrice: 1.5 }, { sku: "TOTE", unitPrice: 3 }], leadTimeDays: 40, paymentTermsDays: 20 } },
      { round: 2, offeredBy: "brand", terms: { lines: [{ sku: "TOTE", unitPrice: 2 }, { sku: "SOCK", unitPrice: 1 }], leadTimeDays: 20, paymentTermsDays: 60 } },
    ];
    expect(lastOwnOffer(offers)?.round).toBe(1);
    expect(prefillOffer(LINES, lastOwnOffer(offers)!.terms)).toEqual({ unitPrices: ["3", "1.5"], leadTimeDays: "40", paymentTermsDays: "20", message: "" });
    expect(prefillOffer(LINES, null)).toEqual({ unitPrices: ["", ""], leadTimeDays: "", paymentTermsDays: "", message: "" });
    expect(lastOwnOffer([offers[1]!])).toBeNull();
  });
});

describe("seen, typing and heartbeats", () => {
  const messages = [
    { _id: "a", seq: 1, sender: "you" },
    { _id: "b", seq: 2, sender: "brand" },
    { _id: "c", seq: 3, sender: "you" },
    { _id: "d", seq: 4, sender: "you" },
  ];
  test("'Seen' goes under the supplier's last message the brand has read", () => {
    expect(seenMessageId(messages, 0)).toBeNull();
    expect(seenMessageId(messages, 2)).toBe("a");
    expect(seenMessageId(messages, 3)).toBe("c");
    expect(seenMessageId(messages, 10)).toBe("d");
  });

  test("a heartbeat at most every 2 seconds", () => {
    expect(heartbeatDue(null, 0)).toBe(true);
    expect(heartbeatDue(10_000, 11_999)).toBe(false);
    expect(heartbeatDue(10_000, 12_000)).toBe(true);
  });
});

describe("refusals in words", () => {
  const refusal = (code: string, message: string) => new ConvexError({ code, message, field: "negotiationId" });
  test("someone else's negotiation (a malformed id is one too), a bad link", () => {
    expect(portalProblem(refusal("FORBIDDEN", "Not a member"), "negotiation")).toBe("This negotiation is not one you were invited to.");
    expect(portalProblem(refusal("NOT_FOUND", "Invitation not found"), "invitation")).toMatch(/^This invitation link is not valid/);
  });

  test("an expired or closed negotiation explains why nothing more can be done", () => {
    expect(portalProblem(refusal("EXPIRED", "This negotiation has expired"), "action")).toBe(
      "This negotiation has expired. The response deadline has passed, so nothing more can be offered here.",
    );
    expect(portalProblem(refusal("CLOSED", "This negotiation is closed (rejected)"), "action")).toMatch(/has ended, so it takes no more/);
    expect(portalProblem(refusal("CONFLICT", "Your offer is with the brand: wait for its answer"), "action")).toBe(
      "Your offer is with the brand: wait for its answer.",
    );
  });

  test("possessives read naturally", () => {
    expect(possessive("Acme Goods")).toBe("Acme Goods’");
    expect(possessive("Harbor")).toBe("Harbor’s");
  });
});
