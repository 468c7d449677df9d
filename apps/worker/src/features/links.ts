import { faceitOAuthFromConfig, LINK_JOBS, linkJobSchema, QUEUES, WORKER_STALL_OPTIONS } from '@bridge/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { linkAccountHandler } from '../jobs/link-account.ts';
import { levelsOnLink } from '../levels/apply.ts';

/** Account linking: the `links` queue consumer. */
export async function startLinkFeature(deps: WorkerDeps): Promise<FeatureHandle> {
  const handler = linkAccountHandler({
    redis: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    oauth: faceitOAuthFromConfig(deps.config),
    links: deps.links,
    client: deps.client,
    onLinked: (link, log) => levelsOnLink(deps, link, log),
  });
  const processor = async (job: Job) => {
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const parsed = linkJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} data`);
    if (job.name !== LINK_JOBS.link) throw new UnrecoverableError(`unknown job name ${job.name}`);
    return handler(parsed.data, { job, log: log.child({ discordUserId: parsed.data.discordUserId }) });
  };
  const worker = new Worker(QUEUES.links, processor, {
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    concurrency: deps.config.WORKER_CONCURRENCY,
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
  await worker.waitUntilReady();
  return { name: 'links', workers: [worker], close: () => worker.close() };
}
