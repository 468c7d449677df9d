import {
  type Logger,
  MATCH_JOBS,
  type MatchJobData,
  matchJobSchema,
  QUEUES,
  WORKER_STALL_OPTIONS,
} from '@bridge/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobHandler } from './jobs/types.ts';

export interface MatchWorkerDeps {
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency?: number;
  handlers: { created: JobHandler<MatchJobData>; finished: JobHandler<MatchJobData> };
}

/** Consumes queue `matches`: validates each job with the shared schema, then runs its handler. */
export function startMatchWorker(deps: MatchWorkerDeps): Worker {
  const processor = async (job: Job) => {
    const parsed = matchJobSchema.safeParse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, 'job data fails the matches schema');
      throw new UnrecoverableError(`invalid ${job.name} data: ${parsed.error.issues[0]?.message}`);
    }
    const jobLog = log.child({
      matchId: parsed.data.matchId,
      event: parsed.data.event,
      eventId: parsed.data.eventId,
    });
    const handler =
      job.name === MATCH_JOBS.created
        ? deps.handlers.created
        : job.name === MATCH_JOBS.finished
          ? deps.handlers.finished
          : null;
    if (!handler) throw new UnrecoverableError(`unknown job name ${job.name} on queue ${QUEUES.matches}`);
    try {
      const result = await handler(parsed.data, { job, log: jobLog });
      jobLog.info({ result }, 'job done');
      return result;
    } catch (err) {
      // Logged here so the line carries matchId/eventId/jobId.
      jobLog.warn({ err: (err as Error).message }, 'job attempt failed');
      throw err;
    }
  };
  const worker = new Worker(QUEUES.matches, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 8,
    // A killed copy's job is picked up by another within ~15 s, however often that happens.
    ...WORKER_STALL_OPTIONS,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'matches worker error'));
  worker.on('stalled', (jobId) =>
    deps.log.warn({ jobId, queue: worker.name }, 'job stalled (its worker copy stopped): back in the queue'),
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  return worker;
}
