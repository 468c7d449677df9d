/** Guild roles (list, create, positions) and a member's roles one at a time, with Discord's hierarchy rules. */
import { ApiError, Errors } from '../errors.ts';
import { canAssignRole, highestRole, sortedRoles } from '../hierarchy.ts';
import { has, Permission, parsePermissions } from '../permissions.ts';
import { createRole, MAX_ROLES, moveRole } from '../role-store.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { roleJson } from '../serialize.ts';
import type { GuildRec, RoleRec } from '../types.ts';
import { botGuild, objectBody, optionalString, snowflakeField } from './util.ts';

/** The guild, after checking the bot holds Manage Roles there (50013 otherwise). */
function manageRolesGuild(ctx: RouteCtx): GuildRec {
  const g = botGuild(ctx);
  if (!has(ctx.store.basePermissions(g, ctx.store.bot.id), Permission.ManageRoles)) {
    throw Errors.missingPermissions();
  }
  return g;
}

/** A role the bot may grant or take: below its highest role, not @everyone, not managed (50013). */
function assignableRole(ctx: RouteCtx, g: GuildRec, roleId: string): RoleRec {
  const role = g.roles.get(roleId);
  if (!role) throw Errors.unknownRole();
  if (role.id === g.id || role.managed || !canAssignRole(g, ctx.store.bot.id, role)) {
    throw Errors.missingPermissions();
  }
  return role;
}

function postRole(ctx: RouteCtx) {
  const g = manageRolesGuild(ctx);
  const body = objectBody(ctx.body);
  const name = optionalString(body, 'name', 100) ?? 'new role';
  let permissions: bigint;
  try {
    permissions = parsePermissions(body.permissions, g.roles.get(g.id)?.permissions ?? 0n);
  } catch {
    throw Errors.form('permissions', 'NUMBER_TYPE_COERCE', `Value "${String(body.permissions)}" is not int.`);
  }
  // A role may only carry permissions the bot has itself (unless it is an Administrator).
  const own = ctx.store.basePermissions(g, ctx.store.bot.id);
  if (!has(own, Permission.Administrator) && (permissions & ~own) !== 0n) throw Errors.missingPermissions();
  if (g.roles.size >= MAX_ROLES)
    throw new ApiError(400, 30005, 'Maximum number of guild roles reached (250)');
  return { status: 200, body: roleJson(createRole(ctx.store, g.id, { name, permissions })) };
}

function patchPositions(ctx: RouteCtx) {
  const g = manageRolesGuild(ctx);
  if (!Array.isArray(ctx.body)) throw Errors.form('_root', 'BASE_TYPE_LIST', 'Must be a list.');
  const top = highestRole(g, ctx.store.bot.id);
  const moves = ctx.body.map((raw, i) => {
    const o = objectBody(raw);
    const id = snowflakeField(o, 'id');
    if (!id) throw Errors.required(`${i}.id`);
    const position = Number(o.position);
    if (!Number.isInteger(position) || position < 1) {
      throw Errors.form(
        `${i}.position`,
        'NUMBER_TYPE_MIN',
        'int value should be greater than or equal to 1.',
      );
    }
    const role = assignableRole(ctx, g, id);
    // The bot may move only roles below its own, and only to below its own.
    if (g.ownerId !== ctx.store.bot.id && position >= top.position) throw Errors.missingPermissions();
    return { role, position };
  });
  for (const m of moves) moveRole(ctx.store, g.id, m.role.id, m.position);
  return { status: 200, body: sortedRoles(g).map(roleJson) };
}

function memberRole(add: boolean) {
  return (ctx: RouteCtx) => {
    const g = manageRolesGuild(ctx);
    const member = ctx.store.member(g, ctx.params.user ?? '');
    const role = assignableRole(ctx, g, ctx.params.role ?? '');
    const has = member.roles.includes(role.id);
    // Already as asked: Discord answers 204 all the same; nothing changes, so no event.
    if (has !== add) {
      const roles = add ? [...member.roles, role.id] : member.roles.filter((r) => r !== role.id);
      ctx.store.updateMember(g.id, member.userId, { roles });
    }
    return { status: 204 };
  };
}

export const roleRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/guilds/:guild/roles',
    handler: (ctx) => ({ status: 200, body: sortedRoles(botGuild(ctx)).map(roleJson) }),
  },
  {
    // get_guild_role: the role, or 10011 Unknown Role (the route discord.js' roles.fetch(id) uses).
    method: 'GET',
    path: '/guilds/:guild/roles/:role',
    handler: (ctx) => {
      const role = botGuild(ctx).roles.get(ctx.params.role ?? '');
      if (!role) throw Errors.unknownRole();
      return { status: 200, body: roleJson(role) };
    },
  },
  { method: 'POST', path: '/guilds/:guild/roles', handler: postRole },
  { method: 'PATCH', path: '/guilds/:guild/roles', handler: patchPositions },
  { method: 'PUT', path: '/guilds/:guild/members/:user/roles/:role', handler: memberRole(true) },
  { method: 'DELETE', path: '/guilds/:guild/members/:user/roles/:role', handler: memberRole(false) },
];
