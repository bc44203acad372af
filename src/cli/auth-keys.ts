// Convex Auth signs its tokens with JWT_PRIVATE_KEY and publishes the public
// half as JWKS (served from the deployment's /.well-known/jwks.json, against
// which the backend verifies the tokens). These make the pair in the format
// `npx @convex-dev/auth` sets them (see its src/cli/generateKeys.ts), and keep
// it in the data directory so sign-ins survive a restart.
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";

export type AuthKeys = { JWT_PRIVATE_KEY: string; JWKS: string };

const FILE = "auth-keys.json";

export async function generateAuthKeys(): Promise<AuthKeys> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const pkcs8 = await exportPKCS8(privateKey);
  const jwk = await exportJWK(publicKey);
  return {
    // One line: Convex Auth's importPKCS8 ignores whitespace, and env files keep one line per variable.
    JWT_PRIVATE_KEY: pkcs8.trimEnd().replace(/\n/g, " "),
    JWKS: JSON.stringify({ keys: [{ use: "sig", ...jwk }] }),
  };
}

/** The keys in `<dataDir>/auth-keys.json` (0600, in a 0700 dataDir), made on first use. */
export async function loadOrCreateAuthKeys(dataDir: string): Promise<AuthKeys> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const file = join(dataDir, FILE);
  const existing = await readKeys(file);
  if (existing) {
    await chmod(file, 0o600);
    return existing;
  }
  const keys = await generateAuthKeys();
  // Written aside, then linked into place: the file appears complete or not at
  // all, and of two processes starting at once the second uses the first's keys.
  const temp = `${file}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
  await chmod(temp, 0o600);
  try {
    await link(temp, file);
  } catch (err: any) {
    if (err?.code !== "EEXIST") throw err;
    return (await readKeys(file))!;
  } finally {
    await rm(temp, { force: true });
  }
  return keys;
}

async function readKeys(file: string): Promise<AuthKeys | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: any) {
    if (err?.code === "ENOENT") return null;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<AuthKeys>;
  if (typeof parsed.JWT_PRIVATE_KEY !== "string" || typeof parsed.JWKS !== "string") {
    throw new Error(`${file} does not hold JWT_PRIVATE_KEY and JWKS; delete it to make new keys.`);
  }
  return { JWT_PRIVATE_KEY: parsed.JWT_PRIVATE_KEY, JWKS: parsed.JWKS };
}

// `npm run auth-keys`: a fresh pair as KEY=value lines, for a Convex Cloud or
// self-hosted deployment (README: "Point it at Convex Cloud").
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const keys = await generateAuthKeys();
  process.stdout.write(`JWT_PRIVATE_KEY=${keys.JWT_PRIVATE_KEY}\nJWKS=${keys.JWKS}\n`);
}
