import { convexTest } from "convex-test";
import type { FunctionReference, FunctionReturnType } from "convex/server";
import type { ConvexError } from "convex/values";
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import { registerComponents } from "./components";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import schema from "../../convex/schema";
import type { ErrorData } from "../../convex/model/errors";
import type { Terms } from "../../convex/model/validate";
import type { Role } from "../../convex/model/roles";

// Small steps that the scenario tests compose. Each takes the test backend `t`
// so the same scenarios can run against another backend later.

export const SERVICE_KEY = "test-service-key-0123456789";
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;

// convex.config.ts is not a function module (convex-test registers the components below).
export const modules = import.meta.glob(["../../convex/**/*.ts", "!../../convex/convex.config.ts"]);

/** A convex-test backend with Parley's schema, functions and components (convex/convex.config.ts). */
export function newBackend() {
  return registerComponents(convexTest(schema, modules));
}
export type Backend = ReturnType<typeof newBackend>;

/**
 * A user with a live Convex Auth session, as `auth:signIn` leaves one: the
 * token's subject is `userId|sessionId`. `as` calls functions with that identity.
 */
export async function signUp(t: Backend, email: string) {
  const { userId, sessionId } = await t.run(async (ctx) => {
    const userId = await ctx.db.insert("users", { email });
    const sessionId = await ctx.db.insert("authSessions", { userId, expirationTime: Date.now() + 365 * 24 * 60 * 60 * 1000 });
    return { userId, sessionId };
  });
  const as = t.withIdentity({ subject: `${userId}|${sessionId}`, issuer: "https://site.convex.test" });
  return { userId, sessionId, as };
}
export type User = Awaited<ReturnType<typeof signUp>>;

type Scoped<F> = F extends FunctionReference<infer Kind, "public", infer Args, infer Result>
  ? FunctionReference<Kind, "public", Args & { workspaceId: Id<"workspaces"> }, Result>
  : never;
type Unscoped<Args> = Omit<Args, "workspaceId">;

/** A member's calls into one workspace: `workspaceId` is added to every call's arguments. */
export function memberOf(user: User, workspaceId: Id<"workspaces">) {
  return {
    ...user,
    workspaceId,
    query: <F extends FunctionReference<"query", "public">>(fn: F & Scoped<F>, args: Unscoped<F["_args"]>) =>
      user.as.query(fn as FunctionReference<"query">, { ...args, workspaceId }) as Promise<FunctionReturnType<F>>,
    mutation: <F extends FunctionReference<"mutation", "public">>(fn: F & Scoped<F>, args: Unscoped<F["_args"]>) =>
      user.as.mutation(fn as FunctionReference<"mutation">, { ...args, workspaceId }) as Promise<FunctionReturnType<F>>,
  };
}
export type Member = ReturnType<typeof memberOf>;

/** A signed-up owner of a new workspace (which comes with the demo catalog). */
export async function newWorkspace(t: Backend, email = "owner@brand.test", name = "Acme Goods"): Promise<Member> {
  const user = await signUp(t, email);
  const workspaceId = await user.as.mutation(api.workspaces.create, { name });
  return memberOf(user, workspaceId);
}

/** Joins `workspace` with `role` through a real invitation. */
export async function invite(t: Backend, owner: Member, email: string, role: Role): Promise<Member> {
  const { token } = await owner.mutation(api.invitations.create, { role });
  const user = await signUp(t, email);
  await user.as.mutation(api.invitations.accept, { token });
  return memberOf(user, owner.workspaceId);
}

const brands = new WeakMap<Backend, Member>();

/** The owner of the backend's first workspace, made on first use: the brand user of the scenario tests. */
export async function brandOf(t: Backend): Promise<Member> {
  let member = brands.get(t);
  if (!member) {
    member = await newWorkspace(t);
    brands.set(t, member);
  }
  return member;
}

/** The brand user of a backend that `seed` or `requestQuote` has set up. */
export function brand(t: Backend): Member {
  const member = brands.get(t);
  if (!member) throw new Error("no brand user yet: call seed(t) or requestQuote(t) first");
  return member;
}

export async function seed(t: Backend) {
  const owner = await brandOf(t);
  const products = await owner.query(api.products.list, {});
  const suppliers = await owner.query(api.suppliers.list, {});
  return { products, suppliers, owner };
}

export const PRIORITIES = { price: 0.5, leadTime: 0.2, paymentTerms: 0.2, quality: 0.1 };
export const GUARDRAILS = { maxLeadTimeDays: 45, minPaymentTermsDays: 30 };

/** A two-line quote (tees at 6.80 list, mailers at 0.92 list). */
export async function requestQuote(t: Backend, overrides: Partial<Parameters<typeof quoteArgs>[0]> = {}) {
  const { products } = await seed(t);
  const args = quoteArgs({ products, ...overrides });
  const owner = await brandOf(t);
  const quoteId = await owner.mutation(api.quotes.request, args);
  const detail = (await owner.query(api.quotes.get, { quoteId }))!;
  return { quoteId, negotiations: detail.negotiations, products };
}

export function quoteArgs(opts: { products: Doc<"products">[]; maxRounds?: number }) {
  const tee = opts.products.find((product) => product.sku === "APP-TEE-240-BLK")!;
  const mailer = opts.products.find((product) => product.sku === "PKG-MAILER-1084")!;
  return {
    lineItems: [
      { productId: tee._id, quantity: 2000, targetUnitPrice: 5.5, maxUnitPrice: 6.5 },
      { productId: mailer._id, quantity: 5000, targetUnitPrice: 0.75, maxUnitPrice: 0.9 },
    ],
    priorities: PRIORITIES,
    guardrails: GUARDRAILS,
    notes: "Spring drop",
    seed: 42,
    ...(opts.maxRounds !== undefined ? { maxRounds: opts.maxRounds } : {}),
  };
}

/** The same offer as the supplier portal's form sends it: unit prices by SKU, no quantities. */
export function portalForm(teePrice: number, mailerPrice: number, leadTimeDays = 30, paymentTermsDays = 30) {
  return {
    lines: [
      { sku: "APP-TEE-240-BLK", unitPrice: teePrice },
      { sku: "PKG-MAILER-1084", unitPrice: mailerPrice },
    ],
    leadTimeDays,
    paymentTermsDays,
  };
}

export function terms(teePrice: number, mailerPrice: number, leadTimeDays = 30, paymentTermsDays = 30): Terms {
  return {
    lines: [
      { sku: "APP-TEE-240-BLK", quantity: 2000, unitPrice: teePrice },
      { sku: "PKG-MAILER-1084", quantity: 5000, unitPrice: mailerPrice },
    ],
    leadTimeDays,
    paymentTermsDays,
  };
}

/** Claims the quote for `workerId`: the lease epoch the claim holds, or null when the quote is not claimable. */
export function claim(t: Backend, quoteId: Id<"quotes">, workerId = "worker-1", leaseMs = 60_000) {
  return t.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId, leaseMs });
}

/**
 * The quote's current lease epoch, read from the database: what the worker
 * holding it would pass (tests that are not about the lease write under it).
 * Throws when the quote was never claimed.
 */
export async function epochOf(t: Backend, quoteId: Id<"quotes">): Promise<number> {
  const epoch = await t.run(async (ctx) => (await ctx.db.get(quoteId))?.leaseEpoch);
  if (epoch === undefined) throw new Error("the quote was never claimed: call claim(t, quoteId) first");
  return epoch;
}

/** epochOf the negotiation's quote. */
export async function epochOn(t: Backend, negotiationId: Id<"negotiations">): Promise<number> {
  const quoteId = await t.run(async (ctx) => (await ctx.db.get(negotiationId))?.quoteId);
  if (quoteId === undefined) throw new Error("no such negotiation");
  return await epochOf(t, quoteId);
}

/** ingest.recordOffer under `leaseEpoch` (by default the quote's current one, read with t.run). */
export async function offer(
  t: Backend,
  negotiationId: Id<"negotiations">,
  round: number,
  offeredBy: "brand" | "supplier",
  offerTerms: Terms,
  leaseEpoch?: number,
) {
  return await t.mutation(api.ingest.recordOffer, {
    serviceKey: SERVICE_KEY,
    leaseEpoch: leaseEpoch ?? (await epochOn(t, negotiationId)),
    negotiationId,
    round,
    offeredBy,
    terms: offerTerms,
  });
}

/** ingest.appendMessage under `leaseEpoch` (by default the quote's current one, read with t.run). */
export async function say(
  t: Backend,
  negotiationId: Id<"negotiations">,
  seq: number,
  sender: "brand" | "supplier" | "system",
  content: string,
  kind: "text" | "offer" | "acceptance" | "rejection" | "system" = "text",
  leaseEpoch?: number,
) {
  return await t.mutation(api.ingest.appendMessage, {
    serviceKey: SERVICE_KEY,
    leaseEpoch: leaseEpoch ?? (await epochOn(t, negotiationId)),
    negotiationId,
    seq,
    sender,
    kind,
    content,
  });
}

/** Every row of every table: to assert that a refused call changed nothing. */
export async function snapshot(t: Backend) {
  return await t.run(async (ctx) => {
    const tables = [
      "users",
      "authSessions",
      "workspaces",
      "members",
      "invitations",
      "products",
      "suppliers",
      "quotes",
      "negotiations",
      "offers",
      "messages",
      "messageDeltas",
      "mastra_workflow_snapshots",
      "events",
      "awards",
      "approvals",
      "purchaseOrders",
    ] as const;
    const all: Record<string, unknown[]> = {};
    for (const table of tables) all[table] = await ctx.db.query(table).collect();
    return all;
  });
}

/** The call fails with this code (and field, if given) and every table is byte-identical afterwards. */
export async function expectRefused(
  t: Backend,
  call: () => Promise<unknown>,
  code: ErrorData["code"],
  field?: string,
): Promise<ErrorData> {
  const dump = async () => JSON.stringify(await snapshot(t));
  const before = await dump();
  let data: ErrorData | undefined;
  try {
    await call();
  } catch (error) {
    data = (error as ConvexError<ErrorData>).data;
    if (data === undefined) throw error;
  }
  expect(data, "expected the call to be refused").toBeDefined();
  expect(data!.code).toBe(code);
  expect(typeof data!.message).toBe("string");
  if (field !== undefined) expect(data!.field).toBe(field);
  expect(await dump()).toBe(before);
  return data!;
}

/**
 * Every row of every table the schema declares, the live-supplier tables and
 * Convex Auth's included (`snapshot` names the older tables only).
 */
export async function everyRow(t: Backend) {
  return await t.run(async (ctx) => {
    const all: Record<string, unknown[]> = {};
    for (const table of Object.keys(schema.tables).sort()) {
      all[table] = await ctx.db.query(table as keyof typeof schema.tables).collect();
    }
    return all;
  });
}

/** expectRefused, checked against every table of the schema. */
export async function expectRefusedEverywhere(
  t: Backend,
  call: () => Promise<unknown>,
  code: ErrorData["code"],
  field?: string,
): Promise<ErrorData> {
  const before = JSON.stringify(await everyRow(t));
  let data: ErrorData | undefined;
  try {
    await call();
  } catch (error) {
    data = (error as ConvexError<ErrorData>).data;
    if (data === undefined) throw error;
  }
  expect(data, "expected the call to be refused").toBeDefined();
  expect(data!.code).toBe(code);
  expect(typeof data!.message).toBe("string");
  if (field !== undefined) expect(data!.field).toBe(field);
  expect(JSON.stringify(await everyRow(t))).toBe(before);
  return data!;
}

/** The negotiation's contact, signed in: a supplier principal's calls carry `negotiationId` for it. */
export function contactOn(user: User, negotiationId: Id<"negotiations">) {
  return {
    ...user,
    negotiationId,
    query: <F extends FunctionReference<"query", "public">>(fn: F, args: Omit<F["_args"], "negotiationId">) =>
      user.as.query(fn as FunctionReference<"query">, { ...args, negotiationId }) as Promise<FunctionReturnType<F>>,
    mutation: <F extends FunctionReference<"mutation", "public">>(fn: F, args: Omit<F["_args"], "negotiationId">) =>
      user.as.mutation(fn as FunctionReference<"mutation">, { ...args, negotiationId }) as Promise<FunctionReturnType<F>>,
  };
}
export type Contact = ReturnType<typeof contactOn>;

/** `owner` invites a person into the live negotiation; they sign up and accept the link. */
export async function joinLive(t: Backend, owner: Member, negotiationId: Id<"negotiations">, email: string, name = "Sam Supplier"): Promise<Contact> {
  const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId, name, email });
  const user = await signUp(t, email);
  await user.as.mutation(api.supplierPortal.acceptInvitation, { token });
  return contactOn(user, negotiationId);
}

/**
 * The two-line quote of `requestQuote` with `live` of its suppliers live (2 by
 * default), claimed, and a person joined on the first `join` live negotiations
 * (all by default); the other suppliers stay simulated.
 */
export async function liveQuote(t: Backend, opts: { live?: number; join?: number; responseHours?: number; maxRounds?: number } = {}) {
  const { products, suppliers } = await seed(t);
  const owner = await brandOf(t);
  const liveSupplierIds = suppliers.slice(0, opts.live ?? 2).map((s) => s._id);
  const quoteId = await owner.mutation(api.quotes.request, {
    ...quoteArgs({ products, maxRounds: opts.maxRounds }),
    liveSupplierIds,
    ...(opts.responseHours !== undefined ? { responseHours: opts.responseHours } : {}),
  });
  const leaseEpoch = (await claim(t, quoteId))!;
  const negotiations = (await owner.query(api.quotes.get, { quoteId }))!.negotiations;
  const live = negotiations.filter((n) => n.side === "live");
  const simulated = negotiations.filter((n) => n.side !== "live");
  const contacts: Contact[] = [];
  for (const [i, negotiation] of live.slice(0, opts.join ?? live.length).entries()) {
    contacts.push(await joinLive(t, owner, negotiation._id, `contact${i}@supplier${i}.test`, `Contact ${i}`));
  }
  return { owner, quoteId, leaseEpoch, negotiations, live, simulated, contacts, products };
}

/** A claimed simulated quote whose negotiations a and b have a supplier offer each (a at 6.40/0.88, b at 6.20/0.86) and c only a message. */
export async function threeOffers() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const leaseEpoch = (await claim(t, quoteId))!;
  const [a, b, c] = negotiations.map((n) => n._id);
  const offerA = (await offer(t, a, 1, "supplier", terms(6.4, 0.88)))!;
  const offerB = (await offer(t, b, 1, "supplier", terms(6.2, 0.86)))!;
  await say(t, c, 0, "supplier", "Let me check with my team.");
  return { t, quoteId, leaseEpoch, a, b, c, offerA, offerB, negotiations };
}

/**
 * Three live suppliers before the award: the winner holds a standing offer,
 * the finalist a final offer (it agreed to the brand's counter), the third is
 * still negotiating.
 */
export async function liveFinalists() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 3 });
  const [winner, finalist, open] = q.contacts;
  await winner!.mutation(api.supplierPortal.makeSupplierOffer, portalForm(6.17, 0.83, 27, 33));
  await finalist!.mutation(api.supplierPortal.makeSupplierOffer, portalForm(6.45, 0.89));
  await offer(t, finalist!.negotiationId, 2, "brand", terms(6.3, 0.86, 40, 30));
  await finalist!.mutation(api.supplierPortal.acceptOffer, {});
  await open!.mutation(api.supplierPortal.makeSupplierOffer, portalForm(6.48, 0.88));
  return { t, ...q, winner: winner!, finalist: finalist!, open: open! };
}
