import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { matchCreatedHandler } from '../jobs/match-created.ts';
import { matchFinishedHandler } from '../jobs/match-finished.ts';
import { startMatchWorker } from '../match-worker.ts';

/** Match voice channels: the `matches` queue consumer (and, later, late joiners and the sweep). */
export async function startMatchFeature(deps: WorkerDeps): Promise<FeatureHandle> {
  const worker = startMatchWorker({
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    log: deps.log,
    concurrency: deps.config.WORKER_CONCURRENCY,
    handlers: { created: matchCreatedHandler(), finished: matchFinishedHandler() },
  });
  await worker.waitUntilReady();
  return { name: 'matches', close: () => worker.close() };
}
