import { Writable } from 'node:stream';
import {
  createLogger,
  createMetrics,
  createProducerRedis,
  createQueue,
  type Metrics,
  QUEUES,
} from '@bridge/core';
import { cleanupPrefix, testPrefix, waitFor } from '@bridge/testbed';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type RunningApi, startApi } from '../src/server.ts';

export const SECRET = 'test-webhook-secret-0123456789';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApi extends RunningApi {
  prefix: string;
  redis: Redis;
  queues: { matches: Queue; links: Queue; maintenance: Queue };
  metrics: Metrics;
  logs: Record<string, unknown>[];
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** The real API on a random port, its own BullMQ prefix on the given Redis, logs captured as JSON. */
export async function startTestApi(
  opts: { redisUrl?: string; waitReady?: boolean; admin?: { user: string; password: string } } = {},
): Promise<TestApi> {
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const prefix = testPrefix('api');
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({
    name: 'api-test',
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, cb) {
        logs.push(JSON.parse(String(chunk)));
        cb();
      },
    }),
  });
  const redis = createProducerRedis(redisUrl);
  redis.on('error', () => {});
  const queues = {
    matches: createQueue(QUEUES.matches, redis, prefix),
    links: createQueue(QUEUES.links, redis, prefix),
    maintenance: createQueue(QUEUES.maintenance, redis, prefix),
  };
  const metrics = createMetrics('api', { queues: Object.values(queues) });
  if (opts.waitReady !== false) await waitFor(() => redis.status === 'ready', { what: 'redis ready' });
  const config = {
    FACEIT_WEBHOOK_SECRET: SECRET,
    FACEIT_WEBHOOK_HEADER: 'x-faceit-webhook-secret',
    ...(opts.admin ? { ADMIN_USER: opts.admin.user, ADMIN_PASSWORD: opts.admin.password } : {}),
  };
  const api = await startApi({ config, log, redis, queues, metrics });
  return {
    ...api,
    prefix,
    redis,
    queues,
    metrics,
    logs,
    post: (body, headers = {}) =>
      fetch(`${api.url}/faceit-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-faceit-webhook-secret': SECRET, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await api.close();
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
      if (redisUrl === REDIS_URL) await cleanupPrefix(REDIS_URL, prefix);
    },
  };
}
