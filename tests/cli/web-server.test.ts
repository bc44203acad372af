import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { serveDashboard, type WebServer } from "../../src/cli/web-server";

// The dashboard's static server: config for the bundle, the app for every route,
// and bad requests answered, never crashing the process that serves them.

let server: WebServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-web-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Parley</title>");
  server = await serveDashboard({ dir, port: 0, host: "127.0.0.1", config: { convexUrl: "http://127.0.0.1:3210" } });
});
afterAll(() => server.close());

test("serves /config.json and the app for any other path", async () => {
  expect(await (await fetch(`${server.url}/config.json`)).json()).toEqual({ convexUrl: "http://127.0.0.1:3210" });
  const page = await fetch(`${server.url}/quotes/anything`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("<title>Parley</title>");
});

test("refuses writes, escapes from its folder and malformed URLs, and keeps serving", async () => {
  expect((await fetch(`${server.url}/config.json`, { method: "POST" })).status).toBe(405);
  expect((await fetch(`${server.url}/..%2F..%2F..%2Fetc%2Fpasswd`)).status).toBe(403);
  expect((await fetch(`${server.url}/%E0%A4%A`)).status).toBe(400);
  expect((await fetch(`${server.url}/config.json`)).status).toBe(200);
});
