import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario, ScenarioError } from "../../src/negotiation/index.js";

const examples = join(import.meta.dirname, "../../examples");
const valid = JSON.parse(readFileSync(join(examples, "tshirts-three-suppliers.json"), "utf8"));

function errorOf(input: unknown): ScenarioError {
  try {
    parseScenario(input);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("parseScenario", () => {
  it("parses every shipped example and resolves preset personas", () => {
    const files = readdirSync(examples).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const s = parseScenario(readFileSync(join(examples, f), "utf8"));
      expect(s.suppliers.every((x) => typeof x.persona.unitCostRatio === "number")).toBe(true);
    }
  });

  it("defaults maxRounds to 8 and the strategy to parley", () => {
    const { maxRounds, brandStrategy, ...rest } = valid;
    const s = parseScenario(rest);
    expect(s.maxRounds).toBe(8);
    expect(s.brandStrategy).toBe("parley");
  });

  it("names the field and the problem", () => {
    const bad = structuredClone(valid);
    bad.lineItems[0].quantity = "ten";
    bad.suppliers[1].persona = { ...bad.suppliers[1].persona === "budget" ? {} : {}, concession: "stubborn" };
    const e = errorOf(bad);
    expect(e.issues.map((i) => i.path)).toContain("lineItems[0].quantity");
    expect(e.issues.map((i) => i.path)).toContain("suppliers[1].persona.concession");
    expect(e.message).toMatch(/lineItems\[0\]\.quantity: .*expected number/);
  });

  it("rejects an unknown preset, a target above the limit and invalid JSON", () => {
    const preset = structuredClone(valid);
    preset.suppliers[0].persona = "cheapest";
    expect(errorOf(preset).message).toContain("suppliers[0].persona: expected a persona object or a preset name");
    const target = structuredClone(valid);
    target.lineItems[0].targetUnitPrice = 99;
    expect(errorOf(target).message).toContain("lineItems[0].targetUnitPrice: targetUnitPrice must not exceed maxUnitPrice");
    expect(errorOf("{ not json").message).toContain("not valid JSON");
  });
});
