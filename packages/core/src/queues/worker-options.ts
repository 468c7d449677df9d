import type { WorkerOptions } from 'bullmq';

/**
 * Lock and stall settings of every BullMQ worker of the bridge.
 *
 * Every job is idempotent and safe to run again, so a stalled job (its worker copy died, or its event
 * loop stopped past the lock) goes back to the queue as many times as it takes: BullMQ's default
 * `maxStalledCount` of 1 failed a job for good the second time a copy died under it, and that match
 * never got its channels or moves. Repeated stalls are alerted on instead: the workers count them in
 * `bridge_jobs_stalled_total` and log each one.
 *
 * The lock does not bound how long a handler may run: BullMQ renews it every `lockDuration / 2` while
 * the handler runs (a match job takes a few hundred ms, up to ~20 s waiting for a lease a dead copy
 * held, and longer while Discord rate limits make it wait). It bounds how long a dead copy's job
 * waits before another copy runs it: at most `lockDuration + stalledInterval` (15 s).
 */
export const WORKER_STALL_OPTIONS = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 1_000_000,
} as const satisfies Partial<WorkerOptions>;
