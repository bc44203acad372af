// Parley's sign-in rate limit (convex/auth.ts) on the embedded backend, called
// as the dashboard calls it: Convex Auth's React client runs `auth:signIn` over
// the socket (ConvexClient here), and the plain HTTP client gets the same. The
// refusal, thrown by a mutation the signIn action runs, reaches the client as a
// ConvexError with its data, and the sign-in form says it in those words.
import path from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api";
import { RATE_LIMITS } from "../../convex/model/rateLimits";
import { generateAuthKeys } from "../../src/cli/auth-keys.js";
import { describeAuthError } from "../../web/src/lib/auth";
import { startFixture } from "./helpers.js";

const PROJECT_FUNCTIONS = path.resolve(__dirname, "../../convex");
const PASSWORD = "correct horse battery staple";

let backend: Awaited<ReturnType<typeof startFixture>>;
let socket: ConvexClient;
let http: ConvexHttpClient;
// Bundling and pushing the project's convex/ takes a while on a busy machine.
beforeAll(async () => {
  backend = await startFixture({ functionsDir: PROJECT_FUNCTIONS, env: await generateAuthKeys() });
  socket = new ConvexClient(backend.url, { logger: false });
  http = new ConvexHttpClient(backend.url, { logger: false });
}, 60_000);
afterAll(async () => {
  await socket?.close();
  await backend?.stop();
});

const params = (flow: "signIn" | "signUp", password = PASSWORD) => ({ provider: "password", params: { email: "ada@acme.test", password, flow } });

describe("sign-in attempts limited per email, on the embedded backend", () => {
  it("the attempt after the burst is refused as a ConvexError over both transports, and the form shows its words", async () => {
    const { tokens } = await socket.action(api.auth.signIn, params("signUp"));
    expect(tokens?.token).toEqual(expect.any(String));
    for (let i = 1; i < RATE_LIMITS.signInPerEmail.capacity; i++) {
      await expect(socket.action(api.auth.signIn, params("signIn", "not the password"))).rejects.toThrow(/InvalidSecret/);
    }
    for (const call of [() => socket.action(api.auth.signIn, params("signIn")), () => http.action(api.auth.signIn, params("signIn"))]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConvexError);
      const data = (error as ConvexError<{ code: string; message: string }>).data;
      expect(data).toEqual({ code: "RATE_LIMITED", message: expect.stringMatching(/^Too many sign-in attempts for this email: try again in \d+ seconds?$/) });
      // No field: the form shows it as the notice above the fields, as the server put it.
      expect(describeAuthError(error, "signIn")).toEqual({ field: undefined, message: `${data.message}.` });
    }
  }, 60_000);
});
