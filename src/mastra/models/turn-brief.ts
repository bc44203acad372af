import { z } from "zod";

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
  /** The quote's currency (ISO 4217): every price in the brief is in it. Absent (older briefs): the default. */
  currency: z.string().optional(),
  notes: z.string().optional(),
  /** Determinism: the scripted model varies its wording by (seed, seq). */
  seed: z.number().int(),
  seq: z.number().int().nonnegative(),
});

export type TurnBrief = z.infer<typeof turnBriefSchema>;

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
