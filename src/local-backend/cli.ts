// `npm run backend -- [--port 3210] [--site-port 3211] [--host 127.0.0.1] [--data-dir .data/convex]
//   [--functions convex] [--reset] [--env-file .env.local] [--env KEY=VALUE]... [--no-watch]`
import fs from "node:fs";
import { parseArgs } from "node:util";
import { startLocalBackend } from "./index.js";

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    env[m[1]] = value;
  }
  return env;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3210" },
      "site-port": { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string", default: ".data/convex" },
      functions: { type: "string" },
      reset: { type: "boolean", default: false },
      "env-file": { type: "string", multiple: true },
      env: { type: "string", multiple: true },
      "no-watch": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(fs.readFileSync(new URL(import.meta.url)).toString().split("\n")[0].replace(/^\/\/ /, "usage: "));
    return;
  }
  const env: Record<string, string> = {};
  for (const file of values["env-file"] ?? []) Object.assign(env, parseEnvFile(fs.readFileSync(file, "utf8")));
  for (const pair of values.env ?? []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new Error(`--env expects KEY=VALUE, got ${pair}`);
    env[pair.slice(0, i)] = pair.slice(i + 1);
  }
  const backend = await startLocalBackend({
    port: Number(values.port),
    sitePort: values["site-port"] === undefined ? undefined : Number(values["site-port"]),
    host: values.host,
    dataDir: values["data-dir"],
    functionsDir: values.functions,
    reset: values.reset,
    env,
    watch: !values["no-watch"],
  });
  console.log(`Convex-compatible backend ready at ${backend.url}`);
  console.log(`CONVEX_URL=${backend.url}`);
  console.log(`CONVEX_SITE_URL=${backend.siteUrl} (HTTP actions)`);
  console.log(`Admin key: ${backend.adminKey}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await backend.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
