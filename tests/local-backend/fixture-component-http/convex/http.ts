import { httpActionGeneric, httpRouter } from "convex/server";

const http = httpRouter();
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

http.route({ path: "/hello", method: "GET", handler: httpActionGeneric(async () => json({ served: "app", site: process.env.CONVEX_SITE_URL })) });
// A longer prefix than the `hooks` mount: the app's own route wins under it.
http.route({ pathPrefix: "/hooks/app/", method: "GET", handler: httpActionGeneric(async (_ctx, req) => json({ served: "app", path: new URL(req.url).pathname })) });
http.route({
  path: "/whoami",
  method: "GET",
  handler: httpActionGeneric(async (ctx) => {
    try {
      return json({ identity: await ctx.auth.getUserIdentity() });
    } catch (e: any) {
      return json({ refused: String(e?.message ?? e) });
    }
  }),
});
export default http;
