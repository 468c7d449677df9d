import { createHash } from 'node:crypto';
import { type RedisClient, redisKey } from '@bridge/core';

export interface AuthThrottle {
  /** Seconds until this client may try again, or 0 when it may try now. */
  blockedFor(client: string): Promise<number>;
  /** Counts one wrong password for this client. */
  failed(client: string): Promise<void>;
}

/**
 * Wrong dashboard passwords per client: at most `max` in a window of `windowSec` that starts at the
 * first failure; past that every attempt (the right password too, or guessing would still tell) is
 * refused until the window ends.
 *
 * Kept in Redis rather than in memory: every API copy behind a load balancer counts against one
 * window (in memory each copy would grant its own `max`, and a restart would reset them), and the
 * dashboard needs Redis to show anything anyway. The client name is hashed in the key.
 */
export function createAuthThrottle(
  redis: RedisClient,
  prefix: string,
  opts: { max: number; windowSec: number },
): AuthThrottle {
  const key = (client: string) =>
    redisKey(redis, prefix, 'dashboard', 'auth-fail', createHash('sha256').update(client).digest('hex'));
  return {
    async blockedFor(client) {
      const k = key(client);
      const [count, ttl] = await Promise.all([redis.get(k), redis.pttl(k)]);
      return Number(count ?? 0) >= opts.max && ttl > 0 ? Math.ceil(ttl / 1000) : 0;
    },
    async failed(client) {
      const k = key(client);
      // One key: the window starts with the first failure and is never extended by later ones.
      await redis.multi().set(k, '0', 'EX', opts.windowSec, 'NX').incr(k).exec();
    },
  };
}
