import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './target.ts';

/**
 * A connection to the bridge's Redis: one server or a Redis Cluster, as REDIS_URL says. This file is the
 * only place that decides which; everything else takes a RedisClient, and the few places where the two
 * differ (key hash tags: redis/keys.ts; duplicating: below) ask the client's `isCluster`.
 */
export type RedisClient = Redis | Cluster;

/**
 * Connection for producers (the API): no offline queue and one retry per command, so when Redis
 * is unreachable an enqueue fails at once and the webhook answers 503 instead of hanging.
 * No auto-pipelining: the webhook intake batches its appends itself (one command per event-loop
 * turn), and on top of that ioredis' per-tick pipeline only cost CPU (~8 % per webhook, bench).
 */
export function createProducerRedis(url: string, extra: RedisOptions = {}): RedisClient {
  return connect(
    url,
    { maxRetriesPerRequest: 1, connectTimeout: 2000, ...extra },
    { enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 100, 1000) },
  );
}

/** Connection for BullMQ workers: commands wait for reconnection forever (BullMQ's requirement). */
export function createWorkerRedis(url: string, extra: RedisOptions = {}): RedisClient {
  return connect(
    url,
    { maxRetriesPerRequest: null, ...extra },
    { retryStrategy: (times) => Math.min(times * 200, 2000) },
  );
}

/** A second connection like `client` (same server or cluster) with `override` applied to each node's options. */
export function duplicateRedis(client: RedisClient, override: Partial<RedisOptions> = {}): RedisClient {
  if (client instanceof Cluster) {
    return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, ...override } });
  }
  return client.duplicate(override);
}

interface Behaviour {
  enableOfflineQueue?: boolean;
  retryStrategy: (times: number) => number;
}

function connect(url: string, node: RedisOptions, behaviour: Behaviour): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'single') return new Redis(url, { ...node, ...behaviour });
  // Per-node settings (timeouts, retries per command, credentials) go to every node's connection; the
  // reconnect policy, the offline queue and lazy connecting are the cluster client's own.
  const { lazyConnect, retryStrategy: _r, enableOfflineQueue: _o, ...perNode } = node;
  const options: ClusterOptions = {
    ...(lazyConnect ? { lazyConnect } : {}),
    redisOptions: {
      ...perNode,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // With TLS the seed names must reach the TLS handshake as names (the certificate is for them), not as
    // the IPs ioredis would resolve them to first (ioredis' README, AWS ElastiCache with TLS).
    ...(target.tls ? { dnsLookup: (address: string, callback) => callback(null, address) } : {}),
    clusterRetryStrategy: behaviour.retryStrategy,
    ...(behaviour.enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
  };
  return new Cluster(target.nodes, options);
}
