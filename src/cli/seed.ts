// `npm run seed`: loads the demo catalog (products and the three suppliers) into
// the Convex deployment at CONVEX_URL. Idempotent: safe to run on every start.
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";

const url = process.env.CONVEX_URL ?? process.env.VITE_CONVEX_URL;
if (!url) {
  console.error("Set CONVEX_URL to the Convex deployment to seed (e.g. http://127.0.0.1:3210).");
  process.exit(1);
}
try {
  const loaded = await new ConvexHttpClient(url).mutation(api.seed.catalog, {});
  console.log(`Seeded ${loaded.products} products and ${loaded.suppliers} suppliers into ${url}`);
} catch (error) {
  console.error(`Seeding ${url} failed: ${(error as Error).message}`);
  process.exit(1);
}
