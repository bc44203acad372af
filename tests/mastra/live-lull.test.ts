import { describe, expect, it } from "vitest";
import { createLull } from "../../src/mastra/workflows/live-lull.js";

// When a waiting live negotiation stops watching: once every negotiation of
// the quote waits or is done, not before, and not for one that played again.

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe("the lull of a quote's negotiations", () => {
  it("resolves the waiting ones once the others are done or waiting too", async () => {
    const lull = createLull(["live", "sim-1", "sim-2"]);
    const live = lull.idle("live");
    expect(await settled(live)).toBe(false);
    lull.done("sim-1");
    expect(await settled(live)).toBe(false);
    lull.done("sim-2");
    expect(await settled(live)).toBe(true);
  });

  it("a negotiation that plays again (its supplier moved) holds the lull until it waits or ends", async () => {
    const lull = createLull(["a", "b"]);
    const a = lull.idle("a");
    lull.busy("a");
    const b = lull.idle("b");
    expect(await settled(b)).toBe(false);
    const again = lull.idle("a");
    expect([await settled(b), await settled(again)]).toEqual([true, true]);
    // The first wait of `a` resolves too: nothing is left waiting forever.
    expect(await settled(a)).toBe(true);
  });

  it("a lone live negotiation is in a lull at once", async () => {
    expect(await settled(createLull(["only"]).idle("only"))).toBe(true);
  });
});
