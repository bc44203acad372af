import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createWorkflowStore } from "../../src/mastra/storage/workflow-store.js";

describe("workflow store (node:sqlite)", () => {
  it("keeps workflow runs in a file across store instances", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "parley-store-")), "runs.sqlite");
    const first = await createWorkflowStore(file).getStore("workflows");
    const snapshot = { runId: "r1", status: "running", context: {}, value: {}, activePaths: [], serializedStepGraph: [], timestamp: 1 } as any;
    await first!.persistWorkflowSnapshot({ workflowName: "negotiation-workflow", runId: "r1", snapshot });
    await first!.updateWorkflowState({ workflowName: "negotiation-workflow", runId: "r1", opts: { status: "success" } as any });
    const second = await createWorkflowStore(file).getStore("workflows");
    expect((await second!.loadWorkflowSnapshot({ workflowName: "negotiation-workflow", runId: "r1" }))?.status).toBe("success");
    const { runs, total } = await second!.listWorkflowRuns({ workflowName: "negotiation-workflow" });
    expect(total).toBe(1);
    expect(runs[0]!.runId).toBe("r1");
    expect(runs[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("keeps its folder 0700 and its database files 0600, whatever the umask", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "parley-store-")), "mastra");
    const file = path.join(dir, "runs.sqlite");
    const umask = process.umask(0);
    try {
      const store = await createWorkflowStore(file).getStore("workflows");
      const snapshot = { runId: "r1", status: "running", context: {}, value: {}, activePaths: [], serializedStepGraph: [], timestamp: 1 } as any;
      await store!.persistWorkflowSnapshot({ workflowName: "negotiation-workflow", runId: "r1", snapshot });
    } finally {
      process.umask(umask);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dir);
    expect(files).toContain("runs.sqlite-wal");
    for (const name of files) expect(fs.statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600);
  });
});
