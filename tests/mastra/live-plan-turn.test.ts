import { describe, expect, it } from "vitest";
import type { NegotiationState } from "../../src/mastra/convex-transport.js";
import { planTurn } from "../../src/mastra/workflows/negotiation-state.js";

// Where a run resumes a live negotiation: the supplier's person writes
// complete messages of their own ("contact"), never a turn of the AI's to redo.

const terms = { lines: [{ sku: "A", quantity: 10, unitPrice: 5 }], leadTimeDays: 30, paymentTermsDays: 30 };
const offer = (id: string, round: number, offeredBy: "brand" | "supplier") => ({ _id: id, round, offeredBy, terms, status: "pending" });
type Msg = { seq: number; sender: string; kind: string; state: "streaming" | "complete"; offerId?: string };
const negotiation = (messages: Msg[], offers: ReturnType<typeof offer>[]) =>
  ({ messages, offers, nextSeq: messages.length ? messages[messages.length - 1]!.seq + 1 : 0 }) as unknown as NegotiationState;

describe("planTurn on a live negotiation", () => {
  it("plays the brand's answer to the contact's offer at the next seq", () => {
    const n = negotiation([{ seq: 0, sender: "contact", kind: "offer", state: "complete", offerId: "o1" }], [offer("o1", 1, "supplier")]);
    expect(planTurn(n)).toEqual({ seq: 1, history: [{ round: 1, offeredBy: "supplier", terms }] });
  });

  it("redoes the brand's answer its dead worker left streaming, under the contact's later words", () => {
    const n = negotiation(
      [
        { seq: 0, sender: "contact", kind: "offer", state: "complete", offerId: "o1" },
        { seq: 1, sender: "brand", kind: "offer", state: "streaming" },
        { seq: 2, sender: "contact", kind: "text", state: "complete" },
        { seq: 3, sender: "contact", kind: "text", state: "complete" },
      ],
      [offer("o1", 1, "supplier")],
    );
    expect(planTurn(n)).toEqual({ seq: 1, history: [{ round: 1, offeredBy: "supplier", terms }] });
  });

  it("a contact's acceptance or decline is never a closing message of the AI's to complete", () => {
    for (const kind of ["acceptance", "rejection"]) {
      const n = negotiation(
        [
          { seq: 0, sender: "contact", kind: "offer", state: "complete", offerId: "o1" },
          { seq: 1, sender: "brand", kind: "offer", state: "complete", offerId: "o2" },
          { seq: 2, sender: "contact", kind, state: "complete", offerId: "o2" },
        ],
        [offer("o1", 1, "supplier"), offer("o2", 2, "brand")],
      );
      expect(planTurn(n).closeOnly).toBeUndefined();
    }
  });

});
