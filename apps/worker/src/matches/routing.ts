import { type DataApiMatch, type Follow, guildsForMatch, needsMembership, routingOf } from '@bridge/core';
import type { Guild } from 'discord.js';
import { discordOp } from '../discord/errors.ts';

/**
 * Whether this guild's follows take the match (guildsForMatch). Membership of the match's linked
 * players is asked of Discord only when the guild follows `members`.
 */
export async function guildTakesMatch(
  guild: Guild,
  match: DataApiMatch,
  follows: readonly Follow[],
  linkedDiscordIds: readonly string[],
): Promise<boolean> {
  const own = follows.filter((f) => f.guildId === guild.id);
  const members = new Set<string>();
  if (needsMembership(own) && linkedDiscordIds.length > 0) {
    const found = await discordOp(`read members of guild ${guild.id}`, () =>
      guild.members.fetch({ user: [...linkedDiscordIds] }),
    );
    if (found.size > 0) members.add(guild.id);
  }
  return guildsForMatch(routingOf(match), own, members).includes(guild.id);
}
