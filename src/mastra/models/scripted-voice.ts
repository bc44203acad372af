import type { Party, Terms } from "../../negotiation/types.js";
import { describeTerms, mulberry32, totalPrice } from "../../negotiation/index.js";
import { type Currency, currencyOf, formatMoney, formatUnitPrice } from "../../../convex/model/currency.js";
import { hashInts, pick } from "./seeded.js";
import { type Issue, type IssueMove, readTurn, type TurnBrief, type TurnReading } from "./turn-brief.js";

// The words of the scripted model. An opening reads as an opening, an answer
// as an answer: it names what the speaker gave and what it asks for, and a
// reason drawn from the state (volume, delivery need, other suppliers'
// existence, time left). Every number is the move's own (unit prices as the
// terms have them, the total, whole days, "net N"); the other side's numbers
// are never restated, so nothing in the prose contradicts the engine. The
// brand's voice uses only what the brand knows; the style is on supplier briefs.

/**
 * One side's lines. The rotating pools of an answer have 3, 4 and 5 lines
 * (see `rotate`); the rest are picked by the seed. No line names a persona
 * field (brand prompts quote the last messages, and must not carry one).
 */
interface Voice {
  openingHello: readonly string[];
  openingTerms: readonly string[];
  openingClose: readonly string[];
  answerHello: readonly [string, string, string];
  answerTerms: readonly [string, string, string, string];
  answerClose: readonly [string, string, string, string, string];
  /** What the speaker gave, after "We've": one phrase per issue. */
  gives: Record<Issue, string>;
  giveLead: readonly string[];
  /** A move of the speaker's own that is no concession (a supplier's price rise), stated plainly. */
  firms: Record<Issue, string>;
  holds: readonly string[];
  /** The other side's concessions, after "Thank you for". */
  noted: Record<Issue, string>;
  issueName: Record<Issue, string>;
  theyHeld: string;
  /** What the speaker asks the other side for, by direction (the values are in the terms). */
  asks: Record<Issue, string>;
  askOpening: readonly string[];
  askAnswer: readonly string[];
  volume: readonly string[];
  because: Record<Issue, readonly string[]>;
  deadline: readonly string[];
  roundsLeft: string;
  lastRound: string;
  accept: readonly string[];
  acceptUntil: string;
  acceptHeld: string;
  impasse: readonly string[];
}

const ISSUE_NAMES: Record<Issue, string> = { price: "price", leadTime: "delivery", paymentTerms: "payment terms" };

// The award is the brand user's decision: the brand's acceptance never promises it.
const BRAND_AWARDS = "Our team makes the award decision, and we'll let you know.";

const brandVoice: Voice & { rivals: readonly string[]; acceptRivals: string } = {
  openingHello: [
    "Hello {supplier} team, thank you for your opening offer.",
    "Thanks for your opening offer, {supplier} team.",
    "Hello {supplier} team, and thank you for answering our quote so quickly.",
  ],
  openingTerms: [
    "Here is where we'd like to start: {terms}, {total} in total.",
    "Our proposal: {terms}, {total} in total.",
    "We'd like to propose {terms}, which is {total} all in.",
  ],
  openingClose: ["We look forward to your answer.", "Let us know what you can do.", "We hope we can find terms that work for both of us."],
  answerHello: ["Thanks for coming back to us.", "Thank you for the quick reply.", "Thanks for the update."],
  answerTerms: [
    "Our offer now: {terms}, {total} in total.",
    "We can offer {terms}, which is {total} all in.",
    "Here is where we are: {terms}, {total} all in.",
    "Our proposal this round: {terms}, {total} in total.",
  ],
  answerClose: ["Can you meet us there?", "Does that work for you?", "Let us know if we can close on this.", "We hope this gets us closer.", "We look forward to your answer."],
  gives: { price: "raised our offer{toPrice}", leadTime: "given you {leadDays} for delivery", paymentTerms: "shortened payment to net {pay}" },
  giveLead: ["We've", "To move things forward, we've", "On our side, we've"],
  firms: { price: "our price comes down{toPrice}", leadTime: "we now need delivery in {leadDays}", paymentTerms: "we now need payment at net {pay}" },
  holds: ["We're keeping our terms as they were.", "Our terms are the same as in our last offer."],
  noted: { price: "the better price", leadTime: "the faster delivery", paymentTerms: "the longer payment terms" },
  issueName: ISSUE_NAMES,
  theyHeld: "Your terms are the same as in your last offer.",
  asks: { price: "a lower price", leadTime: "faster delivery", paymentTerms: "longer payment terms" },
  askOpening: ["Compared with your offer, we need {asks}.", "That asks you for {asks}."],
  askAnswer: ["What we still need from you is {asks}.", "To close, we need {asks}.", "We're asking you for {asks}."],
  volume: ["A volume like this deserves your sharpest terms.", "At this volume, every part of the terms matters to us."],
  because: {
    price: ["Our margin on this range depends on the unit price."],
    leadTime: ["Our launch date depends on delivery within {leadDays}."],
    paymentTerms: ["Net {pay} is how we pay our suppliers."],
  },
  deadline: ["We'd like to settle this before {deadline}."],
  roundsLeft: "We have {n} {rounds} of offers left to agree.",
  lastRound: "This is the last round of offers, so this is our last proposal.",
  accept: ["We accept {terms}, {total} in total, as your final offer.", "Thank you: we accept {terms} — {total} in total — as your final offer."],
  acceptUntil: BRAND_AWARDS,
  acceptHeld: BRAND_AWARDS,
  impasse: [
    "Unfortunately we can't go further than our last proposal, so we'll have to pass this time. Thank you for your time.",
    "We're too far apart on terms to continue. Thanks for the conversation — we hope to work together another time.",
  ],
  rivals: ["We're gathering offers from several suppliers for this quote.", "We're talking with other suppliers about this quote too, so your best terms count."],
  acceptRivals: "We'll compare it with the other final offers before we award.",
};

type SupplierLines = Pick<Voice, "answerHello" | "answerClose" | "openingClose">;

const supplierCommon: Omit<Voice, keyof SupplierLines> = {
  openingHello: ["Thank you for inviting us to your quote.", "Thanks for sending us your quote.", "Thank you for considering us for this quote."],
  openingTerms: [
    "Our opening offer: {terms}, {total} in total.",
    "To open, we can offer {terms}, which comes to {total}.",
    "Here is our opening offer: {terms} — {total} all in.",
  ],
  answerTerms: [
    "Our offer: {terms}, {total} in total.",
    "We can offer {terms}, which comes to {total}.",
    "Here is where we stand: {terms} — {total} all in.",
    "Our terms this round: {terms}, {total} in total.",
  ],
  gives: { price: "brought our price down{toPrice}", leadTime: "shortened delivery to {leadDays}", paymentTerms: "extended payment to net {pay}" },
  giveLead: ["We've", "This round, we've", "To move things forward, we've"],
  firms: { price: "our price goes up{toPrice}", leadTime: "delivery needs {leadDays}", paymentTerms: "payment needs to be net {pay}" },
  holds: ["We're keeping our terms as they were.", "Our terms are the same as in our last offer."],
  noted: { price: "the better price", leadTime: "the extra time on delivery", paymentTerms: "the quicker payment" },
  issueName: ISSUE_NAMES,
  theyHeld: "Your offer is the same as last time.",
  asks: { price: "a higher price", leadTime: "more time for delivery", paymentTerms: "quicker payment" },
  askOpening: ["We'd need {asks}."],
  askAnswer: ["To make it work, we need {asks}.", "What we need from you is {asks}.", "We'd ask you for {asks}."],
  volume: ["At this volume, our material costs leave little room.", "A run this size ties up a production line for weeks."],
  because: {
    price: ["Any lower and the run doesn't cover our costs."],
    leadTime: ["A run this size needs {leadDays} to produce and ship."],
    paymentTerms: ["Net {pay} is what our cash flow allows."],
  },
  deadline: ["We'd like to settle this before {deadline}."],
  roundsLeft: "With {n} {rounds} of offers left, we'd like to find common ground.",
  lastRound: "This is the last round of offers.",
  accept: ["We accept {terms}, {total} in total.", "Agreed: {terms}, {total} in total."],
  acceptUntil: "This is our final offer, valid until {deadline}, for you to award.",
  acceptHeld: "This is our final offer, held for you until you award the quote.",
  impasse: [
    "I'm afraid we can't go any lower without losing money on these terms. We'll have to decline.",
    "We've reached our limit on these terms. Thank you for considering {supplier}.",
  ],
};

const styleLines: Record<string, SupplierLines> = {
  boulware: {
    openingClose: ["Our pricing reflects the quality we deliver.", "We stand behind the quality of every unit."],
    answerHello: ["Our pricing reflects the quality we deliver.", "We hold firm on quality.", "I understand the ask, but our costs are real."],
    answerClose: [
      "There isn't much room beyond this.",
      "This is a strong offer for this quality.",
      "We're open to your thoughts, but our margins are thin.",
      "We stand behind these terms.",
      "We'd ask you to weigh the quality behind this price.",
    ],
  },
  linear: {
    openingClose: ["We look forward to your thoughts.", "Happy to discuss any of it."],
    answerHello: ["Thanks for your counter.", "Let's keep working toward an agreement.", "Fair enough, let me see what we can do."],
    answerClose: ["Let us know what you think.", "We hope that moves us closer.", "Happy to talk it through.", "We think that's fair to both sides.", "Over to you."],
  },
  conceder: {
    openingClose: ["We'd really like your business.", "We're flexible on the details."],
    answerHello: ["We'd really like your business.", "Happy to work with you on this.", "We're keen to make this work."],
    answerClose: ["Hopefully that gets us there!", "Let us know and we'll reserve the production slot.", "We'd love to close this with you.", "Just say the word.", "We're flexible if you need something else."],
  },
  tit_for_tat: {
    openingClose: ["We answer every proposal in kind.", "We'll meet good faith with good faith."],
    answerHello: ["Fair's fair.", "We answer in kind.", "We'll match what you bring to the table."],
    answerClose: ["That's our answer.", "Your move.", "We'll keep matching good faith.", "Move with us and we'll move with you.", "We're ready when you are."],
  },
};

const supplierVoices: Record<string, Voice> = Object.fromEntries(
  Object.entries(styleLines).map(([style, lines]) => [style, { ...supplierCommon, ...lines }]),
);

interface Words {
  terms: string;
  total: string;
  /** " to $4.25/unit" after a price move of one line; several lines' total is in the terms sentence. */
  toPrice: string;
  leadDays: string;
  pay: string;
  supplier: string;
  tagline: string;
  deadline: string;
}

function wordsFor(brief: TurnBrief, terms: Terms | undefined, currency: Currency): Words {
  const total = terms ? formatMoney(totalPrice(terms), currency) : "";
  return {
    terms: terms ? describeTerms(terms, currency, brief.products) : "",
    total,
    toPrice: terms?.lines.length === 1 ? ` to ${formatUnitPrice(terms.lines[0]!.unitPrice, currency)}/unit` : "",
    leadDays: !terms ? "" : terms.leadTimeDays === 1 ? "1 day" : `${terms.leadTimeDays} days`,
    pay: terms ? String(terms.paymentTermsDays) : "",
    supplier: brief.supplierName,
    tagline: brief.tagline ?? "",
    deadline: brief.deadline !== undefined ? dateWords.format(brief.deadline) : "",
  };
}

const dateWords = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });

const NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/** "a and b", "a, b and c". */
function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What the speaker changed since its last offer: concessions named as such, the rest (a price rise) stated plainly as the price of them. */
function ownMovesSentence(voice: Voice, moves: IssueMove[] | undefined, rand: () => number): string[] {
  if (!moves) return [];
  const given = moves.filter((m) => m.concession).map((m) => voice.gives[m.issue]);
  const taken = moves.filter((m) => !m.concession).map((m) => voice.firms[m.issue]);
  if (given.length === 0 && taken.length === 0) return [pick(rand, voice.holds)];
  const out: string[] = [];
  if (given.length) out.push(`${pick(rand, voice.giveLead)} ${list(given)}.`);
  if (taken.length) out.push(given.length ? `In exchange, ${list(taken)}.` : `${sentence(list(taken))}.`);
  return out;
}

/** How the other side's last offer moved, without restating its numbers. */
function theirMovesSentence(voice: Voice, moves: IssueMove[] | undefined): string[] {
  if (!moves) return [];
  if (moves.length === 0) return [voice.theyHeld];
  const given = moves.filter((m) => m.concession).map((m) => voice.noted[m.issue]);
  const taken = moves.filter((m) => !m.concession).map((m) => voice.issueName[m.issue]);
  const out: string[] = [];
  if (given.length) out.push(`Thank you for ${list(given)}.`);
  if (taken.length) out.push(`Your offer moved away from us on ${list(taken)}.`);
  return out;
}

function asksSentence(voice: Voice, reading: TurnReading, rand: () => number): string[] {
  if (reading.asks.length === 0) return [];
  const asks = list(reading.asks.map((issue) => voice.asks[issue]));
  return [(reading.opening ? pick(rand, voice.askOpening) : pick(rand, voice.askAnswer)).replace("{asks}", asks)];
}

/** One reason from the state: volume, the need behind an ask, other suppliers (brand only), time left. */
function reasonSentence(voice: Voice, brief: TurnBrief, reading: TurnReading, rand: () => number): string {
  const reasons: string[] = [...voice.volume];
  for (const issue of reading.asks) reasons.push(...voice.because[issue]);
  if (brief.party === "brand" && brief.rivals) reasons.push(...brandVoice.rivals);
  if (brief.deadline !== undefined) reasons.push(...voice.deadline);
  if (!reading.opening) reasons.push(roundsLeftWords(voice, reading.roundsLeft));
  return pick(rand, reasons);
}

function roundsLeftWords(voice: Voice, left: number): string {
  if (left === 0) return voice.lastRound;
  const n = left < NUMBER_WORDS.length ? NUMBER_WORDS[left]! : "several";
  return voice.roundsLeft.replace("{n}", n).replace("{rounds}", left === 1 ? "round" : "rounds");
}

function fill(template: string, words: Words): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => words[k as keyof Words] ?? "");
}

/**
 * One line of each rotating pool for the speaker's k-th offer. Pool sizes are
 * pairwise coprime (3, 4, 5), so two offers of one side within sixty turns
 * never pick the same three lines: no message of a negotiation repeats, even
 * when the terms do.
 */
function rotate<T>(pool: readonly T[], offset: number, k: number): T {
  return pool[(offset + k) % pool.length]!;
}

function offerMessage(brief: TurnBrief, voice: Voice, words: Words, reading: TurnReading): string {
  const party: Party = brief.party;
  const base = mulberry32(hashInts(brief.seed, party === "brand" ? 1 : 2));
  const [o1, o2, o3] = [base(), base(), base()].map((x) => Math.floor(x * 60));
  const rand = mulberry32(hashInts(brief.seed, brief.seq, brief.round, party === "brand" ? 1 : 2));
  // The protocol alternates sides, so a side's rounds share a parity: round / 2 counts its offers.
  const k = Math.floor(brief.round / 2);
  const parts: string[] = [];
  if (reading.opening) {
    // Names and taglines enter only through `fill`, which never rescans what it inserts.
    parts.push(party === "supplier" && brief.tagline ? "{supplier} here — {tagline}." : "");
    parts.push(rotate(voice.openingHello, o1!, k));
    if (party === "brand" && brief.rivals) parts.push(pick(rand, brandVoice.rivals));
    parts.push(rotate(voice.openingTerms, o2!, k));
    parts.push(...asksSentence(voice, reading, rand));
    parts.push(pick(rand, voice.volume));
    parts.push(rotate(voice.openingClose, o3!, k));
  } else {
    parts.push(rotate(voice.answerHello, o1!, k));
    parts.push(...theirMovesSentence(voice, reading.theirs));
    parts.push(...ownMovesSentence(voice, reading.own, rand));
    parts.push(rotate(voice.answerTerms, o2!, k));
    parts.push(...asksSentence(voice, reading, rand));
    parts.push(reasonSentence(voice, brief, reading, rand));
    parts.push(rotate(voice.answerClose, o3!, k));
  }
  return fill(parts.filter(Boolean).join(" "), words);
}

function closingMessage(brief: TurnBrief, voice: Voice, words: Words): string {
  const rand = mulberry32(hashInts(brief.seed, brief.seq, brief.round, brief.party === "brand" ? 1 : 2));
  if (brief.move === "impasse") return fill(pick(rand, voice.impasse), words);
  const validity = brief.deadline !== undefined ? voice.acceptUntil : voice.acceptHeld;
  const rivals = brief.party === "brand" && brief.rivals ? ` ${brandVoice.acceptRivals}` : "";
  return fill(`${pick(rand, voice.accept)} ${validity}${rivals}`, words);
}

/** The message for a brief: varied, but the same text for the same (seed, seq, brief). */
export function scriptedMessage(brief: TurnBrief): string {
  const terms = brief.terms ?? brief.standing;
  const words = wordsFor(brief, terms, currencyOf(brief));
  const voice = brief.party === "brand" ? brandVoice : ((brief.style !== undefined ? supplierVoices[brief.style] : undefined) ?? supplierVoices.linear!);
  if (brief.move !== "offer" || !brief.terms) return closingMessage(brief, voice, words);
  return offerMessage(brief, voice, words, readTurn(brief));
}
