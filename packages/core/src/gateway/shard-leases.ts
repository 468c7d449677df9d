import type { RedisClient } from '../redis/connection.ts';
import { type GatewayKeys, gatewayKeys } from './keys.ts';

// Heartbeat: this copy's entry expires `ttl` ms from now (Redis's clock, so copies' clocks need not agree);
// expired copies drop out. Returns the live copies.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

// Renews every lease still held by ARGV[1]; returns the indexes (1-based) of those it no longer holds.
const RENEW = `
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, tonumber(ARGV[2]))
  else
    table.insert(lost, i)
  end
end
return lost
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The Redis side of shard ownership: copies announce themselves with a heartbeat, and each shard is held by
 * at most one copy through a lease (a key with a TTL) that its holder renews. A copy that dies stops renewing:
 * its heartbeat and leases lapse after `leaseMs`, and the others take its shards.
 */
export class ShardLeases {
  readonly #redis: RedisClient;
  readonly #keys: GatewayKeys;
  readonly copyId: string;
  readonly leaseMs: number;

  constructor(redis: RedisClient, opts: { prefix: string; copyId: string; leaseMs: number }) {
    this.#redis = redis;
    this.#keys = gatewayKeys(redis, opts.prefix);
    this.copyId = opts.copyId;
    this.leaseMs = opts.leaseMs;
  }

  /** Announces this copy for another `leaseMs`; returns the live copies' ids. */
  async heartbeat(): Promise<string[]> {
    return (await this.#redis.eval(HEARTBEAT, 1, this.#keys.copies, this.copyId, this.leaseMs)) as string[];
  }

  /** This copy leaves the list at once (a graceful stop), so the others rebalance without waiting. */
  async leave(): Promise<void> {
    await this.#redis.zrem(this.#keys.copies, this.copyId);
  }

  /** Who holds each shard (index = shard id), null when free. */
  async holders(shardCount: number): Promise<(string | null)[]> {
    if (shardCount === 0) return [];
    const keys = Array.from({ length: shardCount }, (_, s) => this.#keys.lease(s));
    return this.#redis.mget(...keys);
  }

  /** Takes a free shard's lease; false when another copy holds it. */
  async take(shard: number): Promise<boolean> {
    return (await this.#redis.set(this.#keys.lease(shard), this.copyId, 'PX', this.leaseMs, 'NX')) === 'OK';
  }

  /** Renews the leases of `shards`; returns those this copy no longer holds (lapsed, taken by another). */
  async renew(shards: readonly number[]): Promise<number[]> {
    if (shards.length === 0) return [];
    const lost = (await this.#redis.eval(
      RENEW,
      shards.length,
      ...shards.map((s) => this.#keys.lease(s)),
      this.copyId,
      this.leaseMs,
    )) as number[];
    return lost.map((i) => shards[i - 1] as number);
  }

  /** Gives a shard's lease up (only if this copy still holds it). */
  async release(shard: number): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#keys.lease(shard), this.copyId);
  }
}
