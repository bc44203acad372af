import { httpActionGeneric, httpRouter } from "convex/server";

const http = httpRouter();
http.route({
  path: "/deep",
  method: "GET",
  handler: httpActionGeneric(async () => new Response(JSON.stringify({ served: "inner", site: process.env.CONVEX_SITE_URL }), { headers: { "Content-Type": "application/json" } })),
});
export default http;
