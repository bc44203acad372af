// The project's own convex/ functions, run through the same scenario on
// convex-test and on the embedded backend via the official ConvexClient; the
// transcripts must match (IDs compared by first appearance, times dropped).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { generateAuthKeys } from "../../src/cli/auth-keys.js";
import { claim, newBackend, newWorkspace, offer, quoteArgs, say, SERVICE_KEY, terms, type Backend, type Member } from "../convex/helpers";
import { type BrandSession, signUpBrand } from "../helpers/brand-session.js";
import { startFixture, until } from "./helpers.js";

const PROJECT_FUNCTIONS = path.resolve(__dirname, "../../convex");
// Moments (…At, …Time, …Until) differ between two runs of the same scenario.
const TIME_KEY = /(Time|At|Ms|Until)$/;

function normalizer(isId: (s: string) => boolean) {
  const seen = new Map<string, string>();
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: any = {};
      for (const [k, x] of Object.entries(v)) {
        if (TIME_KEY.test(k) && typeof x === "number") continue;
        if (k === "continueCursor") {
          out[k] = typeof x === "string" ? "cursor" : x;
          continue;
        }
        out[k] = walk(x);
      }
      return out;
    }
    if (typeof v === "string" && isId(v)) {
      if (!seen.has(v)) seen.set(v, `id${seen.size}`);
      return seen.get(v);
    }
    return v;
  };
  return walk;
}

const refused = (e: any) => ({ refused: e?.data ?? "error" });

/** `t` makes the service calls; `brand` is a signed-in owner of a workspace, calling into it. */
async function scenario(t: Backend, brand: Pick<Member, "query" | "mutation"> | BrandSession): Promise<unknown[]> {
  const out: unknown[] = [];
  const rec = (label: string, value: unknown) => out.push([label, value]);
  const products = await brand.query(api.products.list, {});
  const quoteId = await brand.mutation(api.quotes.request, quoteArgs({ products, maxRounds: 4 }));
  const negotiations = (await brand.query(api.quotes.get, { quoteId }))!.negotiations;
  rec("products", products);
  rec("quote", await brand.query(api.quotes.get, { quoteId }));
  const leaseEpoch = (await claim(t, quoteId))!;
  rec("claim", leaseEpoch);
  rec("claim by another worker", await claim(t, quoteId, "worker-2"));
  const n0 = negotiations[0]._id as Id<"negotiations">;
  const n1 = negotiations[1]._id as Id<"negotiations">;
  rec("supplier opens", await offer(t, n0, 1, "supplier", terms(7.2, 1.0, 40, 15), leaseEpoch));
  rec("brand counters", await offer(t, n0, 2, "brand", terms(5.6, 0.76, 30, 45), leaseEpoch));
  rec("same party twice", await offer(t, n0, 3, "brand", terms(5.7, 0.77), leaseEpoch).catch(refused));
  rec("replayed offer", await offer(t, n0, 2, "brand", terms(5.6, 0.76, 30, 45), leaseEpoch).catch(refused));
  rec("offers", await brand.query(api.offers.list, { negotiationId: n0 }));
  for (let seq = 0; seq < 5; seq++) rec(`say ${seq}`, await say(t, n0, seq, seq % 2 ? "brand" : "supplier", `message ${seq}`, "text", leaseEpoch));
  rec("say replay", await say(t, n0, 2, "supplier", "message 2", "text", leaseEpoch).catch(refused));
  rec("stale epoch", await say(t, n0, 9, "brand", "x", "text", leaseEpoch - 1).catch(refused));
  rec(
    "wrong key",
    await t
      .mutation(api.ingest.appendMessage, { serviceKey: "nope", leaseEpoch, negotiationId: n0, seq: 9, sender: "brand", kind: "text", content: "x" })
      .catch(refused),
  );
  const page1 = await brand.query(api.messages.list, { negotiationId: n0, paginationOpts: { numItems: 3, cursor: null } });
  rec("messages page 1", page1);
  rec("messages page 2", await brand.query(api.messages.list, { negotiationId: n0, paginationOpts: { numItems: 3, cursor: page1.continueCursor } }));
  rec("mark read", await brand.mutation(api.messages.markRead, { negotiationId: n0 }));
  const stream = { serviceKey: SERVICE_KEY, leaseEpoch, negotiationId: n0, seq: 5 };
  rec("start streaming", await t.mutation(api.ingest.startMessage, { ...stream, sender: "supplier", kind: "text", content: "Let" }));
  rec("piece", await t.mutation(api.ingest.appendMessageText, { ...stream, start: 3, text: " me check" }));
  rec("replayed piece", await t.mutation(api.ingest.appendMessageText, { ...stream, start: 3, text: " me" }));
  rec("piece past the end", await t.mutation(api.ingest.appendMessageText, { ...stream, start: 99, text: "x" }).catch(refused));
  rec("streaming", await brand.query(api.messages.streaming, { negotiationId: n0 }));
  rec("finish", await t.mutation(api.ingest.finishMessage, { ...stream, content: "Let me check with my team." }));
  rec("streaming after finish", await brand.query(api.messages.streaming, { negotiationId: n0 }));
  rec("supplier opens n1", await offer(t, n1, 1, "supplier", terms(6.9, 0.95, 35, 30), leaseEpoch));
  rec("pause", await brand.mutation(api.negotiations.pause, { negotiationId: n1 }).catch(refused));
  rec("quote after", await brand.query(api.quotes.get, { quoteId }));
  rec("list", await brand.query(api.quotes.list, { paginationOpts: { numItems: 5, cursor: null } }));
  rec("insights", await brand.query(api.insights.summary, {}));
  rec("claimable", await t.query(api.worker.claimable, { serviceKey: SERVICE_KEY }));
  rec("state", await t.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }));
  return out;
}

let backend: Awaited<ReturnType<typeof startFixture>>;
let client: ConvexClient;
// Bundling and pushing the project's convex/ (Mastra's storage table included) takes a while on a busy machine.
beforeAll(async () => {
  backend = await startFixture({ functionsDir: PROJECT_FUNCTIONS, env: { PARLEY_SERVICE_KEY: SERVICE_KEY, ...(await generateAuthKeys()) } });
  client = new ConvexClient(backend.url, { logger: false });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await backend?.stop();
});

describe("conformance with the project's convex/ functions", () => {
  it("the same scenario gives the same transcript on convex-test and on the embedded backend", async () => {
    const local = newBackend();
    const expected = normalizer((s) => /^[0-9]{5,}[a-z_]+$/.test(s))(await scenario(local, await newWorkspace(local)));
    const remote = { query: client.query.bind(client), mutation: client.mutation.bind(client), action: client.action.bind(client) } as unknown as Backend;
    const brand = await signUpBrand(backend.url, { email: "owner@brand.test" });
    let live: unknown;
    const unsubscribe = brand.onUpdate(api.insights.summary, {}, (v) => (live = v));
    const actual = normalizer((s) => /^[0-9a-hjkmnp-tv-z]{26}$/.test(s))(await scenario(remote, brand));
    expect(actual).toEqual(expected);
    const final = await brand.query(api.insights.summary, {});
    await until(() => JSON.stringify(live) === JSON.stringify(final), 10_000, "live insights");
    unsubscribe();
    await brand.close();
  });
});
