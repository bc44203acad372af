// Functions are reloaded when the functions folder changes; subscribers get the
// new results; a broken edit keeps the previous version serving.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { FIXTURE, startFixture, tempDir, until } from "./helpers.js";

let backend: Awaited<ReturnType<typeof startFixture>>;
let dir: string;
beforeAll(async () => {
  dir = path.join(tempDir("lb-reload-"), "convex");
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "extra.ts"), `import { queryGeneric } from "convex/server";\nexport const hello = queryGeneric({ args: {}, handler: async () => "v1" });\n`);
  backend = await startFixture({ functionsDir: dir, watch: true });
});
afterAll(async () => {
  await backend.stop();
});

it("reloads changed functions and pushes the new results to subscribers", async () => {
  const c = new ConvexClient(backend.url, { logger: false });
  let seen: string | undefined;
  c.onUpdate(anyApi.extra.hello, {}, (v) => (seen = v));
  await until(() => seen === "v1");
  fs.writeFileSync(path.join(dir, "extra.ts"), `import { queryGeneric } from "convex/server";\nexport const hello = queryGeneric({ args: {}, handler: async () => "v2" });\nexport const added = queryGeneric({ args: {}, handler: async () => 42 });\n`);
  await until(() => seen === "v2", 15_000, "reloaded result");
  const http = new ConvexHttpClient(backend.url, { logger: false });
  expect(await http.query(anyApi.extra.added, {})).toBe(42);

  fs.writeFileSync(path.join(dir, "extra.ts"), `export const broken = ;`);
  await until(() => backend.lines.some((l) => l.includes("reloading functions failed")), 15_000, "reload error");
  expect(await http.query(anyApi.extra.added, {})).toBe(42);
  await c.close();
});
