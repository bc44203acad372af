// Sign-in and sign-up attempts are rate limited by @convex-dev/rate-limiter
// (convex/auth.ts, convex/authLimits.ts, RATE_LIMITS in model/rateLimits.ts),
// through Convex Auth's real signIn action and Password provider: per email,
// right password or wrong, and sign-ups per deployment. A refused attempt says
// how long to wait, writes nothing and spends nothing.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { RATE_LIMITS } from "../../convex/model/rateLimits";
import { generateAuthKeys } from "../../src/cli/auth-keys";
import { type Backend, expectRefusedEverywhere as expectRefused, newBackend } from "./helpers";

const PASSWORD = "correct horse battery staple";
const { signInPerEmail, signUpPerDeployment } = RATE_LIMITS;
const WAIT = /try again in \d+ (seconds?|minutes)$/;
// Each real sign-up and sign-in hashes a password with scrypt, slow on purpose.
const SLOW = 60_000;

type Flow = "signIn" | "signUp";
const attempt = (t: Backend, flow: Flow, email: string, password = PASSWORD) =>
  t.action(api.auth.signIn, { provider: "password", params: { email, password, flow } });

async function signedIn(t: Backend, flow: Flow, email: string) {
  const { tokens } = await attempt(t, flow, email);
  expect(tokens?.token, `${flow} ${email} returned no token`).toEqual(expect.any(String));
}

/** The message of Convex Auth's own refusal (a plain Error, not a ConvexError). */
async function failure(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the attempt to fail").toBeInstanceOf(Error);
  expect((error as { data?: unknown }).data, "a failed attempt, not a refusal").toBeUndefined();
  return (error as Error).message;
}

const envKeys = ["JWT_PRIVATE_KEY", "JWKS", "CONVEX_SITE_URL", "AUTH_LOG_LEVEL"] as const;
const savedEnv = Object.fromEntries(envKeys.map((key) => [key, process.env[key]]));

describe("sign-in and sign-up rate limits", () => {
  beforeAll(async () => {
    // Convex Auth signs the session's token with these (auth.config.ts trusts the site URL); its step-by-step log is quieted.
    Object.assign(process.env, await generateAuthKeys(), { CONVEX_SITE_URL: "https://site.convex.test", AUTH_LOG_LEVEL: "WARN" });
  });
  afterAll(() => {
    for (const key of envKeys) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T12:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  test("an email gets its burst of attempts, right or wrong; the next is refused; another email is untouched; later one more", async () => {
    const t = newBackend();
    await signedIn(t, "signUp", "ada@acme.test");
    let spent = 1;
    for (; spent < signInPerEmail.capacity - 3; spent++) await signedIn(t, "signIn", "ada@acme.test");
    for (; spent < signInPerEmail.capacity; spent++) expect(await failure(attempt(t, "signIn", "ada@acme.test", "not the password"))).toMatch(/InvalidSecret/);

    // The right password, and the email written differently, are refused alike.
    for (const email of ["ada@acme.test", "  ADA@Acme.Test "]) {
      const refused = await expectRefused(t, () => attempt(t, "signIn", email), "RATE_LIMITED");
      expect(refused).toEqual({ code: "RATE_LIMITED", message: expect.stringMatching(/^Too many sign-in attempts for this email: /) });
      expect(refused.message).toMatch(WAIT);
    }
    // Signing up with the email is refused by the same limit.
    await expectRefused(t, () => attempt(t, "signUp", "ada@acme.test"), "RATE_LIMITED");

    await signedIn(t, "signUp", "bob@acme.test");
    await signedIn(t, "signIn", "bob@acme.test");

    // The refusals spent nothing: one attempt has come back a token's time later.
    vi.setSystemTime(Date.now() + signInPerEmail.period / signInPerEmail.rate);
    await signedIn(t, "signIn", "ada@acme.test");
    await expectRefused(t, () => attempt(t, "signIn", "ada@acme.test"), "RATE_LIMITED");
  }, SLOW);

  test("wrong passwords and unknown emails spend the limit too: then even the right password is refused", async () => {
    const t = newBackend();
    await signedIn(t, "signUp", "ada@acme.test");
    // Convex Auth's own lockout (10 wrong passwords an hour) is not what refuses below: ours comes first.
    for (let i = 1; i < signInPerEmail.capacity; i++) {
      expect(await failure(attempt(t, "signIn", "ada@acme.test", `guess ${i}`))).toMatch(/InvalidSecret/);
    }
    const refused = await expectRefused(t, () => attempt(t, "signIn", "ada@acme.test"), "RATE_LIMITED");
    expect(refused.message).toMatch(/^Too many sign-in attempts for this email: /);

    for (let i = 0; i < signInPerEmail.capacity; i++) expect(await failure(attempt(t, "signIn", "nobody@acme.test"))).toMatch(/InvalidAccountId/);
    await expectRefused(t, () => attempt(t, "signIn", "nobody@acme.test"), "RATE_LIMITED");
    // A bad email is refused for what it is, and spends nothing.
    await expectRefused(t, () => attempt(t, "signIn", "not an email"), "INVALID_ARGUMENT", "email");
    await expectRefused(t, () => attempt(t, "signIn", `${"a".repeat(250)}@acme.test`), "INVALID_ARGUMENT", "email");
  }, SLOW);

  test("a class signs up together; a flood of sign-ups is stopped after the deployment's burst; sign-ins go on; later one more", async () => {
    const t = newBackend();
    for (let i = 0; i < signUpPerDeployment.capacity; i++) await signedIn(t, "signUp", `student${i}@school.test`);
    const refused = await expectRefused(t, () => attempt(t, "signUp", "one.more@school.test"), "RATE_LIMITED");
    expect(refused).toEqual({ code: "RATE_LIMITED", message: expect.stringMatching(/^Too many accounts are being created right now: /) });
    expect(refused.message).toMatch(WAIT);
    // The limit comes before any other check: even a too-short password is told to wait.
    await expectRefused(t, () => attempt(t, "signUp", "short@school.test", "short"), "RATE_LIMITED");

    await signedIn(t, "signIn", "student0@school.test");

    vi.setSystemTime(Date.now() + signUpPerDeployment.period / signUpPerDeployment.rate);
    await signedIn(t, "signUp", "one.more@school.test");
    await expectRefused(t, () => attempt(t, "signUp", "and.another@school.test"), "RATE_LIMITED");
    const emails = await t.run(async (ctx) => (await ctx.db.query("users").collect()).map((user) => user.email));
    expect(emails).toHaveLength(signUpPerDeployment.capacity + 1);
    expect(emails.at(-1)).toBe("one.more@school.test");
  }, 2 * SLOW);
});
