// A quote worker in its own process, for the resume test: the test kills it
// with SIGKILL mid-negotiation.
import { startQuoteWorker } from "../../../src/mastra/index.js";

const worker = await startQuoteWorker({
  convexUrl: process.env.CONVEX_URL!,
  serviceKey: process.env.PARLEY_SERVICE_KEY!,
  workerId: `child-${process.pid}`,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
  log: (line) => process.stderr.write(`[child] ${line}\n`),
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
