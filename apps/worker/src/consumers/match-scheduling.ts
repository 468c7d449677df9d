import { DelayedError } from 'bullmq';
import { RateLimitError } from 'discord.js';
import type { Middleware } from './processor.ts';

/** A rate-limited create is retried when Discord allows it, but at least this often (the daily cap is 24 h). */
const MAX_RATE_LIMIT_DELAY_MS = 10 * 60_000;

/** A job put back for a rate limit: its route, and whether the wait is long enough to be the daily cap. */
export interface Deferral {
  route: string;
  cause: 'daily_cap' | 'rate_limit';
}

/**
 * The `matches` queue's scheduling rule: a create that would wait long for a Discord rate limit is
 * rescheduled for when Discord allows it instead of sleeping in a slot. (Clean-up needs no slot reserved
 * among the creates: it has a queue and slots of its own, `cleanup`.) A wait of 10 minutes or more on a
 * channel create is Discord's daily creation cap: no route bucket resets that slowly.
 */
export function rescheduleRateLimited(onDeferred: (d: Deferral) => void = () => {}): Middleware {
  return async (job, token, log, run) => {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const waitMs = Math.max(err.retryAfter, err.sublimitTimeout, err.timeToReset);
      const delayMs = Math.min(MAX_RATE_LIMIT_DELAY_MS, waitMs) + Math.random() * 1000;
      const cause = waitMs >= MAX_RATE_LIMIT_DELAY_MS ? 'daily_cap' : 'rate_limit';
      log.warn(
        { route: err.route, retryAfterMs: waitMs, delayMs: Math.round(delayMs), cause },
        'Discord rate limit would hold this job: rescheduled',
      );
      await job.moveToDelayed(Date.now() + delayMs, token);
      onDeferred({ route: err.route, cause });
      throw new DelayedError();
    }
  };
}
