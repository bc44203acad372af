// `npm run seed`: a workspace for developer tools (Mastra Studio runs, scripts)
// with the demo catalog, in the Convex deployment at CONVEX_URL. Idempotent:
// found by name (PARLEY_WORKSPACE_NAME, default "Developer tools") and its
// catalog reloaded. It prints the workspace id to give a Studio run. Dashboard
// users get their own workspace, with the catalog, when they sign up.
// Seeding is a service function: the key is PARLEY_SERVICE_KEY, or the one
// `npm start` keeps in .data/service-key for the embedded backend.
import { readFileSync } from "node:fs";
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";

const url = process.env.CONVEX_URL ?? process.env.VITE_CONVEX_URL;
if (!url) {
  console.error("Set CONVEX_URL to the Convex deployment to seed (e.g. http://127.0.0.1:3210).");
  process.exit(1);
}
const keyFile = `${process.env.PARLEY_DATA_DIR ?? ".data"}/service-key`;
let serviceKey = process.env.PARLEY_SERVICE_KEY;
try {
  serviceKey ??= readFileSync(keyFile, "utf8").trim();
} catch {
  console.error(`Set PARLEY_SERVICE_KEY to the deployment's service key (no ${keyFile} to read it from).`);
  process.exit(1);
}
const name = process.env.PARLEY_WORKSPACE_NAME ?? "Developer tools";
try {
  const client = new ConvexHttpClient(url);
  const workspaceId = await client.mutation(api.seed.workspace, { serviceKey, name });
  const loaded = await client.mutation(api.seed.catalog, { serviceKey, workspaceId });
  console.log(`Workspace "${name}" (${workspaceId}): ${loaded.products} products and ${loaded.suppliers} suppliers in ${url}`);
} catch (error) {
  console.error(`Seeding ${url} failed: ${(error as Error).message}`);
  process.exit(1);
}
