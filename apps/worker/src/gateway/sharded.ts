import { VoiceStates } from '@bridge/core';
import { GatewayIntentBits, type Guild } from 'discord.js';
import type { GuildReadSharing, WorkerDeps } from '../deps.ts';
import { restGuild } from '../discord/cacheless.ts';
import { dispatchTo, type GatewayListeners } from './dispatch.ts';
import { resolveShardCount } from './shard-count.ts';
import { ShardOwner } from './shard-owner.ts';

export type { ShardOwner };

/**
 * The worker's gateway: a ShardOwner holding this copy's share of the shards,
 * their events handled here once, and the guild view jobs use on any copy (REST + the Redis voice mirror).
 */
export interface ShardedGateway {
  owner: ShardOwner;
  shardCount: number;
  guildView: (guildId: string, sharing?: GuildReadSharing) => Promise<Guild | null>;
  /** set by the features before `owner.start()`: no event flows before */
  listeners: GatewayListeners;
}

export async function shardedGateway(deps: WorkerDeps): Promise<ShardedGateway> {
  const { config, client, redis, log, metrics } = deps;
  const voice = new VoiceStates(redis, config.QUEUE_PREFIX);
  const guildView = async (guildId: string, sharing?: GuildReadSharing) =>
    restGuild(
      client,
      guildId,
      await voice.all(guildId),
      (userId, channelId) => voice.set(guildId, userId, channelId),
      sharing,
    );
  const shardCount = await resolveShardCount(client.rest, config.DISCORD_SHARD_COUNT);
  const listeners: GatewayListeners = {};
  const owner = new ShardOwner({
    redis,
    prefix: config.QUEUE_PREFIX,
    token: config.DISCORD_TOKEN,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates,
    rest: client.rest,
    shardCount,
    leaseMs: config.DISCORD_SHARD_LEASE_MS,
    identifyFloor: config.DISCORD_IDENTIFY_FLOOR,
    log: log.child({ component: 'gateway' }),
    metrics,
    onDispatch: dispatchTo({ client, voice, log, listeners }),
  });
  return { owner, shardCount, guildView, listeners };
}
