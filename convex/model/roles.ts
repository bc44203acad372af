import type { Infer } from "convex/values";
import type { role } from "../schema";

// The roles of a workspace member, ordered: each may do what the ones before it
// may. One definition, read by the access layer (access.ts) and the dashboard.

export type Role = Infer<typeof role>;

export const ROLES: readonly Role[] = ["viewer", "buyer", "approver", "owner"];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "reads quotes and negotiations",
  buyer: "requests quotes, negotiates and awards",
  approver: "approves awards above the spend threshold, and everything a buyer does",
  owner: "manages members, invitations and the spend threshold, and everything an approver does",
};

export const roleAtLeast = (held: Role, least: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(least);

/** "a viewer", "an approver", "an owner". */
export const roleWithArticle = (role: Role): string => `${/^[aeiou]/.test(role) ? "an" : "a"} ${role}`;
