import {
  apiConfigSchema,
  bullPrefix,
  closeQueues,
  createIntake,
  createLogger,
  createMetrics,
  createProducerRedis,
  createQueues,
  createWorkerRedis,
  loadConfigOrExit,
  onShutdown,
  QUEUES,
  redisUrlOf,
  startReporterLease,
} from '@bridge/core';

import { QueueEvents } from 'bullmq';
import { startMetricsServer } from './metrics-server.ts';
import { startApi } from './server.ts';

const config = loadConfigOrExit(apiConfigSchema, 'api');
const log = createLogger({ name: 'api', level: config.LOG_LEVEL, pretty: config.NODE_ENV === 'development' });

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

// QueueEvents blocks on its connection, so it gets one of its own.
const eventsRedis = createWorkerRedis(redisUrlOf(config));
const linkEvents = new QueueEvents(QUEUES.links, {
  connection: eventsRedis,
  prefix: bullPrefix(eventsRedis, config.QUEUE_PREFIX, QUEUES.links),
});
linkEvents.on('error', (err) => log.error({ err: err.message }, 'link events connection error'));

const api = await startApi(
  { config, log, redis, intake, queues, linkEvents, metrics },
  { port: config.PORT, host: config.HOST },
);
const metricsServer = await startMetricsServer(metrics, { port: config.API_METRICS_PORT, host: config.HOST });
log.info(
  {
    url: api.url,
    metrics: `${metricsServer.url}/metrics`,
    webhook: `${api.url}/faceit-webhook`,
    header: config.FACEIT_WEBHOOK_HEADER,
    queryParam: config.FACEIT_WEBHOOK_QUERY_PARAM ?? null,
  },
  'api listening',
);

onShutdown(log, { timeoutMs: 10_000, draining: 'no new requests, finishing in-flight ones' }, async () => {
  await api.close();
  await metricsServer.close();
  await Promise.all([closeQueues(queues), linkEvents.close(), reporter.stop()]);
  redis.disconnect();
});
