import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import type { Parley } from "../../src/cli/start";
import { openBrowser, type Browser } from "./browser";

export const RESULTS_DIR = resolve("test-results", "e2e");

export interface Stack {
  parley: Parley;
  client: ConvexHttpClient;
  browser: Browser;
  log: string[];
  stop(): Promise<void>;
}

/**
 * The whole of Parley on free ports with its own data dir, plus a browser.
 * The scripted model is paced so a message visibly streams over several updates.
 */
export async function bootStack(opts: { tokensPerSec?: number } = {}): Promise<Stack> {
  process.env.PARLEY_MODEL = "scripted";
  process.env.PARLEY_MODEL_TOKENS_PER_SEC = String(opts.tokensPerSec ?? 40);
  process.env.PARLEY_MODEL_LATENCY_MS = "150";
  delete process.env.PARLEY_SERVICE_KEY;
  const dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-"));
  const { startParley } = await import("../../src/cli/start");
  const log: string[] = [];
  const parley = await startParley({
    dataDir,
    webPort: 0,
    backendPort: 0,
    studio: false,
    log: (line) => log.push(line),
  });
  const client = new ConvexHttpClient(parley.convexUrl);
  let browser: Browser;
  try {
    browser = await openBrowser();
  } catch (error) {
    await parley.stop();
    throw error;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    parley,
    client,
    browser,
    log,
    stop: async () => {
      await browser.close().catch(() => undefined);
      await parley.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
