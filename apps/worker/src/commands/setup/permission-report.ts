import { type BridgeFeature, missingAt, type PermissionPlace } from '@bridge/core';
import { ChannelType, type Guild } from 'discord.js';

/** What each optional feature loses without its permissions (the table is core's BOT_PERMISSIONS). */
const LOST: [BridgeFeature, string][] = [
  [
    'voice activity',
    'players whose roles do not give Use Voice Activity must use push-to-talk in team channels',
  ],
  ['voice status', 'team channels get no status line with the map and stage (match cards)'],
];

/**
 * One line per place (the server's roles, the category, the lobby): ✅ when the bot has what it needs there,
 * else what to grant, and where; then a ⚠️ line per optional feature it cannot serve.
 */
export async function permissionReport(
  guild: Guild,
  categoryId: string | null,
  lobbyId: string | null,
): Promise<string[]> {
  const me = await guild.members.fetchMe();
  const server = me.permissions.bitfield;
  const warnings: string[] = [];
  const warned = new Set<BridgeFeature>();
  const warn = (have: bigint, at: PermissionPlace, where: string) => {
    for (const [feature, lost] of LOST) {
      const missing = missingAt(have, at, [feature]);
      if (missing.length === 0 || warned.has(feature)) continue;
      warned.add(feature);
      warnings.push(`${feature}: ⚠️ ${lost}: give the bot role ${missing.join(', ')} ${where}`);
    }
  };
  // Discord lets the bot grant in a new channel's overwrites only what it holds in the server.
  const serverMissing = [
    ...new Set([...missingAt(server, 'server'), ...(categoryId ? [] : missingAt(server, 'category'))]),
  ];
  const serverLine =
    serverMissing.length === 0
      ? 'server: ✅ the bot role has what it needs'
      : `server: ❌ give the bot role ${serverMissing.join(', ')} in Server Settings → Roles`;
  warn(server, 'server', 'in Server Settings → Roles');
  const place = async (label: 'category' | 'lobby', id: string | null, type: ChannelType) => {
    if (!id) {
      if (label === 'category') warn(server, 'category', 'in Server Settings → Roles');
      return label === 'category'
        ? 'category: not set: match channels are created outside any category (/setup channels category:)'
        : 'lobby: not set: players are disconnected when a match ends and its channels go (/setup channels lobby:)';
    }
    const channel = await guild.channels.fetch(id).catch(() => null);
    if (!channel || channel.type !== type) {
      return `${label}: <#${id}> is gone or changed type: run /setup channels ${label}: again`;
    }
    const have = channel.permissionsFor(me).bitfield;
    if (label === 'category') warn(have, 'category', `in <#${id}>`);
    const missing = missingAt(have, label);
    return missing.length === 0
      ? `${label}: ✅ the bot has what it needs in <#${id}>`
      : `${label}: ❌ give the bot role ${missing.join(', ')} in <#${id}>`;
  };
  const category = await place('category', categoryId, ChannelType.GuildCategory);
  const lobby = await place('lobby', lobbyId, ChannelType.GuildVoice);
  return [serverLine, category, lobby, ...warnings];
}
