import type { RedisClient } from '../queues/connection.ts';

// Reserves the next send slot: slots are `interval` ms apart, shared by every process through one
// Redis key, timed by Redis's own clock (so workers' clocks need not agree). Returns how long the
// caller must wait for its slot.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlot < now then nextSlot = now end
redis.call('SET', KEYS[1], nextSlot + interval, 'PX', interval * 20 + 1000)
return {nextSlot, nextSlot - now}
`;

// How far ahead the next free slot is (ms, on Redis's clock); 0 when the limit is idle. Reserves nothing.
const BACKLOG = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlot < now then return 0 end
return nextSlot - now
`;

/**
 * A limit shared by every worker process. FACEIT's limit is per API key, not per process, and its
 * window's alignment is unknown: spacing requests evenly (1000/perSecond ms apart, plus a small
 * margin) keeps every rolling second under the limit, where fixed windows let two bursts straddle a
 * boundary (measured: 23 429s in a 100-match burst).
 */
export class RedisRateLimiter {
  readonly redis: RedisClient;
  readonly key: string;
  readonly intervalMs: number;
  constructor(redis: RedisClient, key: string, perSecond: number) {
    this.redis = redis;
    this.key = key;
    this.intervalMs = Math.ceil(1000 / perSecond) + 2;
  }

  /** Reserves the next slot: its time on Redis's clock (ms) and how long until it comes. */
  async reserve(): Promise<{ slotMs: number; waitMs: number }> {
    const [slot, wait] = (await this.redis.eval(RESERVE, 1, this.key, this.intervalMs)) as [number, number];
    return { slotMs: Number(slot), waitMs: Number(wait) };
  }

  /**
   * How long `requests` more would wait behind what is already queued (ms): lets optional reads (ELO
   * for the match card) stay out of the way of the ones matches need.
   */
  async backlogMs(requests = 0): Promise<number> {
    const ahead = Number(await this.redis.eval(BACKLOG, 1, this.key));
    return ahead + requests * this.intervalMs;
  }

  /** Resolves when a request may be sent; returns how long it waited (ms). */
  async acquire(): Promise<number> {
    const { waitMs } = await this.reserve();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    return waitMs;
  }
}

export type RateLimiter = Pick<RedisRateLimiter, 'acquire'> & Partial<Pick<RedisRateLimiter, 'backlogMs'>>;
