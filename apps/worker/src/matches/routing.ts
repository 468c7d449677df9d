import {
  type DataApiMatch,
  type Follow,
  type GuildSettings,
  guildsForMatch,
  needsMembership,
  routingOf,
} from '@bridge/core';
import type { Guild } from 'discord.js';
import { discordOp } from '../discord/errors.ts';
import { guildById, type MatchContext } from './match-context.ts';

/** Where a match goes: the guilds that take it, with their settings, and the ones routing could not decide. */
export interface Routed {
  take: { guild: Guild; settings: GuildSettings }[];
  /** Guilds following `members` whose membership Discord did not answer: the routing job retries them. */
  undecided: { guildId: string; err: string }[];
}

/**
 * Decides which guilds take the match (guildsForMatch over the candidate guilds' follows). The
 * membership of the match's linked players is asked of Discord only for guilds that follow `members`
 * and have none of them cached, once per such guild, all at once. Guilds the bot is not in are skipped.
 */
export async function routeMatch(
  ctx: MatchContext,
  match: DataApiMatch,
  candidates: readonly { settings: GuildSettings; follows: Follow[] }[],
  linkedDiscordIds: readonly string[],
): Promise<Routed> {
  const routing = routingOf(match);
  const undecided: Routed['undecided'] = [];
  const decided = await Promise.all(
    candidates.map(async ({ settings, follows }) => {
      const guild = await guildById(ctx.deps, settings.guild_id);
      if (!guild) return null;
      let member = false;
      if (needsMembership(follows) && guildsForMatch(routing, follows, new Set()).length === 0) {
        try {
          member = await hasMember(guild, linkedDiscordIds);
        } catch (err) {
          undecided.push({ guildId: guild.id, err: (err as Error).message });
          return null;
        }
      }
      const takes = guildsForMatch(routing, follows, member ? new Set([guild.id]) : new Set()).length > 0;
      return takes ? { guild, settings } : null;
    }),
  );
  return { take: decided.filter((d) => d !== null), undecided };
}

/** Whether at least one of these users is a member of the guild (the cache first, then Discord). */
async function hasMember(guild: Guild, userIds: readonly string[]): Promise<boolean> {
  if (userIds.length === 0) return false;
  if (userIds.some((id) => guild.members.cache.has(id))) return true;
  const found = await discordOp(`read members of guild ${guild.id}`, () =>
    guild.members.fetch({ user: [...userIds] }),
  );
  return found.size > 0;
}
