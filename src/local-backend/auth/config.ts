// The auth providers of a functions folder's `auth.config.ts`, checked and
// normalised as Convex checks them when the config is pushed
// (crates/common/src/auth.rs in get-convex/convex-backend).

export type AuthProvider =
  | { type: "oidc"; domain: string; applicationID: string }
  | { type: "customJwt"; issuer: string; jwks: string; algorithm: "RS256" | "ES256"; applicationID: string | null };

const ALGORITHMS = ["RS256", "ES256"];

/** The providers of `auth.config.ts`'s default export; throws, naming the provider, when one is invalid. */
export function parseAuthConfig(config: unknown): AuthProvider[] {
  if (config === null || config === undefined) return [];
  const providers = (config as { providers?: unknown }).providers;
  if (!Array.isArray(providers)) throw new Error("auth.config.ts: the default export must be `{ providers: [...] }`.");
  return providers.map((p: any, i) => {
    const where = `auth.config.ts: providers[${i}]`;
    if (typeof p !== "object" || p === null) throw new Error(`${where} is not an object.`);
    if (p.type === "customJwt") {
      if (typeof p.jwks !== "string" || p.jwks === "") throw new Error(`${where}: \`jwks\` must be a URL (https:, http: or data:).`);
      if (!ALGORITHMS.includes(p.algorithm)) throw new Error(`${where}: Invalid signature algorithm (only RS256 and ES256 are supported): ${p.algorithm}`);
      if (p.applicationID !== undefined && typeof p.applicationID !== "string") throw new Error(`${where}: \`applicationID\` must be a string.`);
      return { type: "customJwt", issuer: issuerUrl(p.issuer, where), jwks: p.jwks, algorithm: p.algorithm, applicationID: p.applicationID ?? null };
    }
    if (p.type !== undefined) throw new Error(`${where}: unknown provider type ${JSON.stringify(p.type)}.`);
    if (typeof p.applicationID !== "string") throw new Error(`${where}: \`applicationID\` must be a string.`);
    return { type: "oidc", domain: issuerUrl(p.domain, where), applicationID: p.applicationID };
  });
}

/** A provider's domain or issuer: `https://` is assumed when no scheme is given, and only http(s) is allowed. */
function issuerUrl(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") {
    throw new Error(`${where}: the provider's domain/issuer is ${value === undefined ? "undefined (is the environment variable it reads set?)" : JSON.stringify(value)}.`);
  }
  const url = /^\w+:\/\//.test(value) ? value : `https://${value}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: Invalid provider domain URL "${value}".`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${where}: Invalid provider domain URL "${value}": scheme should be http or https`);
  return url;
}

/**
 * Whether a token with this `iss` and these audiences is for `provider`: the
 * issuer matches (a missing `https://` and trailing slashes aside) and, when the
 * provider names an application ID, the audiences include it.
 */
export function providerMatches(provider: AuthProvider, issuer: string, audiences: string[]): boolean {
  if (provider.applicationID !== null && !audiences.includes(provider.applicationID)) return false;
  const domain = provider.type === "oidc" ? provider.domain : provider.issuer;
  const withScheme = /^https?:\/\//.test(issuer) ? issuer : `https://${issuer}`;
  return trimSlashes(domain) === trimSlashes(withScheme);
}

function trimSlashes(s: string): string {
  return s.replace(/\/+$/, "");
}

export function describeProviders(providers: AuthProvider[]): string {
  return providers
    .map((p) => (p.type === "oidc" ? `OIDC(domain=${p.domain}, app_id=${p.applicationID})` : `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? "none"})`))
    .join(", ");
}
