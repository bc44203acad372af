// Providers for the token tests; each is present when the test names its issuer.
const env = process.env;
const providers: object[] = [];
if (env.OIDC_ISSUER) providers.push({ domain: env.OIDC_ISSUER, applicationID: "parley-tests" });
if (env.CUSTOM_JWT_ISSUER) {
  providers.push({ type: "customJwt", issuer: env.CUSTOM_JWT_ISSUER, jwks: env.CUSTOM_JWT_JWKS, algorithm: "ES256", applicationID: "parley-custom" });
}
if (env.DATA_JWT_ISSUER) providers.push({ type: "customJwt", issuer: env.DATA_JWT_ISSUER, jwks: env.DATA_JWT_JWKS, algorithm: "RS256" });

export default { providers };
