import { type Logger, MATCH_JOBS, type MatchJobData, matchJobSchema, QUEUES } from '@bridge/core';
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
    if (job.name === MATCH_JOBS.created) return deps.handlers.created(parsed.data, { job, log: jobLog });
    if (job.name === MATCH_JOBS.finished) return deps.handlers.finished(parsed.data, { job, log: jobLog });
    throw new UnrecoverableError(`unknown job name ${job.name} on queue ${QUEUES.matches}`);
  };
  const worker = new Worker(QUEUES.matches, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 8,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'matches worker error'));
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  return worker;
}
