import { type DataApiMatch, faceitIdsOf, factionsInPlay, routingOf } from '@bridge/core';
import type { Job } from 'bullmq';
import { LEASE } from '../lib/leases.ts';
import { Prefetched } from '../lib/prefetched.ts';
import { channelLeaseKey, type LeasesAhead, runHolder } from './guild-build.ts';
import type { MatchContext } from './match-context.ts';

/**
 * The routing reads of one run of matchCreated, asked for with the home guild's (DISCORD_GUILD_ID) first
 * channel lease before routing has decided that this guild builds the match (match_route_reads): one round
 * trip off the path to the first channel. The home guild takes almost every match it sees. The run owns
 * what no build took over, and gives it back with dropAhead.
 */
export interface RouteAhead {
  reads: ReturnType<MatchContext['matches']['routeReads']>;
  /** The run's holder: a build that takes a lease over holds everything else under it too. */
  holder: string;
  leases: LeasesAhead;
}

/** The player links, the candidate guilds and (with a home guild) its first channel lease, in one round trip. */
export function routeReadsAhead(ctx: MatchContext, match: DataApiMatch, job: Job): RouteAhead {
  const matchId = match.match_id;
  const guildId = ctx.config.DISCORD_GUILD_ID;
  const faction = factionsInPlay(match)[0];
  const holder = runHolder(job);
  const key = guildId && faction ? channelLeaseKey(matchId, guildId, faction) : undefined;
  const lease =
    guildId && faction && key
      ? { matchId, guildId, faction, key, holder, ttlSeconds: LEASE.ttlSeconds }
      : undefined;
  const reads = ctx.matches.routeReads(faceitIdsOf(match), routingOf(match), lease);
  reads.catch(() => {}); // awaited by the routing, or seen through the lease by dropAhead
  const leases: LeasesAhead = new Prefetched();
  if (key) {
    const begun = reads.then((r) => r.begun ?? null);
    begun.catch(() => {});
    leases.put(key, begun);
  }
  return { reads, holder, leases };
}

/**
 * The leases taken ahead that no build took over go back, each with the intent marker it set (else the next
 * build there would think an earlier attempt may have left a channel, and list the guild's channels).
 */
export async function dropAhead(ctx: MatchContext, ahead: RouteAhead): Promise<void> {
  for (const [key, begun] of ahead.leases.takeRest()) {
    const taken = await begun.catch(() => null);
    if (!taken) continue;
    // The marker first: once the lease is free another build may take it and set a marker of its own.
    await ctx.matches.releaseLease(`${key}:intent`, ahead.holder).catch(() => {});
    await ctx.matches.releaseLease(key, ahead.holder).catch(() => {});
  }
}
