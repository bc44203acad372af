// User JWTs are verified against auth.config.ts as on Convex: forged tokens are
// refused over HTTP and the sync protocol (with the AuthError that makes the
// official client refresh its token), valid ones give Convex's UserIdentity,
// tokens expire mid-session, and a rotated JWKS key is picked up.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import WebSocket from "ws";
import { startFixture, tempDir, until } from "./helpers.js";
import { startIdentityProvider, type IdentityProvider } from "./identity-provider.js";

const api = anyApi;
const PROVIDERS = path.resolve(__dirname, "fixture-providers/convex");
const AUD = "parley-tests";
const DATA_ISSUER = "https://tokens.example.com";

let oidc: IdentityProvider;
let custom: IdentityProvider;
let backend: Awaited<ReturnType<typeof startFixture>>;
let dataToken: (claims: Record<string, unknown>, kid?: string) => Promise<string>;
const clients: ConvexClient[] = [];

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const userClaims = (sub = "user-1") => ({ sub, aud: AUD });

beforeAll(async () => {
  oidc = await startIdentityProvider("RS256");
  custom = await startIdentityProvider("ES256");
  const dataKey = await generateKeyPair("RS256", { extractable: true });
  const dataJwks = { keys: [{ ...(await exportJWK(dataKey.publicKey)), kid: "data-1", alg: "RS256", use: "sig" }] };
  dataToken = (claims, kid = "data-1") =>
    new SignJWT({ iss: DATA_ISSUER, iat: now(), exp: now() + 600, ...claims }).setProtectedHeader({ alg: "RS256", kid }).sign(dataKey.privateKey);
  backend = await startFixture({
    functionsDir: PROVIDERS,
    env: {
      OIDC_ISSUER: oidc.issuer,
      CUSTOM_JWT_ISSUER: custom.issuer,
      CUSTOM_JWT_JWKS: custom.jwksUrl,
      DATA_JWT_ISSUER: DATA_ISSUER,
      DATA_JWT_JWKS: `data:application/json;base64,${Buffer.from(JSON.stringify(dataJwks)).toString("base64")}`,
    },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.stop();
  await oidc?.close();
  await custom?.close();
});

function client(): ConvexClient {
  const c = new ConvexClient(backend.url, { logger: false });
  clients.push(c);
  return c;
}

/** POST /api/query with `Authorization: Bearer <token>`. */
async function queryWithBearer(token: string, path = "identity:whoami") {
  const res = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ path, args: [{}], format: "convex_encoded_json" }),
  });
  return { status: res.status, body: await res.json() };
}

/** A raw sync connection that authenticates with `token` and subscribes to whoami. */
async function rawSession(token: string) {
  const ws = new WebSocket(`${backend.url.replace("http", "ws")}/api/1.48.0/sync`);
  const got: any[] = [];
  let closed = false;
  ws.on("message", (d) => got.push(JSON.parse(d.toString())));
  ws.on("close", () => (closed = true));
  await once(ws, "open");
  ws.send(JSON.stringify({ type: "Connect", sessionId: `raw-${randomBytes(4).toString("hex")}`, connectionCount: 0, lastCloseReason: null, clientTs: Date.now() }));
  ws.send(JSON.stringify({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 1, udfPath: "identity:whoami", args: [{}] }] }));
  return { ws, got, closed: () => closed };
}

describe("forged and invalid tokens", () => {
  type Forgery = { name: string; code: string; token: () => Promise<string> };
  const forgeries: Forgery[] = [
    { name: "alg none", code: "Unauthenticated", token: async () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ iss: oidc.issuer, iat: now(), exp: now() + 600, ...userClaims() })}.` },
    {
      name: "HS256 with a made-up key",
      code: "Unauthenticated",
      token: () => new SignJWT({ iss: oidc.issuer, iat: now(), exp: now() + 600, ...userClaims() }).setProtectedHeader({ alg: "HS256" }).sign(randomBytes(32)),
    },
    {
      name: "HS256 keyed with the provider's public key",
      code: "Unauthenticated",
      token: async () =>
        new SignJWT({ iss: oidc.issuer, iat: now(), exp: now() + 600, ...userClaims() })
          .setProtectedHeader({ alg: "HS256", kid: "key-1" })
          .sign(new TextEncoder().encode(await oidc.publicKeyPem())),
    },
    {
      name: "a made-up RS256 signature",
      code: "Unauthenticated",
      token: async () => {
        const [header, payload] = (await oidc.sign(userClaims())).split(".");
        return `${header}.${payload}.${randomBytes(256).toString("base64url")}`;
      },
    },
    { name: "another RSA key under the provider's kid", code: "Unauthenticated", token: async () => oidc.sign(userClaims(), { key: await oidc.strangerKey() }) },
    { name: "expired", code: "Unauthenticated", token: () => oidc.sign({ ...userClaims(), iat: now() - 120, exp: now() - 60 }) },
    { name: "not valid yet (nbf)", code: "Unauthenticated", token: () => oidc.sign({ ...userClaims(), nbf: now() + 3600 }) },
    { name: "issued in the future (iat)", code: "Unauthenticated", token: () => oidc.sign({ ...userClaims(), iat: now() + 3600, exp: now() + 7200 }) },
    { name: "no iss", code: "InvalidAuthHeader", token: () => oidc.sign({ ...userClaims(), iss: undefined }) },
    { name: "an unknown issuer", code: "NoAuthProvider", token: () => oidc.sign({ ...userClaims(), iss: "http://127.0.0.1:9" }) },
    { name: "the wrong audience", code: "NoAuthProvider", token: () => oidc.sign({ ...userClaims(), aud: "someone-else" }) },
    { name: "garbage", code: "InvalidAuthHeader", token: async () => "definitely-not-a-jwt" },
    { name: "a custom JWT without kid", code: "InvalidAuthHeader", token: () => custom.sign({ sub: "c-1", aud: "parley-custom" }, { kid: null }) },
  ];

  it.each(forgeries)("$name: 401 with its code over HTTP, from ConvexHttpClient too", async ({ code, token }) => {
    const forged = await token();
    const { status, body } = await queryWithBearer(forged);
    expect(status).toBe(401);
    expect(body).toEqual({ code, message: expect.any(String) });
    const http = new ConvexHttpClient(backend.url, { logger: false });
    http.setAuth(forged);
    await expect(http.query(api.identity.whoami, {})).rejects.toThrow(code);
  });

  it.each(forgeries)("$name: AuthError over the socket, which then closes", async ({ token }) => {
    const session = await rawSession(await token());
    await until(() => session.closed(), 10_000, "the server to close the socket");
    const authError = session.got.find((m) => m.type === "AuthError");
    expect(authError).toEqual({ type: "AuthError", error: expect.any(String), baseVersion: 0, authUpdateAttempted: true });
    expect(session.got.some((m) => m.type === "Transition" && m.endVersion.identity > 0)).toBe(false);
  });

  it("ConvexClient.setAuth with a forged token reports onChange(false) and carries on unauthenticated", async () => {
    const forged = await Promise.all(forgeries.map((f) => f.token()));
    await Promise.all(
      forged.map(async (token) => {
        const c = client();
        const changes: boolean[] = [];
        c.setAuth(async () => token, (isAuthenticated) => changes.push(isAuthenticated));
        await until(() => changes.length > 0, 10_000, "onChange");
        expect(changes).toEqual([false]);
        expect(await c.query(api.identity.whoami, {})).toBeNull();
      }),
    );
  });

  it("are all refused by a functions folder without auth.config.ts", async () => {
    const plain = await startFixture({ dataDir: tempDir() });
    try {
      const res = await fetch(`${plain.url}/api/query`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${await oidc.sign(userClaims())}` },
        body: JSON.stringify({ path: "messages:list", args: [{ channel: "x" }], format: "convex_encoded_json" }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: "NoAuthProvider", message: expect.stringContaining("no providers configured") });
    } finally {
      await plain.stop();
    }
  });
});

describe("valid tokens", () => {
  const fullClaims = () => ({
    ...userClaims("ada"),
    jti: "unique-per-token",
    nbf: now() - 10,
    azp: "web-client",
    name: "Ada Lovelace",
    given_name: "Ada",
    family_name: "Lovelace",
    nickname: "ada",
    preferred_username: "ada.l",
    profile: "https://example.com/ada",
    picture: "https://example.com/ada.png",
    website: "https://ada.example.com",
    email: "ada@example.com",
    email_verified: true,
    gender: "female",
    birthdate: "1815-12-10",
    zoneinfo: "Europe/London",
    locale: "en-GB",
    phone_number: "+44 20 0000 0000",
    phone_number_verified: false,
    address: { formatted: "12 St James's Square, London" },
    updated_at: 1704164645,
    org: "acme",
    roles: ["admin", "dev"],
    team: { id: 7 },
  });
  const expectedIdentity = () => ({
    tokenIdentifier: `${oidc.issuer}|ada`,
    issuer: oidc.issuer,
    subject: "ada",
    name: "Ada Lovelace",
    givenName: "Ada",
    familyName: "Lovelace",
    nickname: "ada",
    preferredUsername: "ada.l",
    profileUrl: "https://example.com/ada",
    pictureUrl: "https://example.com/ada.png",
    websiteUrl: "https://ada.example.com",
    email: "ada@example.com",
    emailVerified: true,
    gender: "female",
    birthday: "1815-12-10",
    timezone: "Europe/London",
    language: "en-GB",
    phoneNumber: "+44 20 0000 0000",
    phoneNumberVerified: false,
    address: "12 St James's Square, London",
    updatedAt: "2024-01-02T03:04:05+00:00",
    org: "acme",
    roles: ["admin", "dev"],
    team: { id: 7 },
  });

  it("an OIDC token gives Convex's UserIdentity over HTTP", async () => {
    const http = new ConvexHttpClient(backend.url, { logger: false });
    http.setAuth(await oidc.sign(fullClaims()));
    expect(await http.query(api.identity.whoami, {})).toEqual(expectedIdentity());
  });

  it("an OIDC token gives the same identity over the socket", async () => {
    const token = await oidc.sign(fullClaims());
    const c = client();
    const changes: boolean[] = [];
    c.setAuth(async () => token, (ok) => changes.push(ok));
    let seen: unknown;
    c.onUpdate(api.identity.whoami, {}, (v) => (seen = v));
    await until(() => changes.includes(true) && seen !== undefined && seen !== null, 10_000, "authenticated result");
    expect(seen).toEqual(expectedIdentity());
  });

  it("a custom JWT keeps its claims as custom claims, nested objects flattened", async () => {
    const token = await custom.sign({ sub: "c-1", aud: "parley-custom", email: "c@example.com", given_name: "Cy", org: { id: "o1", plan: { tier: "pro" } } });
    const { status, body } = await queryWithBearer(token);
    expect(status).toBe(200);
    expect(body.value).toEqual({
      tokenIdentifier: `${custom.issuer}|c-1`,
      issuer: custom.issuer,
      subject: "c-1",
      email: "c@example.com",
      given_name: "Cy",
      "org.id": "o1",
      "org.plan.tier": "pro",
    });
  });

  it("a custom JWT provider with a data: URL JWKS and no applicationID", async () => {
    const { status, body } = await queryWithBearer(await dataToken({ sub: "d-1" }));
    expect(status).toBe(200);
    expect(body.value).toEqual({ tokenIdentifier: `${DATA_ISSUER}|d-1`, issuer: DATA_ISSUER, subject: "d-1" });
    expect((await queryWithBearer(await dataToken({ sub: "d-1" }, "other-kid"))).status).toBe(401);
  });

  it("actions, and the queries and mutations they call, see the caller", async () => {
    const token = await oidc.sign(userClaims("actor"));
    const expected = { action: `${oidc.issuer}|actor`, query: `${oidc.issuer}|actor`, mutation: `${oidc.issuer}|actor` };
    const http = new ConvexHttpClient(backend.url, { logger: false });
    http.setAuth(token);
    expect(await http.action(api.identity.fromAction, { text: "over http" })).toEqual(expected);
    const c = client();
    c.setAuth(async () => token);
    expect(await c.action(api.identity.fromAction, { text: "over the socket" })).toEqual(expected);
  });

  it("an admin acting as a user gets a tokenIdentifier (HTTP and socket)", async () => {
    const actingAs = { subject: "u-7", issuer: "https://admin.example.com", name: "Ann" };
    const expected = { tokenIdentifier: "https://admin.example.com|u-7", ...actingAs };
    const http = new ConvexHttpClient(backend.url, { logger: false });
    (http as any).setAdminAuth(backend.adminKey, actingAs);
    expect(await http.query(api.identity.whoami, {})).toEqual(expected);
    const c = client();
    (c as any).setAdminAuth(backend.adminKey, actingAs);
    expect(await c.query(api.identity.whoami, {})).toEqual(expected);
    const bad = new ConvexHttpClient(backend.url, { logger: false });
    (bad as any).setAdminAuth("local|wrong", actingAs);
    await expect(bad.query(api.identity.whoami, {})).rejects.toThrow("BadAdminKey");
  });
});

describe("expiry and key rotation", () => {
  it("a raw session gets AuthError (authUpdateAttempted: false) when its token expires, and is closed", async () => {
    const session = await rawSession(await oidc.sign(userClaims("brief"), { expiresIn: 2 }));
    await until(() => session.got.some((m) => m.type === "Transition" && m.endVersion.identity === 1), 10_000, "authenticated");
    await until(() => session.closed(), 10_000, "the expiry");
    expect(session.got.at(-1)).toEqual({ type: "AuthError", error: "Convex token identity expired", baseVersion: 1, authUpdateAttempted: false });
  });

  it("ConvexClient whose cached token has expired is asked for a fresh one, and signs in with it", async () => {
    const fetches: boolean[] = [];
    const fetchToken = async ({ forceRefreshToken }: { forceRefreshToken: boolean }) => {
      fetches.push(forceRefreshToken);
      return forceRefreshToken ? oidc.sign(userClaims("stale")) : oidc.sign({ ...userClaims("stale"), iat: now() - 120, exp: now() - 60 });
    };
    const c = client();
    const changes: boolean[] = [];
    c.setAuth(fetchToken, (ok) => changes.push(ok));
    await until(() => changes.length > 0, 10_000, "onChange");
    expect(changes).toEqual([true]);
    expect(fetches.slice(0, 2)).toEqual([false, true]);
    expect(await c.query(api.identity.whoami, {})).toMatchObject({ subject: "stale" });
  });

  it("ConvexClient is asked for a fresh token when its token expires, and carries on", async () => {
    // The first tokens claim an early iat, so the client schedules no refresh of its own before they expire.
    const fetches: boolean[] = [];
    const fetchToken = async ({ forceRefreshToken }: { forceRefreshToken: boolean }) => {
      fetches.push(forceRefreshToken);
      const brief = fetches.length <= 2;
      return await oidc.sign({ ...userClaims("refresher"), iat: now() - 600, jti: String(fetches.length) }, { expiresIn: brief ? 2 : 3600 });
    };
    const c = client();
    const changes: boolean[] = [];
    c.setAuth(fetchToken, (ok) => changes.push(ok));
    await until(() => changes.includes(true), 10_000, "authenticated");
    expect(await c.mutation(api.identity.record, { text: "before expiry" })).toBe(`${oidc.issuer}|refresher`);
    await until(() => fetches.length >= 3, 15_000, "a refresh after the expiry");
    expect(fetches.slice(2)).toEqual([true]);
    expect(await c.mutation(api.identity.record, { text: "after expiry" })).toBe(`${oidc.issuer}|refresher`);
    expect(await c.query(api.identity.whoami, {})).toMatchObject({ subject: "refresher" });
    expect(changes).not.toContain(false);
  });

  it("a token signed with a rotated-in key verifies once the JWKS is refetched; the retired key's tokens stop verifying", async () => {
    const before = await oidc.sign(userClaims("rotor"));
    expect((await queryWithBearer(before)).status).toBe(200);
    const fetchesBefore = oidc.jwksFetches;
    await oidc.rotate();
    const after = await oidc.sign(userClaims("rotor"));
    // A JWKS is refetched for an unknown key at most once a second: retry until then.
    await until(async () => (await queryWithBearer(after)).status === 200, 10_000, "the new key to verify");
    expect(oidc.jwksFetches).toBeGreaterThan(fetchesBefore);
    expect((await queryWithBearer(after)).body.value).toMatchObject({ tokenIdentifier: `${oidc.issuer}|rotor` });
    expect((await queryWithBearer(before)).status).toBe(401);
  });
});
