// HTTP actions for tests/local-backend/http-actions.test.ts.
import { anyApi, httpActionGeneric, httpRouter } from "convex/server";
import { ConvexError } from "convex/values";

const http = httpRouter();
const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });

http.route({
  path: "/hello",
  method: "GET",
  handler: httpActionGeneric(async (_ctx, request) => new Response(`hello ${new URL(request.url).searchParams.get("name") ?? "world"}`)),
});

http.route({
  path: "/echo",
  method: "POST",
  handler: httpActionGeneric(async (_ctx, request) =>
    json({ method: request.method, body: await request.json(), contentType: request.headers.get("content-type"), url: request.url }, 201),
  ),
});

// CORS preflight for /echo.
http.route({
  path: "/echo",
  method: "OPTIONS",
  handler: httpActionGeneric(async (_ctx, request) =>
    new Response(null, {
      status: 204,
      headers: {
        "Access-Control-Allow-Origin": request.headers.get("origin") ?? "*",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type, Authorization",
        "Access-Control-Max-Age": "86400",
      },
    }),
  ),
});

http.route({
  pathPrefix: "/files/",
  method: "GET",
  handler: httpActionGeneric(async (_ctx, request) => new Response(`file ${new URL(request.url).pathname.slice("/files/".length)}`)),
});

http.route({
  pathPrefix: "/files/private/",
  method: "GET",
  handler: httpActionGeneric(async () => new Response("private", { status: 403 })),
});

http.route({
  path: "/events",
  method: "POST",
  handler: httpActionGeneric(async (ctx, request) => {
    const { text } = await request.json();
    const who = await ctx.runMutation(anyApi.identity.record, { text });
    return json({ who, events: await ctx.runQuery(anyApi.identity.events, {}) });
  }),
});

http.route({
  path: "/later",
  method: "POST",
  handler: httpActionGeneric(async (ctx, request) => {
    await ctx.scheduler.runAfter(0, anyApi.identity.record, { text: await request.text() });
    return new Response(null, { status: 202 });
  }),
});

http.route({
  path: "/whoami",
  method: "GET",
  handler: httpActionGeneric(async (ctx) => {
    try {
      return json({ identity: await ctx.auth.getUserIdentity() });
    } catch (err) {
      return json({ error: (err as Error).message }, 401);
    }
  }),
});

http.route({
  path: "/size",
  method: "POST",
  handler: httpActionGeneric(async (_ctx, request) => {
    try {
      return json({ bytes: (await request.arrayBuffer()).byteLength });
    } catch (err) {
      return json({ error: (err as Error).message }, 413);
    }
  }),
});

http.route({
  path: "/fails",
  method: "GET",
  handler: httpActionGeneric(async () => {
    throw new ConvexError({ code: "NOPE" });
  }),
});

http.route({
  path: "/cookies",
  method: "GET",
  handler: httpActionGeneric(async () => {
    const headers = new Headers();
    headers.append("Set-Cookie", "a=1; Path=/");
    headers.append("Set-Cookie", "b=2; Path=/");
    return new Response("ok", { headers });
  }),
});

export default http;
