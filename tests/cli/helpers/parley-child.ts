// `npm start` in a child process for the tests: startParley on the ports, data
// dir and Studio root given in PARLEY_TEST_START (JSON), then one JSON line on
// stdout with its URLs. SIGTERM stops it as Ctrl-C would; the tests also SIGKILL it.
import { startParley, type StartOptions } from "../../../src/cli/start.js";

const options = JSON.parse(process.env.PARLEY_TEST_START!) as StartOptions;
const parley = await startParley({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`${JSON.stringify({ webUrl: parley.webUrl, studioUrl: (await parley.studioReady) ?? null })}\n`);
process.on("SIGTERM", () => void parley.stop().then(() => process.exit(0)));
