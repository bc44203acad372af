// Verifies user JWTs against the providers of `auth.config.ts` the way Convex
// does (validate_id_token in crates/authentication of convex-backend): the
// unverified `iss` and `aud` pick the provider, then the signature (with the
// provider's JWKS, found by OIDC discovery or named by a customJwt provider) and
// the claims are checked. Only asymmetric algorithms are accepted, so neither
// `alg: none` nor an HMAC "signed" with a public key gets through.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions } from "jose";
import { describeProviders, providerMatches, type AuthProvider } from "./config.js";
import { DocumentCache, type CachedDocument } from "./documents.js";
import { AuthFailure } from "./failure.js";
import { customJwtIdentity, oidcIdentity, type UserIdentity } from "./identity.js";

/** Tolerated clock difference with the issuer for `nbf` and `iat`; `exp` is enforced to the second, as it is on a session. */
const CLOCK_SKEW_S = 5;
/** A JWKS is refetched for a key it does not hold (key rotation) at most this often. */
const KEY_REFETCH_COOLDOWN_MS = 1_000;
const OIDC_ALGORITHMS = ["RS256", "EdDSA"];

type VerifiedToken = { identity: UserIdentity; /** ms since the epoch */ expiresAt: number };

type KeySet = ReturnType<typeof createLocalJWKSet>;
/** How each kind of failure is reported for a provider type. */
type Refusals = { fetchFailed: (detail: string) => AuthFailure; badSignature: AuthFailure; badClaims: (detail: string) => AuthFailure };

export class TokenVerifier {
  private documents = new DocumentCache();
  private keySets = new WeakMap<CachedDocument, KeySet>();

  constructor(
    private providers: () => AuthProvider[],
    private log: (line: string) => void,
  ) {}

  async verify(token: string): Promise<VerifiedToken> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new AuthFailure(
        "InvalidAuthHeader",
        "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
      );
    }
    const issuer = claims.iss;
    if (typeof issuer !== "string") {
      throw new AuthFailure(
        "InvalidAuthHeader",
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
      );
    }
    const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    const providers = this.providers();
    const provider = providers.find((p) => providerMatches(p, issuer, audiences));
    if (!provider) {
      throw new AuthFailure(
        "NoAuthProvider",
        providers.length === 0
          ? "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."
          : `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${describeProviders(providers)}]`,
      );
    }
    return provider.type === "oidc" ? this.verifyOidc(token, issuer, provider) : this.verifyCustomJwt(token, provider);
  }

  private async verifyOidc(token: string, issuer: string, provider: Extract<AuthProvider, { type: "oidc" }>): Promise<VerifiedToken> {
    const discoveryFailed = (detail: string) => new AuthFailure("AuthProviderDiscoveryFailed", `Auth provider discovery of ${issuer} failed: ${detail}`, 400);
    const discovery = await this.documents.get(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, discoveryFailed);
    const meta = discovery.value as { issuer?: unknown; jwks_uri?: unknown } | null;
    if (meta?.issuer !== issuer) throw discoveryFailed(`the discovery document names the issuer ${JSON.stringify(meta?.issuer)}`);
    if (typeof meta.jwks_uri !== "string") throw discoveryFailed("the discovery document has no jwks_uri");
    const refused = new AuthFailure("Unauthenticated", "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.");
    const claims = await this.verifySignedClaims(token, meta.jwks_uri, { fetchFailed: discoveryFailed, badSignature: refused, badClaims: () => refused }, {
      algorithms: OIDC_ALGORITHMS,
      issuer,
      audience: provider.applicationID,
      requiredClaims: ["sub", "iat", "exp"],
    });
    // An ID token for several audiences is refused (as openidconnect's verifier does).
    const aud = claims.aud;
    if (Array.isArray(aud) && aud.some((a) => a !== provider.applicationID)) throw this.refuse(refused, "the token has audiences besides the application ID");
    return { identity: oidcIdentity(claims), expiresAt: claims.exp! * 1000 };
  }

  private async verifyCustomJwt(token: string, provider: Extract<AuthProvider, { type: "customJwt" }>): Promise<VerifiedToken> {
    const kid = safeHeader(token).kid;
    // Convex finds a custom JWT's key by its `kid` only (see the custom JWT docs).
    const undecodable = new AuthFailure(
      "InvalidAuthHeader",
      typeof kid === "string"
        ? `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the provider's JWKS?`
        : "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
    );
    if (typeof kid !== "string") throw this.refuse(undecodable, "no kid header");
    const fetchFailed = (detail: string) =>
      new AuthFailure("InvalidAuthHeader", `Could not fetch JWKS from URL '${provider.jwks}': ${detail}. Check that the URL is correct and accessible.`);
    const invalidClaims = (detail: string) => new AuthFailure("InvalidAuthHeader", `Could not validate token: ${detail}`);
    const claims = await this.verifySignedClaims(token, provider.jwks, { fetchFailed, badSignature: undecodable, badClaims: invalidClaims }, {
      algorithms: [provider.algorithm],
      requiredClaims: ["sub", "exp"],
    });
    return { identity: customJwtIdentity(claims), expiresAt: claims.exp! * 1000 };
  }

  /**
   * The claims of `token` once its signature checks out against the JWKS at
   * `jwksUrl` and its claims against `options`, `sub`, `exp` and `iat`. A key
   * the cached JWKS lacks makes it refetch once (rotation).
   */
  private async verifySignedClaims(token: string, jwksUrl: string, refusals: Refusals, options: JWTVerifyOptions): Promise<JWTPayload> {
    const verifyOptions = { ...options, clockTolerance: CLOCK_SKEW_S };
    let keys = await this.documents.get(jwksUrl, refusals.fetchFailed);
    let claims: JWTPayload;
    try {
      try {
        claims = await verifyWithKeySet(token, this.keySet(keys, refusals.fetchFailed), verifyOptions);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed)) throw err;
        const refetched = await this.documents.get(jwksUrl, refusals.fetchFailed, KEY_REFETCH_COOLDOWN_MS);
        if (refetched === keys) throw err;
        keys = refetched;
        claims = await verifyWithKeySet(token, this.keySet(keys, refusals.fetchFailed), verifyOptions);
      }
    } catch (err: any) {
      if (err instanceof AuthFailure) throw err;
      const detail = String(err?.message ?? err);
      const claimsFailed = err instanceof errors.JWTClaimValidationFailed || err instanceof errors.JWTExpired;
      throw this.refuse(claimsFailed ? refusals.badClaims(detail) : refusals.badSignature, detail);
    }
    if (typeof claims.sub !== "string") throw this.refuse(refusals.badClaims('"sub" claim must be a string'), "sub is not a string");
    const now = Date.now() / 1000;
    if (claims.exp! <= now) throw this.refuse(refusals.badClaims('"exp" claim timestamp check failed'), "expired");
    if (typeof claims.iat === "number" && claims.iat > now + CLOCK_SKEW_S) throw this.refuse(refusals.badClaims('"iat" claim is in the future'), "issued in the future");
    return claims;
  }

  private keySet(doc: CachedDocument, fetchFailed: (detail: string) => AuthFailure): KeySet {
    let set = this.keySets.get(doc);
    if (!set) {
      try {
        set = createLocalJWKSet(doc.value as JSONWebKeySet);
      } catch {
        throw fetchFailed("the response is not a JSON Web Key Set");
      }
      this.keySets.set(doc, set);
    }
    return set;
  }

  private refuse(failure: AuthFailure, detail: string): AuthFailure {
    this.log(`[WARN] auth: refused a token (${detail}): ${failure.message}`);
    return failure;
  }
}

function safeHeader(token: string): { kid?: unknown } {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return {};
  }
}

/** jwtVerify with a JWKS, trying each candidate key when several match the token's header. */
async function verifyWithKeySet(token: string, keys: KeySet, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys, options)).payload;
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    let last: unknown = err;
    for await (const key of err as unknown as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (e) {
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e;
        last = e;
      }
    }
    throw last;
  }
}
