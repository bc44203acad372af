// Environment variables through the admin API, as the Convex CLI manages them:
// POST /api/update_environment_variables and the _system/cli queries, for the
// admin key only; functions see a change at once (module top levels too), and
// it outlives a restart.
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, startFixture } from "./helpers.js";

const api = anyApi;

const ENV = `
import { queryGeneric } from "convex/server";
import { v } from "convex/values";
// Read when the module loads, as auth.config.ts reads its providers.
const atLoad = process.env.GREETING ?? null;
export const read = queryGeneric({ args: { name: v.string() }, handler: async (_ctx, { name }) => ({ now: process.env[name] ?? null, atLoad }) });
`;

let backend: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  backend = await startApp({ "env.ts": ENV }, "lb-env-", { env: { GREETING: "hello", FROM_LAUNCHER: "yes" } });
});
afterAll(async () => {
  await backend?.stop();
});

const update = (changes: unknown, key: string | null = backend.adminKey) =>
  fetch(`${backend.url}/api/update_environment_variables`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Convex ${key}` } : {}) },
    body: JSON.stringify({ changes }),
  });

function admin(): ConvexHttpClient {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
  return client;
}

describe("the admin API", () => {
  it("lists and gets variables (never the deployment's own URLs), for the admin key only", async () => {
    const list = (await admin().query("_system/cli/queryEnvironmentVariables" as never, {})) as { name: string; value: string }[];
    expect(list).toEqual([
      { name: "FROM_LAUNCHER", value: "yes" },
      { name: "GREETING", value: "hello" },
    ]);
    expect(await admin().query("_system/cli/queryEnvironmentVariables:get" as never, { name: "GREETING" } as never)).toEqual({ name: "GREETING", value: "hello" });
    expect(await admin().query("_system/cli/queryEnvironmentVariables:get" as never, { name: "CONVEX_CLOUD_URL" } as never)).toBeNull();
    const anonymous = new ConvexHttpClient(backend.url, { logger: false });
    await expect(anonymous.query("_system/cli/queryEnvironmentVariables" as never, {})).rejects.toThrow(/Could not find public function/);
  });

  it("sets and removes variables; functions see them at once, module top levels included", async () => {
    const res = await update([
      { name: "GREETING", value: "bonjour" },
      { name: "NEW_ONE", value: "42" },
      { name: "FROM_LAUNCHER", value: null },
    ]);
    expect(res.status).toBe(200);
    const http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.query(api.env.read, { name: "GREETING" })).toEqual({ now: "bonjour", atLoad: "bonjour" });
    expect(await http.query(api.env.read, { name: "NEW_ONE" })).toMatchObject({ now: "42" });
    expect(await http.query(api.env.read, { name: "FROM_LAUNCHER" })).toMatchObject({ now: null });
  });

  it("refuses bad changes in words and changes nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [[{ name: "1ABC", value: "x" }], /must start with a letter/],
      [[{ name: "HAS-DASH", value: "x" }], /only letters, numbers and underscores/],
      [[{ name: "A".repeat(41), value: "x" }], /longer than 40 characters/],
      [[{ name: "BIG", value: "x".repeat(8 * 1024 + 1) }], /larger than 8 KB/],
      [[{ name: "NUM", value: 5 }], /must be a string/],
      [[{ name: "CONVEX_SITE_URL", value: "http://evil.example" }], /set by the deployment itself/],
      [Array.from({ length: 101 }, (_, i) => ({ name: `V${i}`, value: "x" })), /at most 100 environment variables/],
      ["not a list", /Expected `changes`/],
    ];
    for (const [changes, message] of cases) {
      const res = await update(changes);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    // A batch with one bad change applies none of it.
    expect((await update([{ name: "OK_ONE", value: "1" }, { name: "bad name", value: "2" }])).status).toBe(400);
    expect(await admin().query("_system/cli/queryEnvironmentVariables:get" as never, { name: "OK_ONE" } as never)).toBeNull();
  });

  it("needs the admin key", async () => {
    expect((await update([{ name: "X", value: "1" }], null)).status).toBe(401);
    expect((await update([{ name: "X", value: "1" }], "local|not-the-key")).status).toBeGreaterThanOrEqual(400);
    expect(await admin().query("_system/cli/queryEnvironmentVariables:get" as never, { name: "X" } as never)).toBeNull();
  });

  it("outlives a restart, over the launcher's defaults", async () => {
    await backend.stop();
    backend = Object.assign(
      await startFixture({ dataDir: backend.dataDir, functionsDir: backend.functionsDir, env: { GREETING: "hello", FROM_LAUNCHER: "yes" } }),
      { functionsDir: backend.functionsDir },
    );
    const http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.query(api.env.read, { name: "GREETING" })).toEqual({ now: "bonjour", atLoad: "bonjour" });
    expect(await http.query(api.env.read, { name: "FROM_LAUNCHER" })).toMatchObject({ now: null });
    expect(await http.query(api.env.read, { name: "NEW_ONE" })).toMatchObject({ now: "42" });
  });
});
