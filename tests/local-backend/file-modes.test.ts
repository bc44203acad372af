// The data directory and everything in it are private to the backend's user,
// whatever the umask; so are the Convex Auth keys kept next to it.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateAuthKeys, loadOrCreateAuthKeys } from "../../src/cli/auth-keys.js";
import { startFixture, tempDir } from "./helpers.js";

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Every path under `dir`, itself included. */
function tree(dir: string): string[] {
  return [dir, ...fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(path.join(dir, e.name)) : [path.join(dir, e.name)]))];
}

let savedUmask: number;
beforeEach(() => {
  // The most permissive umask: modes must come from chmod, not from luck.
  savedUmask = process.umask(0);
});
afterEach(() => {
  process.umask(savedUmask);
});

describe("file modes", () => {
  it("the data directory is 0700 and the database, its WAL and SHM, the admin key and the bundles are 0600", async () => {
    const dataDir = path.join(tempDir(), "data");
    const backend = await startFixture({ dataDir });
    try {
      // A write, so the WAL has content.
      await fetch(`${backend.url}/api/mutation`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ path: "messages:send", args: [{ channel: "modes", body: "x" }], format: "json" }),
      });
      for (const f of ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "admin_key"]) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
      const bundles = tree(path.join(dataDir, "bundles"));
      expect(bundles.some((p) => p.endsWith(".mjs"))).toBe(true);
      for (const p of bundles) expect([p, mode(p)]).toEqual([p, fs.statSync(p).isDirectory() ? 0o700 : 0o600]);
      expect(mode(dataDir)).toBe(0o700);
    } finally {
      await backend.stop();
    }
  });

  it("tightens an existing data directory and admin key", async () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, "admin_key"), "local|existing\n", { mode: 0o644 });
    const backend = await startFixture({ dataDir });
    try {
      expect(backend.adminKey).toBe("local|existing");
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, "admin_key"))).toBe(0o600);
    } finally {
      await backend.stop();
    }
  });
});

describe("Convex Auth keys", () => {
  it("generateAuthKeys makes an RS256 pair in the format Convex Auth reads", async () => {
    const { JWT_PRIVATE_KEY, JWKS } = await generateAuthKeys();
    expect(JWT_PRIVATE_KEY).toMatch(/^-----BEGIN PRIVATE KEY----- [A-Za-z0-9+/= ]+ -----END PRIVATE KEY-----$/);
    expect(JWT_PRIVATE_KEY).not.toContain("\n");
    expect(JSON.parse(JWKS)).toEqual({ keys: [expect.objectContaining({ kty: "RSA", use: "sig", e: "AQAB", n: expect.any(String) })] });
    expect(JSON.parse(JWKS).keys[0]).not.toHaveProperty("d");
  });

  it("loadOrCreateAuthKeys keeps them in <dataDir>/auth-keys.json (0600, dir 0700) and returns the same keys later", async () => {
    const dataDir = path.join(tempDir(), "parley");
    const first = await loadOrCreateAuthKeys(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, "auth-keys.json"))).toBe(0o600);
    expect(await loadOrCreateAuthKeys(dataDir)).toEqual(first);
    const [a, b] = await Promise.all([loadOrCreateAuthKeys(path.join(dataDir, "race")), loadOrCreateAuthKeys(path.join(dataDir, "race"))]);
    expect(a).toEqual(b);
    expect(fs.readdirSync(path.join(dataDir, "race"))).toEqual(["auth-keys.json"]);
  });
});
