import { randomUUID } from 'node:crypto';
import type { Faction } from '@bridge/core';
import type { Job } from 'bullmq';
import { beginChannel, channelLeaseKey } from './converge-channel.ts';
import type { MatchContext } from './match-context.ts';

/**
 * The first faction's channel lease in one guild, asked for before routing has decided that this guild
 * builds the match, so its round trip overlaps the player-link and routing reads (one round trip off the
 * path to the first channel). Used when the deployment has a home guild (DISCORD_GUILD_ID), which takes
 * almost every match it sees; given back (dropAhead) when routing decides otherwise.
 */
export interface LeaseAhead {
  guildId: string;
  faction: Faction;
  /** The run's holder: the build that takes this lease over holds everything else under it too. */
  holder: string;
  begun: ReturnType<typeof beginChannel>;
  /** Set once a convergeChannel took `begun` over (it then releases the lease itself). */
  used: boolean;
}

/** Who holds one run's leases and move claims: the run of the job, not the job id (see buildInGuild). */
export const runHolder = (job: Job) => `${job.id}:${randomUUID().slice(0, 8)}`;

export function leaseAhead(
  ctx: MatchContext,
  matchId: string,
  guildId: string | undefined,
  faction: Faction | undefined,
  job: Job,
): LeaseAhead | undefined {
  if (!guildId || !faction) return undefined;
  const holder = runHolder(job);
  const begun = beginChannel(ctx, matchId, guildId, faction, holder);
  begun.catch(() => {}); // seen by the convergeChannel that takes it over, or by dropAhead
  return { guildId, faction, holder, begun, used: false };
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
