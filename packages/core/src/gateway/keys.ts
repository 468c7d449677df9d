import type { RedisClient } from '../redis/connection.ts';
import { keyGroup } from '../redis/keys.ts';

/**
 * The gateway coordination's keys, named through redis/keys.ts like every other key. The shard leases, the
 * copy list, the session infos and the identify slots are one group (the lease scripts touch several at
 * once, so on a cluster they share a slot); each guild's voice states are a group of their own (single-key
 * commands only, spread over the masters).
 */
export function gatewayKeys(redis: RedisClient, prefix: string) {
  const group = keyGroup(redis, prefix, 'gateway');
  return {
    /** sorted set: copy id → heartbeat expiry (ms, Redis clock) */
    copies: `${group}:copies`,
    /** string: the copy holding the shard, with the lease's expiry as TTL */
    lease: (shard: number) => `${group}:lease:${shard}`,
    /** string: the shard's session info (JSON) for RESUME, whichever copy holds it next */
    session: (shard: number) => `${group}:session:${shard}`,
    /** string with TTL: set while an IDENTIFY of this max_concurrency bucket is within its 5 s */
    identifySlot: (bucket: number) => `${group}:identify:${bucket}`,
    /** string: the hash of the global slash commands Discord holds (registered once per definition) */
    commands: `${group}:commands`,
    /** string with TTL: the copy registering the global commands now */
    commandsLock: `${group}:commands-lock`,
    /** string: set once a shard's guilds had their old per-guild commands removed (for that shard count) */
    guildCommandsCleared: (shard: number, shardCount: number) =>
      `${group}:guild-commands-cleared:${shardCount}:${shard}`,
    /** string with TTL: the copy clearing a shard's old per-guild commands now */
    guildCommandsLock: (shard: number, shardCount: number) =>
      `${group}:guild-commands-lock:${shardCount}:${shard}`,
    /** hash: user id → voice channel id, written by the owner of the guild's shard */
    voice: (guildId: string) => keyGroup(redis, prefix, `voice:${guildId}`),
  };
}

export type GatewayKeys = ReturnType<typeof gatewayKeys>;
