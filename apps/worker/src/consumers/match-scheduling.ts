import { DelayedError } from 'bullmq';
import { RateLimitError } from 'discord.js';
import type { Middleware } from './processor.ts';

/** A rate-limited create is retried when Discord allows it, but at least this often (the daily cap is 24 h). */
const MAX_RATE_LIMIT_DELAY_MS = 10 * 60_000;
/**
 * The `matches` queue's scheduling rule: a create that would wait long for a Discord rate limit is
 * rescheduled for when Discord allows it instead of sleeping in a slot. (Clean-up needs no slot reserved
 * among the creates: it has a queue and slots of its own, `cleanup`.)
 */
export const rescheduleRateLimited: Middleware = async (job, token, log, run) => {
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
  }
};
