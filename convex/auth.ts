import { Password } from "@convex-dev/auth/providers/Password";
import { convexAuth } from "@convex-dev/auth/server";
import { ConvexError } from "convex/values";
import { ACCOUNT_RULES, isEmail } from "./model/accounts";

// Sign-in with Convex Auth: email and password, offline. Tokens are signed with
// JWT_PRIVATE_KEY and verified by the backend against JWKS (see auth.config.ts;
// `npm start` makes both keys on first start, README says how on Convex Cloud).

const { minPasswordLength, maxNameLength } = ACCOUNT_RULES;

export const { auth, signIn, signOut, store, isAuthenticated } = convexAuth({
  providers: [
    Password({
      profile(params) {
        const email = String(params.email ?? "").trim().toLowerCase();
        if (!isEmail(email)) {
          throw new ConvexError({ code: "INVALID_ARGUMENT", message: "Enter a valid email address", field: "email" });
        }
        const name = typeof params.name === "string" && params.name.trim() ? params.name.trim().slice(0, maxNameLength) : undefined;
        return { email, ...(name ? { name } : {}) };
      },
      validatePasswordRequirements(password) {
        if (password.length < minPasswordLength) {
          throw new ConvexError({
            code: "INVALID_ARGUMENT",
            message: `Use a password of at least ${minPasswordLength} characters`,
            field: "password",
          });
        }
      },
    }),
  ],
});
