import { ChannelType, type Guild, PermissionFlagsBits, type PermissionResolvable } from 'discord.js';

/** What the bot needs where, and why (the names Discord's UI shows). */
const CATEGORY_NEEDS: [PermissionResolvable, string][] = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.ManageChannels, 'Manage Channels'],
  [PermissionFlagsBits.ManageRoles, 'Manage Permissions'],
  [PermissionFlagsBits.Connect, 'Connect'],
  [PermissionFlagsBits.MoveMembers, 'Move Members'],
];
const LOBBY_NEEDS: [PermissionResolvable, string][] = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.Connect, 'Connect'],
  [PermissionFlagsBits.MoveMembers, 'Move Members'],
];

/** One line per place: ✅ when the bot has what it needs there, else what to grant, and where. */
export async function permissionReport(
  guild: Guild,
  categoryId: string | null,
  lobbyId: string | null,
): Promise<string[]> {
  const me = await guild.members.fetchMe();
  const check = async (
    label: string,
    id: string | null,
    type: ChannelType,
    needs: [PermissionResolvable, string][],
  ): Promise<string> => {
    if (!id) {
      return label === 'category'
        ? 'category: not set: match channels are created outside any category (/setup channels category:)'
        : 'lobby: not set: players stay where they are when a match ends (/setup channels lobby:)';
    }
    const channel = await guild.channels.fetch(id).catch(() => null);
    if (!channel || channel.type !== type) {
      return `${label}: <#${id}> is gone or changed type: run /setup channels ${label}: again`;
    }
    const perms = channel.permissionsFor(me);
    const missing = needs.filter(([flag]) => !perms.has(flag)).map(([, name]) => name);
    return missing.length === 0
      ? `${label}: ✅ the bot has what it needs in <#${id}>`
      : `${label}: ❌ give the bot role ${missing.join(', ')} in <#${id}>`;
  };
  return [
    await check('category', categoryId, ChannelType.GuildCategory, CATEGORY_NEEDS),
    await check('lobby', lobbyId, ChannelType.GuildVoice, LOBBY_NEEDS),
  ];
}
