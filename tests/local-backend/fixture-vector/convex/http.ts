import { httpActionGeneric, httpRouter } from "convex/server";

const http = httpRouter();

// POST /search with a JSON vector: ctx.vectorSearch from an HTTP action.
http.route({
  path: "/search",
  method: "POST",
  handler: httpActionGeneric(async (ctx, request) => {
    const vector = (await request.json()) as number[];
    return Response.json(await ctx.vectorSearch("docs", "by_embedding", { vector, limit: 2 }));
  }),
});

export default http;
