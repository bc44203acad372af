import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { membershipOf } from "./access";
import { ACCOUNT_RULES } from "./accounts";
import { loadCatalog } from "./catalog";
import { checkCurrency, type Currency, currencyOf, DEFAULT_CURRENCY } from "./currency";
import { fail, invalid } from "./errors";
import { logEvent } from "./events";
import { type Role, ROLES } from "./roles";
import { checkText } from "./validate";

// Workspaces and their members. A new workspace gets the demo catalog, so its
// first quote can be requested at once.

export async function createWorkspace(
  ctx: MutationCtx,
  name: string,
  owner: Id<"users"> | undefined,
  currency: string = DEFAULT_CURRENCY,
): Promise<Id<"workspaces">> {
  const trimmed = name.trim();
  checkText(trimmed, "name", { required: true });
  const max = ACCOUNT_RULES.maxWorkspaceNameLength;
  if (trimmed.length > max) invalid("name", `A workspace name has at most ${max} characters`);
  const code = checkCurrency(currency);
  const now = Date.now();
  const workspaceId = await ctx.db.insert("workspaces", {
    name: trimmed,
    ...(owner ? { createdBy: owner } : {}),
    createdAt: now,
    currency: code,
  });
  if (owner) await ctx.db.insert("members", { workspaceId, userId: owner, role: "owner", joinedAt: now });
  await loadCatalog(ctx, workspaceId);
  await logEvent(ctx, { workspaceId, type: "workspace.created", actor: owner ? "user" : "system", data: { name: trimmed, currency: code } });
  return workspaceId;
}

export async function getWorkspace(ctx: QueryCtx, workspaceId: Id<"workspaces">): Promise<Doc<"workspaces">> {
  const workspace = await ctx.db.get(workspaceId);
  if (!workspace) fail("NOT_FOUND", "Workspace not found", "workspaceId");
  return workspace;
}

/**
 * An owner's change of the workspace's currency: catalog list prices and quotes
 * requested from now on are in it. Past quotes keep the currency they recorded.
 */
export async function setWorkspaceCurrency(ctx: MutationCtx, workspaceId: Id<"workspaces">, currency: string): Promise<Currency> {
  const workspace = await getWorkspace(ctx, workspaceId);
  const code = checkCurrency(currency);
  const from = currencyOf(workspace);
  if (from === code) return code;
  await ctx.db.patch(workspaceId, { currency: code });
  await logEvent(ctx, { workspaceId, type: "workspace.currency_set", actor: "user", data: { from, to: code } });
  return code;
}

/** The workspaces the user belongs to, with their role in each, oldest first. */
export async function workspacesOf(ctx: QueryCtx, userId: Id<"users">) {
  const memberships = await ctx.db
    .query("members")
    .withIndex("by_userId", (q) => q.eq("userId", userId))
    .take(100);
  const rows = [];
  for (const member of memberships) {
    const workspace = await ctx.db.get(member.workspaceId);
    if (workspace) rows.push({ _id: workspace._id, name: workspace.name, role: member.role, joinedAt: member.joinedAt });
  }
  return rows.sort((a, b) => a.joinedAt - b.joinedAt);
}

export async function listMembers(ctx: QueryCtx, workspaceId: Id<"workspaces">) {
  const members = await ctx.db
    .query("members")
    .withIndex("by_workspaceId_and_userId", (q) => q.eq("workspaceId", workspaceId))
    .take(500);
  const rows = [];
  for (const member of members) {
    const user = await ctx.db.get(member.userId);
    rows.push({
      userId: member.userId,
      role: member.role,
      joinedAt: member.joinedAt,
      email: user?.email ?? null,
      name: user?.name ?? null,
    });
  }
  return rows.sort((a, b) => ROLES.indexOf(b.role) - ROLES.indexOf(a.role) || a.joinedAt - b.joinedAt);
}

async function requireMemberRow(ctx: QueryCtx, workspaceId: Id<"workspaces">, userId: Id<"users">): Promise<Doc<"members">> {
  const member = await membershipOf(ctx.db, workspaceId, userId);
  if (!member) fail("NOT_FOUND", "This person is not a member of the workspace", "userId");
  return member;
}

/** A workspace always keeps an owner: the last one can be neither demoted nor removed. */
async function assertNotLastOwner(ctx: QueryCtx, member: Doc<"members">): Promise<void> {
  if (member.role !== "owner") return;
  const members = await ctx.db
    .query("members")
    .withIndex("by_workspaceId_and_userId", (q) => q.eq("workspaceId", member.workspaceId))
    .take(500);
  if (members.filter((m) => m.role === "owner").length <= 1) {
    fail("CONFLICT", "A workspace needs at least one owner: make someone else owner first", "userId");
  }
}

export async function setRole(ctx: MutationCtx, workspaceId: Id<"workspaces">, userId: Id<"users">, role: Role): Promise<void> {
  const member = await requireMemberRow(ctx, workspaceId, userId);
  if (member.role === role) return;
  if (role !== "owner") await assertNotLastOwner(ctx, member);
  await ctx.db.patch(member._id, { role });
  await logEvent(ctx, { workspaceId, type: "member.role_changed", actor: "user", data: { userId, from: member.role, to: role } });
}

export async function removeMember(ctx: MutationCtx, workspaceId: Id<"workspaces">, userId: Id<"users">): Promise<void> {
  const member = await requireMemberRow(ctx, workspaceId, userId);
  await assertNotLastOwner(ctx, member);
  await ctx.db.delete(member._id);
  await logEvent(ctx, { workspaceId, type: "member.removed", actor: "user", data: { userId } });
}
