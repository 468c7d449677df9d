import type { Guild } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';

/** What the door to guilds reads: the client, and the shared guild view when the gateway is sharded. */
export type GuildDoorDeps = Pick<WorkerDeps, 'client' | 'guildView'>;

/**
 * The one way a feature (matches, cards, level roles, the sweep) gets a guild the bot is in; null when the
 * bot is not (any more) in it. With shard leases a copy's client caches only what it fetched, so the shared
 * view answers (REST + the Redis voice mirror), whichever copy holds the guild's shard.
 */
export async function guild(deps: GuildDoorDeps, id: string): Promise<Guild | null> {
  if (deps.guildView) return (await deps.guildView(id).catch(() => null)) ?? null;
  return deps.client.guilds.cache.get(id) ?? (await deps.client.guilds.fetch(id).catch(() => null));
}
