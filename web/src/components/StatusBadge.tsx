import { capitalise } from "../lib/format";

// One colour family per meaning, so a glance across three chats says who is done.
const TONE: Record<string, string> = {
  queued: "neutral",
  pending: "neutral",
  negotiating: "live",
  active: "live",
  paused: "warn",
  completed: "info",
  accepted: "good",
  awarded: "good",
  rejected: "bad",
  cancelled: "bad",
  impasse: "bad",
  expired: "bad",
  failed: "bad",
};

export function StatusBadge({ status, testId = "status-badge" }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${TONE[status] ?? "neutral"}`} data-testid={testId} data-status={status}>
      {capitalise(status)}
    </span>
  );
}
