import type { Doc } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import {
  type BrandSetup,
  type CounterSuggestion,
  type OfferRecord,
  predictAcceptance,
  suggestCounter,
  supplierProfileOf,
} from "../../src/negotiation";
import { currencyOf } from "./currency";
import { fail } from "./errors";
import { getNegotiation, getQuote } from "./negotiations";
import { checkTerms, type Terms } from "./validate";

// AI assist for a brand user who took over: the engine's counter and its estimate
// of whether the supplier would accept a draft. Both learn from the supplier's
// offers so far, so both are null until the supplier has quoted. They run on
// the brand's side: the supplier's public profile, never its persona.

async function engineInputs(
  ctx: QueryCtx,
  negotiation: Doc<"negotiations">,
): Promise<{ setup: BrandSetup; history: OfferRecord[]; quote: Doc<"quotes"> }> {
  const quote = await getQuote(ctx, negotiation.quoteId);
  const supplier = await ctx.db.get(negotiation.supplierId);
  if (!supplier) fail("NOT_FOUND", "Supplier not found", "negotiationId");
  const offers = await ctx.db
    .query("offers")
    .withIndex("by_negotiationId_and_round", (q) => q.eq("negotiationId", negotiation._id))
    .take(200);
  const setup: BrandSetup = {
    lineItems: quote.lineItems.map(({ sku, name, quantity, listPrice, targetUnitPrice, maxUnitPrice }) => ({
      sku,
      name,
      quantity,
      listPrice,
      targetUnitPrice,
      maxUnitPrice,
    })),
    priorities: quote.priorities,
    guardrails: quote.guardrails,
    supplier: supplierProfileOf(supplier._id, supplier),
    maxRounds: negotiation.maxRounds,
    seed: quote.seed,
  };
  const history = offers.map(({ round, offeredBy, terms }) => ({ round, offeredBy, terms }));
  return { setup, history, quote };
}

const hasSupplierOffer = (history: OfferRecord[]) => history.some((offer) => offer.offeredBy === "supplier");

export async function counterSuggestion(ctx: QueryCtx, negotiationId: Doc<"negotiations">["_id"]): Promise<CounterSuggestion | null> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const { setup, history, quote } = await engineInputs(ctx, negotiation);
  return hasSupplierOffer(history) ? suggestCounter(setup, history, currencyOf(quote)) : null;
}

export async function acceptancePrediction(
  ctx: QueryCtx,
  negotiationId: Doc<"negotiations">["_id"],
  terms: Terms,
): Promise<{ probability: number; reason: string } | null> {
  const negotiation = await getNegotiation(ctx, negotiationId);
  const { setup, history, quote } = await engineInputs(ctx, negotiation);
  checkTerms(terms, quote);
  return hasSupplierOffer(history) ? predictAcceptance(setup, history, terms, currencyOf(quote)) : null;
}
