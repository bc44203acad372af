// `npm run seed`: loads the demo catalog (products and the three suppliers) into
// the Convex deployment at CONVEX_URL. Idempotent: safe to run on every start.
// The catalog is a service function: the key is PARLEY_SERVICE_KEY, or the one
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
try {
  const loaded = await new ConvexHttpClient(url).mutation(api.seed.catalog, { serviceKey });
  console.log(`Seeded ${loaded.products} products and ${loaded.suppliers} suppliers into ${url}`);
} catch (error) {
  console.error(`Seeding ${url} failed: ${(error as Error).message}`);
  process.exit(1);
}
