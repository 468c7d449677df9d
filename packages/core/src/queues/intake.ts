import type { RedisClient } from '../redis/connection.ts';
import { redisKey } from '../redis/keys.ts';
import type { MatchJobData } from './contracts.ts';

/**
 * The webhook intake: a Redis stream the API appends accepted match events to, which the workers'
 * relay turns into `matches` jobs (intake-relay.ts).
 *
 * Why not `queue.add` in the API: a BullMQ add is a large Lua script (about 35 µs of Redis CPU here)
 * plus its client-side encoding, which cost the API most of its throughput; an XADD costs a few µs,
 * and the requests of one event-loop turn share one command. The stream is as durable as the queue
 * (same Redis), and an entry leaves it only after its job was added, so nothing answered 202 is lost.
 *
 * An entry is the job's data (`matchJobSchema`); the relay derives the job's name and deterministic id
 * from it with the same functions the API used for its answer.
 */
export const intakeKey = (redis: RedisClient, prefix: string) => redisKey(redis, prefix, 'intake', 'matches');

/** The stream entry's only field. */
export const INTAKE_FIELD = 'job';

/** The intake holds `limit` entries no relay has turned into jobs yet: this one was not stored. */
export class IntakeFullError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`intake backlog is at its limit (${limit} entries waiting for a worker)`);
    this.name = 'IntakeFullError';
    this.limit = limit;
  }
}

/** Default most entries the intake holds before it refuses (INTAKE_BACKLOG_LIMIT). */
export const INTAKE_BACKLOG_LIMIT = 100_000;

export interface Intake {
  /**
   * Appends one entry; resolves once Redis has it. Rejects with IntakeFullError when the backlog is at
   * its limit (nothing stored), or with another error if Redis has not answered after `timeoutMs`.
   */
  push(data: MatchJobData): Promise<void>;
  /** Entries accepted but not yet turned into jobs (the relay deletes what it has added). */
  backlog(): Promise<number>;
}

// ARGV[1] is the backlog limit; every further argument is one entry, appended while the stream holds
// fewer than the limit. Returns how many were appended (the first n): the rest were not stored.
// Refusing rather than trimming (XADD MAXLEN) because every entry is an event the API answered 202:
// trimming would drop accepted events, refusing makes the API answer 503 and FACEIT redeliver later.
const XADD_ALL = `local room = tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1])
local n = 0
for i = 2, #ARGV do
  if n >= room then break end
  redis.call('XADD', KEYS[1], '*', '${INTAKE_FIELD}', ARGV[i])
  n = n + 1
end
return n`;

type WithXaddAll = RedisClient & {
  intakeXaddAll(key: string, limit: number, ...entries: string[]): Promise<number>;
};

/**
 * Appends go out as one Lua call per event-loop turn: webhooks that arrive together share one command
 * and one round trip, which saves ioredis' per-command work (~6 % of the API's CPU per webhook,
 * `./run bench intake`), and one timer bounds the whole batch. If the call fails or times out every request in it answers 503 and
 * FACEIT retries; entries it did write are then duplicates, which the relay's job ids absorb.
 */
export function createIntake(
  redis: RedisClient,
  prefix: string,
  opts: { timeoutMs?: number; backlogLimit?: number } = {},
): Intake {
  const timeoutMs = opts.timeoutMs ?? 750;
  const limit = opts.backlogLimit ?? INTAKE_BACKLOG_LIMIT;
  const key = intakeKey(redis, prefix);
  redis.defineCommand('intakeXaddAll', { numberOfKeys: 1, lua: XADD_ALL });
  let entries: string[] = [];
  let waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const flush = () => {
    const batch = entries;
    const waiters = waiting;
    entries = [];
    waiting = [];
    let settled = false;
    const settle = (err: unknown, stored = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      waiters.forEach((w, i) => {
        if (err !== undefined) w.reject(err);
        else if (i < stored) w.resolve();
        else w.reject(new IntakeFullError(limit));
      });
    };
    const timer = setTimeout(
      () => settle(new Error(`intake append did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    (redis as WithXaddAll)
      .intakeXaddAll(key, limit, ...batch)
      .then((stored) => settle(undefined, Number(stored)), settle);
  };
  return {
    push: (entry) =>
      new Promise<void>((resolve, reject) => {
        entries.push(JSON.stringify(entry));
        if (waiting.push({ resolve, reject }) === 1) setImmediate(flush);
      }),
    backlog: () => redis.xlen(key),
  };
}
