/** Guilds, roles and members (including moving members between voice channels). */
import { Errors } from '../errors.ts';
import { canAssignRole, canManageMember } from '../hierarchy.ts';
import { has, Permission } from '../permissions.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { guildJson, memberJson } from '../serialize.ts';
import { ChannelType } from '../types.ts';
import { botGuild, limitParam, objectBody, snowflakeField } from './util.ts';

function modifyMember(ctx: RouteCtx) {
  const { store } = ctx;
  const g = botGuild(ctx);
  const userId = ctx.params.user ?? '';
  const member = store.member(g, userId);
  const body = objectBody(ctx.body);
  const base = store.basePermissions(g, store.bot.id);
  if ('nick' in body && !has(base, Permission.ManageNicknames)) throw Errors.missingPermissions();
  if ('roles' in body && !has(base, Permission.ManageRoles)) throw Errors.missingPermissions();
  if ('channel_id' in body) {
    const channelId = snowflakeField(body, 'channel_id') ?? null;
    if (channelId === null) {
      if (!has(base, Permission.MoveMembers)) throw Errors.missingPermissions();
    } else {
      const target = store.guildChannel(g, channelId);
      if (target.type !== ChannelType.GuildVoice) throw Errors.wrongChannelType();
      // Discord: the caller needs Move Members and must be able to connect to the target channel.
      const perms = store.channelPermissions(g, store.bot.id, target);
      if (!has(perms, Permission.MoveMembers) || !has(perms, Permission.Connect)) {
        throw Errors.missingPermissions();
      }
    }
    const current = g.voice.get(userId);
    if (!current) throw Errors.notInVoice();
    // Unsettled upstream (the docs name only the target); JDA checks Move Members in the member's current
    // channel too, so the emulator is that strict.
    const source = store.channels.get(current.channelId);
    if (source && !has(store.channelPermissions(g, store.bot.id, source), Permission.MoveMembers)) {
      throw Errors.missingPermissions();
    }
    store.setVoice(g.id, userId, channelId);
  }
  if ('nick' in body || 'roles' in body) {
    const roles = body.roles;
    if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
      throw Errors.form('roles', 'BASE_TYPE_LIST', 'Must be a list.');
    }
    const nick = body.nick;
    if (nick !== undefined && nick !== null && typeof nick !== 'string') {
      throw Errors.form('nick', 'BASE_TYPE_STRING', 'Must be a string.');
    }
    if (typeof nick === 'string' && nick.length > 32) {
      throw Errors.form('nick', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
    }
    // Hierarchy: never the owner's nickname, nor one of a member at or above the bot's highest role.
    if ('nick' in body && !canManageMember(g, store.bot.id, userId)) throw Errors.missingPermissions();
    if (Array.isArray(roles)) {
      const changed = [
        ...(roles as string[]).filter((r) => !member.roles.includes(r)),
        ...member.roles.filter((r) => !(roles as string[]).includes(r)),
      ];
      for (const id of changed) {
        const role = g.roles.get(id);
        if (!role) throw Errors.unknownRole();
        if (role.managed || !canAssignRole(g, store.bot.id, role)) throw Errors.missingPermissions();
      }
    }
    store.updateMember(g.id, userId, {
      ...(roles !== undefined ? { roles: roles as string[] } : {}),
      ...(nick !== undefined ? { nick: typeof nick === 'string' && nick.length > 0 ? nick : null } : {}),
    });
  }
  return { status: 200, body: memberJson(store, member) };
}

function listMembers(ctx: RouteCtx) {
  const g = botGuild(ctx);
  const limit = limitParam(ctx.query, 1000, 1);
  const afterRaw = ctx.query.get('after') ?? '0';
  if (!/^\d{1,20}$/.test(afterRaw))
    throw Errors.form('after', 'NUMBER_TYPE_COERCE', `Value "${afterRaw}" is not snowflake.`);
  const after = BigInt(afterRaw);
  const members = [...g.members.values()]
    .filter((m) => BigInt(m.userId) > after)
    .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
    .slice(0, limit);
  return { status: 200, body: members.map((m) => memberJson(ctx.store, m)) };
}

export const guildRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/guilds/:guild',
    handler: (ctx) => {
      const g = botGuild(ctx, 'unknownGuild');
      const body: Record<string, unknown> = guildJson(g);
      if (ctx.query.get('with_counts') === 'true') {
        body.approximate_member_count = g.members.size;
        body.approximate_presence_count = 0;
      }
      return { status: 200, body };
    },
  },
  { method: 'GET', path: '/guilds/:guild/members', handler: listMembers },
  {
    method: 'GET',
    path: '/guilds/:guild/members/:user',
    handler: (ctx) => {
      const g = botGuild(ctx);
      return { status: 200, body: memberJson(ctx.store, ctx.store.member(g, ctx.params.user ?? '')) };
    },
  },
  { method: 'PATCH', path: '/guilds/:guild/members/:user', handler: modifyMember },
];
