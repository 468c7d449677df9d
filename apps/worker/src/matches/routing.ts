import { type DataApiMatch, type Follow, guildsForMatch, needsMembership, routingOf } from '@bridge/core';
import type { Guild } from 'discord.js';
import { discordOp } from '../discord/errors.ts';

/**
 * Whether this guild's follows take the match (guildsForMatch). The match's linked players are awaited,
 * and their membership asked of Discord, only when the guild follows `members`: otherwise routing is
 * decided while the links are still being read.
 */
export async function guildTakesMatch(
  guild: Guild,
  match: DataApiMatch,
  follows: readonly Follow[],
  linked: () => Promise<readonly string[]>,
): Promise<boolean> {
  const own = follows.filter((f) => f.guildId === guild.id);
  const members = new Set<string>();
  const linkedDiscordIds = needsMembership(own) ? await linked() : [];
  if (linkedDiscordIds.length > 0) {
    const found = await discordOp(`read members of guild ${guild.id}`, () =>
      guild.members.fetch({ user: [...linkedDiscordIds] }),
    );
    if (found.size > 0) members.add(guild.id);
  }
  return guildsForMatch(routingOf(match), own, members).includes(guild.id);
}
