import { randomUUID } from 'node:crypto';
import {
  type ChannelBegun,
  type DataApiMatch,
  type Faction,
  faceitIdsOf,
  factionsInPlay,
  routingOf,
} from '@bridge/core';
import type { Job } from 'bullmq';
import { LEASE } from '../lib/leases.ts';
import { channelLeaseKey } from './converge-channel.ts';
import type { MatchContext } from './match-context.ts';

/**
 * The first faction's channel lease in the home guild (DISCORD_GUILD_ID), asked for before routing has
 * decided that this guild builds the match, in the same round trip as the player links and the candidate
 * guilds (match_route_reads): one round trip off the path to the first channel. The home guild takes almost
 * every match it sees; when routing decides otherwise the lease is given back (dropAhead).
 */
export interface LeaseAhead {
  guildId: string;
  faction: Faction;
  /** The run's holder: the build that takes this lease over holds everything else under it too. */
  holder: string;
  begun: Promise<ChannelBegun | null>;
  /** Set once a convergeChannel took `begun` over (it then releases the lease itself). */
  used: boolean;
}

/** Who holds one run's leases and move claims: the run of the job, not the job id (see buildInGuild). */
export const runHolder = (job: Job) => `${job.id}:${randomUUID().slice(0, 8)}`;

/** The player links, the candidate guilds and (with a home guild) the lease ahead, in one round trip. */
export function routeReadsAhead(ctx: MatchContext, match: DataApiMatch, job: Job) {
  const matchId = match.match_id;
  const guildId = ctx.deps.config.DISCORD_GUILD_ID;
  const faction = factionsInPlay(match)[0];
  const holder = runHolder(job);
  const lease =
    guildId && faction
      ? {
          matchId,
          guildId,
          faction,
          key: channelLeaseKey(matchId, guildId, faction),
          holder,
          ttlSeconds: LEASE.ttlSeconds,
        }
      : undefined;
  const reads = ctx.store.routeReads(faceitIdsOf(match), routingOf(match), lease);
  reads.catch(() => {}); // awaited by the routing, or seen through `begun` by dropAhead
  const ahead: LeaseAhead | undefined = lease && {
    guildId: lease.guildId,
    faction: lease.faction,
    holder,
    begun: reads.then((r) => r.begun ?? null),
    used: false,
  };
  ahead?.begun.catch(() => {});
  return { reads, ahead };
}

/**
 * A lease taken ahead that no build took over goes back, with the intent marker it set (else the next
 * build there would think an earlier attempt may have left a channel, and list the guild's channels).
 */
export async function dropAhead(ctx: MatchContext, matchId: string, ahead: LeaseAhead | undefined) {
  if (!ahead || ahead.used) return;
  ahead.used = true;
  const taken = await ahead.begun.catch(() => null);
  if (!taken) return;
  const key = channelLeaseKey(matchId, ahead.guildId, ahead.faction);
  // The marker first: once the lease is free another build may take it and set a marker of its own.
  await ctx.store.releaseLease(`${key}:intent`, ahead.holder).catch(() => {});
  await ctx.store.releaseLease(key, ahead.holder).catch(() => {});
}
