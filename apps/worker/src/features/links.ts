import { faceitOAuthFromConfig } from '@bridge/core';
import { startLinksWorker } from '../consumers/links-worker.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { linkAccountHandler } from '../jobs/link-account.ts';

/** Account linking: the `links` queue consumer. */
export async function startLinkFeature(deps: WorkerDeps): Promise<FeatureHandle> {
  const worker = startLinksWorker({
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    log: deps.log,
    metrics: deps.metrics,
    concurrency: deps.config.WORKER_CONCURRENCY,
    handler: linkAccountHandler({
      redis: deps.redis,
      prefix: deps.config.QUEUE_PREFIX,
      oauth: faceitOAuthFromConfig(deps.config),
      links: deps.links,
      client: deps.client,
    }),
  });
  await worker.waitUntilReady();
  return { name: 'links', workers: [worker], close: () => worker.close() };
}
