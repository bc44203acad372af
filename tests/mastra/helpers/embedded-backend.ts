import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateAuthKeys } from "../../../src/cli/auth-keys.js";
import { startLocalBackend } from "../../../src/local-backend/index.js";
import { clientTransport } from "../../../src/mastra/convex-transport.js";
import { SERVICE_KEY } from "./convex-test-backend.js";

/** The embedded backend on a free port with a fresh data dir, and the official clients (HTTP, and WebSocket for subscriptions) as transport. */
export async function embeddedBackend() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-mastra-"));
  const backend = await startLocalBackend({
    port: 0,
    dataDir: path.join(dataDir, "convex"),
    functionsDir: "convex",
    env: { PARLEY_SERVICE_KEY: SERVICE_KEY, ...(await generateAuthKeys()) },
    reset: true,
    log: () => {},
  });
  const transport = clientTransport(backend.url);
  return {
    url: backend.url,
    dataDir,
    transport,
    async stop() {
      await transport.close();
      await backend.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
