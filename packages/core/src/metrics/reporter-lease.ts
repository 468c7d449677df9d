import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../redis/connection.ts';
import { redisKey } from '../redis/keys.ts';
import { within } from './read-gauge.ts';

/**
 * Groups of deployment-wide gauges, each reported by one copy at a time: `queues` (queue counts, the
 * intake backlog: any API or worker can read them) and `worker` (active matches, the IDENTIFY budget:
 * they need a worker's database or Discord token).
 */
export type ReportGroup = 'queues' | 'worker';

// Renews the lease when this copy holds it, takes it when nobody does; 1 = held by this copy now.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface ReporterLease {
  readonly copyId: string;
  /** Whether this copy reports the group's gauges now. */
  holds(): boolean;
  /** Settles once the first claim has been answered (or failed). */
  readonly ready: Promise<void>;
  /** Stops renewing and gives the lease back, so another copy reports from its next claim on. */
  stop(): Promise<void>;
}

/**
 * A gauge every copy could read (a queue's counts, the intake backlog) is reported by one copy only, so
 * `sum()` over the copies is the value and not copies × the value. That copy holds a short lease in
 * Redis, renewed every third of `ttlMs`; when it stops, the next claim of another copy takes over, and
 * when it dies, the lease lapses after `ttlMs`. A copy counts itself the reporter for two thirds of the
 * lease after its last successful claim, so two copies never both count themselves it.
 */
export function startReporterLease(
  redis: RedisClient,
  prefix: string,
  group: ReportGroup,
  opts: { ttlMs?: number; copyId?: string } = {},
): ReporterLease {
  const ttlMs = opts.ttlMs ?? 15_000;
  const copyId = opts.copyId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const key = redisKey(redis, prefix, 'metrics', 'reporter', group);
  let heldUntil = 0;
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const claim = (): Promise<void> => {
    // A claim waiting on a reconnecting Redis is not stacked on.
    inFlight ??= (async () => {
      const started = Date.now();
      try {
        const held = (await redis.eval(CLAIM, 1, key, copyId, ttlMs)) === 1;
        heldUntil = held && !stopped ? started + Math.floor((ttlMs * 2) / 3) : 0;
      } catch {
        // Redis unreachable: this copy stops counting itself the reporter when heldUntil passes.
      }
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const timer = setInterval(claim, Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();
  const ready = claim();
  return {
    copyId,
    holds: () => !stopped && Date.now() < heldUntil,
    ready,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      // Bounded: a worker's connection waits through a Redis outage, a stop must not.
      await within(1000, inFlight ?? Promise.resolve());
      const held = heldUntil > Date.now();
      heldUntil = 0;
      if (held) await within(1000, redis.eval(RELEASE, 1, key, copyId));
    },
  };
}
