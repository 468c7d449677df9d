/** Role changes in the store: create (at the bottom, as Discord does) and re-order, with their gateway events. */
import { sortedRoles } from './hierarchy.ts';
import { Intent, roleJson } from './serialize.ts';
import { snowflake } from './snowflake.ts';
import type { GuildRec, RoleRec, StoreView } from './types.ts';

/** Discord's cap on roles per guild (error 30005). */
export const MAX_ROLES = 250;

export interface RoleInput {
  name: string;
  permissions: bigint;
}

/** Renumbers the roles 1..n in the given order (bottom first) and dispatches GUILD_ROLE_UPDATE for moved ones. */
function renumber(store: StoreView, g: GuildRec, order: RoleRec[], skip: string | null): void {
  order.forEach((r, i) => {
    const position = i + 1;
    if (r.position === position) return;
    r.position = position;
    if (r.id !== skip) {
      store.emit('GUILD_ROLE_UPDATE', g.id, { guild_id: g.id, role: roleJson(r) }, Intent.Guilds);
    }
  });
}

/** A new role goes to position 1, just above @everyone; every other role moves up one. */
export function createRole(store: StoreView, guildId: string, input: RoleInput): RoleRec {
  const g = store.guild(guildId);
  const role: RoleRec = {
    id: snowflake(),
    name: input.name,
    permissions: input.permissions,
    position: 1,
    managed: false,
    botId: null,
  };
  const others = sortedRoles(g).filter((r) => r.id !== g.id);
  g.roles.set(role.id, role);
  store.emit('GUILD_ROLE_CREATE', g.id, { guild_id: g.id, role: roleJson(role) }, Intent.Guilds);
  renumber(store, g, [role, ...others], role.id);
  return role;
}

/** Moves one role to `position` (1 = just above @everyone), shifting the others. */
export function moveRole(store: StoreView, guildId: string, roleId: string, position: number): RoleRec[] {
  const g = store.guild(guildId);
  const role = g.roles.get(roleId);
  if (!role || role.id === g.id) throw new Error(`unknown or @everyone role ${roleId}`);
  const others = sortedRoles(g).filter((r) => r.id !== g.id && r.id !== roleId);
  const at = Math.max(0, Math.min(others.length, position - 1));
  renumber(store, g, [...others.slice(0, at), role, ...others.slice(at)], null);
  return sortedRoles(g);
}

/** An admin edits a role's permissions in Server Settings → Roles (GUILD_ROLE_UPDATE). */
export function setRolePermissions(
  store: StoreView,
  guildId: string,
  roleId: string,
  permissions: bigint,
): RoleRec {
  const g = store.guild(guildId);
  const role = g.roles.get(roleId);
  if (!role) throw new Error(`unknown role ${roleId}`);
  role.permissions = permissions;
  store.emit('GUILD_ROLE_UPDATE', g.id, { guild_id: g.id, role: roleJson(role) }, Intent.Guilds);
  return role;
}
