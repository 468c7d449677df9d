import type { Logger } from '@bridge/core';

type Level = 'info' | 'warn';
type Fields = { outcome: string } & Record<string, unknown>;

export interface SampledLog {
  info(msg: string, fields: Fields): void;
  warn(msg: string, fields: Fields): void;
  /** Writes the counts still pending and stops the timers (at shutdown). */
  flush(): void;
}

interface Kind {
  level: Level;
  msg: string;
  outcome: string;
  repeated: number;
  timer: NodeJS.Timeout;
}

/**
 * For lines anyone on the internet can cause (a wrong webhook secret, a bad link or callback URL): the
 * first of a kind (level + message + outcome) is written in full, repeats within `windowMs` are only
 * counted, and one line per window says how many there were (`repeated`, `windowSec`). A burst of
 * 100,000 bad requests is a handful of lines, and still visible; after a quiet window the next one is
 * written in full again.
 */
export function createSampledLog(log: Logger, opts: { windowMs?: number } = {}): SampledLog {
  const windowMs = opts.windowMs ?? 60_000;
  const kinds = new Map<string, Kind>();
  const summarize = (kind: Kind) =>
    log[kind.level]({ outcome: kind.outcome, repeated: kind.repeated, windowSec: windowMs / 1000 }, kind.msg);
  const open = (key: string, level: Level, msg: string, outcome: string) => {
    const timer = setTimeout(() => {
      const kind = kinds.get(key);
      kinds.delete(key);
      if (!kind || kind.repeated === 0) return;
      summarize(kind);
      // Still going: count into the next window rather than write the next one in full.
      open(key, level, msg, outcome);
    }, windowMs);
    timer.unref();
    kinds.set(key, { level, msg, outcome, repeated: 0, timer });
  };
  const write = (level: Level) => (msg: string, fields: Fields) => {
    const key = `${level}\u0000${msg}\u0000${fields.outcome}`;
    const kind = kinds.get(key);
    if (kind) {
      kind.repeated++;
      return;
    }
    log[level](fields, msg);
    open(key, level, msg, fields.outcome);
  };
  return {
    info: write('info'),
    warn: write('warn'),
    flush() {
      for (const kind of kinds.values()) {
        clearTimeout(kind.timer);
        if (kind.repeated > 0) summarize(kind);
      }
      kinds.clear();
    },
  };
}
