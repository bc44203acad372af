import { v } from "convex/values";
import { limitSignInAttempts } from "./model/rateLimits";
import { internalMutation } from "./model/triggers";

// The sign-in limits (model/rateLimits.ts), spent by the signIn action
// (convex/auth.ts) before Convex Auth checks anything. Its own mutation, so the
// token is spent for good even when the attempt then fails: a limit spent in a
// mutation that later throws would be rolled back with it.

export const spendSignInAttempt = internalMutation({
  args: { email: v.string(), signUp: v.boolean() },
  returns: v.null(),
  handler: async (ctx, { email, signUp }) => {
    await limitSignInAttempts(ctx, email, signUp);
    return null;
  },
});
