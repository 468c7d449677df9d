import { type Logger, MAINTENANCE_JOBS, QUEUES, WORKER_STALL_OPTIONS } from '@bridge/core';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface MaintenanceWorkerDeps {
  connection: Redis;
  prefix: string;
  log: Logger;
  sweep: (log: Logger) => Promise<unknown>;
}

/** Consumes queue `maintenance`: one sweep at a time per copy. */
export function startMaintenanceWorker(deps: MaintenanceWorkerDeps): Worker {
  const processor = async (job: Job) => {
    const log = deps.log.child({ jobId: job.id, job: job.name });
    if (job.name !== MAINTENANCE_JOBS.sweep) {
      log.warn('unknown maintenance job ignored');
      return { status: 'ignored' };
    }
    const result = await deps.sweep(log);
    log.info({ result }, 'sweep done');
    return result;
  };
  const worker = new Worker(QUEUES.maintenance, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 1,
    ...WORKER_STALL_OPTIONS,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'maintenance worker error'));
  worker.on('stalled', (jobId) =>
    deps.log.warn({ jobId, queue: worker.name }, 'job stalled (its worker copy stopped): back in the queue'),
  );
  worker.on('failed', (job, err) =>
    deps.log.warn({ jobId: job?.id, err: err.message }, 'maintenance job failed'),
  );
  return worker;
}
