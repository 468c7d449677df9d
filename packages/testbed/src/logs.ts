import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@bridge/core';

/** A debug-level logger whose lines land, parsed, in `logs`, for tests that assert on what was logged. */
export function captureLogger(
  name: string,
  logs: Record<string, unknown>[] = [],
): { log: Logger; logs: Record<string, unknown>[] } {
  const log = createLogger({
    name,
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, cb) {
        logs.push(JSON.parse(String(chunk)));
        cb();
      },
    }),
  });
  return { log, logs };
}
