import { STATUS_LABELS } from "../../../convex/model/statusWords";
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
  // A final offer the brand did not choose: over, but nobody's failure.
  not_awarded: "neutral",
  rejected: "bad",
  cancelled: "bad",
  impasse: "bad",
  expired: "bad",
  failed: "bad",
};

/** `still`: open, but waiting on a person, so the "live" dot does not pulse as if something were being written. */
export function StatusBadge({ status, testId = "status-badge", still = false }: { status: string; testId?: string; still?: boolean }) {
  return (
    <span className={`badge badge-${TONE[status] ?? "neutral"}${still ? " badge-still" : ""}`} data-testid={testId} data-status={status}>
      {STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? capitalise(status)}
    </span>
  );
}
