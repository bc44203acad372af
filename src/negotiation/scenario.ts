// The JSON scenario format for the runner and the benchmark, validated with
// zod so that a malformed file gets an error naming the field and the problem.

import { z } from "zod";
import { PERSONA_PRESETS, type PersonaPresetName, personaPreset, personaProblems } from "./personas.js";
import { DAY_LIMITS } from "./terms.js";
import { type BrandStrategyName, BRAND_STRATEGY_NAMES, DEFAULT_MAX_ROUNDS, type NegotiationSetup } from "./setup-types.js";
import type { Guardrails, LineItem, Priorities, SupplierPersona, SupplierSpec } from "./types.js";

const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();
const share = z.number().finite().min(0).max(1);

const lineItemSchema = z
  .object({
    sku: z.string().min(1),
    name: z.string().min(1),
    quantity: z.number().int().positive(),
    listPrice: positive,
    targetUnitPrice: positive,
    maxUnitPrice: positive,
  })
  .refine((l) => l.targetUnitPrice <= l.maxUnitPrice, { message: "targetUnitPrice must not exceed maxUnitPrice", path: ["targetUnitPrice"] });

const prioritiesSchema = z
  .object({ price: nonNegative, leadTime: nonNegative, paymentTerms: nonNegative, quality: nonNegative })
  .refine((p) => p.price + p.leadTime + p.paymentTerms + p.quality > 0, { message: "at least one priority must be above 0" });

// Fractional days are guardrails too (Convex's checkGuardrails accepts the same).
const guardrailsSchema = z.object({
  maxLeadTimeDays: z.number().min(DAY_LIMITS.minLeadTimeDays).max(DAY_LIMITS.maxLeadTimeDays),
  minPaymentTermsDays: nonNegative.max(DAY_LIMITS.maxPaymentTermsDays),
});

const personaSchema = z
  .object({
    concession: z.enum(["boulware", "linear", "conceder", "tit_for_tat"]),
    concessionExponent: positive,
    unitCostRatio: positive,
    openingMarkup: positive,
    reservationMargin: z.number().finite().min(-1),
    weights: z.object({ price: nonNegative, leadTime: nonNegative, paymentTerms: nonNegative }),
    leadTimeDays: z.object({ standard: nonNegative, fastest: nonNegative }),
    expediteCostPerDay: nonNegative,
    paymentTermsDays: z.object({ preferred: nonNegative, max: nonNegative }),
    annualFinancingRate: nonNegative,
    capacityPerLine: nonNegative,
    qualityScore: share,
  })
  // The contradictions the engine cannot honour: one definition, shared with Convex's catalog.
  .superRefine((p, ctx) => {
    for (const problem of personaProblems(p as SupplierPersona)) ctx.addIssue({ code: "custom", message: problem.message, path: problem.field.split(".") });
  });

const presetNames = Object.keys(PERSONA_PRESETS) as [PersonaPresetName, ...PersonaPresetName[]];

const presetSchema = z.enum(presetNames, { error: `expected a persona object or a preset name: ${presetNames.join(", ")}` });

const supplierSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** A full persona, or the name of a preset ("premium", "budget", "balanced"). */
  persona: z.unknown().transform((value, ctx): SupplierPersona => {
    // Not a z.union: its errors would only say "Invalid input", never which persona field is wrong.
    const parsed = typeof value === "string" ? presetSchema.safeParse(value) : personaSchema.safeParse(value);
    if (parsed.success) return typeof parsed.data === "string" ? personaPreset(parsed.data) : (parsed.data as SupplierPersona);
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
    return z.NEVER;
  }),
});

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    lineItems: z.array(lineItemSchema).min(1),
    priorities: prioritiesSchema,
    guardrails: guardrailsSchema,
    suppliers: z.array(supplierSchema).min(1),
    maxRounds: z.number().int().min(1).max(100).default(DEFAULT_MAX_ROUNDS),
    seed: z.number().int().default(1),
    brandStrategy: z.enum(BRAND_STRATEGY_NAMES as [BrandStrategyName, ...BrandStrategyName[]]).default("parley"),
  })
  .refine((s) => new Set(s.lineItems.map((l) => l.sku)).size === s.lineItems.length, { message: "skus must be unique", path: ["lineItems"] })
  .refine((s) => new Set(s.suppliers.map((x) => x.id)).size === s.suppliers.length, { message: "supplier ids must be unique", path: ["suppliers"] });

export interface Scenario {
  name: string;
  description?: string;
  lineItems: LineItem[];
  priorities: Priorities;
  guardrails: Guardrails;
  suppliers: SupplierSpec[];
  maxRounds: number;
  seed: number;
  brandStrategy: BrandStrategyName;
}

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = "ScenarioError";
  }
}

const formatPath = (path: PropertyKey[]): string =>
  path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "") || "(root)";

/** Parses and validates a scenario (a JSON string or an already-parsed value). */
export function parseScenario(input: unknown): Scenario {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new ScenarioError(`scenario is not valid JSON: ${(e as Error).message}`, [{ path: "(root)", message: "not valid JSON" }]);
    }
  }
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    throw new ScenarioError(`invalid scenario: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
  const s = parsed.data;
  // The public profile's quality score is the persona's: a scenario states it once.
  return { ...s, suppliers: s.suppliers.map((x) => ({ id: x.id, name: x.name, qualityScore: x.persona.qualityScore, persona: x.persona })) };
}

/** One negotiation setup per supplier of the scenario. */
export function scenarioSetups(scenario: Scenario, seed = scenario.seed): NegotiationSetup[] {
  return scenario.suppliers.map((supplier, i) => ({
    lineItems: scenario.lineItems,
    priorities: scenario.priorities,
    guardrails: scenario.guardrails,
    supplier,
    maxRounds: scenario.maxRounds,
    // Each supplier gets its own stream so that three negotiations do not move in lockstep.
    seed: (seed + i * 7919) | 0,
    brandStrategy: scenario.brandStrategy,
  }));
}
