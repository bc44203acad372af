import fs from "node:fs";
import path from "node:path";
import { ConvexError } from "convex/values";
import { afterAll, describe, expect, it, vi } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { ErrorData } from "../../convex/model/errors.js";
import type { QuoteState } from "../../src/mastra/convex-transport.js";
import { serviceStorageClient } from "../../src/mastra/storage/workflow-store.js";
import { waitFor } from "../helpers/wait.js";
import { requestDemoQuote, SERVICE_KEY } from "./helpers/convex-test-backend.js";
import { embeddedBackend } from "./helpers/embedded-backend.js";

// Mastra's workflow runs live in Convex: a run the quote worker makes in one
// Mastra instance is listed, with its steps, by a second Mastra built on its
// own (as Mastra Studio is, in its own process). The snapshots hold no service
// key and stay far below Convex's 1 MiB document limit; `mastra.storage`, the
// only way in, wants the service key and the snapshot table.

// The Mastra of `npm start` reads CONVEX_URL and PARLEY_SERVICE_KEY when it is
// imported, so the backend comes first.
const backend = await embeddedBackend();
afterAll(async () => backend.stop());
process.env.CONVEX_URL = backend.url;
process.env.PARLEY_SERVICE_KEY = SERVICE_KEY;
const worker = await import("../../src/mastra/index.js");

const TABLE = "mastra_workflow_snapshot";
const state = (quoteId: string) => backend.transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId: quoteId as never }) as Promise<QuoteState>;
/** Every document of the snapshot table, as Convex holds it. */
const rawDocuments = () => serviceStorageClient(backend.transport, SERVICE_KEY).callStorage({ op: "queryTable", tableName: TABLE }) as Promise<Record<string, unknown>[]>;

async function refusal(call: Promise<unknown>): Promise<ErrorData> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the call to be refused").toBeInstanceOf(ConvexError);
  return (error as ConvexError<ErrorData>).data;
}

describe("Mastra's workflow runs in Convex", () => {
  let quoteId: string;

  it("a run of the quote worker is listed, with its steps, by a second Mastra", { timeout: 120_000 }, async () => {
    quoteId = await requestDemoQuote(backend.transport, { seed: 21, lines: 3, maxRounds: 20 });
    const quoteWorker = await worker.startQuoteWorker({
      convexUrl: backend.url,
      serviceKey: SERVICE_KEY,
      workerId: "run-store-worker",
      runtime: { env: { PARLEY_MODEL: "scripted" } },
    });
    try {
      await waitFor("the worker to finish the quote", async () => ((await state(quoteId)).quote.status === "completed" ? true : undefined), 90_000);
      // The quote is completed inside the last step; the run ends just after.
      await waitFor("the run to end", async () => (quoteWorker.running().length === 0 ? true : undefined), 30_000);
    } finally {
      await quoteWorker.stop();
    }

    // Studio's Mastra: src/mastra/index.ts evaluated again, so its own
    // workflow, its own Mastra and its own store, sharing nothing in memory.
    vi.resetModules();
    const studio = await import("../../src/mastra/index.js");
    expect(studio.mastra).not.toBe(worker.mastra);
    const { runs, total } = await studio.mastra.getWorkflow("negotiationWorkflow").listWorkflowRuns();
    expect(total).toBe(1);
    const run = runs[0]!;
    const snapshot = typeof run.snapshot === "string" ? JSON.parse(run.snapshot) : run.snapshot;
    expect(snapshot.status).toBe("success");
    expect(Object.keys(snapshot.context)).toEqual(expect.arrayContaining(["prepare", "run-negotiations", "evaluate"]));
    for (const step of ["prepare", "run-negotiations", "evaluate"]) expect(snapshot.context[step].status, step).toBe("success");
    expect(snapshot.context["run-negotiations"].output.negotiations).toHaveLength(3);
    expect(snapshot.result.quoteId).toBe(quoteId);

    // And through its store, by id.
    const workflows = await studio.mastra.getStorage()!.getStore("workflows");
    const byId = await workflows!.getWorkflowRunById({ runId: run.runId, workflowName: run.workflowName });
    expect(run.workflowName).toBe("negotiation-workflow");
    expect(byId?.runId).toBe(run.runId);
    expect(byId?.snapshot).toEqual(snapshot);
  });

  it("keeps the service key out of the stored runs, each well under 1 MiB", async () => {
    const documents = await rawDocuments();
    expect(documents).toHaveLength(1);
    const text = JSON.stringify(documents);
    expect(text).toContain(quoteId);
    expect(text).not.toContain(SERVICE_KEY);
    expect(text).not.toMatch(/serviceKey|parley\.(runtime|callbacks|signal)/);
    // The snapshot is one string field; the negotiate step's output, with every turn, is in it.
    for (const doc of documents) {
      expect(typeof doc.snapshot).toBe("string");
      const bytes = Buffer.byteLength(JSON.stringify(doc));
      const s = await state(quoteId);
      console.info(`workflow snapshot document: ${bytes} bytes; ${s.negotiations.map((n) => n.messages.length).join("+")} messages, rounds ${s.negotiations.map((n) => n.currentRound).join("/")}`);
      expect(bytes).toBeLessThan(256 * 1024);
    }
    // Nor anywhere in the backend's database files.
    const dir = path.join(backend.dataDir, "convex");
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith("db.sqlite3"))) {
      expect(fs.readFileSync(path.join(dir, file)).toString("latin1"), file).not.toContain(SERVICE_KEY);
    }
  });

  it("refuses a storage call without the service key", async () => {
    const request = { op: "queryTable", tableName: TABLE } as const;
    for (const serviceKey of ["", "wrong-key", SERVICE_KEY.slice(0, -1)]) {
      expect((await refusal(backend.transport.mutation(api.mastra.storage, { serviceKey, request }))).code).toBe("UNAUTHENTICATED");
    }
    const wrong = serviceStorageClient(backend.transport, "wrong-key");
    expect(await wrong.callStorage(request).catch((e: Error) => e.message)).toMatch(/service key is required/);
  });

  it("refuses any table but the workflow snapshots, and operations the workflows domain does not send", async () => {
    const before = JSON.stringify(await rawDocuments());
    for (const tableName of ["mastra_threads", "mastra_messages", "mastra_vector_x", "quotes", "users", undefined]) {
      const data = await refusal(
        backend.transport.mutation(api.mastra.storage, {
          serviceKey: SERVICE_KEY,
          request: { op: "insert", tableName, record: { id: "x", email: "x@y.z" } },
        }),
      );
      expect(data).toMatchObject({ code: "INVALID_ARGUMENT", field: "request.tableName" });
      expect(data.message).toContain(`only keeps workflow snapshots (tableName "${TABLE}")`);
    }
    const op = await refusal(backend.transport.mutation(api.mastra.storage, { serviceKey: SERVICE_KEY, request: { op: "createSchedule", tableName: TABLE, record: {} } }));
    expect(op).toMatchObject({ code: "INVALID_ARGUMENT", field: "request.op" });
    expect(await refusal(backend.transport.mutation(api.mastra.storage, { serviceKey: SERVICE_KEY, request: "load" }))).toMatchObject({ field: "request" });
    expect(JSON.stringify(await rawDocuments())).toBe(before);
  });
});
