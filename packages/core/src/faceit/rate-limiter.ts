import type { Redis } from 'ioredis';

/**
 * A limit shared by every worker process: a fixed one-second window counted in Redis (INCR + EXPIRE
 * in one round trip). FACEIT's limit is per API key, not per process, so a per-process limiter would
 * let N copies make N times the allowed rate.
 */
export class RedisRateLimiter {
  readonly redis: Redis;
  readonly key: string;
  readonly perSecond: number;
  constructor(redis: Redis, key: string, perSecond: number) {
    this.redis = redis;
    this.key = key;
    this.perSecond = perSecond;
  }

  /** Resolves when a request may be sent; returns how long it waited (ms). */
  async acquire(): Promise<number> {
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      const window = Math.floor(now / 1000);
      const key = `${this.key}:${window}`;
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, 2).exec()) as [[unknown, number]];
      if (count <= this.perSecond) return Date.now() - started;
      await new Promise((r) => setTimeout(r, (window + 1) * 1000 - now + 5));
    }
  }
}

export type RateLimiter = Pick<RedisRateLimiter, 'acquire'>;
