// Randomised workloads run side by side on convex-test and on the embedded
// backend (through ConvexHttpClient); every query result must match, with IDs
// compared by insertion order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convexTest } from "convex-test";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import path from "node:path";
import schema from "./fixture/convex/schema";
import componentsSchema from "./fixture-components/convex/schema";
import counterSchema from "./fixture-components/counter/schema";
import leafSchema from "./fixture-components/leaf/schema";
import { startFixture } from "./helpers.js";
import { mulberry32 } from "../../src/negotiation/prng.js";

const api = anyApi;
const modules = {
  ...import.meta.glob("./fixture/convex/**/*.ts"),
  "./fixture/convex/_generated/api.js": async () => ({}),
};

type Side = { ids: string[]; q: (f: any, a: any) => Promise<any>; m: (f: any, a: any) => Promise<any> };

/** Replace every ID by its insertion ordinal and drop creation times. */
function normalize(value: any, ids: string[]): any {
  if (Array.isArray(value)) return value.map((v) => normalize(v, ids));
  if (value && typeof value === "object") {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "_creationTime") continue;
      if (k === "continueCursor" || k === "splitCursor") {
        out[k] = v === "_end_cursor" || v === null ? v : "cursor";
        continue;
      }
      out[k] = normalize(v, ids);
    }
    return out;
  }
  if (typeof value === "string" && ids.includes(value)) return `#${ids.indexOf(value)}`;
  return value;
}

function randomSpec(r: () => number) {
  const pick = <T,>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const index = pick(["by_group_score", "by_tag", "by_creation_time", "none"] as const);
  const spec: any = { index, order: pick(["asc", "desc"]), terminal: pick(["collect", "take", "first", "unique"]) };
  if (index === "by_group_score" && r() < 0.8) {
    spec.group = Math.floor(r() * 4);
    if (r() < 0.6) { spec.lo = Math.floor(r() * 20); spec.loInclusive = r() < 0.5; }
    if (r() < 0.6) { spec.hi = Math.floor(r() * 20); spec.hiInclusive = r() < 0.5; }
  }
  if (index === "by_tag" && r() < 0.8) spec.tag = pick(["a", "b", "c", "d"]);
  if (r() < 0.3) spec.flag = r() < 0.5;
  if (r() < 0.2) spec.minScore = Math.floor(r() * 20);
  if (spec.terminal === "take") spec.n = Math.floor(r() * 5);
  return spec;
}

let backend: Awaited<ReturnType<typeof startFixture>>;
beforeAll(async () => {
  backend = await startFixture();
});
afterAll(async () => {
  await backend.stop();
});

describe("differential: embedded backend vs convex-test", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`randomised workload, seed ${seed}`, async () => {
      const r = mulberry32(seed);
      const t = convexTest(schema, modules);
      const http = new ConvexHttpClient(backend.url, { logger: false });
      // Each seed works on its own data: clear what earlier seeds inserted.
      for (const doc of await http.query(api.items.all, {})) await http.mutation(api.items.remove, { id: doc._id });
      const sides: Side[] = [
        { ids: [], q: (f, a) => t.query(f, a), m: (f, a) => t.mutation(f, a) },
        { ids: [], q: (f, a) => http.query(f, a), m: (f, a) => http.mutation(f, a) },
      ];
      const live: number[] = [];
      let nonTrivial = 0;
      for (let step = 0; step < 120; step++) {
        const op = r();
        if (op < 0.4 || live.length === 0) {
          const doc = { group: Math.floor(r() * 4), score: Math.floor(r() * 20), tag: ["a", "b", "c", "d"][Math.floor(r() * 4)], flag: r() < 0.5 };
          for (const s of sides) s.ids.push(await s.m(api.items.insert, doc));
          live.push(sides[0].ids.length - 1);
        } else if (op < 0.55) {
          const k = live[Math.floor(r() * live.length)];
          const patch: any = {};
          if (r() < 0.7) patch.score = Math.floor(r() * 20);
          if (r() < 0.4) patch.tag = ["a", "b", "c", "d"][Math.floor(r() * 4)];
          if (r() < 0.3) patch.flag = r() < 0.5;
          for (const s of sides) await s.m(api.items.patch, { id: s.ids[k], ...patch });
        } else if (op < 0.65) {
          const i = Math.floor(r() * live.length);
          const k = live.splice(i, 1)[0];
          for (const s of sides) await s.m(api.items.remove, { id: s.ids[k] });
        } else if (op < 0.9) {
          const spec = randomSpec(r);
          const [a, b] = await Promise.all(sides.map(async (s) => normalize(await s.q(api.items.run, { spec }), s.ids)));
          expect(b, JSON.stringify(spec)).toEqual(a);
          if (Array.isArray(a) && a.length > 1) nonTrivial++;
        } else {
          const spec = { ...randomSpec(r), terminal: "collect" };
          const numItems = 1 + Math.floor(r() * 4);
          const pages = await Promise.all(
            sides.map(async (s) => {
              const out: any[] = [];
              let cursor: string | null = null;
              for (let i = 0; i < 50; i++) {
                const p: any = await s.q(api.items.page, { spec, paginationOpts: { numItems, cursor } });
                out.push(normalize({ page: p.page, isDone: p.isDone }, s.ids));
                if (p.isDone) break;
                cursor = p.continueCursor;
              }
              return out;
            }),
          );
          expect(pages[1], JSON.stringify(spec)).toEqual(pages[0]);
          if (pages[0].length > 1) nonTrivial++;
        }
      }
      expect(nonTrivial).toBeGreaterThan(5);
    });
  }
});

// Components: the fixture app of fixture-components/ (a local component installed
// twice, itself using a child component) on both sides; convex-test runs them
// with t.registerComponent. Every answer must match, IDs compared by insertion order.
const componentModules = {
  app: { ...import.meta.glob("./fixture-components/convex/**/*.ts"), "./fixture-components/convex/_generated/api.js": async () => ({}) },
  counter: { ...import.meta.glob("./fixture-components/counter/**/*.ts"), "./fixture-components/counter/_generated/api.js": async () => ({}) },
  leaf: { ...import.meta.glob("./fixture-components/leaf/**/*.ts"), "./fixture-components/leaf/_generated/api.js": async () => ({}) },
};

describe("differential: components on the embedded backend vs convex-test", () => {
  for (const seed of [1, 2, 3]) {
    it(`randomised calls into components, seed ${seed}`, async () => {
      const r = mulberry32(seed * 7919);
      const t = convexTest(componentsSchema, componentModules.app);
      for (const instance of ["counter", "secondCounter"]) {
        t.registerComponent(instance, counterSchema, componentModules.counter);
        t.registerComponent(`${instance}/leaf`, leafSchema, componentModules.leaf);
      }
      const embedded = await startFixture({ functionsDir: path.resolve(__dirname, "fixture-components/convex") });
      try {
        const http = new ConvexHttpClient(embedded.url, { logger: false });
        const sides: Side[] = [
          { ids: [], q: (f, a) => t.query(f, a), m: (f, a) => t.mutation(f, a) },
          { ids: [], q: (f, a) => http.query(f, a), m: (f, a) => http.mutation(f, a) },
        ];
        /** A call's result, or the ConvexError data it failed with. */
        const settle = (p: Promise<any>) => p.then((value) => ({ value }), (e: any) => ({ error: e.data ?? "error" }));
        const names = ["a", "b", "c", "d", "e"];
        const componentIds: string[][] = [[], []];
        let compared = 0;
        for (let step = 0; step < 60; step++) {
          const op = r();
          const name = names[Math.floor(r() * names.length)];
          if (op < 0.35) {
            const value = Math.floor(r() * 10);
            // convex-test's IDs repeat across components, so each side keeps the component's IDs apart.
            for (const [i, s] of sides.entries()) {
              const { appId, componentId } = await s.m(api.app.addBoth, { name, value });
              s.ids.push(appId);
              componentIds[i].push(componentId);
            }
          } else if (op < 0.5) {
            const [a, b] = await Promise.all(sides.map((s) => settle(s.m(api.app.survivesComponentFailure, { name }))));
            expect(normalize(b, [])).toEqual(normalize(a, []));
          } else if (op < 0.6) {
            const [a, b] = await Promise.all(sides.map((s) => settle(s.m(api.app.failsWithComponent, { name }))));
            expect(b).toEqual(a);
          } else if (op < 0.7 && componentIds[0].length > 0) {
            // A component's own IDs (convex-test does not keep the app's IDs out of a component's tables, so those are not compared).
            const k = Math.floor(r() * componentIds[0].length);
            const [a, b] = await Promise.all(
              sides.map(async (s, i) => normalize(await s.q(api.app.componentSees, { id: componentIds[i][k] }), componentIds[i])),
            );
            expect(b).toEqual(a);
          } else {
            const query = [api.app.listApp, api.app.listCounter, api.app.nested, api.app.logLines][Math.floor(r() * 4)];
            const args = query === api.app.listCounter && r() < 0.3 ? { which: "secondCounter" } : {};
            const [a, b] = await Promise.all(sides.map(async (s) => normalize(await s.q(query, args), s.ids)));
            expect(b, JSON.stringify({ step, args })).toEqual(a);
            compared++;
          }
        }
        expect(compared).toBeGreaterThan(5);
      } finally {
        await embedded.stop();
      }
    });
  }
});
