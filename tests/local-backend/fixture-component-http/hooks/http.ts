import { anyApi, httpActionGeneric, httpRouter } from "convex/server";

const api = anyApi;
const http = httpRouter();
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

http.route({
  path: "/ping",
  method: "GET",
  handler: httpActionGeneric(async (ctx, req) =>
    json({ served: "hooks", url: req.url, site: process.env.CONVEX_SITE_URL, identity: await ctx.auth.getUserIdentity() }),
  ),
});
http.route({
  path: "/events",
  method: "POST",
  handler: httpActionGeneric(async (ctx, req) => json({ count: await ctx.runMutation(api.lib.record, { body: await req.text() }) })),
});
http.route({ pathPrefix: "/files/", method: "GET", handler: httpActionGeneric(async (_ctx, req) => json({ served: "hooks", path: new URL(req.url).pathname })) });
export default http;
