import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connection for producers (the API): no offline queue and one retry per command, so when Redis
 * is unreachable an enqueue fails at once and the webhook answers 503 instead of hanging.
 * No auto-pipelining: the webhook intake batches its appends itself (one command per event-loop
 * turn), and on top of that ioredis' per-tick pipeline only cost CPU (~8 % per webhook, bench).
 */
export function createProducerRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    ...extra,
  });
}

/** Connection for BullMQ workers: commands wait for reconnection forever (BullMQ's requirement). */
export function createWorkerRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}
