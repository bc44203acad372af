// The backend trusts tokens that Convex Auth (convex/auth.ts) signs: issuer =
// this deployment's site URL, keys at its /.well-known/jwks.json (convex/http.ts).
export default {
  providers: [{ domain: process.env.CONVEX_SITE_URL, applicationID: "convex" }],
};
