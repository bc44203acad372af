// A component's own HTTP routes, served where the app mounts it with
// `app.use(component, { httpPrefix })`, as on Convex: the prefix is stripped
// before its routes match, each instance answers with its own tables, a
// component mounts its children inside its own path, the longest prefix wins
// between the app's routes and a mount, and a component's CONVEX_SITE_URL ends
// in its path. Mounts Convex's deploy refuses are refused here too.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startFixture, tempDir } from "./helpers.js";

const FUNCTIONS = path.resolve(__dirname, "fixture-component-http/convex");

let backend: Awaited<ReturnType<typeof startFixture>>;
beforeAll(async () => {
  backend = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-component-http-") });
}, 60_000);
afterAll(async () => {
  await backend?.stop();
});

const get = async (p: string, init?: RequestInit) => {
  const res = await fetch(`${backend.siteUrl}${p}`, init);
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text() };
};

describe("a component's HTTP routes under its httpPrefix", () => {
  it("serve the component's routes with the prefix stripped, the request's URL whole", async () => {
    const { status, body } = await get("/hooks/ping");
    expect(status).toBe(200);
    expect(body).toMatchObject({ served: "hooks", url: `${backend.siteUrl}/hooks/ping`, identity: null });
    // httpPrefix "/hooks" is taken as "/hooks/", as Convex's deploy does.
    expect((await get("/hooks/files/a/b.txt")).body).toEqual({ served: "hooks", path: "/hooks/files/a/b.txt" });
  });

  it("give each instance its own tables", async () => {
    const post = (p: string, body: string) => fetch(`${backend.siteUrl}${p}`, { method: "POST", body }).then((r) => r.json());
    expect(await post("/hooks/events", "a")).toEqual({ count: 1 });
    expect(await post("/hooks/events", "b")).toEqual({ count: 2 });
    expect(await post("/other/events", "c")).toEqual({ count: 1 });
  });

  it("nest a component's mounts inside its own path", async () => {
    expect(await get("/hooks/inner/deep")).toEqual({ status: 200, body: { served: "inner", site: `${backend.siteUrl}/hooks/inner` } });
    expect(await get("/other/inner/deep")).toEqual({ status: 200, body: { served: "inner", site: `${backend.siteUrl}/other/inner` } });
  });

  it("tell each function its own site URL: the component's ends in its path, the app's and an unmounted one's do not", async () => {
    expect((await get("/hooks/ping")).body.site).toBe(`${backend.siteUrl}/hooks`);
    expect((await get("/other/ping")).body.site).toBe(`${backend.siteUrl}/other`);
    expect((await get("/hello")).body).toEqual({ served: "app", site: backend.siteUrl });
    const client = new ConvexHttpClient(backend.url, { logger: false });
    expect(await client.action(anyApi.app.unmountedSite, {})).toBe(backend.siteUrl);
  });

  it("route to the most specific match: an app prefix route longer than a mount wins under it", async () => {
    expect((await get("/hooks/app/x")).body).toEqual({ served: "app", path: "/hooks/app/x" });
  });

  it("answer 404 off every route: a component's routes are not served at the root, nor an unmounted component's anywhere", async () => {
    for (const p of ["/ping", "/hooks/nothing", "/hooks", "/unmounted/ping", "/inner/deep", "/hooks/events"]) {
      expect(await get(p), p).toEqual({ status: 404, body: "No matching routes found" });
    }
  });

  it("keep the caller's identity from the component, as Convex keeps auth inside the app", async () => {
    const headers = { Authorization: "Bearer not-a-token" };
    expect((await get("/whoami", { headers })).body.refused).toMatch(/token|JWT|auth/i);
    expect((await get("/hooks/ping", { headers })).body.identity).toBeNull();
  });
});

/** An app in a temp folder, started: its convex.config (`app` declared, `comp` imported) and http.ts, and a `comp` component beside it. */
async function startTemp(appConfig: string, appHttp: string | null, compHttp: string | null, define = "defineApp()") {
  const root = tempDir("lb-component-http-temp-");
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write("convex/convex.config.ts", `import { defineApp } from "convex/server";\nimport comp from "../comp/convex.config.js";\nconst app = ${define};\n${appConfig}\nexport default app;\n`);
  if (appHttp) write("convex/http.ts", appHttp);
  write("comp/convex.config.ts", `import { defineComponent } from "convex/server";\nexport default defineComponent("comp");\n`);
  write("comp/lib.ts", `import { queryGeneric } from "convex/server";\nexport const one = queryGeneric({ args: {}, handler: async () => 1 });\n`);
  if (compHttp) write("comp/http.ts", compHttp);
  return await startFixture({ functionsDir: path.join(root, "convex"), dataDir: tempDir("lb-component-http-temp-data-") });
}
const ROUTES = `import { httpActionGeneric, httpRouter } from "convex/server";\nconst http = httpRouter();\nhttp.route({ pathPrefix: "/x/", method: "GET", handler: httpActionGeneric(async () => new Response("x")) });\nexport default http;\n`;

it("defineApp({ httpPrefix }) serves the app's own routes under it, and its mounts from the root", async () => {
  const app = await startTemp(`app.use(comp, { httpPrefix: "/comp/" });`, ROUTES, ROUTES, `defineApp({ httpPrefix: "/api" })`);
  try {
    const status = async (p: string) => (await fetch(`${app.siteUrl}${p}`)).status;
    expect(await status("/api/x/1")).toBe(200);
    expect(await status("/x/1")).toBe(404);
    expect(await status("/comp/x/1")).toBe(200);
    expect(await status("/api/comp/x/1")).toBe(404);
  } finally {
    await app.stop();
  }
});

describe("mounts Convex's deploy refuses", () => {
  async function boot(appConfig: string, appHttp: string | null, compHttp: string | null) {
    await (await startTemp(appConfig, appHttp, compHttp)).stop();
  }

  it("a mount onto a component with no HTTP routes", async () => {
    await expect(boot(`app.use(comp, { httpPrefix: "/comp/" });`, null, null)).rejects.toThrow(
      `TypecheckError: HTTP mount "/comp/" is invalid: Child component "comp" doesn't have any HTTP routes.`,
    );
  });

  it("a mount on the path of one of the app's own prefix routes", async () => {
    await expect(boot(`app.use(comp, { httpPrefix: "/x/" });`, ROUTES, ROUTES)).rejects.toThrow(`HTTP mount "/x/" is invalid: Overlap with existing prefix route`);
  });

  it("two mounts on one path", async () => {
    await expect(boot(`app.use(comp, { httpPrefix: "/c" });\napp.use(comp, { name: "again", httpPrefix: "/c/" });`, null, ROUTES)).rejects.toThrow(
      `HTTP mount "/c/" is invalid: Overlap with previously mounted route`,
    );
  });

  it("a prefix that is not a plain path", async () => {
    await expect(boot(`app.use(comp, { httpPrefix: "/c/*" });`, null, ROUTES)).rejects.toThrow(/httpPrefix of component comp must be a plain path/);
  });
});
