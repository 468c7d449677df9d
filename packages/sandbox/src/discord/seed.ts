/** Seeding guilds and members into the store (ids generated unless given). */
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, parsePermissions } from './permissions.ts';
import { Intent } from './serialize.ts';
import { snowflake } from './snowflake.ts';
import type {
  ChannelKind,
  ChannelRec,
  GuildRec,
  GuildSeed,
  GuildSpec,
  MemberSpec,
  StoreView,
  UserRec,
} from './types.ts';
import { ChannelType } from './types.ts';

const KIND_TO_TYPE: Record<ChannelKind, number> = {
  text: ChannelType.GuildText,
  voice: ChannelType.GuildVoice,
  category: ChannelType.GuildCategory,
};

export function seedGuild(store: StoreView, spec: GuildSpec): GuildSeed {
  const guildId = spec.id ?? snowflake();
  if (store.guilds.has(guildId)) throw new Error(`guild ${guildId} already exists`);
  const everyoneSpec = spec.roles?.find((r) => r.name === '@everyone');
  const g: GuildRec = {
    id: guildId,
    name: spec.name ?? 'Sandbox Guild',
    ownerId: '',
    createdAt: new Date().toISOString(),
    roles: new Map(),
    channelIds: new Set(),
    members: new Map(),
    voice: new Map(),
    commands: null,
  };
  g.roles.set(guildId, {
    id: guildId,
    name: '@everyone',
    permissions: parsePermissions(everyoneSpec?.permissions, DEFAULT_EVERYONE_PERMISSIONS),
    position: 0,
    managed: false,
    botId: null,
  });
  const seed: GuildSeed = {
    guildId,
    everyoneRoleId: guildId,
    botRoleId: '',
    roles: {},
    channels: {},
    members: {},
  };
  for (const r of spec.roles ?? []) {
    if (r.name === '@everyone') continue;
    const id = r.id ?? snowflake();
    g.roles.set(id, {
      id,
      name: r.name,
      permissions: parsePermissions(r.permissions),
      position: g.roles.size,
      managed: false,
      botId: null,
      ...(r.color !== undefined ? { color: r.color } : {}),
    });
    seed.roles[r.name] = id;
  }
  const botRoleId = snowflake();
  g.roles.set(botRoleId, {
    id: botRoleId,
    name: store.bot.username,
    permissions: parsePermissions(spec.botPermissions, DEFAULT_BOT_PERMISSIONS),
    position: g.roles.size,
    managed: true,
    botId: store.bot.id,
  });
  seed.botRoleId = botRoleId;
  g.members.set(store.bot.id, {
    userId: store.bot.id,
    roles: [botRoleId],
    nick: null,
    joinedAt: g.createdAt,
  });
  for (const m of spec.members ?? []) {
    const id = addMemberRecord(store, g, m);
    seed.members[m.username] = id;
  }
  g.ownerId = spec.ownerId ?? Object.values(seed.members)[0] ?? snowflake();

  const channelSpecs = (spec.channels ?? []).map((c) => ({ ...c, id: c.id ?? snowflake() }));
  const byName = new Map(channelSpecs.map((c) => [c.name, c.id]));
  const ids = new Set(channelSpecs.map((c) => c.id));
  for (const c of channelSpecs) {
    const parentRef = c.parentId ?? c.parent;
    let parentId: string | null = null;
    if (parentRef !== undefined) {
      parentId = ids.has(parentRef) ? parentRef : (byName.get(parentRef) ?? null);
      if (parentId === null) throw new Error(`seedGuild: unknown parent ${parentRef} for channel ${c.name}`);
    }
    const rec: ChannelRec = {
      id: c.id,
      guildId,
      type: KIND_TO_TYPE[c.type],
      name: c.name,
      parentId,
      position: g.channelIds.size,
      overwrites: (c.overwrites ?? []).map((o) => ({
        ...overwriteTarget(store, g, seed, o.to),
        allow: parsePermissions(o.allow),
        deny: parsePermissions(o.deny),
      })),
      createdBy: 'seed',
      userLimit: 0,
      bitrate: 64000,
      topic: null,
      recipientId: null,
    };
    store.channels.set(rec.id, rec);
    g.channelIds.add(rec.id);
    seed.channels[c.name] = rec.id;
  }
  store.guilds.set(guildId, g);
  store.emit('GUILD_CREATE', guildId, null, Intent.Guilds);
  return seed;
}

function overwriteTarget(
  store: StoreView,
  g: GuildRec,
  seed: GuildSeed,
  to: string,
): { id: string; type: 0 | 1 } {
  if (to === '@everyone') return { id: g.id, type: 0 };
  if (to === '@bot') return { id: store.bot.id, type: 1 };
  const roleId = (seed.roles as Record<string, string>)[to] ?? (g.roles.has(to) ? to : undefined);
  if (roleId) return { id: roleId, type: 0 };
  const memberId = (seed.members as Record<string, string>)[to];
  if (memberId) return { id: memberId, type: 1 };
  if (/^\d{17,20}$/.test(to)) return { id: to, type: 1 };
  throw new Error(`seedGuild: unknown overwrite target ${to}`);
}

export function addMemberRecord(store: StoreView, g: GuildRec, m: MemberSpec): string {
  const id = m.id ?? snowflake();
  const existing = store.users.get(id);
  const user: UserRec = existing ?? {
    id,
    username: m.username,
    globalName: m.globalName ?? null,
    bot: false,
    dmsClosed: false,
  };
  if (!existing) store.users.set(id, user);
  if (m.dmsClosed !== undefined) user.dmsClosed = m.dmsClosed;
  const roles: string[] = [];
  for (const ref of m.roles ?? []) {
    const role = g.roles.get(ref) ?? [...g.roles.values()].find((r) => r.name === ref);
    if (!role) throw new Error(`unknown role ${ref} for member ${m.username}`);
    roles.push(role.id);
  }
  if (m.permissions !== undefined) {
    const roleId = snowflake();
    g.roles.set(roleId, {
      id: roleId,
      name: `${m.username}-permissions`,
      permissions: parsePermissions(m.permissions),
      position: g.roles.size,
      managed: false,
      botId: null,
    });
    roles.push(roleId);
  }
  g.members.set(id, { userId: id, roles, nick: m.nick ?? null, joinedAt: new Date().toISOString() });
  return id;
}
