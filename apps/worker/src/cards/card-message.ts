import { type CardMessage, cardMarker } from '@bridge/core';
import { ChannelType, type Client, type Guild, type GuildTextBasedChannel } from 'discord.js';
import { discordCode } from '../discord/errors.ts';

/** How far back a retry looks for a card it may have posted before a crash lost the id. */
const FIND_LIMIT = 50;

/** The guild's card channel as a text channel, or null when it is gone or of another type. */
export async function cardChannel(guild: Guild, channelId: string): Promise<GuildTextBasedChannel | null> {
  const channel =
    guild.channels.cache.get(channelId) ?? (await guild.channels.fetch(channelId).catch(() => null));
  return channel && (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)
    ? channel
    : null;
}

/**
 * The bot's card for this match among the channel's latest messages (by the marker in its footer):
 * a post whose id was never stored (the worker died between posting and storing).
 */
export async function findCard(
  client: Client<true>,
  channel: GuildTextBasedChannel,
  matchId: string,
): Promise<string | null> {
  const marker = cardMarker(matchId);
  const recent = await channel.messages.fetch({ limit: FIND_LIMIT, cache: false });
  const found = recent.find(
    (m) => m.author.id === client.user.id && m.embeds.some((e) => e.footer?.text?.includes(marker)),
  );
  return found?.id ?? null;
}

/**
 * Edits the card in place; a card deleted meanwhile (10008, e.g. by a moderator) is posted again.
 * Answers the message id the card lives at.
 */
export async function editOrPost(
  channel: GuildTextBasedChannel,
  messageId: string | null,
  message: CardMessage,
): Promise<string> {
  const body = { embeds: message.embeds, components: message.components, allowedMentions: { parse: [] } };
  if (messageId) {
    try {
      await channel.messages.edit(messageId, body);
      return messageId;
    } catch (err) {
      if (discordCode(err) !== 10008) throw err;
    }
  }
  return (await channel.send(body)).id;
}
