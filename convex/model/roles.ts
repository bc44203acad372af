import type { Infer } from "convex/values";
import type { role } from "../schema";

// The roles of a workspace member, ordered: each may do what the ones before it
// may. One definition, read by the access layer (access.ts) and the dashboard.

export type Role = Infer<typeof role>;

export const ROLES: readonly Role[] = ["viewer", "buyer", "owner"];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "reads quotes and negotiations",
  buyer: "requests quotes, negotiates and awards",
  owner: "manages members and invitations, and everything a buyer does",
};

export const roleAtLeast = (held: Role, least: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(least);
