import { HOUR, MINUTE, RateLimiter } from "@convex-dev/rate-limiter";
import { components } from "../_generated/api";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail } from "./errors";

// Rate limits, kept by the ecosystem's rate limiter component
// (@convex-dev/rate-limiter, convex/convex.config.ts). A limited call is
// refused with RATE_LIMITED and a time to wait; its token is not spent, since
// the refusal rolls the whole mutation back. Sign-in attempts are limited by
// Convex Auth itself (failed attempts per account, convex/auth.ts).

/**
 * The deployment's environment variable PARLEY_QUOTE_RATE_SCALE (a positive
 * number, default 1) multiplies every rate and burst below: for a deployment
 * that requests quotes in bulk, such as the workflow benchmark.
 */
function scale(): number {
  const raw = process.env.PARLEY_QUOTE_RATE_SCALE;
  const n = raw === undefined || raw.trim() === "" ? 1 : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 1;
}
const k = scale();

export const RATE_LIMITS = {
  /** One person: a burst of 10 quote requests, then one every 6 seconds. */
  quoteRequestPerUser: { kind: "token bucket", rate: 10 * k, period: MINUTE, capacity: Math.ceil(10 * k) },
  /** One workspace, everyone in it together. */
  quoteRequestPerWorkspace: { kind: "token bucket", rate: 200 * k, period: HOUR, capacity: Math.ceil(60 * k) },
} as const;

export const rateLimiter = new RateLimiter(components.rateLimiter, RATE_LIMITS);

const waitWords = (ms: number) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
};

/** Spends one quote request of the person and of the workspace, or refuses saying how long to wait. */
export async function limitQuoteRequests(ctx: MutationCtx, userId: Id<"users">, workspaceId: Id<"workspaces">): Promise<void> {
  const own = await rateLimiter.limit(ctx, "quoteRequestPerUser", { key: userId });
  if (!own.ok) fail("RATE_LIMITED", `Too many quote requests: you can request another in ${waitWords(own.retryAfter)}`);
  const shared = await rateLimiter.limit(ctx, "quoteRequestPerWorkspace", { key: workspaceId });
  if (!shared.ok) fail("RATE_LIMITED", `Too many quote requests in this workspace: the next one can be requested in ${waitWords(shared.retryAfter)}`);
}
