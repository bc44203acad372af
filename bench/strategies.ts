// Strategy tournament: Parley's brand strategy and the baselines, each against
// every supplier persona, over generated scenarios. Prints a table and writes
// bench/results/strategies.md.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BRAND_STRATEGY_NAMES, type BrandStrategyName, type NegotiationResult, runNegotiation, supplierAcceptable, withinGuardrails } from "../src/negotiation/index.js";
import { generateScenario } from "../src/negotiation/scenario-generator.js";
import { scenarioSetups } from "../src/negotiation/scenario.js";
import { writeReadmeTable } from "./readme-table.js";

const SCENARIOS = Number(process.env.BENCH_SCENARIOS ?? 300);
const FIRST_SEED = 1000;

interface Tally {
  n: number;
  deals: number;
  zoa: number;
  zoaDeals: number;
  brandUtility: number;
  savings: number;
  payGain: number;
  pareto: number;
  nash: number;
  rounds: number;
  violations: number;
}

const empty = (): Tally => ({ n: 0, deals: 0, zoa: 0, zoaDeals: 0, brandUtility: 0, savings: 0, payGain: 0, pareto: 0, nash: 0, rounds: 0, violations: 0 });

/** Brand offers or acceptances outside the guardrails, and agreements under the supplier's reservation. */
function violations(r: NegotiationResult, setup: Parameters<typeof runNegotiation>[0]): number {
  let count = 0;
  for (const m of r.moves) {
    if (m.party === "brand" && m.kind !== "impasse" && !withinGuardrails(m.terms, setup.lineItems, setup.guardrails)) count++;
  }
  if (r.finalTerms && !supplierAcceptable(r.finalTerms, setup.lineItems, setup.supplier.persona)) count++;
  return count;
}

function add(t: Tally, r: NegotiationResult, v: number) {
  const m = r.metrics;
  t.n++;
  t.rounds += m.rounds;
  t.violations += v;
  t.brandUtility += m.brandUtility;
  if (m.zoneOfAgreement) t.zoa++;
  if (r.outcome === "agreement") {
    t.deals++;
    if (m.zoneOfAgreement) t.zoaDeals++;
    t.savings += m.savingsVsOpeningPct;
    t.payGain += m.paymentTermsGainDays;
    t.pareto += m.paretoDistance ?? 0;
    t.nash += m.nashDistance ?? 0;
  }
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "–");
const mean = (a: number, b: number, digits = 3) => (b ? (a / b).toFixed(digits) : "–");

function row(label: string, t: Tally): string[] {
  return [
    label,
    String(t.n),
    pct(t.deals, t.n),
    pct(t.zoaDeals, t.zoa),
    mean(t.brandUtility, t.n),
    `${mean(t.savings, t.deals, 1)}%`,
    mean(t.payGain, t.deals, 1),
    mean(t.pareto, t.deals),
    mean(t.nash, t.deals),
    mean(t.rounds, t.n, 1),
    String(t.violations),
  ];
}

const HEADER = ["strategy", "negotiations", "deal rate", "deal rate (ZOA)", "mean brand utility", "savings vs opening", "payment terms gain (days)", "Pareto distance", "Nash distance", "rounds", "guardrail violations"];

function markdownTable(rows: string[][]): string {
  const lines = [HEADER, HEADER.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
  return lines.join("\n");
}

function main() {
  const started = Date.now();
  const overall = new Map<BrandStrategyName, Tally>();
  const byPersona = new Map<string, Tally>();
  for (let i = 0; i < SCENARIOS; i++) {
    const scenario = generateScenario(FIRST_SEED + i);
    for (const strategy of BRAND_STRATEGY_NAMES) {
      for (const setup of scenarioSetups({ ...scenario, brandStrategy: strategy })) {
        const result = runNegotiation(setup);
        const v = violations(result, setup);
        if (!overall.has(strategy)) overall.set(strategy, empty());
        add(overall.get(strategy)!, result, v);
        const key = `${strategy} vs ${setup.supplier.id}`;
        if (!byPersona.has(key)) byPersona.set(key, empty());
        add(byPersona.get(key)!, result, v);
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const overallRows = BRAND_STRATEGY_NAMES.map((s) => row(s, overall.get(s)!));
  const personaRows = [...byPersona.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => row(k, t));
  const zoaShare = pct(overall.get("parley")!.zoa, overall.get("parley")!.n);
  const text = [
    "# Strategy tournament",
    "",
    `${SCENARIOS} generated scenarios (seeds ${FIRST_SEED}–${FIRST_SEED + SCENARIOS - 1}), each negotiated by every brand strategy against three suppliers drawn around the premium, budget and balanced personas; a zone of agreement exists in ${zoaShare} of negotiations. Run time ${seconds}s.`,
    "",
    "Mean brand utility counts a failed negotiation as 0; savings, payment-terms gain and the distances are means over agreements. Distances are in (brand, supplier) utility space on a discretised outcome space.",
    "",
    "## Overall",
    "",
    markdownTable(overallRows),
    "",
    "## By supplier persona",
    "",
    markdownTable(personaRows),
    "",
  ].join("\n");
  console.log(text);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "strategies.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  writeReadmeTable("strategies", markdownTable(overallRows));
  console.log(`wrote ${out}`);
}

main();
