import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  /** Past this the process exits 1 with its work unfinished. */
  timeoutMs: number;
  /** What stopping means for this process, for the log line, e.g. 'no new jobs, finishing active ones'. */
  draining: string;
}

/**
 * Runs `close` once on the first SIGTERM/SIGINT, with a deadline: closing waits for in-flight work (BullMQ's
 * worker.close() has no timeout of its own). Past the deadline the process exits 1; a worker's unfinished
 * jobs' locks then expire and another copy picks them up (they are idempotent).
 */
export function onShutdown(log: Logger, opts: ShutdownOptions, close: () => Promise<void>): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs: opts.timeoutMs }, `shutting down: ${opts.draining}`);
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: opts.timeoutMs }, 'shutdown deadline passed; exiting with work unfinished');
      process.exit(1);
    }, opts.timeoutMs);
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
