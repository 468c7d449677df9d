import type { GuildStore, MatchStore } from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { Guild } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { guild } from '../discord/guild.ts';
import type { LeaseDeps } from '../lib/leases.ts';

/** What the match jobs, the sweep and the late-join listener use of the worker. */
export type MatchDeps = Pick<
  WorkerDeps,
  | 'config'
  | 'log'
  | 'client'
  | 'faceit'
  | 'links'
  | 'cards'
  | 'levels'
  | 'guildView'
  | 'queues'
  | 'metrics'
  | 'matches'
  | 'liveChanged'
  | 'redis'
>;

/** What the match jobs share: those deps plus the lifecycle and guild stores. */
export interface MatchContext {
  deps: MatchDeps;
  store: MatchStore;
  guilds: GuildStore;
}

/** What the lease helpers use of a match context. */
export const leasesOf = (ctx: MatchContext): LeaseDeps => ({ matches: ctx.store, log: ctx.deps.log });

/** A guild the bot is in, or null when the bot is not (any more) in it: the one door, discord/guild.ts. */
export async function guildById(
  deps: Pick<WorkerDeps, 'client' | 'guildView'>,
  id: string,
): Promise<Guild | null> {
  return guild(deps, id);
}

/** guildById for a job that must build or clean up there: not being in the guild is final. */
export async function guildOf(
  deps: Pick<WorkerDeps, 'config' | 'client' | 'guildView'>,
  id: string,
): Promise<Guild> {
  const guild = await guildById(deps, id);
  if (!guild) {
    const hint =
      id === deps.config.DISCORD_GUILD_ID ? 'invite it, or fix DISCORD_GUILD_ID' : 'invite it again';
    throw new UnrecoverableError(`the bot is not in guild ${id}: ${hint}`);
  }
  return guild;
}
