import { DelayedError } from 'bullmq';
import { RateLimitError } from 'discord.js';
import type { Middleware } from './processor.ts';

/** A rate-limited create is retried when Discord allows it, but at least this often (the daily cap is 24 h). */
const MAX_RATE_LIMIT_DELAY_MS = 10 * 60_000;
/** A create over its share of the slots waits this long (plus jitter) in the delayed set, not in a slot. */
const SLOT_RETRY_MS = 250;

/**
 * The `matches` queue's scheduling rules. Cleanup (`matchFinished`) never waits behind creates: creates
 * may use only `concurrency - reserved` slots (a create beyond that goes back to the delayed set for a
 * moment), and a job that would wait long for a Discord rate limit is rescheduled for when Discord allows
 * it instead of sleeping in a slot.
 */
export function matchScheduling(concurrency: number, isCreate: (jobName: string) => boolean): Middleware {
  const createSlots = Math.max(1, concurrency - Math.max(1, Math.floor(concurrency / 4)));
  let creating = 0;
  return async (job, token, log, run) => {
    const create = isCreate(job.name);
    if (create && creating >= createSlots) {
      await job.moveToDelayed(Date.now() + SLOT_RETRY_MS + Math.random() * SLOT_RETRY_MS, token);
      throw new DelayedError();
    }
    if (create) creating++;
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const waitMs = Math.max(err.retryAfter, err.sublimitTimeout, err.timeToReset);
      const delayMs = Math.min(MAX_RATE_LIMIT_DELAY_MS, waitMs) + Math.random() * 1000;
      log.warn(
        { route: err.route, retryAfterMs: waitMs, delayMs: Math.round(delayMs) },
        'Discord rate limit would hold this job: rescheduled',
      );
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    } finally {
      if (create) creating--;
    }
  };
}
