/**
 * Discord's role hierarchy (developers/topics/permissions.mdx, "Permission Hierarchy"): roles are ordered by
 * position, ties by id (the older role is higher); the bot may grant or remove only roles below its own highest
 * role, and may rename only members whose highest role is below its own; nobody manages the guild owner.
 */
import type { GuildRec, RoleRec } from './types.ts';

/** > 0 when a is higher than b. */
export function compareRoles(a: RoleRec, b: RoleRec): number {
  if (a.position !== b.position) return a.position - b.position;
  return BigInt(a.id) < BigInt(b.id) ? 1 : BigInt(a.id) > BigInt(b.id) ? -1 : 0;
}

/** The member's highest role (@everyone when they have none). */
export function highestRole(g: GuildRec, userId: string): RoleRec {
  const everyone = g.roles.get(g.id) as RoleRec;
  let top = everyone;
  for (const id of g.members.get(userId)?.roles ?? []) {
    const r = g.roles.get(id);
    if (r && compareRoles(r, top) > 0) top = r;
  }
  return top;
}

/** True when `actorId` may grant or remove `role` (the owner may always). */
export function canAssignRole(g: GuildRec, actorId: string, role: RoleRec): boolean {
  if (g.ownerId === actorId) return true;
  return compareRoles(highestRole(g, actorId), role) > 0;
}

/** True when `actorId` may change `targetId`'s nickname (never the owner's; the owner anyone's). */
export function canManageMember(g: GuildRec, actorId: string, targetId: string): boolean {
  if (g.ownerId === targetId) return false;
  if (g.ownerId === actorId) return true;
  return compareRoles(highestRole(g, actorId), highestRole(g, targetId)) > 0;
}

/** Roles sorted bottom (@everyone) to top. */
export function sortedRoles(g: GuildRec): RoleRec[] {
  return [...g.roles.values()].sort(compareRoles);
}
