// Convex Auth (@convex-dev/auth, Password provider) end to end on the embedded
// backend: its tokens are signed by the functions, published by its HTTP
// actions (discovery + JWKS on the site origin) and verified by the backend.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { generateAuthKeys } from "../../src/cli/auth-keys.js";
import { startFixture, until } from "./helpers.js";

const api = anyApi;
let backend: Awaited<ReturnType<typeof startFixture>>;
const clients: ConvexClient[] = [];

type Tokens = { token: string; refreshToken: string };

beforeAll(async () => {
  backend = await startFixture({ functionsDir: path.resolve(__dirname, "fixture-auth/convex"), env: { ...(await generateAuthKeys()) } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.stop();
});

const anonymous = () => new ConvexHttpClient(backend.url, { logger: false });

async function password(flow: "signUp" | "signIn", email: string, secret: string): Promise<Tokens> {
  const result = await anonymous().action(api.auth.signIn, { provider: "password", params: { email, password: secret, flow } });
  expect(result.tokens).toEqual({ token: expect.any(String), refreshToken: expect.any(String) });
  return result.tokens;
}

describe("Convex Auth with the Password provider", () => {
  it("serves its OpenID discovery document and JWKS from the site origin", async () => {
    const discovery = await (await fetch(`${backend.siteUrl}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({ issuer: backend.siteUrl, jwks_uri: `${backend.siteUrl}/.well-known/jwks.json` });
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: "RSA", use: "sig" })]);
  });

  it("signs up; the token gives the identity Convex builds (issuer = site URL, subject = userId|sessionId)", async () => {
    const { token } = await password("signUp", "ada@example.com", "correct horse battery");
    const http = anonymous();
    http.setAuth(token);
    const { identity, userId } = await http.query(api.users.whoami, {});
    expect(userId).toEqual(expect.any(String));
    const [subjectUser, sessionId] = identity.subject.split("|");
    expect(subjectUser).toBe(userId);
    expect(sessionId).toEqual(expect.any(String));
    expect(identity).toEqual({ tokenIdentifier: `${backend.siteUrl}|${identity.subject}`, issuer: backend.siteUrl, subject: identity.subject });
  });

  it("signs in again with the password, and refuses a wrong one", async () => {
    await password("signUp", "bob@example.com", "bobs password 1");
    const again = await password("signIn", "bob@example.com", "bobs password 1");
    const http = anonymous();
    http.setAuth(again.token);
    expect((await http.query(api.users.whoami, {})).userId).toEqual(expect.any(String));
    await expect(anonymous().action(api.auth.signIn, { provider: "password", params: { email: "bob@example.com", password: "not it", flow: "signIn" } })).rejects.toThrow(
      /InvalidSecret/,
    );
  });

  it("works over the socket with a client that refreshes through auth:signIn, and signs out", async () => {
    let tokens = await password("signUp", "cy@example.com", "cys password 12");
    const refreshes: number[] = [];
    const c = new ConvexClient(backend.url, { logger: false });
    clients.push(c);
    // What ConvexAuthProvider does: a forced refresh trades the refresh token for new tokens.
    const fetchToken = async ({ forceRefreshToken }: { forceRefreshToken: boolean }) => {
      if (!forceRefreshToken) return tokens.token;
      refreshes.push(Date.now());
      const result = await anonymous().action(api.auth.signIn, { refreshToken: tokens.refreshToken });
      if (!result.tokens) return null;
      tokens = result.tokens;
      return tokens.token;
    };
    const changes: boolean[] = [];
    c.setAuth(fetchToken, (ok) => changes.push(ok));
    let notes: string[] | null | undefined;
    c.onUpdate(api.users.myNotes, {}, (v) => (notes = v));
    await until(() => changes.includes(true) && Array.isArray(notes), 10_000, "signed-in subscription");
    await c.mutation(api.users.addNote, { text: "first note" });
    await until(() => notes?.includes("first note") === true, 10_000, "the note");
    expect(refreshes.length).toBeGreaterThan(0);

    await c.action(api.auth.signOut, {});
    // The session is gone: its refresh token no longer yields tokens.
    expect((await anonymous().action(api.auth.signIn, { refreshToken: tokens.refreshToken })).tokens).toBeNull();
  });
});
