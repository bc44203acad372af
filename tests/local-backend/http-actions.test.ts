// HTTP actions of the functions folder's http.ts, served on the site origin.
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startFixture, until } from "./helpers.js";
import { startIdentityProvider, type IdentityProvider } from "./identity-provider.js";

const api = anyApi;
let oidc: IdentityProvider;
let backend: Awaited<ReturnType<typeof startFixture>>;

beforeAll(async () => {
  oidc = await startIdentityProvider("RS256");
  backend = await startFixture({ functionsDir: path.resolve(__dirname, "fixture-providers/convex"), env: { OIDC_ISSUER: oidc.issuer } });
});
afterAll(async () => {
  await backend?.stop();
  await oidc?.close();
});

const site = (p: string, init?: RequestInit) => fetch(`${backend.siteUrl}${p}`, init);

describe("site origin", () => {
  it("has its own port, and functions see both origins", async () => {
    expect(backend.sitePort).not.toBe(backend.port);
    expect(backend.siteUrl).toBe(`http://127.0.0.1:${backend.sitePort}`);
    // The cloud origin does not serve HTTP actions.
    expect((await fetch(`${backend.url}/hello`)).status).toBe(404);
  });
});

describe("routing", () => {
  it("GET and POST routes, with the request's URL, headers and body", async () => {
    const hello = await site("/hello?name=Ada");
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe("hello Ada");
    const echo = await site("/echo", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ a: [1, 2] }) });
    expect(echo.status).toBe(201);
    expect(await echo.json()).toEqual({ method: "POST", body: { a: [1, 2] }, contentType: "application/json", url: `${backend.siteUrl}/echo` });
  });

  it("pathPrefix routes, the longest prefix first", async () => {
    expect(await (await site("/files/a/b.txt")).text()).toBe("file a/b.txt");
    const priv = await site("/files/private/key");
    expect(priv.status).toBe(403);
  });

  it("404 'No matching routes found' for an unknown path or method", async () => {
    for (const [p, method] of [["/nope", "GET"], ["/hello", "POST"], ["/files", "GET"]]) {
      const res = await site(p, { method });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe("No matching routes found");
    }
  });

  it("routes OPTIONS to the app's own preflight handler", async () => {
    const res = await site("/echo", { method: "OPTIONS", headers: { Origin: "http://app.example", "Access-Control-Request-Method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(res.headers.get("access-control-allow-methods")).toBe("POST");
    expect((await site("/hello", { method: "OPTIONS" })).status).toBe(404);
  });

  it("HEAD runs the GET route without a body", async () => {
    const res = await site("/hello", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("keeps every Set-Cookie header", async () => {
    expect((await site("/cookies")).headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("a handler that throws gets a 500 with Convex's error body", async () => {
    const res = await site("/fails");
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.code).toMatch(/^\[Request ID: \w+\] Server Error: Uncaught ConvexError/);
    expect(body.data).toEqual({ code: "NOPE" });
  });
});

describe("the action context", () => {
  it("ctx.runMutation and ctx.runQuery", async () => {
    const res = await site("/events", { method: "POST", body: JSON.stringify({ text: "via http" }) });
    expect(await res.json()).toEqual({ who: null, events: expect.arrayContaining([{ text: "via http", who: null }]) });
  });

  it("ctx.scheduler", async () => {
    expect((await site("/later", { method: "POST", body: "scheduled from http" })).status).toBe(202);
    const client = new ConvexHttpClient(backend.url, { logger: false });
    await until(async () => (await client.query(api.identity.events, {})).some((e: any) => e.text === "scheduled from http"), 10_000, "the scheduled mutation");
  });

  it("ctx.auth from a verified Bearer token, also in the functions it calls", async () => {
    const token = await oidc.sign({ sub: "http-user", aud: "parley-tests" });
    const who = await site("/whoami", { headers: { Authorization: `Bearer ${token}` } });
    expect((await who.json()).identity).toMatchObject({ tokenIdentifier: `${oidc.issuer}|http-user`, subject: "http-user" });
    const events = await site("/events", { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ text: "signed" }) });
    expect((await events.json()).who).toBe(`${oidc.issuer}|http-user`);
    expect(await (await site("/whoami")).json()).toEqual({ identity: null });
  });

  it("a token that does not verify still runs the action, and getUserIdentity throws why", async () => {
    const expired = await oidc.sign({ sub: "late", aud: "parley-tests", iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await site("/whoami", { headers: { Authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/Could not verify OIDC token/);
    const webhook = await site("/hello", { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    expect(await webhook.text()).toBe("hello world");
  });
});

describe("bodies", () => {
  it("streams a request body to the handler", async () => {
    const res = await site("/size", { method: "POST", body: new Uint8Array(3 * 1024 * 1024) });
    expect(await res.json()).toEqual({ bytes: 3 * 1024 * 1024 });
  });

  it("refuses a declared body over 20 MiB with 413 before running anything", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${backend.siteUrl}/size`, { method: "POST", headers: { "Content-Length": String(21 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it("fails a streamed (chunked) body once it passes 20 MiB", async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 21) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await site("/size", { method: "POST", body, duplex: "half" } as RequestInit);
    // The fixture's handler catches the failed read and answers 413.
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/HttpRequestTooLarge/);
  });
});
