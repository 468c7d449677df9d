import { UnrecoverableError } from 'bullmq';
import type { Guild } from 'discord.js';
import type { GuildReadSharing, WorkerDeps } from '../deps.ts';
import { guild } from '../discord/guild.ts';

/**
 * What the match jobs, the sweep and the late-join listener use of the worker: its deps, read flat
 * (`ctx.matches` is the match lifecycle store, `ctx.guilds` the guild settings store).
 */
export type MatchContext = Pick<
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
  | 'guilds'
  | 'liveChanged'
  | 'redis'
>;

/** A guild the bot is in, or null when the bot is not (any more) in it: the one door, discord/guild.ts. */
export async function guildById(
  deps: Pick<WorkerDeps, 'client' | 'guildView'>,
  id: string,
  sharing?: GuildReadSharing,
): Promise<Guild | null> {
  return guild(deps, id, sharing);
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
