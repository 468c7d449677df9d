import {
  type DataApiMatch,
  type Follow,
  type GuildLink,
  type GuildSettings,
  guildsForMatch,
  type LinkRows,
  linksInGuild,
  needsMembership,
  routingOf,
} from '@bridge/core';
import type { Guild } from 'discord.js';
import { membersAmong } from '../access/members.ts';
import { servesGuild } from '../access/served-guilds.ts';
import { guildById, type MatchContext } from './match-context.ts';

/** Where a match goes: the guilds that take it, with their settings, and the ones routing could not decide. */
export interface Routed {
  /** `links`: who is who in that guild (its own policy and server links applied). */
  take: { guild: Guild; settings: GuildSettings; links: GuildLink[] }[];
  /** Guilds following `members` whose membership Discord did not answer: the routing job retries them. */
  undecided: { guildId: string; err: string }[];
}

/**
 * Decides which guilds take the match (guildsForMatch over the candidate guilds' follows). The
 * membership of the match's linked players (as each guild counts links) is asked of Discord only for guilds
 * that follow `members` and have none of them cached, once per such guild, all at once. Guilds the bot is
 * not in, or does not serve (BRIDGE_GUILDS), are skipped.
 */
export async function routeMatch(
  ctx: MatchContext,
  match: DataApiMatch,
  candidates: readonly { settings: GuildSettings; follows: Follow[] }[],
  rows: LinkRows,
): Promise<Routed> {
  const routing = routingOf(match);
  const undecided: Routed['undecided'] = [];
  const decided = await Promise.all(
    candidates.map(async ({ settings, follows }) => {
      if (!servesGuild(ctx.config, settings.guild_id)) return null;
      const guild = await guildById(ctx, settings.guild_id);
      if (!guild) return null;
      const links = linksInGuild({ guildId: guild.id, policy: settings.link_policy, ...rows });
      let member = false;
      if (needsMembership(follows) && guildsForMatch(routing, follows, new Set()).length === 0) {
        try {
          member = await hasMember(
            guild,
            links.map((l) => l.discordId),
          );
        } catch (err) {
          undecided.push({ guildId: guild.id, err: (err as Error).message });
          return null;
        }
      }
      const takes = guildsForMatch(routing, follows, member ? new Set([guild.id]) : new Set()).length > 0;
      return takes ? { guild, settings, links } : null;
    }),
  );
  return { take: decided.filter((d) => d !== null), undecided };
}

/** Whether at least one of these users is a member of the guild. */
async function hasMember(guild: Guild, userIds: readonly string[]): Promise<boolean> {
  if (userIds.length === 0) return false;
  return (await membersAmong(guild, userIds)).size > 0;
}
