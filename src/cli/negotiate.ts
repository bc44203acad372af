// Headless scenario runner: runs every negotiation of a scenario with the
// engine alone (no model, no Convex) and prints the transcript and the final
// comparison, or one JSON document with --json.
//
//   npm run negotiate -- --scenario examples/x.json [--seed N] [--strategy parley] [--json]

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  BRAND_STRATEGY_NAMES,
  type BrandStrategyName,
  describeTerms,
  evaluateNegotiations,
  type NegotiationResult,
  parseScenario,
  ScenarioError,
  scenarioSetups,
  runNegotiation,
  totalPrice,
} from "../negotiation/index.js";

function usage(): string {
  return "usage: npm run negotiate -- --scenario <path.json> [--seed N] [--strategy " + BRAND_STRATEGY_NAMES.join("|") + "] [--json]";
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

function transcript(result: NegotiationResult): string {
  const lines = [`── ${result.supplier.name} (${result.supplier.id}, ${result.supplier.persona.concession}) ──`];
  for (const m of result.moves) {
    const who = m.party.padEnd(8);
    if (m.kind === "offer") lines.push(`  round ${String(m.round).padStart(2)}  ${who} offers   ${describeTerms(m.terms)}  (total ${totalPrice(m.terms).toFixed(2)})`);
    else if (m.kind === "accept") lines.push(`            ${who} accepts  ${describeTerms(m.terms)} — ${m.reasoning}`);
    else lines.push(`            ${who} impasse  — ${m.reasoning}`);
  }
  return lines.join("\n");
}

function comparison(results: NegotiationResult[]): string {
  const header = ["supplier", "outcome", "rounds", "final terms", "brand utility", "supplier utility", "saved vs opening", "saved vs list", "terms gain", "Pareto dist.", "Nash dist."];
  const rows = results.map((r) => {
    const m = r.metrics;
    const agreed = r.outcome === "agreement";
    return [
      r.supplier.name,
      r.outcome,
      String(r.rounds),
      r.finalTerms ? describeTerms(r.finalTerms) : "–",
      m.brandUtility.toFixed(3),
      m.supplierUtility.toFixed(3),
      agreed ? `${m.savingsVsOpeningPct.toFixed(1)}%` : "–",
      agreed ? `${m.savingsVsListPct.toFixed(1)}%` : "–",
      agreed ? `${m.paymentTermsGainDays} d` : "–",
      m.paretoDistance?.toFixed(3) ?? "–",
      m.nashDistance?.toFixed(3) ?? "–",
    ];
  });
  return pad([header, ...rows]);
}

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { scenario: { type: "string" }, seed: { type: "string" }, strategy: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${usage()}`);
    return 2;
  }
  if (args.help) {
    console.log(usage());
    return 0;
  }
  if (!args.scenario) {
    console.error(`error: --scenario is required\n${usage()}`);
    return 2;
  }
  const seed = args.seed === undefined ? undefined : Number(args.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    console.error(`error: --seed must be an integer, got "${args.seed}"`);
    return 2;
  }
  if (args.strategy !== undefined && !BRAND_STRATEGY_NAMES.includes(args.strategy as BrandStrategyName)) {
    console.error(`error: --strategy must be one of ${BRAND_STRATEGY_NAMES.join(", ")}, got "${args.strategy}"`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(args.scenario, "utf8");
  } catch (e) {
    console.error(`error: cannot read scenario ${args.scenario}: ${(e as Error).message}`);
    return 1;
  }
  let scenario;
  try {
    scenario = parseScenario(text);
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(`error: ${args.scenario} is not a valid scenario:`);
      for (const issue of e.issues) console.error(`  ${issue.path}: ${issue.message}`);
      return 1;
    }
    throw e;
  }
  if (args.strategy) scenario = { ...scenario, brandStrategy: args.strategy as BrandStrategyName };
  const effectiveSeed = seed ?? scenario.seed;
  const results = scenarioSetups(scenario, effectiveSeed).map((setup) => runNegotiation(setup));
  const recommendation = evaluateNegotiations({ ...scenario, results });
  if (args.json) {
    console.log(JSON.stringify({ scenario: scenario.name, seed: effectiveSeed, brandStrategy: scenario.brandStrategy, negotiations: results, recommendation }, null, 2));
    return 0;
  }
  console.log(`${scenario.name} — seed ${effectiveSeed}, brand strategy ${scenario.brandStrategy}, max ${scenario.maxRounds} rounds\n`);
  for (const r of results) console.log(`${transcript(r)}\n`);
  console.log(comparison(results));
  console.log(`\nRecommendation: ${recommendation.explanation}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
