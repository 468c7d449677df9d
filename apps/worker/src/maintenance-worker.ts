import { type Logger, MAINTENANCE_JOBS, QUEUES } from '@bridge/core';
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
  });
  worker.on('error', (err) => deps.log.error({ err }, 'maintenance worker error'));
  worker.on('failed', (job, err) =>
    deps.log.warn({ jobId: job?.id, err: err.message }, 'maintenance job failed'),
  );
  return worker;
}
