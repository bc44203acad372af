// Who is calling, from an `Authorization` header (HTTP API and HTTP actions) or
// an admin key (sync protocol), as Convex reads them (ExtractAuthenticationToken
// in crates/local_backend/src/authentication.rs of convex-backend).
import { timingSafeEqual } from "node:crypto";
import { AuthFailure } from "./failure.js";
import { actingAsIdentity, type UserIdentity } from "./identity.js";
import type { TokenVerifier } from "./verify.js";

export type Credentials = { identity: UserIdentity | null; admin: boolean };

const ANONYMOUS: Credentials = { identity: null, admin: false };

/**
 * `Convex <adminKey>` or `Convex <adminKey>:<base64 JSON>` (an admin acting as a
 * user, what ConvexHttpClient#setAdminAuth sends), or `Bearer <jwt>`.
 */
export async function credentialsOf(header: string | undefined, adminKey: string, verifier: TokenVerifier): Promise<Credentials> {
  if (header === undefined) return ANONYMOUS;
  const scheme = header.slice(0, 7).toLowerCase();
  if (scheme === "convex ") return adminCredentials(header.slice(7), adminKey);
  if (scheme !== "bearer " || header.length <= 7) throw new AuthFailure("InvalidAdminKey", "Invalid admin key", 400);
  return { identity: (await verifier.verify(header.slice(7).trim())).identity, admin: false };
}

function adminCredentials(value: string, adminKey: string): Credentials {
  const colon = value.indexOf(":");
  checkAdminKey(colon < 0 ? value : value.slice(0, colon), adminKey);
  if (colon < 0) return { identity: null, admin: true };
  let attributes: unknown;
  try {
    attributes = JSON.parse(Buffer.from(value.slice(colon + 1), "base64").toString("utf8"));
  } catch {
    throw new AuthFailure("HeaderParseFailure", "Malformed Authorization header.", 400);
  }
  return { identity: actingAsIdentity(attributes), admin: true };
}

export function checkAdminKey(key: unknown, adminKey: string) {
  const given = Buffer.from(typeof key === "string" ? key : "");
  const expected = Buffer.from(adminKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthFailure("BadAdminKey", "The provided admin key was invalid for this instance");
  }
}
