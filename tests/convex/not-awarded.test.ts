import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { STATUS_LABELS } from "../../convex/model/statusWords";
import { statusWords } from "../../web/src/portal/words";
import { brand, expectRefused, liveFinalists, newBackend, portalForm, SERVICE_KEY, terms, threeOffers } from "./helpers";

// After the award the winner reads "Awarded" and every other final offer "Not
// awarded", on the brand's dashboard and in the supplier's portal alike; before
// it, a final offer reads "Final offer". A losing final offer takes no more
// moves, and its supplier learns nothing of the winner.


/** Three simulated negotiations: a and b reach a final offer, c an impasse. */
async function twoFinalOffers() {
  const { t, quoteId, leaseEpoch, a, b, c, offerA, offerB } = await threeOffers();
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: a, offerId: offerA, by: "brand" });
  await t.mutation(api.ingest.acceptOffer, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: b, offerId: offerB, by: "brand" });
  await t.mutation(api.ingest.updateNegotiationStatus, { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: c, status: "impasse" });
  return { t, quoteId, a, b, c };
}

async function brandWords(t: ReturnType<typeof newBackend>, quoteId: string) {
  const detail = (await brand(t).query(api.quotes.get, { quoteId }))!;
  const row = (await brand(t).query(api.quotes.list, { paginationOpts: { numItems: 10, cursor: null } })).page.find((q) => q._id === quoteId)!;
  return {
    detail: Object.fromEntries(detail.negotiations.map((n) => [n._id, { status: n.status, standing: n.standing, label: STATUS_LABELS[n.standing] }])),
    list: Object.fromEntries(row.negotiationStatuses.map((n) => [n.negotiationId, n.standing])),
  };
}

describe("the brand's words, before and after the award", () => {
  test("before: both agreements read 'Final offer'; after: the winner 'Awarded', the other final offer 'Not awarded', the impasse its own", async () => {
    const { t, quoteId, a, b, c } = await twoFinalOffers();
    const before = await brandWords(t, quoteId);
    expect(before.detail).toEqual({
      [a]: { status: "accepted", standing: "accepted", label: "Final offer" },
      [b]: { status: "accepted", standing: "accepted", label: "Final offer" },
      [c]: { status: "impasse", standing: "impasse", label: "Impasse" },
    });
    expect(before.list).toEqual({ [a]: "accepted", [b]: "accepted", [c]: "impasse" });

    await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b });
    const after = await brandWords(t, quoteId);
    // The statuses stay as they were: the standing is derived from them and the award.
    expect(after.detail).toEqual({
      [a]: { status: "accepted", standing: "not_awarded", label: "Not awarded" },
      [b]: { status: "accepted", standing: "awarded", label: "Awarded" },
      [c]: { status: "impasse", standing: "impasse", label: "Impasse" },
    });
    expect(after.list).toEqual({ [a]: "not_awarded", [b]: "awarded", [c]: "impasse" });
  });

  test("a losing final offer cannot be awarded after the award (CONFLICT), nor countered, walked away from or taken over (CLOSED): nothing written", async () => {
    const { t, a, b } = await twoFinalOffers();
    await brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: b });
    const refused = await expectRefused(t, () => brand(t).mutation(api.negotiations.acceptCurrentOffer, { negotiationId: a }), "CONFLICT", "quoteId");
    expect(refused.message).toBe("This quote has already been awarded");
    // A final offer is a closed negotiation: every move on it is refused as such, before and after the award.
    for (const move of [
      () => brand(t).mutation(api.negotiations.counter, { negotiationId: a, terms: terms(6, 0.8) }),
      () => brand(t).mutation(api.negotiations.walkAway, { negotiationId: a }),
      () => brand(t).mutation(api.negotiations.pause, { negotiationId: a }),
    ]) {
      expect((await expectRefused(t, move, "CLOSED", "negotiationId")).message).toBe("This negotiation is closed (accepted)");
    }
  });
});

/** What the supplier's portal shows: the view's standing and the words its status card and list row print. */
async function portalWords(contact: Awaited<ReturnType<typeof liveFinalists>>["winner"]) {
  const view = await contact.query(api.supplierPortal.negotiation, {});
  const row = (await contact.as.query(api.supplierPortal.myNegotiationsList, {})).find((r) => r.negotiationId === contact.negotiationId)!;
  const card = statusWords({ status: view.status, outcome: view.outcome, yourTurn: view.yourTurn, award: view.award, quoteStatus: view.quote.status, endedBy: view.endedBy });
  const listed = statusWords({ status: row.status, yourTurn: row.yourTurn, award: row.awarded === null ? null : { yours: row.awarded } });
  return { view, row, standing: view.standing, rowStanding: row.standing, card: card.label, listed: listed.label };
}

describe("the supplier's words, before and after the award", () => {
  test("before: the finalist's portal reads 'Final offer', as the brand's does", async () => {
    const { finalist, owner, quoteId } = await liveFinalists();
    expect(await portalWords(finalist)).toMatchObject({ standing: "accepted", rowStanding: "accepted", card: "Final offer", listed: "Final offer" });
    const brandSide = (await owner.query(api.quotes.get, { quoteId }))!.negotiations.find((n) => n._id === finalist.negotiationId)!;
    expect(STATUS_LABELS[brandSide.standing]).toBe("Final offer");
  });

  test("after: the winner reads 'Awarded' and the losing final offer 'Not awarded' on both sides; the one still negotiating is closed", async () => {
    const { winner, finalist, open, owner, quoteId } = await liveFinalists();
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: winner.negotiationId });
    const brandSide = Object.fromEntries((await owner.query(api.quotes.get, { quoteId }))!.negotiations.map((n) => [n._id, STATUS_LABELS[n.standing]]));

    expect(await portalWords(winner)).toMatchObject({ standing: "awarded", rowStanding: "awarded", card: "Awarded", listed: "Awarded" });
    expect(brandSide[winner.negotiationId]).toBe("Awarded");

    const loser = await portalWords(finalist);
    expect(loser).toMatchObject({ standing: "not_awarded", rowStanding: "not_awarded", card: "Not awarded", listed: "Not awarded" });
    expect(loser.view.status).toBe("accepted");
    expect(brandSide[finalist.negotiationId]).toBe("Not awarded");

    // Still negotiating at the award: closed by it (the brand reads "Rejected"), and its supplier is told why.
    const closed = await portalWords(open);
    expect(closed.standing).toBe("rejected");
    expect(brandSide[open.negotiationId]).toBe("Rejected");
    const words = statusWords({ status: "rejected", yourTurn: false, award: { yours: false }, endedBy: closed.view.endedBy });
    expect(words.detail).toMatch(/awarded this quote to another supplier/);
  });

  test("the losing final offer's portal holds nothing of the winner: no name, no terms, no purchase order", async () => {
    const { winner, finalist, owner, quoteId } = await liveFinalists();
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: winner.negotiationId });
    const detail = (await owner.query(api.quotes.get, { quoteId }))!;
    const winning = detail.negotiations.find((n) => n._id === winner.negotiationId)!;
    const { view, row } = await portalWords(finalist);
    const everything = JSON.stringify({
      view,
      row,
      messages: await finalist.query(api.supplierPortal.messages, { paginationOpts: { numItems: 100, cursor: null } }),
      notices: await finalist.as.query(api.supplierPortal.notifications, {}),
    });
    expect(view.award).toEqual({ yours: false });
    for (const secret of [winning.supplier!.name, winning.supplierId, winner.negotiationId, detail.award!._id, "Contact 0", "6.17", "0.83", "purchaseOrder"]) {
      expect(everything, `the loser reads ${secret}`).not.toContain(secret);
    }
  });

  test("a losing final offer takes no more moves from its supplier: CLOSED, nothing written", async () => {
    const { t, winner, finalist, owner } = await liveFinalists();
    await owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: winner.negotiationId });
    for (const move of [
      () => finalist.mutation(api.supplierPortal.makeSupplierOffer, portalForm(6.0, 0.8)),
      () => finalist.mutation(api.supplierPortal.acceptOffer, {}),
      () => finalist.mutation(api.supplierPortal.decline, { reason: "Too late" }),
    ]) {
      await expectRefused(t, move, "CLOSED", "negotiationId");
    }
  });
});
