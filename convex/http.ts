import { httpRouter } from "convex/server";
import { auth } from "./auth";

// Served on the deployment's site origin (`.convex.site`; offline, the embedded
// backend's site port): Convex Auth's OpenID discovery and JWKS endpoints.
const http = httpRouter();
auth.addHttpRoutes(http);

export default http;
