import {
  bullPrefix,
  failedForGood,
  type JobHandlers,
  type Logger,
  linkFailureOf,
  type MatchJobData,
  type Metrics,
  type QueueHandlers,
  type QueueName,
  type RedisClient,
  WORKER_STALL_OPTIONS,
} from '@bridge/core';
import { Worker } from 'bullmq';
import { rescheduleRateLimited } from './match-scheduling.ts';
import { createProcessor, type ProcessorOptions } from './processor.ts';

export interface ConsumerDeps {
  /** A BullMQ worker connection (waits through reconnects). */
  connection: RedisClient;
  prefix: string;
  log: Logger;
  metrics: Pick<Metrics, 'linkAttempts' | 'jobsDeferred'>;
  /** Jobs at once per queue and copy (`matches`, `cleanup`, `links`); the sweep runs one at a time. */
  concurrency: number;
}

/** Every queue's consumer, from one handler map: the compiler checks that each job has its handler. */
export function startConsumers(deps: ConsumerDeps, handlers: JobHandlers): Worker[] {
  const matchFields = (d: MatchJobData) => ({ matchId: d.matchId, event: d.event, eventId: d.eventId });
  // Set-up and clean-up each have their own slots (queueForEvent says why).
  const matches = startConsumer('matches', handlers.matches, deps, deps.concurrency, {
    logFields: matchFields,
    around: rescheduleRateLimited(({ route, cause }) =>
      deps.metrics.jobsDeferred.inc({ queue: 'matches', route, cause }),
    ),
  });
  const cleanup = startConsumer('cleanup', handlers.cleanup, deps, deps.concurrency, {
    logFields: matchFields,
  });
  const links = startConsumer('links', handlers.links, deps, deps.concurrency, {
    logFields: (d) => ({ discordUserId: d.discordUserId }),
    logResult: false,
  });
  links.on('completed', () => deps.metrics.linkAttempts.inc({ method: 'oauth', outcome: 'linked' }));
  // misconfigured: FACEIT refused the bridge's OAuth client, every link fails until an operator fixes it.
  links.on('failed', (job) => {
    if (!job || !failedForGood(job)) return;
    const outcome = linkFailureOf(job.failedReason) === 'misconfigured' ? 'misconfigured' : 'failed';
    deps.metrics.linkAttempts.inc({ method: 'oauth', outcome });
  });
  const maintenance = startConsumer('maintenance', handlers.maintenance, deps, 1, {});
  return [matches, cleanup, links, maintenance];
}

function startConsumer<Q extends QueueName>(
  queue: Q,
  handlers: QueueHandlers<Q>,
  deps: ConsumerDeps,
  concurrency: number,
  opts: Omit<ProcessorOptions<Q>, 'log'>,
): Worker {
  const worker = new Worker(queue, createProcessor(queue, handlers, { ...opts, log: deps.log }), {
    connection: deps.connection,
    prefix: bullPrefix(deps.connection, deps.prefix, queue),
    concurrency,
    // A killed copy's job is picked up by another within ~15 s, however often that happens.
    ...WORKER_STALL_OPTIONS,
  });
  worker.on('error', (err) => deps.log.error({ err, queue }, `${queue} worker error`));
  worker.on('stalled', (jobId) =>
    deps.log.warn({ jobId, queue }, 'job stalled (its worker copy stopped): back in the queue'),
  );
  // Only the reason is logged: no job data (link jobs' tickets stay out of the logs).
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { queue, jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  return worker;
}
