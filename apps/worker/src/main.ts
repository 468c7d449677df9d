import { createLogger, loadConfigOrExit, onShutdown, workerConfigSchema } from '@bridge/core';
import { type RunningWorker, startWorkerApp } from './app.ts';

const config = loadConfigOrExit(workerConfigSchema, 'worker');
const log = createLogger({
  name: 'worker',
  level: config.LOG_LEVEL,
  pretty: config.NODE_ENV === 'development',
});

// A stray rejection (a reply that failed, a listener that threw) is logged, never a crash: every restart
// would spend one of Discord's 1000 IDENTIFYs a day.
process.on('unhandledRejection', (err) =>
  log.error({ err }, 'unhandled rejection (the worker keeps running)'),
);

// Removed in 1.0.0 (CHANGELOG.md): the copies always share the gateway's shards.
if (process.env.DISCORD_SHARDING !== undefined) {
  log.warn(
    { DISCORD_SHARDING: process.env.DISCORD_SHARDING },
    'DISCORD_SHARDING is ignored since 1.0.0 (the worker copies always share the shards): remove it from .env',
  );
}

const stop = new AbortController();
let worker: RunningWorker | undefined;
const starting = startWorkerApp(config, log, stop.signal).then((w) => {
  worker = w;
});
// Installed before the start finishes: a SIGTERM while the worker waits to retry its checks stops it too.
onShutdown(
  log,
  { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, draining: 'no new jobs, finishing active ones' },
  async () => {
    stop.abort(new Error('shutting down'));
    await starting.catch(() => {});
    await worker?.close();
  },
);

try {
  await starting;
} catch (err) {
  if (!stop.signal.aborted) {
    log.fatal({ err: (err as Error).message }, 'worker cannot start');
    process.exit(1);
  }
}
