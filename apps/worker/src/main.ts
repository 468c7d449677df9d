import { createLogger, createWorkerRedis, loadConfigOrExit, workerConfigSchema } from '@bridge/core';
import { matchCreatedHandler } from './jobs/match-created.ts';
import { matchFinishedHandler } from './jobs/match-finished.ts';
import { onShutdown } from './lib/shutdown.ts';
import { startMatchWorker } from './match-worker.ts';

const config = loadConfigOrExit(workerConfigSchema, 'worker');
const log = createLogger({
  name: 'worker',
  level: config.LOG_LEVEL,
  pretty: config.NODE_ENV === 'development',
});

const connection = createWorkerRedis(config.REDIS_URL);
connection.on('error', (err) => log.error({ err: err.message }, 'redis connection error'));

const matches = startMatchWorker({
  connection,
  prefix: config.QUEUE_PREFIX,
  log,
  concurrency: config.WORKER_CONCURRENCY,
  handlers: { created: matchCreatedHandler(), finished: matchFinishedHandler() },
});
await matches.waitUntilReady();
log.info({ queues: ['matches'], prefix: config.QUEUE_PREFIX }, 'worker ready');

onShutdown(log, config.SHUTDOWN_TIMEOUT_MS, async () => {
  await matches.close();
  connection.disconnect();
});
