import { z } from "zod";
import type { Party, Terms } from "../../negotiation/index.js";

// The engine's decision for one turn, as the agent hands it to a model. It is
// embedded in the prompt between markers so that any model (an LLM reads the
// prose around it; the scripted model parses it) writes words around the same
// numbers.

export const termsSchema = z.object({
  lines: z.array(
    z.object({
      sku: z.string().min(1),
      quantity: z.number().int().positive(),
      unitPrice: z.number().positive().finite(),
    }),
  ),
  leadTimeDays: z.number().int().nonnegative(),
  paymentTermsDays: z.number().int().nonnegative(),
});

export const turnBriefSchema = z.object({
  party: z.enum(["brand", "supplier"]),
  move: z.enum(["offer", "accept", "impasse"]),
  round: z.number().int().nonnegative(),
  maxRounds: z.number().int().positive(),
  terms: termsSchema.optional(),
  /** The counterparty's standing terms, if any: what this turn answers. */
  standing: termsSchema.optional(),
  supplierName: z.string(),
  /**
   * The simulated supplier's concession style, which picks its voice: on a
   * supplier turn only. A brand turn's brief carries nothing of the persona.
   */
  style: z.string().optional(),
  /** The supplier's published tagline (public profile). */
  tagline: z.string().optional(),
  /** sku → product name, for readable messages. */
  products: z.record(z.string(), z.string()),
  /**
   * Each side's last offers before this turn, oldest first (at most two): what
   * tells an opening from an answer and which issues moved. Absent (older
   * briefs): the protocol's order stands in (the supplier opens in round 1).
   */
  previous: z.object({ brand: z.array(termsSchema).max(2), supplier: z.array(termsSchema).max(2) }).optional(),
  /** On a brand turn only: whether the brand negotiates this quote with other suppliers too (their existence, never their terms). */
  rivals: z.boolean().optional(),
  /** When the negotiation closes (ms since the epoch), if it has a deadline. */
  deadline: z.number().int().positive().optional(),
  /** The quote's currency (ISO 4217): every price in the brief is in it. Absent (older briefs): the default. */
  currency: z.string().optional(),
  notes: z.string().optional(),
  /** Determinism: the scripted model's wording is a function of the brief, varied by (seed, seq) and the round. */
  seed: z.number().int(),
  seq: z.number().int().nonnegative(),
});

export type TurnBrief = z.infer<typeof turnBriefSchema>;

/** The brief's `previous`: each side's last two offers in `history`, oldest first. */
export function previousOffers(history: readonly { offeredBy: Party; terms: Terms }[]): NonNullable<TurnBrief["previous"]> {
  const lastTwo = (party: Party) => history.filter((o) => o.offeredBy === party).slice(-2).map((o) => o.terms);
  return { brand: lastTwo("brand"), supplier: lastTwo("supplier") };
}

export type Issue = "price" | "leadTime" | "paymentTerms";
export const ISSUES: readonly Issue[] = ["price", "leadTime", "paymentTerms"];

/** One issue that changed between two offers of one side; a concession when it moved toward the other side. */
export interface IssueMove {
  issue: Issue;
  concession: boolean;
}

/** What the voice reads from a brief beyond the numbers. */
export interface TurnReading {
  /** The speaker has made no offer before this one. */
  opening: boolean;
  /** How the speaker's terms moved since its own last offer: empty on an opening, undefined when the brief does not say. */
  own?: IssueMove[];
  /** How the other side's standing offer moved since its offer before; undefined when that is not known. */
  theirs?: IssueMove[];
  /** Issues on which the speaker's terms ask the other side to move (better for the speaker than the standing offer). */
  asks: Issue[];
  /** Offers the protocol still allows after this turn. */
  roundsLeft: number;
}

const meanUnit = (t: Terms) => {
  const units = t.lines.reduce((n, l) => n + l.quantity, 0);
  return units > 0 ? t.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) / units : 0;
};

/** +1 when `to` is better than `from` for the brand on `issue`, -1 when worse, 0 when equal. */
function towardBrand(issue: Issue, from: Terms, to: Terms): number {
  const sign = (x: number) => (Math.abs(x) < 1e-9 ? 0 : Math.sign(x));
  if (issue === "price") return sign(meanUnit(from) - meanUnit(to));
  if (issue === "leadTime") return sign(from.leadTimeDays - to.leadTimeDays);
  return sign(to.paymentTermsDays - from.paymentTermsDays);
}

/** The issues that moved from `from` to `to`, offered by `mover`: price down, sooner delivery or longer payment is a supplier's concession; the reverse is the brand's. */
export function movesBetween(mover: Party, from: Terms, to: Terms): IssueMove[] {
  return ISSUES.flatMap((issue) => {
    const d = towardBrand(issue, from, to);
    return d === 0 ? [] : [{ issue, concession: mover === "supplier" ? d > 0 : d < 0 }];
  });
}

/** The speaker's position in words: opening or answer, what moved, what it asks for. */
export function readTurn(brief: TurnBrief): TurnReading {
  const me = brief.party;
  const other: Party = me === "brand" ? "supplier" : "brand";
  const mine = brief.previous?.[me];
  const theirs = brief.previous?.[other];
  const ownLast = mine?.at(-1);
  // Without `previous`, the protocol's order: the supplier opens in round 1, the brand answers it in round 2.
  const opening = brief.previous ? ownLast === undefined : me === "supplier" ? brief.standing === undefined : brief.round <= 2;
  const terms = brief.terms;
  return {
    opening,
    own: !terms || !brief.previous ? undefined : ownLast ? movesBetween(me, ownLast, terms) : [],
    theirs: theirs && theirs.length === 2 ? movesBetween(other, theirs[0]!, theirs[1]!) : undefined,
    asks:
      terms && brief.standing
        ? ISSUES.filter((issue) => towardBrand(issue, brief.standing!, terms) === (me === "brand" ? 1 : -1))
        : [],
    roundsLeft: Math.max(0, brief.maxRounds - brief.round),
  };
}

const OPEN = "<parley-turn>";
const CLOSE = "</parley-turn>";

export function encodeBrief(brief: TurnBrief): string {
  return `${OPEN}${JSON.stringify(brief)}${CLOSE}`;
}

/** The last brief embedded in `text`, or undefined when there is none or it is malformed. */
export function decodeBrief(text: string): TurnBrief | undefined {
  const end = text.lastIndexOf(CLOSE);
  if (end < 0) return undefined;
  const start = text.lastIndexOf(OPEN, end);
  if (start < 0) return undefined;
  try {
    const parsed = turnBriefSchema.safeParse(JSON.parse(text.slice(start + OPEN.length, end)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
