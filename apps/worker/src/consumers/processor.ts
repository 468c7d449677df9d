import {
  type JobHandler,
  jobSchema,
  type Logger,
  type QueueHandlers,
  type QueueJobData,
  type QueueName,
} from '@bridge/core';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';

/** Runs around a job's handler (`run`): the place for a queue's own scheduling rules. */
export type Middleware = (
  job: Job,
  token: string | undefined,
  log: Logger,
  run: () => Promise<unknown>,
) => Promise<unknown>;

export interface ProcessorOptions<Q extends QueueName> {
  log: Logger;
  /** Fields every log line of the job carries, read from its validated data. */
  logFields?: (data: QueueJobData<Q>) => Record<string, unknown>;
  around?: Middleware;
  /** false: 'job done' without the result (it names people). */
  logResult?: boolean;
}

/**
 * The one BullMQ processor of every queue: looks the job name up in the catalog, validates the data with
 * its schema, then runs its handler (inside the queue's middleware, if any). An unknown job name or
 * invalid data can never succeed, so either fails the job at once (UnrecoverableError) and logs why.
 */
export function createProcessor<Q extends QueueName>(
  queue: Q,
  handlers: QueueHandlers<Q>,
  opts: ProcessorOptions<Q>,
): (job: Job, token?: string) => Promise<unknown> {
  // Looked up by the job's name at run time; each handler gets only data its catalog schema accepted.
  const byName = handlers as unknown as Record<string, JobHandler<unknown>>;
  return async (job, token) => {
    const log = opts.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const schema = jobSchema(queue, job.name);
    const handler = Object.hasOwn(byName, job.name) ? byName[job.name] : undefined;
    if (!schema || !handler) {
      log.error({ queue }, 'unknown job name');
      throw new UnrecoverableError(`unknown job name ${job.name} on queue ${queue}`);
    }
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, `job data fails the ${queue} schema`);
      throw new UnrecoverableError(`invalid ${job.name} data: ${parsed.error.issues[0]?.message}`);
    }
    const data = parsed.data as QueueJobData<Q>;
    const jobLog = opts.logFields ? log.child(opts.logFields(data)) : log;
    const run = () => handler(data, { job, log: jobLog });
    try {
      const result = await (opts.around ? opts.around(job, token, jobLog, run) : run());
      jobLog.info(opts.logResult === false ? {} : { result }, 'job done');
      return result;
    } catch (err) {
      // A job the middleware put back in the delayed set did not fail. Logged here so the line carries
      // the job's fields (matchId, eventId, …).
      if (!(err instanceof DelayedError)) jobLog.warn({ err: (err as Error).message }, 'job attempt failed');
      throw err;
    }
  };
}
