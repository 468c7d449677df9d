import {
  LINK_JOBS,
  type LinkJobData,
  type LinkJobResult,
  type Logger,
  linkJobSchema,
  type Metrics,
  QUEUES,
  WORKER_STALL_OPTIONS,
} from '@bridge/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobHandler } from '../jobs/types.ts';

export interface LinksWorkerDeps {
  connection: Redis;
  prefix: string;
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  handler: JobHandler<LinkJobData, LinkJobResult>;
}

/** Consumes queue `links`: validates each job, runs linkAccount, counts link outcomes. */
export function startLinksWorker(deps: LinksWorkerDeps): Worker {
  const processor = async (job: Job) => {
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const parsed = linkJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} data`);
    if (job.name !== LINK_JOBS.link) throw new UnrecoverableError(`unknown job name ${job.name}`);
    return deps.handler(parsed.data, { job, log: log.child({ discordUserId: parsed.data.discordUserId }) });
  };
  const worker = new Worker(QUEUES.links, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    ...WORKER_STALL_OPTIONS,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'links worker error'));
  worker.on('stalled', (jobId) =>
    deps.log.warn({ jobId, queue: worker.name }, 'job stalled (its worker copy stopped): back in the queue'),
  );
  // Only the reason is logged: job data holds no code, verifier or token.
  worker.on('failed', (job, err) => {
    deps.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'link job failed');
    const final = err instanceof UnrecoverableError || (job && job.attemptsMade >= (job.opts.attempts ?? 1));
    if (final) deps.metrics.linkAttempts.inc({ method: 'oauth', outcome: 'failed' });
  });
  worker.on('completed', () => deps.metrics.linkAttempts.inc({ method: 'oauth', outcome: 'linked' }));
  return worker;
}
