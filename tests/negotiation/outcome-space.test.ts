import { describe, expect, it } from "vitest";
import { agreementSpace, nashPoint, paretoDistance, paretoFrontier, personaPreset } from "../../src/negotiation/index.js";
import { singleLineSetup } from "./fixtures.js";

const p = (brand: number, supplier: number) => ({ brand, supplier });

describe("Pareto frontier and Nash point on hand-checked points", () => {
  const points = [p(0.2, 0.9), p(0.5, 0.5), p(0.4, 0.4), p(0.8, 0.3), p(0.8, 0.1), p(1, 0), p(0.3, 0.6)];
  it("keeps exactly the non-dominated points", () => {
    expect(paretoFrontier(points)).toEqual([p(0.2, 0.9), p(0.3, 0.6), p(0.5, 0.5), p(0.8, 0.3), p(1, 0)]);
  });
  it("finds the point maximising the product of utilities", () => {
    // products: 0.18, 0.25, 0.16, 0.24, 0.08, 0, 0.18
    expect(nashPoint(points)).toEqual(p(0.5, 0.5));
  });
  it("measures the distance to the nearest dominating frontier point", () => {
    const frontier = paretoFrontier(points);
    expect(paretoDistance(p(0.5, 0.5), frontier)).toBe(0);
    expect(paretoDistance(p(0.4, 0.4), frontier)).toBeCloseTo(Math.hypot(0.1, 0.1), 10);
    expect(paretoDistance(p(0.8, 0.1), frontier)).toBeCloseTo(0.2, 10);
  });
});

describe("agreement space", () => {
  it("holds only outcomes both sides accept, and its frontier trades one side against the other", () => {
    const setup = singleLineSetup();
    const space = agreementSpace(setup, personaPreset("balanced"), 0.82);
    expect(space.length).toBeGreaterThan(100);
    expect(space.every((o) => o.brand > 0 && o.terms.lines[0]!.unitPrice <= 10)).toBe(true);
    const frontier = paretoFrontier(space);
    for (let i = 1; i < frontier.length; i++) {
      expect(frontier[i]!.brand).toBeGreaterThan(frontier[i - 1]!.brand);
      expect(frontier[i]!.supplier).toBeLessThan(frontier[i - 1]!.supplier);
    }
  });
});
