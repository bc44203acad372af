// Strategy tournament: Parley's brand strategy and the classic baselines, each
// against every opponent family (src/negotiation/opponents.ts), on held-out
// seeds that no test and no tuning uses. Prints the tables and writes
// bench/results/strategies.md and the README's table.
//
// BENCH_SEEDS (default 150) seeds per family; BENCH_SPLIT=dev plays the
// development seeds instead (for tuning; its table is written to
// bench/results/strategies-dev.md and never to the README).
//
// With a real model configured (PARLEY_MODEL=openai:<model>, and OPENAI_API_KEY
// or OPENAI_BASE_URL; see src/mastra/models), one more family, llm_supplier:
// the presets' suppliers played by that model (bench/llm-supplier.ts) on
// BENCH_LLM_SEEDS (default 10) seeds. It is reported in the family table only,
// so the overall table stays the 14 engine families'.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BRAND_STRATEGY_NAMES,
  type BrandStrategyName,
  brandProposal,
  brandUtility,
  brandView,
  type NegotiationResult,
  type NegotiationSetup,
  normalisedPriorities,
  paymentTermsCeiling,
  runNegotiation,
  supplierAcceptable,
  supplierUtility,
  withinGuardrails,
} from "../src/negotiation/index.js";
import { DEV_SEEDS, HELD_OUT_SEEDS, OPPONENT_FAMILIES, OPPONENT_FAMILY_NAMES, type Opponent, type OpponentFamilyName, opponentsFor } from "../src/negotiation/opponents.js";
import type { Terms } from "../src/negotiation/types.js";
import { type LlmNegotiationResult, llmSupplierFromEnv, runNegotiationWithLlmSupplier } from "./llm-supplier.js";
import { writeReadmeTable } from "./readme-table.js";

const SEEDS = Number(process.env.BENCH_SEEDS ?? 150);
const LLM_SEEDS = Number(process.env.BENCH_LLM_SEEDS ?? 10);
const LLM_FAMILY = "llm_supplier";
const DEV = process.env.BENCH_SPLIT === "dev";
const FIRST_SEED = DEV ? DEV_SEEDS.first : HELD_OUT_SEEDS.first;
/** Payment-terms gain is reported apart where the brand's priorities give payment terms at least this weight. */
const VALUES_PAYMENT_TERMS = 0.2;

interface Tally {
  n: number;
  deals: number;
  zoa: number;
  zoaDeals: number;
  brandUtility: number;
  efficiency: number;
  savings: number;
  payGain: number;
  valuedPay: number;
  valuedPayGain: number;
  rounds: number;
  violations: number;
}

const empty = (): Tally => ({ n: 0, deals: 0, zoa: 0, zoaDeals: 0, brandUtility: 0, efficiency: 0, savings: 0, payGain: 0, valuedPay: 0, valuedPayGain: 0, rounds: 0, violations: 0 });

/**
 * The strategy's own proposals outside the guardrails, each asked of the
 * strategy again on the history it saw, before the protocol's guard turns it
 * into an impasse; and an agreement under the supplier's reservation.
 */
function violations(r: NegotiationResult, setup: NegotiationSetup): number {
  const brand = brandView(setup);
  let count = 0;
  r.offers.forEach((offer, i) => {
    if (offer.offeredBy !== "supplier") return;
    const history = r.offers.slice(0, i + 1);
    if (history.length >= setup.maxRounds) return;
    const proposal = brandProposal(brand, history);
    if (!withinGuardrails(proposal.terms, setup.lineItems, setup.guardrails)) count++;
  });
  if (r.finalTerms && !withinGuardrails(r.finalTerms, setup.lineItems, setup.guardrails)) count++;
  if (r.finalTerms && !supplierAcceptable(r.finalTerms, setup.lineItems, setup.supplier.persona)) count++;
  return count;
}

/**
 * The best brand utility inside the zone of agreement: for every whole-day
 * lead time and payment terms both sides allow, the lowest total the supplier
 * accepts (its margin is linear in the total), spread over the lines in
 * proportion to their limits. 0 without a zone.
 */
function bestInZone(setup: NegotiationSetup): number {
  const { persona, qualityScore } = setup.supplier;
  const g = setup.guardrails;
  if (setup.lineItems.some((l) => l.quantity > persona.capacityPerLine)) return 0;
  const cost = setup.lineItems.reduce((s, l) => s + l.quantity * l.listPrice * persona.unitCostRatio, 0);
  const maxTotal = setup.lineItems.reduce((s, l) => s + l.quantity * l.maxUnitPrice, 0);
  let best = 0;
  for (let lead = Math.ceil(persona.leadTimeDays.fastest); lead <= Math.floor(g.maxLeadTimeDays); lead++) {
    const faster = Math.max(0, persona.leadTimeDays.standard - lead);
    for (let pay = Math.ceil(g.minPaymentTermsDays); pay <= Math.min(persona.paymentTermsDays.max, paymentTermsCeiling(g)); pay++) {
      const financing = (persona.annualFinancingRate * pay) / 365;
      if (financing >= 1) continue;
      // margin = (total·(1 − financing) − cost·(1 + faster·expedite)) / cost ≥ reservationMargin
      const minTotal = (cost * (persona.reservationMargin + 1 + faster * persona.expediteCostPerDay)) / (1 - financing);
      if (minTotal > maxTotal + 1e-6) continue;
      const share = Math.min(1, Math.ceil(minTotal * 100) / 100 / maxTotal);
      const terms: Terms = {
        lines: setup.lineItems.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: Math.min(l.maxUnitPrice, Math.ceil(l.maxUnitPrice * share * 100) / 100) })),
        leadTimeDays: lead,
        paymentTermsDays: pay,
      };
      if (!supplierAcceptable(terms, setup.lineItems, persona)) continue;
      best = Math.max(best, brandUtility(terms, setup, qualityScore));
    }
  }
  return best;
}

function add(t: Tally, r: NegotiationResult, setup: NegotiationSetup, v: number, best: number) {
  const m = r.metrics;
  t.n++;
  t.rounds += m.rounds;
  t.violations += v;
  t.brandUtility += m.brandUtility;
  if (!m.zoneOfAgreement) return;
  t.zoa++;
  t.efficiency += best > 0 ? Math.min(1, m.brandUtility / best) : 0;
  if (r.outcome !== "agreement") return;
  t.zoaDeals++;
  t.deals++;
  t.savings += m.savingsVsOpeningPct;
  t.payGain += m.paymentTermsGainDays;
  if (normalisedPriorities(setup.priorities).paymentTerms >= VALUES_PAYMENT_TERMS) {
    t.valuedPay++;
    t.valuedPayGain += m.paymentTermsGainDays;
  }
}

/** The payment-terms gain Pactum's deployments report, in days. */
const REPORTED_PAYMENT_TERMS_GAIN = 35;

/**
 * What REPORTED_PAYMENT_TERMS_GAIN more days of payment terms (up to the
 * supplier's own maximum) on an agreement are worth to each side, as a rise
 * of every price: the rise that leaves the supplier's own utility where it was
 * (what it would need to grant them), and the most the brand would pay for
 * them by its utility. Undefined when the supplier's maximum leaves no room.
 */
function paymentTermsTrade(setup: NegotiationSetup, agreed: Terms): { supplierPct: number; brandPct: number } | undefined {
  const { persona, qualityScore } = setup.supplier;
  const longer: Terms = { ...agreed, paymentTermsDays: Math.min(agreed.paymentTermsDays + REPORTED_PAYMENT_TERMS_GAIN, persona.paymentTermsDays.max) };
  if (longer.paymentTermsDays <= agreed.paymentTermsDays) return undefined;
  const priced = (k: number): Terms => ({ ...longer, lines: longer.lines.map((l) => ({ ...l, unitPrice: l.unitPrice * k })) });
  // Both sides' utilities are monotone in a common price factor: bisect each.
  const bisect = (ok: (k: number) => boolean) => {
    let lo = 1;
    let hi = 2;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    return (lo - 1) * 100;
  };
  const supplierBefore = supplierUtility(agreed, setup.lineItems, persona);
  const brandBefore = brandUtility(agreed, setup, qualityScore);
  return {
    supplierPct: bisect((k) => supplierUtility(priced(k), setup.lineItems, persona) < supplierBefore),
    brandPct: bisect((k) => brandUtility(priced(k), setup, qualityScore) >= brandBefore),
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
};

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "–");
const mean = (a: number, b: number, digits = 3) => (b ? (a / b).toFixed(digits) : "–");

const HEADER = [
  "strategy",
  "negotiations",
  "deal rate (ZOA)",
  "mean brand utility",
  "efficiency (ZOA)",
  "savings vs opening",
  "payment terms gain (days)",
  "where valued (days)",
  "rounds",
  "guardrail violations",
];

function row(label: string, t: Tally): string[] {
  return [
    label,
    String(t.n),
    pct(t.zoaDeals, t.zoa),
    mean(t.brandUtility, t.n),
    mean(t.efficiency, t.zoa),
    `${mean(t.savings, t.deals, 1)}%`,
    mean(t.payGain, t.deals, 1),
    mean(t.valuedPayGain, t.valuedPay, 1),
    mean(t.rounds, t.n, 1),
    String(t.violations),
  ];
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

/** Per family: each strategy's mean brand utility and deal rate where a zone exists, and whether Parley leads on both. */
function familyTable(
  byFamily: Map<OpponentFamilyName, Map<BrandStrategyName, Tally>>,
  llm?: Map<BrandStrategyName, Tally>,
): { text: string; parleyLeadsEverywhere: boolean; parleyLeadsLlm?: boolean } {
  let everywhere = true;
  let leadsLlm: boolean | undefined;
  const families: [string, Map<BrandStrategyName, Tally>][] = OPPONENT_FAMILY_NAMES.map((f) => [f, byFamily.get(f)!]);
  if (llm) families.push([LLM_FAMILY, llm]);
  const rows = families.map(([family, tallies]) => {
    const parley = tallies.get("parley")!;
    const u = (t: Tally) => t.brandUtility / Math.max(1, t.n);
    const d = (t: Tally) => (t.zoa ? t.zoaDeals / t.zoa : 1);
    const others = BRAND_STRATEGY_NAMES.filter((s) => s !== "parley").map((s) => tallies.get(s)!);
    const leads = others.every((o) => u(parley) > u(o) - 1e-12) && others.every((o) => d(parley) >= d(o) - 1e-12);
    // The headline claim stays the engine families'; the LLM row says its own.
    if (family === LLM_FAMILY) leadsLlm = leads;
    else everywhere &&= leads;
    return [
      family,
      String(parley.n),
      pct(parley.zoa, parley.n),
      ...BRAND_STRATEGY_NAMES.map((s) => `${mean(tallies.get(s)!.brandUtility, tallies.get(s)!.n)} / ${pct(tallies.get(s)!.zoaDeals, tallies.get(s)!.zoa)}`),
      leads ? "yes" : "**no**",
    ];
  });
  const header = ["opponent family", "negotiations", "zone exists", ...BRAND_STRATEGY_NAMES.map((s) => `${s}: utility / deals (ZOA)`), "parley leads both"];
  return { text: table(header, rows), parleyLeadsEverywhere: everywhere, parleyLeadsLlm: leadsLlm };
}

/**
 * The llm_supplier family: every brand strategy against the presets' suppliers
 * played by the configured model, on LLM_SEEDS seeds; or, with no model
 * configured, only the line saying it was skipped.
 */
async function llmFamily(): Promise<{ tallies?: Map<BrandStrategyName, Tally>; note: string }> {
  const configured = llmSupplierFromEnv();
  if (!configured) {
    return {
      note: `The \`${LLM_FAMILY}\` family (the presets' suppliers played by a language model) was skipped: no model is configured. Set PARLEY_MODEL=openai:<model> with OPENAI_API_KEY, or with OPENAI_BASE_URL for a local OpenAI-compatible server, to play it (BENCH_LLM_SEEDS seeds, default 10).`,
    };
  }
  const started = Date.now();
  const tallies = new Map(BRAND_STRATEGY_NAMES.map((s) => [s, empty()]));
  let turns = 0;
  let overruled = 0;
  for (let i = 0; i < LLM_SEEDS; i++) {
    for (const opponent of opponentsFor("presets", FIRST_SEED + i) as Opponent[]) {
      // The strategies' negotiations are independent: played at once, the model's provider slots cap the calls in flight.
      const results: { strategy: BrandStrategyName; setup: NegotiationSetup; result: LlmNegotiationResult }[] = await Promise.all(
        BRAND_STRATEGY_NAMES.map(async (strategy) => {
          const setup = { ...opponent.setup, brandStrategy: strategy };
          return { strategy, setup, result: await runNegotiationWithLlmSupplier(setup, configured.player) };
        }),
      );
      const best = Math.max(bestInZone(opponent.setup), ...results.map((r) => r.result.metrics.brandUtility));
      for (const { strategy, setup, result } of results) {
        add(tallies.get(strategy)!, result, setup, violations(result, setup), best);
        turns += result.llm.turns;
        overruled += result.llm.overruled;
      }
    }
    console.error(`${LLM_FAMILY}: seed ${i + 1}/${LLM_SEEDS} played`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return {
    tallies,
    note: `\`${LLM_FAMILY}\`: the presets' suppliers played by ${configured.modelId} through the OpenAI-compatible path, seeds ${FIRST_SEED}–${FIRST_SEED + LLM_SEEDS - 1} (${tallies.get("parley")!.n} negotiations per strategy, ${seconds}s). The engine overruled ${overruled} of ${turns} of the model's supplier moves (an offer below its reservation or that it cannot deliver, a move the protocol does not allow, or an answer that is not a move), playing the persona's own move instead.`,
  };
}

async function main() {
  const started = Date.now();
  const overall = new Map<BrandStrategyName, Tally>(BRAND_STRATEGY_NAMES.map((s) => [s, empty()]));
  const byFamily = new Map<OpponentFamilyName, Map<BrandStrategyName, Tally>>(
    OPPONENT_FAMILY_NAMES.map((f) => [f, new Map(BRAND_STRATEGY_NAMES.map((s) => [s, empty()]))]),
  );
  const payTrades: { supplierPct: number; brandPct: number }[] = [];
  for (const family of OPPONENT_FAMILY_NAMES) {
    for (let i = 0; i < SEEDS; i++) {
      for (const opponent of opponentsFor(family, FIRST_SEED + i) as Opponent[]) {
        const results = BRAND_STRATEGY_NAMES.map((strategy) => {
          const setup = { ...opponent.setup, brandStrategy: strategy };
          return { strategy, setup, result: runNegotiation(setup, { supplierTactic: opponent.tactic }) };
        });
        // The best known point: the zone's best on the grid, or a deal that beat it.
        const best = Math.max(bestInZone(opponent.setup), ...results.map((r) => r.result.metrics.brandUtility));
        for (const { strategy, setup, result } of results) {
          if (strategy === "parley" && result.finalTerms && normalisedPriorities(setup.priorities).paymentTerms >= VALUES_PAYMENT_TERMS) {
            const trade = paymentTermsTrade(setup, result.finalTerms);
            if (trade) payTrades.push(trade);
          }
          const v = violations(result, setup);
          add(overall.get(strategy)!, result, setup, v, best);
          add(byFamily.get(family)!.get(strategy)!, result, setup, v, best);
        }
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const overallTable = table(HEADER, BRAND_STRATEGY_NAMES.map((s) => row(s, overall.get(s)!)));
  const llm = await llmFamily();
  const families = familyTable(byFamily, llm.tallies);
  const llmNote = llm.tallies ? `${llm.note} Parley ${families.parleyLeadsLlm ? "leads" : "does **not** lead"} every classic tactic against it on both.` : llm.note;
  const bothGain = payTrades.filter((t) => t.brandPct > t.supplierPct).length;
  const payNote = `Payment terms: at Parley's ${payTrades.length} agreements where the priorities value payment terms (and the supplier's maximum leaves room), ${REPORTED_PAYMENT_TERMS_GAIN} more days would cost the supplier, by its own utility, as much as every price ${median(payTrades.map((t) => t.supplierPct)).toFixed(1)}% higher (median); the brand would give ${median(payTrades.map((t) => t.brandPct)).toFixed(1)}% for them. The trade is worth it to both sides in ${pct(bothGain, payTrades.length)} of them.`;
  const split = DEV ? "development" : "held-out";
  const text = [
    "# Strategy tournament",
    "",
    `${split[0]!.toUpperCase()}${split.slice(1)} seeds ${FIRST_SEED}–${FIRST_SEED + SEEDS - 1} (${SEEDS} per opponent family${DEV ? "" : "; no test and no tuning uses them"}), every brand strategy against every opponent family. Run time ${seconds}s.`,
    "",
    "Mean brand utility counts a failed negotiation as 0. Efficiency: brand utility ÷ the best brand utility inside the zone of agreement, where one exists. Savings and payment-terms gain are means over agreements; \"where valued\": agreements whose priorities give payment terms at least 20%. Guardrail violations count each strategy's own proposals outside the guardrails, asked before the protocol's guard, and agreements outside either side's limits. The baselines play with the same protocol, ask cap, no-retraction rule and acceptance rule as Parley, and their clocks end at their last offer.",
    "",
    "## Overall",
    "",
    overallTable,
    "",
    "## By opponent family",
    "",
    families.text,
    "",
    `Parley ${families.parleyLeadsEverywhere ? "leads" : "does **not** lead"} every classic tactic on mean brand utility at an equal or better deal rate (ZOA) in every family.`,
    "",
    llmNote,
    "",
    payNote,
    "",
    "## The opponent families",
    "",
    ...OPPONENT_FAMILY_NAMES.map((f) => `- \`${f}\`: ${OPPONENT_FAMILIES[f]}`),
    "",
  ].join("\n");
  console.log(text);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", DEV ? "strategies-dev.md" : "strategies.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  if (!DEV) writeReadmeTable("strategies", `${overallTable}\n\n${families.text}\n\n${llmNote}\n\n${payNote}`);
  console.log(`wrote ${out}`);
}

await main();
