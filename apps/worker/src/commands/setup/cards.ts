import { ChannelType, PermissionFlagsBits, type PermissionResolvable } from 'discord.js';
import type { SetupHandler } from './types.ts';

/** What the bot needs in the card channel: post, embed, and find its card again after a crash. */
const CARD_NEEDS: [PermissionResolvable, string][] = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];

/** /setup cards channel: | off: — a text channel the bot can post embeds in, checked before it is stored. */
export const setupCards: SetupHandler = async (interaction, guild, deps) => {
  const channelOpt = interaction.options.getChannel('channel');
  const off = interaction.options.getBoolean('off') === true;
  if (channelOpt && off) return 'Give a channel or off:True, not both. Nothing was changed.';
  const { cards } = deps;
  if (off) {
    await cards.setChannel(guild.id, null);
    deps.log.info({ guildId: guild.id }, 'setup cards off');
    return 'Match cards are off. Cards already posted stay as they are.';
  }
  if (!channelOpt) return 'Give a text channel for match cards, or off:True. Nothing was changed.';
  // Read from the guild itself: it must be this server's text channel.
  const channel = await guild.channels.fetch(channelOpt.id).catch(() => null);
  if (
    !channel ||
    (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement)
  ) {
    return `<#${channelOpt.id}> is not a text channel of this server: pick a text channel. Nothing was changed.`;
  }
  const perms = channel.permissionsFor(await guild.members.fetchMe());
  const missing = CARD_NEEDS.filter(([flag]) => !perms.has(flag)).map(([, name]) => name);
  if (missing.length > 0) {
    return `The bot cannot post cards in <#${channel.id}>: give the bot role ${missing.join(', ')} there. Nothing was changed.`;
  }
  await cards.setChannel(guild.id, channel.id);
  deps.log.info({ guildId: guild.id, channelId: channel.id }, 'setup cards');
  return [
    `Match cards go to <#${channel.id}>: one message per match, edited as it goes.`,
    'For the map and state under the team channels’ names, give the bot role Set Voice Channel Status on the match category.',
  ].join('\n');
};
