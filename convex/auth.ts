import { ConvexCredentials, type ConvexCredentialsUserConfig } from "@convex-dev/auth/providers/ConvexCredentials";
import { Password } from "@convex-dev/auth/providers/Password";
import { convexAuth } from "@convex-dev/auth/server";
import type { Value } from "convex/values";
import { internal } from "./_generated/api";
import type { DataModel } from "./_generated/dataModel";
import { ACCOUNT_RULES, normalEmail } from "./model/accounts";
import { invalid } from "./model/errors";

// Sign-in with Convex Auth: email and password, offline. Tokens are signed with
// JWT_PRIVATE_KEY and verified by the backend against JWKS (see auth.config.ts;
// `npm start` makes both keys on first start, README says how on Convex Cloud).
// Every attempt is rate limited first (per email, and sign-ups per deployment:
// model/rateLimits.ts), on top of Convex Auth's own lockout after wrong passwords.

const { minPasswordLength, maxNameLength } = ACCOUNT_RULES;

/** The account's email as stored and as the rate limits count it; or a refusal. */
function emailOf(params: Partial<Record<string, Value | undefined>>): string {
  return normalEmail(String(params.email ?? "")) ?? invalid("email", "Enter a valid email address");
}

const passwordProvider = Password<DataModel>({
  profile(params) {
    const email = emailOf(params);
    const name = typeof params.name === "string" && params.name.trim() ? params.name.trim().slice(0, maxNameLength) : undefined;
    return { email, ...(name ? { name } : {}) };
  },
  validatePasswordRequirements(password) {
    if (password.length < minPasswordLength) {
      invalid("password", `Use a password of at least ${minPasswordLength} characters`);
    }
  },
});

/**
 * The Password provider, with each attempt's rate limit spent before it runs.
 * Password's own hook, `profile(params, ctx)`, is called without being awaited,
 * so it cannot run a mutation; its `authorize` (every flow goes through it) is
 * wrapped instead. Password() keeps its settings under `options`, which Convex
 * Auth merges over the provider when it loads it (server/provider_utils.ts,
 * providerDefaults); the same shape is rebuilt here with ConvexCredentials.
 */
function rateLimited(provider: ReturnType<typeof Password<DataModel>>) {
  const settings = (provider as unknown as { options?: ConvexCredentialsUserConfig<DataModel> }).options;
  const authorize = settings?.authorize;
  if (settings === undefined || typeof authorize !== "function") {
    // A newer @convex-dev/auth changed its internals: fail at load rather than sign in unlimited.
    throw new Error("convex/auth.ts: the Password provider has no options.authorize to rate limit");
  }
  return ConvexCredentials<DataModel>({
    ...settings,
    authorize: async (params, ctx) => {
      await ctx.runMutation(internal.authLimits.spendSignInAttempt, { email: emailOf(params), signUp: params.flow === "signUp" });
      return await authorize(params, ctx);
    },
  });
}

export const { auth, signIn, signOut, store, isAuthenticated } = convexAuth({
  providers: [rateLimited(passwordProvider)],
});
