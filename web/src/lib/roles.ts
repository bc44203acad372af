import { type Role, roleWithArticle } from "../../../convex/model/roles";

// What each role may do in a workspace is the server's one definition
// (convex/model/roles.ts); this adds only its words on screen.

export { ROLE_DESCRIPTIONS, ROLES, roleAtLeast, type Role } from "../../../convex/model/roles";

export const ROLE_LABELS: Record<Role, string> = { viewer: "Viewer", buyer: "Buyer", approver: "Approver", owner: "Owner" };

/** "a viewer", "an approver", "an owner". */
export function withArticle(role: Role): string {
  return roleWithArticle(role);
}

/**
 * Why a control is not there for this role, in words:
 * "Viewers can't award — ask an owner for the buyer role."
 */
export function needsRole(role: Role, least: Role, action: string): string {
  return `${ROLE_LABELS[role]}s can't ${action} — ask an owner for the ${least} role.`;
}
