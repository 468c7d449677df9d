import type { RedisClient } from '../redis/connection.ts';
import { type GatewayKeys, gatewayKeys } from './keys.ts';

// Sets (or with an empty value deletes) one user's channel and answers the previous one, in one step.
const SWAP = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return old
`;

/**
 * Who is in which voice channel, per guild, as the owner of the guild's shard sees it. Any copy's job reads it
 * (to move players, to find who sits in a team channel) without holding that shard. One hash per guild: a
 * job reads a guild with one HGETALL.
 */
export class VoiceStates {
  readonly #redis: RedisClient;
  readonly #keys: GatewayKeys;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#keys = gatewayKeys(redis, prefix);
  }

  /** A user joined, switched (a channel id) or left (null) voice; returns the channel they were in before. */
  async set(guildId: string, userId: string, channelId: string | null): Promise<string | null> {
    return (await this.#redis.eval(SWAP, 1, this.#keys.voice(guildId), userId, channelId ?? '')) as
      | string
      | null;
  }

  /** Replaces a guild's whole picture (after READY or GUILD_CREATE: the gateway's full state). */
  async replace(guildId: string, states: ReadonlyMap<string, string>): Promise<void> {
    const key = this.#keys.voice(guildId);
    const multi = this.#redis.multi().del(key);
    if (states.size > 0) multi.hset(key, Object.fromEntries(states));
    await multi.exec();
  }

  /** The voice channel one user is in, or null. */
  async of(guildId: string, userId: string): Promise<string | null> {
    return this.#redis.hget(this.#keys.voice(guildId), userId);
  }

  /** user id → channel id for everyone in voice in the guild. */
  async all(guildId: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.#redis.hgetall(this.#keys.voice(guildId))));
  }

  async forget(guildId: string): Promise<void> {
    await this.#redis.del(this.#keys.voice(guildId));
  }
}
