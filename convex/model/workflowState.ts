// The answer of `mastra.storage` (convex/mastra.ts) when a workflow run's state
// change names an expected status the run no longer has: another caller moved
// it first. src/mastra/storage/workflow-store.ts turns it into the "no change"
// Mastra's stores give for it, so a second resume of one suspension stops there.
export const WORKFLOW_STATE_CONFLICT = "WORKFLOW_STATE_CONFLICT";
