import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { liveFinalists } from "./helpers";

// An award among live suppliers: the winner gets its purchase order, the
// others a polite word that names neither the winner nor its terms.

async function awarded() {
  const q = await liveFinalists();
  const { winner } = q;
  const suppliers = await q.owner.query(api.suppliers.list, {});
  const winnerSupplierId = q.live.find((n) => n._id === winner.negotiationId)!.supplierId;
  const winnerName = suppliers.find((s) => s._id === winnerSupplierId)!.name;
  const result = await q.owner.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: winner.negotiationId });
  expect(result).toMatchObject({ status: "awarded" });
  return { ...q, winnerName };
}

describe("awarding a quote with live suppliers", () => {
  test("the winner's view has the award and its purchase order, naming people by name only", async () => {
    const { winner, owner } = await awarded();
    const view = await winner.query(api.supplierPortal.negotiation, {});
    expect(view.award).toMatchObject({ yours: true, purchaseOrder: expect.objectContaining({ awardedBy: { name: expect.any(String) } }) });
    const po = (view.award as { purchaseOrder: Record<string, unknown> }).purchaseOrder;
    expect(po).toMatchObject({ leadTimeDays: 27, paymentTermsDays: 33, total: 2000 * 6.17 + 5000 * 0.83 });
    expect(JSON.stringify(po)).not.toContain(owner.userId);
    expect((await winner.as.query(api.supplierPortal.myNegotiationsList, {}))[0]).toMatchObject({ awarded: true, status: "accepted" });
    expect((await winner.as.query(api.supplierPortal.notifications, {})).items.map((n) => n.kind)).toContain("awarded");
  });

  test("the others hear it politely: no winner's name, no terms, no purchase order", async () => {
    const { finalist, open, winner, winnerName } = await awarded();
    for (const loser of [finalist, open]) {
      const view = await loser.query(api.supplierPortal.negotiation, {});
      expect(view.award).toEqual({ yours: false });
      const notices = (await loser.as.query(api.supplierPortal.notifications, {})).items;
      const news = notices.filter((n) => n.kind === "not_awarded" || n.kind === "closed");
      expect(news).toHaveLength(1);
      expect(news[0].text).toMatch(/awarded this quote to another supplier/);
      const everything = JSON.stringify({
        view,
        notices,
        messages: await loser.query(api.supplierPortal.messages, { paginationOpts: { numItems: 100, cursor: null } }),
        list: await loser.as.query(api.supplierPortal.myNegotiationsList, {}),
      });
      for (const secret of [winnerName, winner.negotiationId, "Contact 0", "6.17", "0.83", "16,490", "16490", "purchaseOrder\":{"]) {
        expect(everything, `a loser reads ${secret}`).not.toContain(secret);
      }
      expect((await loser.as.query(api.supplierPortal.myNegotiationsList, {}))[0].awarded).toBe(false);
    }
    // The finalist's final offer is closed with a word in its conversation; the open one is rejected.
    const finalistMessages = (await finalist.query(api.supplierPortal.messages, { paginationOpts: { numItems: 100, cursor: null } })).page;
    expect(finalistMessages.at(-1)).toMatchObject({ sender: "parley", content: expect.stringMatching(/another supplier/) });
    expect((await open.query(api.supplierPortal.negotiation, {})).status).toBe("rejected");
  });
});
