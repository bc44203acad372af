import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { InMemoryDB, InMemoryStore, MastraCompositeStore, WorkflowsInMemory } from "@mastra/core/storage";

// Mastra's store for workflow runs, kept in a SQLite file under .data/ through
// Node's built-in node:sqlite: no native addon to build (@mastra/libsql would
// bring @libsql/client's platform binaries). Mastra's own in-memory workflows
// domain does the semantics (snapshot merging, listing, filtering); this class
// loads the file into it at start and writes each changed run back, so runs
// survive restarts and Studio lists them. Other domains stay in memory: Parley
// keeps its negotiations in Convex, not in Mastra memory.

type Row = { key: string; value: string };

class SqliteBackedWorkflows extends WorkflowsInMemory {
  private readonly sqlite: DatabaseSync;
  private readonly mem: InMemoryDB;

  constructor(file: string) {
    const db = new InMemoryDB();
    super({ db });
    this.mem = db;
    // Runs hold the quotes' details: only this user may read them. SQLite gives
    // the -wal and -shm files the database's mode, so the database is made 0600
    // before it is opened (chmod, since open's mode is reduced by the umask).
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(file), 0o700);
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
    this.sqlite = new DatabaseSync(file);
    this.sqlite.exec("PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS workflow_runs (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    for (const row of this.sqlite.prepare("SELECT key, value FROM workflow_runs").all() as Row[]) {
      const run = JSON.parse(row.value);
      db.workflows.set(row.key, { ...run, createdAt: new Date(run.createdAt), updatedAt: new Date(run.updatedAt) });
    }
  }

  private save(workflowName: string, runId: string): void {
    const key = `${workflowName}-${runId}`;
    const run = this.mem.workflows.get(key);
    if (!run) {
      this.sqlite.prepare("DELETE FROM workflow_runs WHERE key = ?").run(key);
      return;
    }
    this.sqlite.prepare("INSERT OR REPLACE INTO workflow_runs (key, value) VALUES (?, ?)").run(key, JSON.stringify(run));
  }

  override async persistWorkflowSnapshot(args: Parameters<WorkflowsInMemory["persistWorkflowSnapshot"]>[0]) {
    await super.persistWorkflowSnapshot(args);
    this.save(args.workflowName, args.runId);
  }

  override async updateWorkflowResults(args: Parameters<WorkflowsInMemory["updateWorkflowResults"]>[0]) {
    const result = await super.updateWorkflowResults(args);
    this.save(args.workflowName, args.runId);
    return result;
  }

  override async updateWorkflowState(args: Parameters<WorkflowsInMemory["updateWorkflowState"]>[0]) {
    const result = await super.updateWorkflowState(args);
    this.save(args.workflowName, args.runId);
    return result;
  }

  override async deleteWorkflowRunById(args: { runId: string; workflowName: string }) {
    await super.deleteWorkflowRunById(args);
    this.save(args.workflowName, args.runId);
  }

  override async dangerouslyClearAll() {
    await super.dangerouslyClearAll();
    this.sqlite.exec("DELETE FROM workflow_runs");
  }

  close(): void {
    this.sqlite.close();
  }
}

/**
 * The project root: `mastra dev` runs its server from `<root>/.mastra/output`,
 * and the runs belong in the project's .data/ either way.
 */
function projectRoot(cwd = process.cwd()): string {
  const marker = `${path.sep}.mastra${path.sep}`;
  const at = (cwd + path.sep).indexOf(marker);
  return at >= 0 ? cwd.slice(0, at) : cwd;
}

/** A Mastra store whose workflow runs persist in `file` (default `<root>/.data/mastra/workflows.sqlite`). */
export function createWorkflowStore(
  file = path.resolve(projectRoot(), process.env.PARLEY_MASTRA_DB ?? ".data/mastra/workflows.sqlite"),
): MastraCompositeStore {
  return new MastraCompositeStore({
    id: "parley-store",
    default: new InMemoryStore({ id: "parley-memory" }),
    domains: { workflows: new SqliteBackedWorkflows(file) },
  });
}
