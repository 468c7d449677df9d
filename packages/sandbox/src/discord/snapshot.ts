/** state(): a plain JSON view of one guild for tests and the control API. */
import type { ChannelKind, StateSnapshot, StoreView } from './types.ts';
import { ChannelType } from './types.ts';

const TYPE_TO_KIND: Record<number, ChannelKind> = {
  [ChannelType.GuildText]: 'text',
  [ChannelType.GuildVoice]: 'voice',
  [ChannelType.GuildCategory]: 'category',
};

export function snapshot(store: StoreView, guildId: string): StateSnapshot {
  const g = store.guild(guildId);
  const channels = [...g.channelIds].flatMap((id) => {
    const c = store.channels.get(id);
    return c
      ? [
          {
            id: c.id,
            name: c.name,
            type: TYPE_TO_KIND[c.type] ?? c.type,
            parentId: c.parentId,
            position: c.position,
            permissionOverwrites: c.overwrites.map((o) => ({
              id: o.id,
              type: o.type,
              allow: o.allow.toString(),
              deny: o.deny.toString(),
            })),
            createdBy: c.createdBy,
            ...(c.voiceStatus ? { status: c.voiceStatus } : {}),
          },
        ]
      : [];
  });
  return {
    guild: { id: g.id, name: g.name, ownerId: g.ownerId },
    channels,
    voiceStates: Object.fromEntries([...g.voice].map(([userId, v]) => [userId, v.channelId])),
    members: [...g.members.values()].map((m) => ({
      id: m.userId,
      username: store.users.get(m.userId)?.username ?? '',
      nick: m.nick,
      roles: [...m.roles],
    })),
    roles: [...g.roles.values()].map((r) => ({
      id: r.id,
      name: r.name,
      permissions: r.permissions.toString(),
      position: r.position,
      managed: r.managed,
    })),
    commands: g.commands?.map((c) => ({ id: c.id, name: c.name, type: c.type })) ?? null,
  };
}
