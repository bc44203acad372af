// The `UserIdentity` that `ctx.auth.getUserIdentity()` returns, built from a
// verified token's claims (or an admin's acting-as attributes) the way Convex
// builds it (UserIdentity::from_token / from_custom_jwt in crates/keybroker and
// UserIdentityAttributesJson in crates/convex/sync_types of convex-backend).
import type { JWTPayload } from "jose";
import { AuthFailure } from "./failure.js";

export type UserIdentity = Record<string, unknown> & { tokenIdentifier: string };

/** OIDC standard claims with a field of their own, in Convex's field order. */
const STRING_CLAIMS: [claim: string, field: string][] = [
  ["name", "name"],
  ["given_name", "givenName"],
  ["family_name", "familyName"],
  ["nickname", "nickname"],
  ["preferred_username", "preferredUsername"],
  ["profile", "profileUrl"],
  ["picture", "pictureUrl"],
  ["website", "websiteUrl"],
  ["email", "email"],
];
const LATER_STRING_CLAIMS: [claim: string, field: string][] = [
  ["gender", "gender"],
  ["birthdate", "birthday"],
  ["zoneinfo", "timezone"],
  ["locale", "language"],
  ["phone_number", "phoneNumber"],
];

/**
 * Claims of an OIDC ID token that are not passed on as custom claims: the ID
 * token's own fields, the standard claims above, and claims that change on every
 * refresh (they would make every refreshed token a new identity for the query cache).
 */
const OIDC_NOT_CUSTOM = new Set([
  ...["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash"],
  ...[...STRING_CLAIMS, ...LATER_STRING_CLAIMS].map(([claim]) => claim),
  ...["email_verified", "phone_number_verified", "address", "updated_at"],
  ...["jti", "nbf", "fva"],
]);

/** Claims of a custom JWT that are not passed on: the registered ones and Clerk's ever-growing `fva`. */
const CUSTOM_JWT_NOT_CUSTOM = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "fva"]);

export function oidcIdentity(claims: JWTPayload): UserIdentity {
  const issuer = claims.iss!;
  const subject = claims.sub!;
  const identity: UserIdentity = { tokenIdentifier: `${issuer}|${subject}`, issuer, subject };
  for (const [claim, field] of STRING_CLAIMS) if (typeof claims[claim] === "string") identity[field] = claims[claim];
  if (typeof claims.email_verified === "boolean") identity.emailVerified = claims.email_verified;
  for (const [claim, field] of LATER_STRING_CLAIMS) if (typeof claims[claim] === "string") identity[field] = claims[claim];
  if (typeof claims.phone_number_verified === "boolean") identity.phoneNumberVerified = claims.phone_number_verified;
  const formatted = (claims.address as { formatted?: unknown } | undefined)?.formatted;
  if (typeof formatted === "string") identity.address = formatted;
  if (typeof claims.updated_at === "number") identity.updatedAt = rfc3339(claims.updated_at);
  for (const key of Object.keys(claims).sort()) {
    if (!OIDC_NOT_CUSTOM.has(key) && !(key in identity)) identity[key] = claims[key];
  }
  return identity;
}

/** A custom JWT: only issuer and subject get fields; every other claim is passed on, nested objects flattened to `a.b` keys. */
export function customJwtIdentity(claims: JWTPayload): UserIdentity {
  const issuer = claims.iss!;
  const subject = claims.sub!;
  const identity: UserIdentity = { tokenIdentifier: `${issuer}|${subject}`, issuer, subject };
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(claims)) if (!CUSTOM_JWT_NOT_CUSTOM.has(key)) flatten(key, value, custom);
  for (const key of Object.keys(custom).sort()) if (!(key in identity)) identity[key] = custom[key];
  return identity;
}

function flatten(key: string, value: unknown, out: Record<string, unknown>) {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(`${key}.${k}`, v, out);
  } else {
    out[key] = value;
  }
}

/** What an admin acts as (`setAdminAuth(key, attributes)`): the attributes, with the tokenIdentifier Convex derives when absent. */
export function actingAsIdentity(attributes: unknown): UserIdentity {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    throw new AuthFailure("HeaderParseFailure", "Malformed Authorization header.", 400);
  }
  const { tokenIdentifier, ...rest } = attributes as Record<string, unknown>;
  if (typeof tokenIdentifier === "string") return { tokenIdentifier, ...rest };
  if (typeof rest.issuer === "string" && typeof rest.subject === "string") return { tokenIdentifier: `${rest.issuer}|${rest.subject}`, ...rest };
  throw new AuthFailure("HeaderParseFailure", 'Either "tokenIdentifier" or "issuer" and "subject" must be set', 400);
}

/** Seconds since the epoch as chrono's `to_rfc3339` writes them (`+00:00`, no `.000`). */
function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z").replace(/Z$/, "+00:00");
}
