import { HOUR, MINUTE, RateLimiter } from "@convex-dev/rate-limiter";
import { components } from "../_generated/api";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { fail } from "./errors";

// Rate limits, kept by the ecosystem's rate limiter component
// (@convex-dev/rate-limiter, convex/convex.config.ts). A limited call is
// refused with RATE_LIMITED and a time to wait; its token is not spent, since
// the refusal rolls the whole mutation back. Sign-in and sign-up attempts are
// limited here too (per email, and sign-ups per deployment: spent by
// convex/authLimits.ts before Convex Auth's Password provider runs), on top of
// Convex Auth's own limit of failed attempts per account.

/**
 * The deployment's environment variable PARLEY_QUOTE_RATE_SCALE (a positive
 * number, default 1) multiplies the quote requests' rates and bursts below: for
 * a deployment that requests quotes in bulk, such as the workflow benchmark.
 * It leaves the sign-in limits alone: bulk quoting needs no bulk sign-ins, and a
 * knob that loosened sign-ins would loosen them for attackers too.
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
  /**
   * One email (trimmed, lower case), every Password flow, right or wrong: a
   * burst of 10, then one a minute. A person who mistypes a few times or signs
   * in on several devices never meets it; a script gets one guess a minute at
   * one account (and Convex Auth locks an account after 10 wrong passwords an
   * hour anyway). Successful attempts count too, so a known password cannot
   * mint sessions in bulk and probing which emails have accounts is slow. Anyone
   * can spend someone's tokens (nothing finer than the email is known to a
   * function): the owner then waits a minute for the next, for as long as that
   * goes on, as with Convex Auth's own lockout.
   */
  signInPerEmail: { kind: "token bucket", rate: 10, period: 10 * MINUTE, capacity: 10 },
  /**
   * The whole deployment's sign-ups: 50 at once (a class or a team joining
   * together), then 100 an hour. A script creating accounts in bulk gets its
   * first 50, then one every 36 seconds.
   */
  signUpPerDeployment: { kind: "token bucket", rate: 100, period: HOUR, capacity: 50 },
} as const;

export const rateLimiter = new RateLimiter(components.rateLimiter, RATE_LIMITS);

/** How long to wait, in words: "12 seconds", "3 minutes". */
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

/**
 * Spends one sign-in attempt of `email` (already normalised) and, for a
 * sign-up, one of the deployment's sign-ups; or refuses saying how long to wait.
 * Run by its own mutation (convex/authLimits.ts), so the token stays spent
 * whatever the attempt then does; a refusal spends neither.
 */
export async function limitSignInAttempts(ctx: MutationCtx, email: string, signUp: boolean): Promise<void> {
  const own = await rateLimiter.limit(ctx, "signInPerEmail", { key: email });
  if (!own.ok) fail("RATE_LIMITED", `Too many sign-in attempts for this email: try again in ${waitWords(own.retryAfter)}`);
  if (!signUp) return;
  const all = await rateLimiter.limit(ctx, "signUpPerDeployment");
  if (!all.ok) fail("RATE_LIMITED", `Too many accounts are being created right now: try again in ${waitWords(all.retryAfter)}`);
}
