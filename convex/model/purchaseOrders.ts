import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { totalPrice } from "../../src/negotiation";
import { incotermLabel } from "./incoterms";
import { nextNumberIn } from "./numbering";
import type { Person } from "./people";

// The purchase order an award writes, in the same mutation. It holds what the
// supplier and the brand agreed and where the goods go, nothing else: never
// the quote's targets, maximums, guardrails or priorities, nor the engine's
// reasoning (tests/convex/purchase-orders.test.ts reads every field).

/** What a PO prints for something the quote did not say. */
export const NOT_GIVEN = "Not given";

/** 1 → "PO-0001"; past 9999 it simply grows ("PO-12345"). */
export function purchaseOrderReference(number: number): string {
  return `PO-${String(number).padStart(4, "0")}`;
}

/** Someone a PO or an approval names: who they are and what to print. */

export type PurchaseOrderInput = {
  quote: Doc<"quotes">;
  award: Doc<"awards">;
  supplierName: string;
  awardedBy: Person;
  approval?: { approver: Person; approvedAt: number; comment?: string };
};

export async function createPurchaseOrder(ctx: MutationCtx, input: PurchaseOrderInput): Promise<Id<"purchaseOrders">> {
  const { quote, award, approval } = input;
  const names = new Map(quote.lineItems.map((item) => [item.sku, item.name]));
  const lines = award.terms.lines.map((line) => ({
    sku: line.sku,
    name: names.get(line.sku) ?? line.sku,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    lineTotal: totalPrice({ ...award.terms, lines: [line] }),
  }));
  return await ctx.db.insert("purchaseOrders", {
    workspaceId: quote.workspaceId,
    quoteId: quote._id,
    awardId: award._id,
    number: await nextNumberIn(ctx, "purchaseOrders", quote.workspaceId),
    supplierName: input.supplierName,
    lines,
    total: totalPrice(award.terms),
    leadTimeDays: award.terms.leadTimeDays,
    paymentTermsDays: award.terms.paymentTermsDays,
    ...(quote.deliveryAddress?.trim() ? { deliveryAddress: quote.deliveryAddress.trim() } : {}),
    ...(quote.incoterms ? { incoterms: quote.incoterms } : {}),
    awardedBy: input.awardedBy,
    awardedAt: award.awardedAt,
    ...(approval
      ? {
          approval: {
            ...approval.approver,
            approvedAt: approval.approvedAt,
            ...(approval.comment ? { comment: approval.comment } : {}),
          },
        }
      : {}),
  });
}

/** The PO as the dashboard shows and prints it: every field the document needs, in words. */
export async function purchaseOrderView(ctx: QueryCtx, po: Doc<"purchaseOrders">) {
  const workspace = await ctx.db.get(po.workspaceId);
  return {
    _id: po._id,
    quoteId: po.quoteId,
    number: po.number,
    reference: purchaseOrderReference(po.number),
    buyerName: workspace?.name ?? "",
    supplierName: po.supplierName,
    lines: po.lines,
    total: po.total,
    leadTimeDays: po.leadTimeDays,
    paymentTermsDays: po.paymentTermsDays,
    deliveryAddress: po.deliveryAddress ?? NOT_GIVEN,
    incoterms: po.incoterms ? incotermLabel(po.incoterms) : NOT_GIVEN,
    awardedBy: po.awardedBy,
    awardedAt: po.awardedAt,
    approval: po.approval ?? null,
  };
}

export type PurchaseOrderView = Awaited<ReturnType<typeof purchaseOrderView>>;

export async function purchaseOrderOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">) {
  const po = await ctx.db
    .query("purchaseOrders")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId))
    .first();
  return po ? await purchaseOrderView(ctx, po) : null;
}
