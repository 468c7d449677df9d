import type { Logger } from '@bridge/core';

/**
 * Runs `close` on SIGTERM/SIGINT with a deadline: BullMQ's worker.close() waits for active jobs
 * without a timeout of its own. Past the deadline the process exits 1 and the unfinished jobs'
 * locks expire, so another copy picks them up (they are idempotent).
 */
export function onShutdown(log: Logger, timeoutMs: number, close: () => Promise<void>): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down: no new jobs, finishing active ones');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown deadline passed; exiting with jobs still active');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    try {
      await close();
      log.info('bye');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void handler('SIGTERM'));
  process.on('SIGINT', () => void handler('SIGINT'));
}
