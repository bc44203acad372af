// Opponents for honest evaluation: suppliers outside the three presets, and
// classic negotiators from the literature, each a family of setups built from
// a seed. The tournament (bench/strategies.ts) and the property tests play
// every brand strategy against them. A family is a persona distribution, a
// concession tactic that replaces the persona's schedule (SupplierTactic), or
// a quote shape (many lines, few rounds, one priority); nothing here is
// readable by the brand: it plays against the moves alone.

import { personaProblems } from "./personas.js";
import { drawFor, mulberry32 } from "./prng.js";
import { scenarioSetups } from "./scenario.js";
import { generateScenario } from "./scenario-generator.js";
import type { NegotiationSetup } from "./setup-types.js";
import type { SupplierTactic } from "./supplier-strategy.js";
import { faratinAspiration } from "./tactics.js";
import type { ConcessionStyle, LineItem, Priorities, SupplierPersona, SupplierSpec } from "./types.js";

type Rng = () => number;
const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const logBetween = (rng: Rng, lo: number, hi: number) => Math.exp(between(rng, Math.log(lo), Math.log(hi)));
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** One negotiation to play: a setup and, for a classic negotiator, the tactic that replaces its persona's schedule. */
export interface Opponent {
  family: OpponentFamilyName;
  setup: NegotiationSetup;
  tactic?: SupplierTactic;
}

export const OPPONENT_FAMILIES = {
  presets: "suppliers drawn around the premium, budget and balanced personas",
  random_persona: "random weights, concession styles and exponents (0.1–10), costs, margins, lead times and payment terms",
  tiny_margin: "random personas with a 0.3–1% reservation margin over a unit cost near the brand's limit",
  capacity_bound: "random personas with exactly the capacity ordered, no faster delivery and no longer payment terms than they quote",
  many_lines: "presets on quotes of 4–8 lines",
  short: "presets with 1–3 rounds",
  single_issue: "presets, with all the brand's priority on one issue (price, lead time or payment terms)",
  hardheaded: "HardHeaded (ANAC 2011): holds its opening until the last rounds (Boulware, e = 0.05)",
  last_round: "concedes nothing until its last offer, then drops to its reservation",
  boulware_noise: "Boulware (e = 0.2) with ±10% noise on every offer",
  conceder: "Conceder (e = 4): gives most of its range early",
  mirroring: "absolute tit-for-tat: gives up, in its own utility, exactly what the brand's last step gave it",
  random: "a uniformly random aspiration each offer, accepting what clears it",
  retracting: "linear, but every second offer takes back a fifth of its range",
} as const;

export type OpponentFamilyName = keyof typeof OPPONENT_FAMILIES;
export const OPPONENT_FAMILY_NAMES = Object.keys(OPPONENT_FAMILIES) as OpponentFamilyName[];

const STYLES: ConcessionStyle[] = ["boulware", "linear", "conceder", "tit_for_tat"];

/** A persona from no preset: every field drawn, then checked by the one persona check (redrawn until the engine can honour it). */
export function randomPersona(rng: Rng, lineItems: LineItem[], overrides: (p: SupplierPersona) => SupplierPersona = (p) => p): SupplierPersona {
  for (let attempt = 0; ; attempt++) {
    const raw = [rng(), rng(), rng()].map((x) => x * x + 0.02);
    const sum = raw[0]! + raw[1]! + raw[2]!;
    const standard = Math.round(between(rng, 8, 60));
    const preferred = Math.round(between(rng, 0, 60));
    const persona = overrides({
      concession: STYLES[Math.floor(rng() * STYLES.length)]!,
      concessionExponent: logBetween(rng, 0.1, 10),
      unitCostRatio: between(rng, 0.3, 0.75),
      openingMarkup: between(rng, 0.95, 1.6),
      reservationMargin: between(rng, 0.02, 0.3),
      weights: { price: raw[0]! / sum, leadTime: raw[1]! / sum, paymentTerms: raw[2]! / sum },
      leadTimeDays: { standard, fastest: Math.round(standard * between(rng, 0.3, 1)) },
      expediteCostPerDay: between(rng, 0, 0.03),
      paymentTermsDays: { preferred, max: preferred + Math.round(between(rng, 0, 60)) },
      annualFinancingRate: between(rng, 0, 0.2),
      capacityPerLine: Math.max(...lineItems.map((l) => l.quantity)) * 10,
      qualityScore: between(rng, 0.6, 1),
    });
    if (personaProblems(persona).length === 0 || attempt > 50) return persona;
  }
}

function spec(id: string, persona: SupplierPersona): SupplierSpec {
  return { id, name: id[0]!.toUpperCase() + id.slice(1).replace(/_/g, " "), qualityScore: persona.qualityScore, persona };
}

/** Lines like the generator's, from their own stream. */
function manyLines(rng: Rng): LineItem[] {
  const count = 4 + Math.floor(rng() * 5);
  const generosity = between(rng, 0.68, 1.02);
  return Array.from({ length: count }, (_, i) => {
    const listPrice = Math.round(between(rng, 2, 60) * 100) / 100;
    const maxUnitPrice = Math.round(listPrice * between(rng, generosity - 0.04, generosity + 0.04) * 100) / 100;
    return {
      sku: `SKU-${i + 1}`,
      name: `Item ${i + 1}`,
      quantity: Math.round(between(rng, 200, 12_000) / 50) * 50,
      listPrice,
      targetUnitPrice: Math.round(maxUnitPrice * between(rng, 0.78, 0.93) * 100) / 100,
      maxUnitPrice,
    };
  });
}

const SINGLE_ISSUES: (keyof Omit<Priorities, "quality">)[] = ["price", "leadTime", "paymentTerms"];

/** Salt of each tactic's random stream. */
const TACTIC_STREAM = 0x7a;

/** The classic negotiators: each a concession schedule in the supplier's own utility. */
const TACTICS: Partial<Record<OpponentFamilyName, SupplierTactic>> = {
  hardheaded: ({ t }) => faratinAspiration(t, 0.05),
  last_round: ({ round, setup }) => (round >= setup.maxRounds - 1 ? 0 : 1),
  boulware_noise: ({ t, setup, round }) => clamp01(faratinAspiration(t, 0.2) + (drawFor(setup.seed, TACTIC_STREAM, round) - 0.5) * 0.2),
  conceder: ({ t }) => faratinAspiration(t, 4),
  mirroring: ({ history, utility }) => {
    const own = history.filter((h) => h.offeredBy === "supplier");
    const brand = history.filter((h) => h.offeredBy === "brand");
    const last = own[own.length - 1];
    if (!last || brand.length < 2) return 1;
    const step = Math.max(0, utility(brand[brand.length - 1]!.terms) - utility(brand[brand.length - 2]!.terms));
    return clamp01(utility(last.terms) - step);
  },
  random: ({ setup, round }) => drawFor(setup.seed, TACTIC_STREAM, round),
  retracting: ({ t, history }) => {
    const offers = history.filter((h) => h.offeredBy === "supplier").length;
    return clamp01(1 - t + (offers % 2 === 0 ? 0.2 : 0));
  },
};

/**
 * The opponents of one seed in one family. Seeds are split by the caller into
 * development and held-out ranges; the same seed gives the same opponents.
 */
export function opponentsFor(family: OpponentFamilyName, seed: number): Opponent[] {
  const scenario = generateScenario(seed);
  const rng = mulberry32((seed ^ 0x51ed27) >>> 0);
  const presets = () => scenarioSetups(scenario);
  const one = (persona: SupplierPersona, id: string): Opponent[] => [{ family, setup: { ...presets()[0]!, supplier: spec(id, persona) } }];
  switch (family) {
    case "presets":
      return presets().map((setup) => ({ family, setup }));
    case "random_persona":
      return one(randomPersona(rng, scenario.lineItems), "random");
    case "tiny_margin": {
      // Unit cost near the brand's limit on the dearest line: a zone that is thin, or none.
      const ratio = Math.min(...scenario.lineItems.map((l) => l.maxUnitPrice / l.listPrice));
      return one(randomPersona(rng, scenario.lineItems, (p) => ({ ...p, unitCostRatio: ratio * between(rng, 0.85, 0.99), reservationMargin: between(rng, 0.003, 0.01) })), "tiny_margin");
    }
    case "capacity_bound":
      return one(
        randomPersona(rng, scenario.lineItems, (p) => ({
          ...p,
          capacityPerLine: Math.max(...scenario.lineItems.map((l) => l.quantity)),
          leadTimeDays: { standard: p.leadTimeDays.standard, fastest: p.leadTimeDays.standard },
          paymentTermsDays: { preferred: p.paymentTermsDays.preferred, max: p.paymentTermsDays.preferred },
        })),
        "capacity_bound",
      );
    case "many_lines":
      return scenarioSetups({ ...scenario, lineItems: manyLines(rng) }).map((setup) => ({ family, setup }));
    case "short":
      return presets().map((setup) => ({ family, setup: { ...setup, maxRounds: 1 + Math.floor(rng() * 3) } }));
    case "single_issue": {
      const issue = SINGLE_ISSUES[Math.floor(rng() * SINGLE_ISSUES.length)]!;
      const priorities: Priorities = { price: 0, leadTime: 0, paymentTerms: 0, quality: 0, [issue]: 1 };
      return presets().map((setup) => ({ family, setup: { ...setup, priorities } }));
    }
    default: {
      const tactic = TACTICS[family]!;
      // The classic negotiators play with a random persona's costs and limits: only the schedule is theirs.
      const persona = randomPersona(rng, scenario.lineItems, (p) => ({ ...p, concession: "linear" }));
      return [{ family, setup: { ...presets()[0]!, supplier: spec(family, persona) }, tactic }];
    }
  }
}

/** Development seeds (tuning, tests) and held-out seeds (the reported table) never overlap. */
export const DEV_SEEDS = { first: 1000, count: 300 } as const;
export const HELD_OUT_SEEDS = { first: 7_000_000, count: 100_000 } as const;

