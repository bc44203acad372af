// A tiny OpenID provider on 127.0.0.1 for the token tests: discovery document,
// JWKS (whose key can be rotated) and a signer for tokens, valid or forged.
import http from "node:http";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

type Alg = "RS256" | "ES256";
type KeyPair = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };

export type IdentityProvider = {
  /** The issuer (for OIDC, also the discovery base). */
  issuer: string;
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** The public key of the current signing key, PEM (for the HS256-with-public-key forgery). */
  publicKeyPem(): Promise<string>;
  /** A token signed with the current key (or `key`), with `iss` = issuer unless the claims say otherwise. */
  sign(claims: JWTPayload, opts?: { key?: KeyPair; kid?: string | null; expiresIn?: number }): Promise<string>;
  /** A key pair the JWKS does not publish. */
  strangerKey(): Promise<KeyPair>;
  /** Switches to a new key with a new kid; the JWKS then publishes only that one. */
  rotate(): Promise<void>;
  close(): Promise<void>;
};

export async function startIdentityProvider(alg: Alg = "RS256"): Promise<IdentityProvider> {
  let serial = 0;
  const newKey = async (): Promise<KeyPair> => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    return { kid: `key-${++serial}`, privateKey, publicKey, jwk: await exportJWK(publicKey) };
  };
  let current = await newKey();
  const server = http.createServer((req, res) => {
    const send = (value: unknown) => {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" });
      res.end(JSON.stringify(value));
    };
    if (req.url === "/.well-known/openid-configuration") return send({ issuer: provider.issuer, jwks_uri: provider.jwksUrl });
    if (req.url === "/.well-known/jwks.json") {
      provider.jwksFetches++;
      return send({ keys: [{ ...current.jwk, kid: current.kid, alg, use: "sig" }] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider: IdentityProvider = {
    issuer: origin,
    jwksUrl: `${origin}/.well-known/jwks.json`,
    jwksFetches: 0,
    publicKeyPem: () => exportSPKI(current.publicKey),
    async sign(claims, opts = {}) {
      const key = opts.key ?? current;
      const kid = opts.kid === undefined ? key.kid : opts.kid;
      const now = Math.floor(Date.now() / 1000);
      return await new SignJWT({ iss: origin, iat: now, exp: now + (opts.expiresIn ?? 3600), ...claims })
        .setProtectedHeader({ alg, typ: "JWT", ...(kid === null ? {} : { kid }) })
        .sign(key.privateKey);
    },
    strangerKey: async () => ({ ...(await newKey()), kid: current.kid }),
    async rotate() {
      current = await newKey();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return provider;
}
