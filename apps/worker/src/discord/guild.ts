import type { Guild } from 'discord.js';
import type { GuildReadSharing, WorkerDeps } from '../deps.ts';

/** What the door to guilds reads: the shared guild view (the client's cache only in hand-built test deps). */
export type GuildDoorDeps = Pick<WorkerDeps, 'client' | 'guildView'>;

/**
 * The one way a feature (matches, cards, level roles, the sweep) gets a guild the bot is in; null when the
 * bot is not (any more) in it, and a throw when Discord did not answer (the caller retries). The client has
 * no gateway cache, so the shared view answers (REST + the Redis voice mirror), whichever copy holds the
 * guild's shard. `sharing`: which earlier read of the guild will do (discord/cacheless.ts).
 */
export async function guild(
  deps: GuildDoorDeps,
  id: string,
  sharing: GuildReadSharing = 'recent',
): Promise<Guild | null> {
  if (deps.guildView) return deps.guildView(id, sharing);
  return deps.client.guilds.cache.get(id) ?? (await deps.client.guilds.fetch(id).catch(() => null));
}
