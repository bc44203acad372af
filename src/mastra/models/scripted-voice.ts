import type { Terms } from "../../negotiation/types.js";
import { mulberry32, totalPrice } from "../../negotiation/index.js";
import { type Currency, currencyOf, formatMoney } from "../../../convex/model/currency.js";
import { hashInts, pick } from "./seeded.js";
import type { TurnBrief } from "./turn-brief.js";

// The words of the scripted model: the brand's buyer voice and one voice per
// supplier concession style. Numbers come only from the brief. The brand's
// voice uses only what the brand knows (the supplier's name, the terms); the
// style is on supplier briefs alone.

// Money in the quote's currency (the brief's), with thousands separators: "€12,450.00".
function describeTerms(terms: Terms, products: Record<string, string>, currency: Currency): string {
  const lines = terms.lines
    .map((l) => `${l.quantity.toLocaleString("en-US")} × ${products[l.sku] ?? l.sku} at ${formatMoney(l.unitPrice, currency)}/unit`)
    .join("; ");
  return `${lines}, delivery in ${terms.leadTimeDays} days, payment net ${terms.paymentTermsDays}`;
}

const brandOpeners = [
  "Thanks for the quick reply.",
  "Appreciate you working with us on this.",
  "Thanks, that helps us plan.",
  "Good to hear from you again.",
] as const;

const brandOffer = [
  "We'd like to propose {terms}.",
  "Here is where we can land: {terms}.",
  "Our proposal: {terms}.",
  "To make this work on our side we need {terms}.",
] as const;

const brandClosers = [
  "That keeps the order at {total} in total. Can you meet us there?",
  "That is {total} for the whole order, which fits our budget. Does it work for you?",
  "At {total} all in, we can commit quickly if you agree.",
] as const;

const brandAccept = [
  "That works for us. We accept {terms} — {total} in total. Looking forward to working together.",
  "Deal. We accept your offer of {terms}. Thanks for meeting us halfway.",
] as const;

const brandImpasse = [
  "Unfortunately we can't go further than our last proposal, so we'll have to pass this time. Thank you for your time.",
  "We're too far apart on terms to continue. Thanks for the conversation — we hope to work together another time.",
] as const;

const supplierVoices: Record<string, { open: readonly string[]; offer: readonly string[]; close: readonly string[] }> = {
  boulware: {
    open: ["Our pricing reflects the quality we deliver.", "We hold firm on quality, and on price.", "I understand the ask, but our costs are real."],
    offer: ["The best we can do is {terms}.", "We can offer {terms}, and that is already sharp.", "Our position: {terms}."],
    close: ["That comes to {total}. There isn't much room beyond this.", "At {total}, this is a strong offer for this quality."],
  },
  linear: {
    open: ["Thanks for the counter.", "Let's keep moving toward each other.", "Fair enough, let me see what we can do."],
    offer: ["We can come to {terms}.", "How about {terms}?", "Our revised offer is {terms}."],
    close: ["That puts the order at {total}.", "{total} in total — a step toward you."],
  },
  conceder: {
    open: ["We'd really like your business.", "Happy to work with you on this.", "We're keen to get this order going."],
    offer: ["We can do {terms}.", "For you, {terms}.", "Let's say {terms}."],
    close: ["That's {total} all in — hopefully that gets us there!", "{total} for the lot. Let us know and we'll reserve capacity."],
  },
  tit_for_tat: {
    open: ["You moved, so we'll move too.", "Matching your step:", "Fair's fair."],
    offer: ["We'll meet you at {terms}.", "Our answer: {terms}.", "We can offer {terms}."],
    close: ["That's {total} in total.", "That brings us to {total}."],
  },
};

const supplierAccept = [
  "We accept {terms}. Thank you — we'll get the order scheduled.",
  "Agreed: {terms}. Pleasure doing business.",
] as const;

const supplierImpasse = [
  "I'm afraid we can't go any lower without losing money on this order. We'll have to decline.",
  "We've reached our limit on these terms. Thank you for considering {supplier}.",
] as const;

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
}

/** The message for a brief: varied, but the same text for the same (seed, seq, brief). */
export function scriptedMessage(brief: TurnBrief): string {
  const rand = mulberry32(hashInts(brief.seed, brief.seq, brief.round, brief.party === "brand" ? 1 : 2));
  const terms = brief.terms ?? brief.standing;
  const currency = currencyOf(brief);
  const vars = {
    terms: terms ? describeTerms(terms, brief.products, currency) : "",
    total: terms ? formatMoney(totalPrice(terms), currency) : "",
    supplier: brief.supplierName,
  };
  const parts: string[] = [];
  if (brief.party === "brand") {
    if (brief.move === "accept") parts.push(pick(rand, brandAccept));
    else if (brief.move === "impasse") parts.push(pick(rand, brandImpasse));
    else {
      if (brief.round === 0) parts.push(`Hello ${brief.supplierName} team, we're sourcing the following and would like your best terms.`);
      else parts.push(pick(rand, brandOpeners));
      parts.push(pick(rand, brandOffer), pick(rand, brandClosers));
    }
  } else {
    const voice = (brief.style !== undefined ? supplierVoices[brief.style] : undefined) ?? supplierVoices.linear!;
    if (brief.move === "accept") parts.push(pick(rand, supplierAccept));
    else if (brief.move === "impasse") parts.push(pick(rand, supplierImpasse));
    else {
      if (brief.round === 0 && brief.tagline) parts.push(`${brief.supplierName} here — ${brief.tagline}.`);
      else parts.push(pick(rand, voice.open));
      parts.push(pick(rand, voice.offer), pick(rand, voice.close));
    }
  }
  return fill(parts.join(" "), vars);
}
