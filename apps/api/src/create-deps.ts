import {
  type ApiConfig,
  bullPrefix,
  closeQueues,
  createIntake,
  createMetrics,
  createProducerRedis,
  createQueues,
  createWorkerRedis,
  type Logger,
  QUEUES,
  type ReporterLease,
  redisUrlOf,
  startReporterLease,
} from '@bridge/core';
import { QueueEvents } from 'bullmq';
import type { ApiDeps } from './deps.ts';
import { withTimeout } from './lib/with-timeout.ts';

/** The API's dependencies and what must be closed with them. */
export interface ApiRuntime extends ApiDeps {
  /** Whether this copy exports the deployment-wide queue gauges now. */
  reporter: ReporterLease;
  /** Closes the queues, the link events and the reporter lease, then the connections. */
  close(): Promise<void>;
}

/** Builds what the routes use from the API's config: main.ts serves it, the API tests drive it. */
export function createApiDeps(config: ApiConfig, log: Logger): ApiRuntime {
  const redis = createProducerRedis(redisUrlOf(config));
  let lastRedisError = '';
  redis.on('error', (err) => {
    // ioredis retries on its own; log each distinct failure once instead of every 100 ms.
    if (err.message !== lastRedisError) log.error({ err: err.message }, 'redis connection error');
    lastRedisError = err.message;
  });
  redis.on('ready', () => {
    lastRedisError = '';
    log.info('redis ready');
  });
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  const intake = createIntake(redis, config.QUEUE_PREFIX, { backlogLimit: config.INTAKE_BACKLOG_LIMIT });
  // The queue counts and the backlog are exported by one copy of the deployment (API or worker) at a time.
  const reporter = startReporterLease(redis, config.QUEUE_PREFIX, 'queues');
  const metrics = createMetrics('api', {
    queues: Object.values(queues),
    intakeBacklog: intake.backlog,
    reports: () => reporter.holds(),
    groups: ['queues'],
    redisReady: () => redis.status === 'ready',
  });
  // QueueEvents blocks on its connection, so it gets one of its own; its errors are the events' (below).
  const eventsRedis = createWorkerRedis(redisUrlOf(config));
  eventsRedis.on('error', () => {});
  const linkEvents = new QueueEvents(QUEUES.links, {
    connection: eventsRedis,
    prefix: bullPrefix(eventsRedis, config.QUEUE_PREFIX, QUEUES.links),
  });
  linkEvents.on('error', (err) => log.error({ err: err.message }, 'link events connection error'));
  return {
    config,
    log,
    redis,
    intake,
    queues,
    metrics,
    linkEvents,
    reporter,
    close: async () => {
      // BullMQ's QueueEvents.close() waits for a connection that was never made (Redis down since the
      // start) forever: bounded, then the connection is dropped under it.
      const events = withTimeout(linkEvents.close(), 2000, 'link events close').catch(() => {});
      await Promise.all([closeQueues(queues), events, reporter.stop()]);
      eventsRedis.disconnect();
      redis.disconnect();
    },
  };
}
