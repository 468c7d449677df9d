import { createLogger, loadConfigOrExit, workerConfigSchema } from '@bridge/core';
import { startWorkerApp } from './app.ts';
import { onShutdown } from './lib/shutdown.ts';

const config = loadConfigOrExit(workerConfigSchema, 'worker');
const log = createLogger({
  name: 'worker',
  level: config.LOG_LEVEL,
  pretty: config.NODE_ENV === 'development',
});

try {
  const worker = await startWorkerApp(config, log);
  onShutdown(log, config.SHUTDOWN_TIMEOUT_MS, worker.close);
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'worker cannot start');
  process.exit(1);
}
