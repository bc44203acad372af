import { ROLE_LABELS, type Role } from "../lib/roles";

const TONE: Record<Role, string> = { owner: "info", approver: "warn", buyer: "good", viewer: "neutral" };

export function RoleBadge({ role, testId = "role-badge" }: { role: Role; testId?: string }) {
  return (
    <span className={`badge badge-${TONE[role]}`} data-testid={testId} data-role={role}>
      {ROLE_LABELS[role]}
    </span>
  );
}
